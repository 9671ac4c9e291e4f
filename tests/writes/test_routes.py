"""Every refusal of the write routes, as an attacker would try them, through the app:
the status, a message a person can act on, and the store and journal unchanged — on the
bundled graph in memory and on a real Oxigraph server (``store_settings``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scholargate.services.tokens import TokenBook
from scholargate.web.app import create_app
from scholargate.web.context import get_store, get_writer

from .conftest import digest

ROOT = Path(__file__).resolve().parents[2]
CONTRIBUTED = "https://w3id.org/scholargate/graph/contributed"
LORA = "https://w3id.org/scholargate/method/lora"
BAD_YEAR = (
    f"<{LORA}> <https://w3id.org/scholargate/ontology#yearIntroduced> "
    '"1066"^^<http://www.w3.org/2001/XMLSchema#gYear> .'
).encode()
XML_WITH_DTD = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'
)


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, store_settings: dict[str, object]
) -> Iterator[Flask]:
    folder = tmp_path_factory.mktemp("routes")
    made = create_app(
        {
            **store_settings,
            "ROOT": ROOT,
            "SAVED": folder / "c.nt",
            "JOURNAL": folder / "j.jsonl",
            "TOKENS": folder / "t.json",
            "TESTING": True,
        }
    )
    yield made
    with made.app_context():
        get_store().close()  # a SPARQL server's kept-alive connections


@pytest.fixture(scope="module")
def token(app: Flask) -> str:
    return TokenBook(Path(app.config["TOKENS"])).add("curator", "writer")


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    """The app's client; the store and the journal must be as they were afterwards."""
    with app.app_context():
        before = digest(get_store())
        entries = get_writer().journal.entries()
    yield app.test_client()
    with app.app_context():
        assert digest(get_store()) == before
        assert get_writer().journal.entries() == entries


def auth(token: str, content_type: str | None = None, **more: str) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}", **more}
    if content_type:
        headers["Content-Type"] = content_type
    return headers


GRAPH = f"/store?graph={CONTRIBUTED}"
CASES = [
    # (label, method, path, body, content type, status, error kind, words in the message)
    (
        "no token",
        "POST",
        GRAPH,
        b"<a:b> <a:c> <a:d> .",
        "application/n-triples",
        401,
        "unauthorized",
        "Authorization: Bearer",
        None,
    ),
    (
        "token in the url",
        "POST",
        GRAPH + "&access_token=x",
        b"",
        "text/turtle",
        400,
        "bad-input",
        "Authorization",
        "",
    ),
    (
        "a DTD in RDF/XML",
        "POST",
        GRAPH,
        XML_WITH_DTD,
        "application/rdf+xml",
        400,
        "bad-input",
        "DTD",
        "",
    ),
    (
        "a remote JSON-LD context",
        "POST",
        GRAPH,
        b'{"@context": "http://example.org/ctx", "@id": "http://a", "name": "x"}',
        "application/ld+json",
        400,
        "bad-input",
        "never",
        "",
    ),
    (
        "a writer on the shapes",
        "PUT",
        "/store?graph=https://w3id.org/scholargate/graph/shapes",
        b'<http://a> <http://b> "c" .',
        "application/n-triples",
        403,
        "forbidden",
        "writer",
        "",
    ),
    (
        "not an IRI",
        "PUT",
        "/store?graph=not%20an%20iri",
        b"",
        "text/turtle",
        400,
        "bad-input",
        "absolute IRI",
        "",
    ),
    (
        "no content type",
        "POST",
        GRAPH,
        b'<http://a> <http://b> "c" .',
        None,
        415,
        "unsupported-media-type",
        "text/turtle",
        "",
    ),
    (
        "an empty new graph",
        "POST",
        "/store",
        b"",
        "text/turtle",
        400,
        "bad-input",
        "no triples",
        "",
    ),
    ("no graph named", "GET", "/store", None, None, 400, "bad-input", "?graph=", None),
    (
        "a missing graph",
        "GET",
        "/store?graph=urn:nothing",
        None,
        None,
        404,
        "not-found",
        "urn:nothing",
        None,
    ),
    (
        "deleting a missing graph",
        "DELETE",
        "/store?graph=urn:nothing",
        None,
        None,
        404,
        "not-found",
        "urn:nothing",
        "",
    ),
    (
        "replacing the union",
        "PUT",
        "/store?default",
        b"",
        "text/turtle",
        405,
        "method-not-allowed",
        "union",
        "",
    ),
    (
        "a writer clearing everything",
        "POST",
        "/sparql",
        b"CLEAR ALL",
        "application/sparql-update",
        403,
        "forbidden",
        "writer",
        "",
    ),
    (
        "an update with a syntax error",
        "POST",
        "/sparql",
        b"INSERT DATA { <a:b> <a:c> }",
        "application/sparql-update",
        400,
        "parse-error",
        "1:",
        "",
    ),
    ("an update by GET", "GET", "/sparql?update=CLEAR%20ALL", None, None, 405, "error", "POST", ""),
    (
        "too many operations",
        "POST",
        "/sparql",
        ";".join(["INSERT DATA { <a:b> <a:c> 'x' }"] * 60).encode(),
        "application/sparql-update",
        400,
        "query-refused",
        "50",
        "",
    ),
    (
        "LOAD",
        "POST",
        "/sparql",
        b"LOAD <http://example.org/x.ttl>",
        "application/sparql-update",
        400,
        "query-refused",
        "LOAD",
        "",
    ),
    (
        "a year the shapes refuse",
        "POST",
        GRAPH,
        BAD_YEAR,
        "application/n-triples",
        422,
        "shapes-violated",
        LORA,
        "",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "content_type", "status", "kind", "words", "token_use"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_a_refused_write_changes_nothing(
    client: FlaskClient,
    token: str,
    method: str,
    path: str,
    body: bytes | None,
    content_type: str | None,
    status: int,
    kind: str,
    words: str,
    token_use: str | None,
) -> None:
    headers = auth(token, content_type) if token_use is not None else {}
    if token_use is None and content_type:
        headers["Content-Type"] = content_type
    reply = client.open(path, method=method, data=body, headers=headers)
    assert reply.status_code == status, reply.get_data(as_text=True)
    error = reply.get_json()
    assert error["error"] == kind and error["status"] == status
    assert words in error["message"]
    if status == 401:
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    if status == 405 and "allow" in error.get("details", {}):
        assert reply.headers["Allow"]


def test_a_refusal_speaks_the_askers_language(client: FlaskClient, token: str) -> None:
    for lang, words in (("fa", "سال"), ("tr", "yıl")):
        reply = client.post(
            GRAPH,
            data=BAD_YEAR,
            headers=auth(token, "application/n-triples", **{"Accept-Language": lang}),
        )
        assert reply.status_code == 422
        assert words in reply.get_json()["message"].lower()
        assert reply.headers["Content-Language"] == lang
    page = client.post(
        GRAPH, data=BAD_YEAR, headers=auth(token, "application/n-triples", Accept="text/html")
    )
    assert page.status_code == 422 and "<html" in page.get_data(as_text=True)
    turtle = client.post(
        GRAPH, data=BAD_YEAR, headers=auth(token, "application/n-triples", Accept="text/turtle")
    )
    assert turtle.status_code == 422 and "sh:ValidationReport" in turtle.get_data(as_text=True)
