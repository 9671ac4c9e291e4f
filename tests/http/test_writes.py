"""Writes over HTTP against a live ``scholargate serve`` (two workers, the store on disk
copied to memory in each): SPARQL Update by SPARQLWrapper and by form, the Graph Store
by plain HTTP, every refusal with the store's hash before and after, and a write seen
by the next request on every worker."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from scholargate.services.tokens import TokenBook

from .conftest import LiveServer, running

CONTRIBUTED = "https://w3id.org/scholargate/graph/contributed"
CURATED = "https://w3id.org/scholargate/graph/curated"
NEW = "https://w3id.org/scholargate/method/graph-store-test-method"

PREFIXES = """
@prefix sg: <https://w3id.org/scholargate/ontology#> .
@prefix sgm: <https://w3id.org/scholargate/method/> .
@prefix sgp: <https://w3id.org/scholargate/person/> .
@prefix sgw: <https://w3id.org/scholargate/work/> .
@prefix sgf: <https://w3id.org/scholargate/field/> .
@prefix sgfam: <https://w3id.org/scholargate/family/> .
@prefix sgs: <https://w3id.org/scholargate/scheme/> .
@prefix sgt: <https://w3id.org/scholargate/type/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def method(year: str) -> bytes:
    """A test method that reuses LoRA's people, work, field and family."""
    return (
        PREFIXES
        + f"""
<{NEW}> a sg:Method ;
    skos:inScheme sgs:methods ;
    skos:prefLabel "Graph Store test method"@en , "روش آزمایشی"@fa , "Deneme yöntemi"@tr ;
    sg:summary "A method written through the Graph Store in a test."@en ;
    sg:yearIntroduced "{year}"^^xsd:gYear ;
    sg:introducedBy sgp:edward-hu ;
    sg:methodType sgt:transfer-learning ;
    sg:foundationalWork sgw:lora-low-rank-adaptation-of-large ;
    sg:field sgf:deep-learning ;
    sg:family sgfam:machine-learning .
"""
    ).encode()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("writes")
    settings = {"WORKERS": "2", "TOKENS": str(folder / "tokens.json"), "QUERY_TIMEOUT": "4"}
    yield from running(folder, settings, project_root)


@pytest.fixture(scope="module")
def tokens(live: LiveServer) -> dict[str, str]:
    book = TokenBook(Path(live.setting("TOKENS")))
    return {"writer": book.add("curator", "writer"), "admin": book.add("keeper", "admin")}


def store_hash(live: LiveServer) -> str:
    """SHA-256 of every quad the server holds (its N-Quads dump, lines sorted)."""
    reply = live.request("GET", "/export/all.nq")
    assert reply.status == 200
    return hashlib.sha256(b"\n".join(sorted(reply.body.splitlines()))).hexdigest()


def ask(live: LiveServer, sparql: str) -> bool:
    reply = live.query(sparql)
    assert reply.status == 200, reply.text
    return bool(reply.json()["boolean"])


def bearer(token: str, **more: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", **more}


def test_an_update_without_a_token_is_refused_and_changes_nothing(live: LiveServer) -> None:
    before = store_hash(live)
    body = urlencode({"update": f'INSERT DATA {{ <{NEW}> <urn:p> "x" }}'}).encode()
    reply = live.request(
        "POST",
        "/sparql",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert reply.status == 401
    assert reply.header("www-authenticate").startswith("Bearer")
    assert "Authorization: Bearer" in reply.json()["message"]
    assert store_hash(live) == before


def test_a_token_in_the_url_is_refused(live: LiveServer, tokens: dict[str, str]) -> None:
    reply = live.request(
        "POST",
        "/store?graph=" + quote(CONTRIBUTED) + "&access_token=" + tokens["writer"],
        body=method("2022"),
        headers={"Content-Type": "text/turtle"},
    )
    assert reply.status == 400
    assert "Authorization" in reply.json()["message"]


def test_a_violating_upload_is_refused_in_persian_naming_the_property(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    before = store_hash(live)
    reply = live.request(
        "PUT",
        "/store?graph=" + quote(CONTRIBUTED),
        body=method("1066"),
        headers=bearer(
            tokens["writer"], **{"Content-Type": "text/turtle", "Accept-Language": "fa"}
        ),
    )
    assert reply.status == 422, reply.text
    error = reply.json()
    assert error["error"] == "shapes-violated"
    assert NEW in error["message"] and "سال پیدایش" in error["message"]
    results = error["details"]["validation"]["results"]
    assert any(r["focusNode"] == NEW and r["blocking"] for r in results)
    # the same refusal as a SHACL report in Turtle
    turtle = live.request(
        "PUT",
        "/store?graph=" + quote(CONTRIBUTED),
        body=method("1066"),
        headers=bearer(
            tokens["writer"], **{"Content-Type": "text/turtle", "Accept": "text/turtle"}
        ),
    )
    assert turtle.status == 422 and "sh:ValidationReport" in turtle.text
    assert store_hash(live) == before


def test_a_writer_may_not_touch_the_ontology(live: LiveServer, tokens: dict[str, str]) -> None:
    before = store_hash(live)
    ontology = "https://w3id.org/scholargate/graph/ontology"
    update = f'INSERT DATA {{ GRAPH <{ontology}> {{ <urn:a> <urn:b> "c" }} }}'
    reply = live.request(
        "POST",
        "/sparql",
        body=update.encode(),
        headers=bearer(tokens["writer"], **{"Content-Type": "application/sparql-update"}),
    )
    assert reply.status == 403, reply.text
    assert store_hash(live) == before


def test_a_valid_upload_is_seen_by_the_next_request_on_every_worker(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    for _ in range(8):  # every worker's caches hold the graph as it was (slugs, methods)
        assert live.request("GET", "/method/lora.ttl").status == 200
        assert live.request("GET", "/compare.json?m=lora,bert-fine-tuning").status == 200
        assert live.request("GET", "/.well-known/void").status == 200
    reply = live.request(
        "PUT",
        "/store?graph=" + quote(CONTRIBUTED),
        body=method("2022"),
        headers=bearer(tokens["writer"], **{"Content-Type": "text/turtle"}),
    )
    assert reply.status in (200, 201), reply.text
    receipt = reply.json()
    assert receipt["by"] == "curator" and receipt["added"] >= 10
    seen: dict[int, bool] = {}
    deadline = time.monotonic() + 30  # new connections: the kernel spreads them, not evenly
    while time.monotonic() < deadline:
        health = live.request("GET", "/-/health").json()
        seen[health["worker"]] = health["journal"] >= receipt["seq"]
        if len(seen) == 2:
            break
    assert len(seen) == 2 and all(seen.values()), seen
    for _ in range(6):
        assert ask(live, f'ASK {{ <{NEW}> a sg:Method ; skos:prefLabel "روش آزمایشی"@fa }}')
    for _ in range(8):
        compared = live.request("GET", "/compare.json?m=graph-store-test-method,lora")
        assert compared.status == 200, compared.text
    page = live.request("GET", "/method/graph-store-test-method.ttl")
    assert page.status == 200 and "روش آزمایشی" in page.text
    found = live.request("GET", "/search.json?" + urlencode({"q": "روش آزمایشی"}))
    assert NEW in found.text
    got = live.request(
        "GET", "/store?graph=" + quote(CONTRIBUTED), headers={"Accept": "text/turtle"}
    )
    assert got.status == 200 and "Graph Store test method" in got.text


def test_sparqlwrapper_updates_with_a_token(live: LiveServer, tokens: dict[str, str]) -> None:
    client = SPARQLWrapper(live.endpoint)
    client.setMethod(POST)
    client.setRequestMethod(POSTDIRECTLY)
    client.addCustomHttpHeader("Authorization", f"Bearer {tokens['writer']}")
    client.setQuery(
        f"PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        f'INSERT DATA {{ <{NEW}> rdfs:comment "written by SPARQLWrapper"@en }}'
    )
    result = client.query()
    assert result.response.status == 200
    check = SPARQLWrapper(live.endpoint)
    check.setReturnFormat(JSON)
    check.setQuery(f'ASK {{ <{NEW}> ?p "written by SPARQLWrapper"@en }}')
    assert check.query().convert()["boolean"] is True
    refused = SPARQLWrapper(live.endpoint)
    refused.setMethod(POST)
    refused.setQuery(f'INSERT DATA {{ <{NEW}> <urn:p> "no token" }}')
    with pytest.raises(SPARQLWrapperException):
        refused.query()


def test_load_and_service_in_an_update_are_refused(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    before = store_hash(live)
    for update in (
        "LOAD <http://example.org/data.ttl>",
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    ):
        reply = live.request(
            "POST",
            "/sparql",
            body=update.encode(),
            headers=bearer(tokens["admin"], **{"Content-Type": "application/sparql-update"}),
        )
        assert reply.status in (400, 403), reply.text
        assert json.loads(reply.body)["message"]
    assert store_hash(live) == before


def update(live: LiveServer, token: str, text: str) -> object:
    return live.request(
        "POST",
        "/sparql",
        body=text.encode(),
        headers=bearer(token, **{"Content-Type": "application/sparql-update"}),
    )


def test_a_conditional_update_sees_what_the_one_before_wrote(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    note = "https://w3id.org/scholargate/method/lora"
    first = update(
        live, tokens["writer"], f'INSERT DATA {{ <{note}> rdfs:comment "draft one"@en }}'
    )
    assert first.status == 200, first.text
    second = update(
        live,
        tokens["writer"],
        f'DELETE {{ ?m rdfs:comment "draft one"@en }} INSERT {{ ?m rdfs:comment "draft two"@en }} '
        f'WHERE {{ BIND(<{note}> AS ?m) ?m rdfs:comment "draft one"@en }}',
    )
    assert second.status == 200, second.text
    assert (second.json()["removed"], second.json()["added"]) == (1, 1)
    assert ask(live, f'ASK {{ <{note}> rdfs:comment "draft two"@en }}')
    assert not ask(live, f'ASK {{ <{note}> rdfs:comment "draft one"@en }}')


def test_a_where_that_runs_too_long_is_stopped_and_changes_nothing(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    before = store_hash(live)
    slow = (
        "INSERT { <urn:x> <urn:y> ?c } WHERE { ?a ?b ?c . ?d ?e ?f "
        'FILTER (STR(?c) = CONCAT(STR(?f), "never")) }'
    )
    reply = update(live, tokens["admin"], slow)
    assert reply.status == 503, reply.text
    assert "WHERE" in reply.json()["message"]
    assert store_hash(live) == before
    # the write lock was let go: the next write goes through at once
    again = update(live, tokens["writer"], f'INSERT DATA {{ <{NEW}> rdfs:comment "after"@en }}')
    assert again.status == 200, again.text
