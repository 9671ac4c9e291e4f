"""Federated queries on a live ``scholargate serve`` whose SERVICE allow-list names the
fixture server: the example queries join our graph with it; the same queries are
refused (403) for an endpoint not on the list; each SERVICE call is under the query
deadline, its answer capped, and a redirect is not followed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import SH

from scholargate.namespaces import METHOD, PERSON

from ..http.conftest import LiveServer, start_server, stop_server
from . import servers
from .servers import Scripted, Silent

pytestmark = pytest.mark.slow

WIKIDATA = "https://query.wikidata.org/sparql"
WD = "http://www.wikidata.org/entity/"
TIMEOUT = 4.0
MAX_ROWS = 20


def example(project_root: Path, name: str) -> str:
    g = Graph().parse(project_root / "data" / "examples" / f"{name}.ttl")
    (text,) = g.objects(None, SH.select)
    assert WIKIDATA in str(text)
    return str(text)


@pytest.fixture(scope="module")
def never_answers() -> Iterator[Silent]:
    listener = Silent()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[Scripted]:
    server = Scripted(script=[servers.answer([{"x": {"type": "literal", "value": "x"}}], ["x"])])
    yield server
    server.close()


@pytest.fixture(scope="module")
def redirector(elsewhere: Scripted) -> Iterator[Scripted]:
    server = Scripted()
    server.default = servers.redirect(elsewhere.url, 307)  # type: ignore[method-assign]
    yield server
    server.close()


@pytest.fixture(scope="module")
def federating(
    tmp_path_factory: pytest.TempPathFactory,
    unnamed_root: Path,
    remote: LiveServer,
    never_answers: Silent,
    redirector: Scripted,
) -> Iterator[LiveServer]:
    """The repository's graph served with the fixture server (and two misbehaving ones)
    on its SERVICE allow-list."""
    allow = " ".join([remote.endpoint, never_answers.url, redirector.url])
    settings = {
        "SERVICE_ALLOWLIST": allow,
        "QUERY_TIMEOUT": str(TIMEOUT),
        "MAX_ROWS": str(MAX_ROWS),
        "WORKERS": "1",
        "QUERY_WORKERS": "2",
    }
    # the repository's graph without our translated names (which give BERT fa and tr)
    live = start_server(tmp_path_factory.mktemp("federating"), settings, unnamed_root)
    yield live
    stop_server(live)


def rows(reply) -> list[dict[str, str]]:  # noqa: ANN001 - a conftest Reply
    assert reply.status == 200, reply.text
    return [{k: v["value"] for k, v in b.items()} for b in reply.json()["results"]["bindings"]]


def test_federated_example_joins_our_methods_with_the_fixture(
    federating: LiveServer, remote: LiveServer, project_root: Path
) -> None:
    sparql = example(project_root, "federated").replace(WIKIDATA, remote.endpoint)
    found = {(r["method"], r["language"], r["name"]) for r in rows(federating.query(sparql))}
    # BERT has only an English name in our data; Wikidata (the fixture) has fa and tr
    assert found == {(str(METHOD["bert"]), "fa", "برت"), (str(METHOD["bert"]), "tr", "BERT")}


def test_federated_orcid_example_joins_our_authors_with_the_fixture(
    federating: LiveServer, remote: LiveServer, project_root: Path
) -> None:
    sparql = example(project_root, "federated-orcids").replace(WIKIDATA, remote.endpoint)
    found = {r["person"]: r["author"] for r in rows(federating.query(sparql))}
    assert found[str(PERSON["ashish-vaswani"])] == WD + "Q990101"
    assert found[str(PERSON["lukasz-kaiser"])] == WD + "Q990107"
    assert str(PERSON["edward-hu"]) not in found  # "Edward Hu" ≠ "Edward J. Hu" here


@pytest.mark.parametrize("name", ["federated", "federated-orcids"])
def test_same_query_is_refused_for_an_endpoint_not_on_the_allow_list(
    federating: LiveServer, project_root: Path, name: str
) -> None:
    outsider = Scripted(upstream=None)
    try:
        for endpoint in (outsider.url, WIKIDATA):  # WIKIDATA: the example as published
            reply = federating.query(example(project_root, name).replace(WIKIDATA, endpoint))
            assert reply.status == 403, reply.text
            body = reply.json()
            assert body["error"] == "forbidden" and endpoint in body["message"]
            assert "allow-list" in body["message"]
        assert outsider.hits == []
    finally:
        outsider.close()


def test_service_call_is_under_the_query_deadline(
    federating: LiveServer, never_answers: Silent
) -> None:
    sparql = f"SELECT * WHERE {{ SERVICE <{never_answers.url}> {{ ?s ?p ?o }} }}"
    started = time.monotonic()
    reply = federating.query(sparql, timeout=60)
    elapsed = time.monotonic() - started
    assert reply.status == 503, reply.text
    assert elapsed < TIMEOUT + 5, elapsed
    assert len(never_answers.connections) >= 1  # it was called, and given up on
    assert federating.healthy()


def test_service_answer_is_capped(federating: LiveServer, remote: LiveServer) -> None:
    reply = federating.query(f"SELECT * WHERE {{ SERVICE <{remote.endpoint}> {{ ?s ?p ?o }} }}")
    assert len(rows(reply)) == MAX_ROWS
    assert reply.header("sparql-results-truncated") == "true"


def test_service_redirect_is_not_followed(
    federating: LiveServer, redirector: Scripted, elsewhere: Scripted
) -> None:
    reply = federating.query(f"SELECT * WHERE {{ SERVICE <{redirector.url}> {{ ?s ?p ?o }} }}")
    assert reply.status >= 400
    assert len(redirector.hits) >= 1 and elsewhere.hits == []
