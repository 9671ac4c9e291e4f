"""Property-based fuzz of the live server: any text in a slug, ``q``, ``m``, a facet or
``Accept`` gets an answer that is not a 5xx, within a time bound, and a refusal comes in
the project's error shape. Repeatable: the examples are derived, not random (a fixed
number per property), and nothing is stored between runs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from .conftest import LiveServer, Reply

# Hypothesis caches what it learns (it writes while tests are collected): in a folder of
# the system's temporary directory, never in the checkout.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "scholargate-hypothesis")

pytestmark = pytest.mark.slow

BOUND = 10.0  # seconds an answer may take
KINDS = ("method", "person", "work", "field", "family", "type", "alias", "scheme")
SUFFIXES = ("", ".ttl", ".jsonld", ".nt", ".rdf", ".html", ".bib", ".csl.json")
FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Any text (no lone surrogates: they cannot be sent as UTF-8), weighted towards what
# queries and URLs give meaning to.
SPECIAL = st.sampled_from(
    [">", "<", '"', "{", "}", "(", ")", "\\u003E", "%", "/", ".", "..", "\x00", "\r\n", "\t",
     " ", "#", "?", "&", "=", "+", ";", ",", "'", "\u200c", "\u202e", "🦜", "ی", "İ", "SERVICE",
     "SELECT * {", "?a ?b ?c .", "lora", "-", "a" * 300]
)  # fmt: skip
TEXT = st.lists(
    st.one_of(st.text(st.characters(exclude_categories=["Cs"]), max_size=12), SPECIAL),
    max_size=8,
).map("".join)
RAW = st.binary(max_size=40)  # bytes that may not be UTF-8, sent percent-encoded


def encoded(value: str | bytes) -> str:
    return quote(value, safe="")


def answered(server: LiveServer, path: str, headers: dict[str, bytes] | None = None) -> Reply:
    reply = server.request(
        "GET", path, headers=headers or {"Accept": b"application/json"}, timeout=BOUND + 30
    )
    assert reply.status < 500, f"{path[:200]}: {reply.status} {reply.body[:300]!r}"
    assert reply.seconds <= BOUND, f"{path[:200]}: {reply.seconds:.1f} s"
    assert b"Traceback" not in reply.body
    if reply.status >= 400 and reply.media_type == "application/json":
        body = reply.json()
        assert body["status"] == reply.status and body["error"] and body["message"]
    return reply


@pytest.fixture(autouse=True)
def stays_alive(server: LiveServer) -> object:
    yield
    assert server.healthy(), "/-/health stopped answering"


@FUZZ
@given(kind=st.sampled_from(KINDS), slug=st.one_of(TEXT, RAW), suffix=st.sampled_from(SUFFIXES))
def test_any_slug(server: LiveServer, kind: str, slug: str | bytes, suffix: str) -> None:
    text = encoded(slug)
    if not text:
        return
    reply = answered(server, f"/{kind}/{text}{suffix}")
    assert reply.status in (200, 404, 406), reply.status


@FUZZ
@given(q=st.one_of(TEXT, RAW), route=st.sampled_from(["/search", "/search/suggest"]))
def test_any_search(server: LiveServer, q: str | bytes, route: str) -> None:
    reply = answered(server, f"{route}?q={encoded(q)}")
    assert reply.status in (200, 400), reply.status


@FUZZ
@given(names=st.lists(st.one_of(TEXT, RAW), min_size=1, max_size=5), add=TEXT)
def test_any_methods_to_compare(server: LiveServer, names: list, add: str) -> None:
    m = "&".join(f"m={encoded(name)}" for name in names)
    reply = answered(server, f"/compare.json?{m}&add={encoded(add)}")
    assert reply.status in (200, 400, 404), reply.status


@FUZZ
@given(
    values=st.lists(
        st.tuples(
            st.sampled_from(["field", "family", "type", "from", "to", "sort", "page", "lang"]),
            st.one_of(TEXT, RAW, st.sampled_from(["deep-learning", "2017", "year", "2"])),
        ),
        max_size=6,
    )
)
def test_any_facets(server: LiveServer, values: list[tuple[str, str | bytes]]) -> None:
    query = "&".join(f"{name}={encoded(value)}" for name, value in values)
    reply = answered(server, f"/methods.json?{query}")
    assert reply.status in (200, 400, 404), reply.status


@FUZZ
@given(
    accept=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=80),
    language=st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF), max_size=40),
    route=st.sampled_from(
        ["/method/lora", "/compare?m=lora,bert-fine-tuning", "/search?q=lora", "/methods",
         "/ontology", "/-/stats", "/export/curated", "/sparql?query=ASK%7B%7D"]
    ),
)  # fmt: skip
def test_any_accept(server: LiveServer, accept: str, language: str, route: str) -> None:
    headers = {"Accept": accept.encode(), "Accept-Language": language.encode("latin-1")}
    reply = answered(server, route, headers)
    assert reply.status in (200, 400, 406), reply.status
