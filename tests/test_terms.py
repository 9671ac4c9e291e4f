"""terms.py: the one place a value becomes part of a query's text.

The properties are checked with the store that runs the queries: whatever text
``literal`` is given comes back from Oxigraph unchanged, and whatever ``iri`` accepts is
read by Oxigraph as that same IRI, one term, never more query.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from scholargate.errors import InputError, NotFoundError
from scholargate.terms import (
    check_slug,
    iri,
    is_comparison_id,
    is_iri,
    is_slug,
    literal,
    malformed_slug,
    term,
)

# Hypothesis caches what it learns (it writes while tests are collected): in a folder of
# the system's temporary directory, never in the checkout.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "scholargate-hypothesis")

FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
STORE = ox.Store()


HOSTILE = [
    "x>",
    'a"}{',
    "lo\x00ra",
    "x> } SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } #",
    "x\\u003E } SERVICE <http://127.0.0.1:9/sparql> { }",
    "(" * 7000,
    "} } SELECT * { ?a ?b ?c . ?d ?e ?f }",
    "../../etc/passwd",
    "a\r\nb",
    "روش\u200cها",
    "\u202eevil",
    "🦜",
]


def _select_one(query: str) -> ox.Literal | ox.NamedNode:
    solutions = list(STORE.query(query))
    assert len(solutions) == 1
    return solutions[0]["v"]


# ---- slugs and ids ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug", ["lora", "multi-head-self-attention", "bert-fine-tuning", "2017", "a", "x" * 200]
)
def test_slug_accepted(slug: str) -> None:
    assert is_slug(slug) and check_slug("method", slug) == slug


@pytest.mark.parametrize(
    "slug",
    ["", "LoRA", "-lora", "lo ra", "lo.ra", "lo_ra", "lo/ra", "x" * 201, "lora\n", *HOSTILE],
)
def test_slug_refused(slug: str) -> None:
    assert not is_slug(slug)
    with pytest.raises(NotFoundError) as refused:
        check_slug("method", slug)
    assert refused.value.status == 404
    assert refused.value.message.startswith("no method ")
    assert "SELECT" not in refused.value.message or "SELECT" in slug


def test_malformed_slug_message_is_short_and_says_what_a_slug_is() -> None:
    error = malformed_slug("person", "(" * 7000)
    assert len(error.message) < 300
    assert "lower-case letters, digits and hyphens" in error.message
    assert error.details == {"kind": "person", "reason": "malformed-slug"}


def test_comparison_id() -> None:
    assert is_comparison_id("d551e14234bc")
    for bad in ("D551E14234BC", "d551e14234b", "d551e14234bcd", "d551e14234bg", "x>"):
        assert not is_comparison_id(bad)


# ---- IRIs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "https://w3id.org/scholargate/method/lora",
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "urn:isbn:0451450523",
        "https://fa.wikipedia.org/wiki/روش",
        "http://[::1]:8000/sparql",
        "http://127.0.0.1:8000/export/all.ttl",
    ],
)
def test_iri_accepted(value: str) -> None:
    assert is_iri(value)
    assert _select_one(f"SELECT ?v WHERE {{ BIND({iri(value)} AS ?v) }}") == ox.NamedNode(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "lora",  # relative
        "https://w3id.org/scholargate/method/x>",
        "https://w3id.org/scholargate/method/x> } SERVICE <http://127.0.0.1:9/> {",
        "https://w3id.org/scholargate/method/x\\u003E",
        "https://w3id.org/scholargate/method/a b",
        "https://w3id.org/scholargate/method/lo\x00ra",
        "https://w3id.org/scholargate/method/a{b}",
        'https://w3id.org/scholargate/method/a"b',
        "https://w3id.org/scholargate/method/a|b",
        "https://w3id.org/scholargate/method/a^b",
        "https://w3id.org/scholargate/method/a`b",
        "https://w3id.org/scholargate/method/%zz",
        "http://[::1/",
        "https://w3id.org/scholargate/method/\ud800",
    ],
)
def test_iri_refused(value: str) -> None:
    assert not is_iri(value)
    with pytest.raises(InputError) as refused:
        iri(value)
    assert refused.value.status == 400 and "not an IRI" in refused.value.message


@FUZZ
@given(st.text())
def test_iri_is_one_term_or_refused(text: str) -> None:
    """Whatever the text, ``iri`` refuses it or Oxigraph reads back exactly that IRI."""
    value = "https://w3id.org/scholargate/method/" + text
    try:
        written = iri(value)
    except InputError:
        return
    found = _select_one(f"SELECT ?v WHERE {{ BIND({written} AS ?v) }}")
    assert found == ox.NamedNode(value)


# ---- literals -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE + ["", '"""', "'", "\\", "\\n", "\t\x7f\x1b", "\\u0022"])
def test_literal_round_trips(text: str) -> None:
    assert _select_one(f"SELECT ?v WHERE {{ BIND({literal(text)} AS ?v) }}") == ox.Literal(text)


@FUZZ
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"])))
def test_literal_round_trips_any_text(text: str) -> None:
    query = f"SELECT ?v WHERE {{ BIND({literal(text)} AS ?v) }}"
    assert _select_one(query) == ox.Literal(text)


@FUZZ
@given(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=50),
    st.sampled_from(["en", "fa", "tr", "en-GB", "zh-Hant-TW"]),
)
def test_literal_keeps_its_language(text: str, lang: str) -> None:
    found = _select_one(f"SELECT ?v WHERE {{ BIND({literal(text, lang=lang)} AS ?v) }}")
    assert found == ox.Literal(text, language=lang.lower()) or found == ox.Literal(
        text, language=lang
    )


def test_literal_with_datatype() -> None:
    written = literal("2017", datatype=str(XSD.gYear))
    assert written == '"2017"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    assert literal("x", datatype=str(XSD.string)) == '"x"'


@pytest.mark.parametrize("lang", ["en fa", "en>", 'en"', "e" * 9, "", "-en", "en-"])
def test_literal_refuses_a_malformed_language(lang: str) -> None:
    if not lang:
        assert literal("x", lang=lang) == '"x"'
        return
    with pytest.raises(InputError):
        literal("x", lang=lang)


def test_literal_refuses_a_malformed_datatype() -> None:
    with pytest.raises(InputError):
        literal("x", datatype="http://example.org/a> } SERVICE <http://127.0.0.1:9/> {")


def test_literal_refuses_a_lone_surrogate() -> None:
    with pytest.raises(InputError):
        literal("a\udc80b")


# ---- rdflib terms -------------------------------------------------------------------------


def test_term() -> None:
    assert term(URIRef("https://w3id.org/scholargate/method/lora")) == (
        "<https://w3id.org/scholargate/method/lora>"
    )
    assert term(Literal("LoRA", lang="en")) == '"LoRA"@en'
    assert term(Literal('a"b\\c\nd')) == '"a\\"b\\\\c\\nd"'
    assert term(Literal(2017)) == '"2017"^^<http://www.w3.org/2001/XMLSchema#integer>'
    with pytest.raises(InputError):
        term(URIRef("https://w3id.org/scholargate/method/x>"))
    with pytest.raises(InputError):
        term(BNode())
