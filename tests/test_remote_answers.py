"""``/sparql``'s call on the remote store (``RemoteStore.answer``) keeps the embedded
store's bounds and answers: the same bytes for the bundled graph on a real Oxigraph
server and a real Virtuoso, cut at the row cap in every results format, refused past
the byte cap with the embedded store's message, stopped at the request's deadline as a 503 with
``limit_seconds``; and the store opened from the settings (``STORE`` a URL), never
echoing a password."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from scholargate.build import open_configured, place_of
from scholargate.config import load_config
from scholargate.errors import InputError, LimitExceededError
from scholargate.store import AnswerRequest, QueryFailedError, Store, remote_store
from scholargate.store.oxigraph import OxigraphStore

from .conftest import ROOT, OxigraphServer, SparqlServer

# SPARQL leaves the order of literals of different languages to the engine: STR, LANG;
# Virtuoso sorts by at most 1,900 bytes, and a summary is longer: its start, then length
ROWS = (
    "SELECT ?s ?p ?o WHERE { ?s a sg:Method ; ?p ?o } "
    "ORDER BY ?s ?p SUBSTR(STR(?o), 1, 300) STRLEN(STR(?o)) LANG(?o)"
)
SCRATCH = URIRef("https://w3id.org/scholargate/graph/test")
GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { ?s a sg:Method ; ?p ?o } ORDER BY ?s ?p ?o"


def settings_for(server: SparqlServer, **more: object) -> dict:
    return load_config({"ROOT": ROOT, **server.settings(), **more})


@pytest.fixture(scope="module")
def loaded(
    sparql_server: SparqlServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The bundled graph loaded into each of the session's SPARQL servers the way
    `scholargate build` loads it (``open_configured(load=True)``)."""
    saved = tmp_path_factory.mktemp("saved") / "comparisons.nt"
    opened = open_configured(settings_for(sparql_server, SAVED=saved), load=True)
    opened.store.clear()  # another module may have left graphs of its own
    opened.store.close()
    opened = open_configured(settings_for(sparql_server, SAVED=saved), load=True)
    assert opened.report is not None and opened.report.quads > 0
    yield opened.store
    opened.store.close()


def ask(store: Store, sparql: str, fmt: str, **options: object) -> object:
    return store.answer(AnswerRequest(sparql=sparql, fmt=fmt, **options))  # type: ignore[arg-type]


@pytest.mark.slow
def test_the_build_loads_equal_counts(loaded: Store, bundled_store: OxigraphStore) -> None:
    assert loaded.remote and not bundled_store.remote
    assert loaded.graph_names() == bundled_store.graph_names()
    for name in bundled_store.graph_names():
        assert loaded.count(name) == bundled_store.count(name), name


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml"])
@pytest.mark.parametrize("cap", [None, 7, 0])
def test_select_answers_are_the_embedded_stores(
    loaded: Store, bundled_store: OxigraphStore, fmt: str, cap: int | None
) -> None:
    here = ask(bundled_store, ROWS, fmt, max_rows=cap)
    there = ask(loaded, ROWS, fmt, max_rows=cap)
    assert (
        (there.kind, there.truncated) == (here.kind, here.truncated) == ("select", cap is not None)
    )
    if fmt == "json" and cap is None:  # passed through as the server wrote it
        assert json.loads(there.body) == json.loads(here.body)
    else:
        assert there.body == here.body
    if cap is not None:
        assert there.count == here.count == cap


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["nt", "ttl", "nq", "jsonld"])
def test_graph_answers_are_cut_and_written_as_the_embedded_store(
    loaded: Store, bundled_store: OxigraphStore, fmt: str
) -> None:
    here = ask(bundled_store, GRAPH, fmt, max_rows=5)
    there = ask(loaded, GRAPH, fmt, max_rows=5)
    assert (there.kind, there.count, there.truncated) == ("graph", 5, True)
    assert (here.kind, here.count, here.truncated) == ("graph", 5, True)
    whole = ask(loaded, GRAPH, "nt")
    assert not whole.truncated and whole.count > 5
    if fmt == "nt":  # the server's lines, the first five
        assert there.body == b"".join(whole.body.splitlines(keepends=True)[:5])


@pytest.mark.slow
def test_ask_and_the_dataset_of_the_request(loaded: Store, bundled_store: OxigraphStore) -> None:
    sparql = "ASK { ?s a sg:Method }"
    assert ask(loaded, sparql, "json").body == ask(bundled_store, sparql, "json").body
    only_shapes = {"default_graphs": ("https://w3id.org/scholargate/graph/shapes",)}
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    there, here = (
        ask(loaded, count, "csv", **only_shapes),
        ask(bundled_store, count, "csv", **only_shapes),
    )
    assert there.body == here.body


@pytest.mark.slow
def test_a_form_and_format_that_do_not_fit_are_refused_as_embedded(
    loaded: Store, bundled_store: OxigraphStore
) -> None:
    for sparql, fmt in ((ROWS, "ttl"), (GRAPH, "json"), ("ASK {}", "nt")):
        with pytest.raises(QueryFailedError) as here:
            ask(bundled_store, sparql, fmt)
        with pytest.raises(QueryFailedError) as there:
            ask(loaded, sparql, fmt)
        assert there.value.message == here.value.message
        assert there.value.status == here.value.status == 400


@pytest.mark.slow
def test_an_answer_past_the_byte_cap_is_refused_as_embedded(
    loaded: Store, bundled_store: OxigraphStore
) -> None:
    for fmt in ("json", "csv", "nt"):
        sparql = GRAPH if fmt == "nt" else ROWS
        with pytest.raises(QueryFailedError) as here:
            ask(bundled_store, sparql, fmt, max_rows=1000, max_bytes=2000)
        with pytest.raises(QueryFailedError) as there:
            ask(loaded, sparql, fmt, max_rows=1000, max_bytes=2000)
        assert there.value.status == here.value.status == 400
        assert "(MAX_ANSWER_BYTES): ask for fewer rows (LIMIT)" in there.value.message
    # within the cap once the row cap cut it: answered
    small = ask(loaded, ROWS, "csv", max_rows=3, max_bytes=2000)
    assert small.truncated and len(small.body) <= 2000


@pytest.mark.slow
def test_the_deadline_stops_waiting_for_the_server(tmp_path: Path) -> None:
    server = OxigraphServer(tmp_path)  # its own: it goes on evaluating until stopped
    try:
        store = open_configured(settings_for(server)).store
        node = URIRef("http://example.org/n")
        store.extend(
            SCRATCH, [(node, URIRef(f"http://example.org/p{i}"), Literal(i)) for i in range(2000)]
        )
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        started = time.monotonic()
        with pytest.raises(LimitExceededError) as caught:
            ask(store, slow, "json", timeout=1.0, started=started)
        assert time.monotonic() - started < 2.0
        assert caught.value.status == 503
        assert caught.value.details["limit_seconds"] == 1.0
        with pytest.raises(LimitExceededError):  # the deadline passed before it was sent
            ask(store, "ASK {}", "json", timeout=1.0, started=started - 5)
        store.close()
    finally:
        server.stop()


def test_memory_with_a_url_is_an_error(oxigraph_server: OxigraphServer) -> None:
    with pytest.raises(InputError, match="MEMORY .* SPARQL server"):
        place_of(settings_for(oxigraph_server, MEMORY=True))


def test_a_url_stays_a_url_and_a_password_is_never_echoed(
    oxigraph_server: OxigraphServer, tmp_path: Path
) -> None:
    settings = settings_for(oxigraph_server, STORE_USER="reader", STORE_PASSWORD="s3cret-pw")
    assert settings["STORE"] == f"{oxigraph_server.url}/query"  # not folded into a Path
    place = place_of(settings)
    assert place.url == settings["STORE"] and place.path is None
    opened = open_configured(settings)  # opens, builds nothing
    assert opened.report is None and opened.store.remote
    assert "s3cret-pw" not in repr(opened.store)
    opened.store.close()
    with pytest.raises(InputError) as caught:
        remote_store("http://reader:s3cret-pw@127.0.0.1:9/query")
    assert "s3cret-pw" not in caught.value.message
    with pytest.raises(InputError, match="basic or digest"):
        open_configured(settings_for(oxigraph_server, STORE_AUTH="kerberos"))
    with pytest.raises(InputError, match="profile"):
        open_configured(settings_for(oxigraph_server, STORE_PROFILE="nope"))


def test_the_cli_refuses_memory_with_a_url_and_serve_a_url_holding_a_password(
    oxigraph_server: OxigraphServer, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from scholargate.cli import main

    url = f"{oxigraph_server.url}/query"
    result = CliRunner().invoke(main, ["--memory", "--store", url, "stats"])
    assert result.exit_code == 2
    assert "MEMORY builds the graph in memory, but STORE names a SPARQL server" in result.output
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGATE_")}
    env.update(SCHOLARGATE_ROOT=str(ROOT), SCHOLARGATE_ALLOCATOR="system")
    secret = url.replace("http://", "http://reader:s3cret-pw@")
    command = [sys.executable, "-m", "scholargate.cli", "serve", "--port", "0", "--store", secret]
    done = subprocess.run(
        command, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "STORE_USER and STORE_PASSWORD" in done.stderr
    assert "s3cret-pw" not in done.stdout + done.stderr
