"""``scholargate serve --store http://…``: a live server whose store is a real SPARQL
server — the Oxigraph server and Virtuoso (``backend``) — loaded by ``scholargate build
--store URL``. It answers the seed comparison byte for byte as the embedded store's
server does, and search, a method page, exports the same; it saves a comparison as a
write with its journal on the server; its ``/sparql`` answers, cuts
at ``MAX_ROWS``, refuses past ``MAX_ANSWER_BYTES`` and stops at ``QUERY_TIMEOUT``; and
once the SPARQL server is stopped it answers a clear 503 JSON error, no traceback.

Each SPARQL server is this module's own (the session's are shared with tests that
empty them, and this module stops its server at the end)."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rdflib import Dataset, URIRef
from rdflib.compare import isomorphic

from scholargate.store import remote_store
from scholargate.store.oxigraph import OxigraphStore

from ..conftest import OxigraphServer, SparqlServer, VirtuosoServer
from .conftest import SERVER_ROWS, LiveServer, _command, running

pytestmark = pytest.mark.slow

SEED = "/compare.json?m=multi-head-self-attention,bert-fine-tuning,lora&lang=fa"
# (SPARQL leaves the order of literals of different languages to the engine: STR, LANG)
ROWS = (
    "SELECT ?m ?label WHERE { ?m a sg:Method ; skos:prefLabel ?label } "
    "ORDER BY ?m STR(?label) LANG(?label)"
)
REMOTE_TIMEOUT = 2.0
REMOTE_BYTES = 100_000


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SparqlServer]:
    kind = OxigraphServer if request.param == "oxigraph" else VirtuosoServer
    server = kind(tmp_path_factory.mktemp("backend"))
    yield server
    server.stop()


def urls(server: SparqlServer) -> dict[str, str]:
    """The STORE_… settings beside the query URL, as strings."""
    return {k: str(v) for k, v in server.settings().items() if k != "STORE"}


@pytest.fixture(scope="module")
def built(
    backend: SparqlServer, project_root: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """``scholargate --store URL build`` (the update and Graph Store URLs from the
    environment), as a user runs it; its output."""
    folder = tmp_path_factory.mktemp("build")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGATE_")}
    env.update({f"SCHOLARGATE_{k}": v for k, v in urls(backend).items()})
    env["SCHOLARGATE_ROOT"] = str(project_root)
    env["SCHOLARGATE_SAVED"] = str(folder / "comparisons.nt")
    command = [*_command(), "--store", backend.query_url, "build"]
    result = subprocess.run(
        command, env=env, cwd=folder, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def remote_server(
    backend: SparqlServer,
    built: str,
    tmp_path_factory: pytest.TempPathFactory,
    project_root: Path,
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("remote")
    settings = {
        **urls(backend),
        "MAX_ROWS": str(SERVER_ROWS),
        "WORKERS": "1",
        "QUERY_TIMEOUT": str(REMOTE_TIMEOUT),
        "MAX_ANSWER_BYTES": str(REMOTE_BYTES),
        "SLOW_CLIENT_SECONDS": "0",
    }
    yield from running(folder, settings, project_root, store=backend.query_url)


def test_the_build_loads_the_bundled_graph_with_equal_counts(
    built: str, backend: SparqlServer, bundled_store: OxigraphStore
) -> None:
    assert f"→ {backend.query_url}" in built
    loaded = remote_store(backend.query_url)
    try:
        assert loaded.graph_names() == bundled_store.graph_names()
        for name in bundled_store.graph_names():
            assert loaded.count(name) == bundled_store.count(name), name
        assert loaded.count() == bundled_store.count()
    finally:
        loaded.close()


def test_the_seed_comparison_is_byte_identical(
    remote_server: LiveServer, server: LiveServer
) -> None:
    there, here = remote_server.request("GET", SEED), server.request("GET", SEED)
    assert there.status == here.status == 200
    assert there.body == here.body
    health = remote_server.request("GET", "/-/health").json()
    assert health["store"] == "remote"
    assert health["quads"] == server.request("GET", "/-/health").json()["quads"]


@pytest.mark.parametrize(
    "path",
    [
        "/search.json?q=low%20rank%20adaptation&lang=fa",
        "/search/suggest?q=%D8%AA%D9%88%D8%AC%D9%87&lang=fa&type=method",
        "/method/lora.ttl",
        "/method/multi-head-self-attention?lang=fa",
        "/methods.json?field=computer-vision&from=2015&to=2017",
        "/export/curated.nt",
        "/export/all.nq",
        "/export.json",
        "/-/stats.json",
    ],
)
def test_search_pages_and_exports_answer_as_embedded(
    remote_server: LiveServer, server: LiveServer, path: str
) -> None:
    there, here = remote_server.request("GET", path), server.request("GET", path)
    assert there.status == here.status == 200, there.text[:300]
    assert there.media_type == here.media_type
    if path.startswith("/method/") and "." not in path:  # rows may come in another order
        assert _links(there.text) == _links(here.text) and len(_links(here.text)) > 20
    elif path.endswith((".ttl", ".nt", ".nq")):  # the same statements, in the server's order
        rdf = {".ttl": "turtle", ".nt": "nt", ".nq": "nquads"}[path[path.rindex(".") :]]
        read = [Dataset().parse(data=reply.body, format=rdf) for reply in (there, here)]
        names = [sorted(str(g.identifier) for g in d.graphs() if len(g)) for d in read]
        assert names[0] == names[1]
        for name in names[1]:
            assert isomorphic(read[0].graph(URIRef(name)), read[1].graph(URIRef(name))), name
    else:  # (a description of the dataset names the server it is asked of, and when
        # the graph was built)
        built = re.compile(r'"modified": "[^"]*"')
        assert built.sub("", there.text.replace(remote_server.url, server.url)) == built.sub(
            "", here.text
        )


def _links(html: str) -> list[str]:
    return sorted(set(re.findall(r'href="([^"]+)"', html)))


def test_saving_a_comparison_writes_it_on_the_server(remote_server: LiveServer) -> None:
    # a save is a write through the Writer, its journal entry on the server
    form = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    body = urlencode({"m": "lora,bert-fine-tuning"}).encode()
    reply = remote_server.request("POST", "/compare/save", body=body, headers=form)
    assert reply.status == 201, reply.text
    saved = reply.json()
    assert saved["created"] is True
    page = remote_server.request("GET", saved["url"])
    assert page.status == 200 and "Traceback" not in page.text
    found = remote_server.query(
        f"ASK {{ GRAPH sgg:comparisons {{ <{saved['comparison']}> ?p ?o }} }}"
    )
    assert found.json()["boolean"] is True
    again = remote_server.request("POST", "/compare/save", body=body, headers=form)
    assert again.status == 200 and again.json()["created"] is False


def test_sparql_answers_a_select_cut_at_the_row_cap(
    remote_server: LiveServer, server: LiveServer
) -> None:
    small = "SELECT ?m WHERE { ?m a sg:Method } ORDER BY ?m LIMIT 3"
    reply = remote_server.query(small)
    assert reply.status == 200 and reply.media_type == "application/sparql-results+json"
    assert len(reply.json()["results"]["bindings"]) == 3
    assert "sparql-results-truncated" not in reply.headers
    # past MAX_ROWS: cut as the embedded store cuts it
    there = remote_server.query(ROWS, accept="text/tab-separated-values")
    here = server.query(ROWS, accept="text/tab-separated-values")
    assert there.status == here.status == 200
    assert there.header("SPARQL-Results-Truncated") == here.header("SPARQL-Results-Truncated") != ""
    assert len(there.text.splitlines()) == 1 + SERVER_ROWS
    assert there.body == here.body


def test_sparql_refuses_an_answer_over_the_byte_cap(remote_server: LiveServer) -> None:
    long = (
        "SELECT ?s (CONCAT(STR(?s), STR(?p), STR(?s), STR(?p)) AS ?x) WHERE { ?s ?p ?o } "
        "LIMIT 5000"  # some 800 kB, read within the time limit by each server
    )
    reply = remote_server.query(long, accept="text/csv")
    assert reply.status == 400, reply.text
    body = reply.json()
    assert body["error"] == "query-failed"
    assert f"at most {REMOTE_BYTES} (MAX_ANSWER_BYTES)" in body["message"]


def test_sparql_stops_at_the_deadline(remote_server: LiveServer) -> None:
    # runs on the SPARQL server until it is stopped (the next test)
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    reply = remote_server.query(slow, timeout=30)
    assert reply.status == 503, reply.text
    assert reply.seconds < REMOTE_TIMEOUT + 2
    body = reply.json()
    assert body["error"] == "limit-exceeded"
    assert body["details"]["limit_seconds"] == REMOTE_TIMEOUT


def test_a_stopped_store_is_a_clear_503(remote_server: LiveServer, backend: SparqlServer) -> None:
    backend.stop()
    for reply in (
        remote_server.query("SELECT * WHERE { ?s ?p ?o } LIMIT 1"),
        remote_server.request("GET", SEED),
    ):
        assert reply.status == 503, reply.text
        assert reply.media_type == "application/json"
        body = reply.json()
        assert body["error"] == "store-unavailable"
        assert f"127.0.0.1:{backend.port}" in body["message"]
        assert "Traceback" not in reply.text
    assert remote_server.healthy() or remote_server.process.poll() is None  # still serving
