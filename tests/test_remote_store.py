"""The remote store beyond the store contract (which ``test_store.py`` runs on it): the
bundled graph and the seed comparison on a real Oxigraph server, the same answers as the
embedded store (each on the Oxigraph server and on Virtuoso: ``sparql_server``), and a
server that is down, slow, failing or malformed as 503, 504 and
502 errors that name it — within the timeout, without quoting its answer at length."""

from __future__ import annotations

import http.server
import io
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef

from scholargate.build import build_store
from scholargate.errors import ForbiddenError, InputError, LimitExceededError, ParseError
from scholargate.formats import by_name
from scholargate.namespaces import PREFIXES
from scholargate.render.comparison import to_json
from scholargate.services.compare import comparer_for
from scholargate.store import Store
from scholargate.store.oxigraph import OxigraphStore
from scholargate.store.remote import (
    BadGatewayError,
    GatewayTimeoutError,
    RemoteStore,
    StoreUnavailableError,
)
from scholargate.store.remote.digest import digest

from .conftest import ROOT, OxigraphServer, SparqlServer, differs_on

G = URIRef("https://w3id.org/scholargate/graph/test")
H = URIRef("https://w3id.org/scholargate/graph/other")
EX = "http://example.org/"
TTL = f'@prefix ex: <{EX}> .\nex:a ex:label "توجه"@fa , "Dikkat"@tr ; ex:next ex:b .\n'
SEEDS = ["multi-head-self-attention", "bert-fine-tuning", "lora"]


def remote_on(server: SparqlServer, **options: object) -> RemoteStore:
    return RemoteStore(server.query_url, **{**server.store_options(), **options})  # type: ignore[arg-type]


@pytest.fixture
def stores() -> Iterator[Callable[..., RemoteStore]]:
    """Makes remote stores, closed (their kept-alive connections) after the test."""
    made: list[RemoteStore] = []

    def make(url: str, **options: object) -> RemoteStore:
        made.append(RemoteStore(url, **options))
        return made[-1]

    yield make
    for store in made:
        store.close()


@pytest.fixture
def remote(sparql_server: SparqlServer) -> Iterator[RemoteStore]:
    """A remote store on each server (``sparql_server``), emptied first."""
    store = remote_on(sparql_server)
    store.clear()
    yield store
    store.close()


@pytest.fixture
def pair(remote: RemoteStore) -> tuple[Store, Store]:
    """The same two graphs in the embedded store and on the server."""
    embedded = OxigraphStore()
    for store in (embedded, remote):
        store.load(TTL, by_name("ttl"), graph=G)
        store.extend(H, [(URIRef(EX + "b"), URIRef(EX + "p"), Literal(3))])
    return embedded, remote


# ---- the bundled graph -----------------------------------------------------------


@pytest.mark.slow
def test_the_bundled_graph_on_the_server_compares_the_same(
    remote: RemoteStore, bundled_store: OxigraphStore
) -> None:
    build_store(remote, ROOT)
    assert remote.graph_names() == bundled_store.graph_names()
    for name in bundled_store.graph_names():
        assert remote.count(name) == bundled_store.count(name), name
    assert remote.count() == bundled_store.count()
    here = to_json(comparer_for(bundled_store).compare(SEEDS, "fa"))
    there = to_json(comparer_for(remote).compare(SEEDS, "fa"))
    assert there == here
    assert len(here["rows"]) > 3


# ---- the same answers as the embedded store ----------------------------------------


def test_counts_graphs_and_dataset_parameters_agree(pair: tuple[Store, Store]) -> None:
    embedded, remote = pair
    assert remote.graph_names() == embedded.graph_names() == [H, G]
    assert remote.count() == embedded.count() == 4
    sparql = "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s"
    for options in ({}, {"default_graphs": [str(H)]}, {"default_graphs": []}):
        assert remote.query(sparql, **options).rows == embedded.query(sparql, **options).rows
    named = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    only = {"named_graphs": [str(G)]}
    assert remote.query(named, **only).rows == embedded.query(named, **only).rows


def test_prefixes_are_predeclared_and_errors_point_into_the_users_text(
    pair: tuple[Store, Store], request: pytest.FixtureRequest
) -> None:
    differs_on(request, "virtuoso", "Virtuoso's compiler names the line of an error, no column")
    embedded, remote = pair
    good = "SELECT ?o WHERE { ?s rdfs:label|skos:prefLabel ?o }"
    assert (
        remote.query(good, prefixes=PREFIXES).rows == embedded.query(good, prefixes=PREFIXES).rows
    )
    for bad in ("SELECT ?o WHERE { ?s rdfs:label ?o", "SELECT * WHERE {\n  ?s skos:x }"):
        caught = []
        for store in (embedded, remote):
            with pytest.raises(ParseError) as error:
                store.query(bad, prefixes=PREFIXES)
            caught.append((error.value.line, error.value.column, error.value.message[:60]))
        assert caught[1] == caught[0]  # the server's message is quoted up to 80 characters


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv"])
def test_query_to_streams_the_same_results(pair: tuple[Store, Store], name: str) -> None:
    # (SPARQL leaves the order of literals of different languages to the engine: STR)
    sparql = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s STR(?o)"
    answers = []
    for store in pair:
        out = io.BytesIO()
        assert store.query_to(sparql, by_name(name), out) == "select"
        answers.append(out.getvalue())
    assert answers[1] == answers[0]


@pytest.mark.parametrize("name", ["ttl", "nt", "jsonld", "rdf", "nq", "trig"])
def test_construct_and_whole_store_dumps_read_back_the_same(
    pair: tuple[Store, Store], name: str
) -> None:
    fmt = by_name(name)
    read: list[Graph] = []
    for store in pair:
        out = io.BytesIO()
        assert store.query_to("CONSTRUCT WHERE { ?s ?p ?o }", fmt, out) == "graph"
        read.append(Graph().parse(data=out.getvalue(), format=fmt.rdflib))
        out = io.BytesIO()
        store.dump(fmt, out)
        if fmt.holds_graphs:
            dataset = Dataset()
            dataset.parse(data=out.getvalue(), format=fmt.rdflib)
            read.append(Graph().__iadd__(dataset.graph(G)))
        else:
            read.append(Graph().parse(data=out.getvalue(), format=fmt.rdflib))
    assert read[2].isomorphic(read[0]) and read[3].isomorphic(read[1])


def test_ask_and_a_row_cap(pair: tuple[Store, Store]) -> None:
    embedded, remote = pair
    assert remote.ask(f"ASK {{ <{EX}a> ?p ?o }}") and not remote.ask("ASK { ?s <urn:no> ?o }")
    # a pattern of constants, in a graph the store has and in one it has not
    stated = f'<{EX}a> <{EX}label> "توجه"@fa'
    for store in pair:
        assert store.ask(f"ASK {{ GRAPH <{G}> {{ {stated} }} }}")
        assert not store.ask(f"ASK {{ GRAPH <urn:x-none> {{ {stated} }} }}")
    capped = remote.query("CONSTRUCT WHERE { ?s ?p ?o }", max_rows=2)
    assert len(capped.triples) == 2 and capped.truncated
    assert remote.construct("CONSTRUCT WHERE { ?s ?p ?o }").isomorphic(
        embedded.construct("CONSTRUCT WHERE { ?s ?p ?o }")
    )


def test_an_answer_over_the_byte_cap_is_refused(
    sparql_server: SparqlServer, stores: Callable[..., RemoteStore]
) -> None:
    cap = 1000 if sparql_server.name == "virtuoso" else 200  # Virtuoso answers in XML
    store = stores(sparql_server.query_url, max_bytes=cap)
    sparql = (
        "SELECT ?n WHERE { VALUES ?x { 1 2 3 } BIND(REPLACE(STR(?x), '.', 'xxxxxxxxxx') AS ?n) }"
    )
    assert len(store.query(sparql).rows) == 3
    with pytest.raises(LimitExceededError, match=f"passed {cap} bytes"):
        store.query(
            "SELECT ?s ?p ?o WHERE { VALUES ?s { 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 "
            "18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 } "
            "BIND(STR(?s) AS ?p) BIND(CONCAT(?p, ?p, ?p) AS ?o) }"
        )


def test_a_store_without_update_or_graph_store_url_is_read_only(
    sparql_server: SparqlServer, stores: Callable[..., RemoteStore]
) -> None:
    store = stores(sparql_server.query_url)
    with pytest.raises(ForbiddenError, match="read-only"):
        store.load(TTL, by_name("ttl"), graph=G)
    with pytest.raises(ForbiddenError, match="read-only"):
        store.update("CLEAR ALL")


# ---- a server that is down, slow, failing or malformed ---------------------------------


def test_a_stopped_server_is_a_503_that_names_it(
    tmp_path: Path, stores: Callable[..., RemoteStore]
) -> None:
    server = OxigraphServer(tmp_path)
    store = stores(f"{server.url}/query")
    assert store.count() == 0
    server.stop()
    with pytest.raises(StoreUnavailableError) as caught:
        store.count()
    assert caught.value.status == 503
    assert f"127.0.0.1:{server.port}" in caught.value.message
    assert "Traceback" not in caught.value.message


@contextmanager
def listener(answer: Callable[[socket.socket], None]) -> Iterator[str]:
    """A bare TCP server on a free port whose every connection ``answer`` handles."""
    sock = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    connections: list[socket.socket] = []

    def run() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = sock.accept()
            except TimeoutError:
                continue
            connections.append(connection)
            threading.Thread(target=answer, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for connection in connections:
            connection.close()
        sock.close()


def _never(connection: socket.socket) -> None:
    time.sleep(10)


def _trickle(connection: socket.socket) -> None:
    connection.recv(65536)
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/tab-separated-values\r\nContent-Length: 999\r\n\r\n"
    )
    try:
        connection.sendall(head + b"?x\n")
        for _ in range(100):
            time.sleep(0.1)
            connection.sendall(b"1\n")
    except OSError:
        return


@pytest.mark.parametrize("server", [_never, _trickle], ids=["never-answers", "trickles"])
def test_a_slow_server_is_a_504_within_the_timeout(
    server: Callable, stores: Callable[..., RemoteStore]
) -> None:
    with listener(server) as url:
        store = stores(f"{url}/query", timeout=0.5, profile="oxigraph")
        started = time.monotonic()
        with pytest.raises(GatewayTimeoutError) as caught:
            store.query("SELECT ?x WHERE { ?x ?p ?o }")
        took = time.monotonic() - started
    assert took < 1.5
    assert caught.value.status == 504
    assert url.removeprefix("http://") in caught.value.message


def _http(status: int, content_type: str, body: bytes) -> Callable[[socket.socket], None]:
    def answer(connection: socket.socket) -> None:
        connection.recv(65536)
        head = (
            f"HTTP/1.1 {status} Whatever\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        connection.sendall(head.encode() + body)

    return answer


@pytest.mark.parametrize(
    ("status", "content_type", "body", "expected", "code"),
    [
        (500, "text/plain", b"x" * 100_000, BadGatewayError, 502),
        (502, "text/html", b"<html>" + b"y" * 5000, BadGatewayError, 502),
        (503, "text/plain", b"overloaded", StoreUnavailableError, 503),
        (200, "text/html", b"<html>not results</html>", BadGatewayError, 502),
        (200, "text/tab-separated-values", b'?x\n"unterminated\n', BadGatewayError, 502),
        (401, "text/plain", b"who are you", BadGatewayError, 502),
        (404, "text/plain", b"no such endpoint", BadGatewayError, 502),
    ],
)
def test_a_failing_or_malformed_server_is_an_error_that_names_it(
    status: int,
    content_type: str,
    body: bytes,
    expected: type,
    code: int,
    stores: Callable[..., RemoteStore],
) -> None:
    with listener(_http(status, content_type, body)) as url:
        store = stores(f"{url}/query", profile="oxigraph")
        with pytest.raises(expected) as caught:
            store.query("SELECT ?x WHERE { ?x ?p ?o }")
    assert caught.value.status == code
    message = caught.value.message
    assert url.removeprefix("http://") in message
    assert (
        len(message) < 250
        and "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        not in message
    )


def test_a_syntax_error_without_a_position_quotes_the_server_briefly(
    stores: Callable[..., RemoteStore],
) -> None:
    with listener(_http(400, "text/plain", b"bad query " * 100)) as url:
        store = stores(f"{url}/query", profile="standard")
        with pytest.raises(InputError) as caught:
            store.query("SELECT * WHERE { ?s ?p ?o }", default_graphs=[])
    assert caught.value.status == 400 and len(caught.value.message) < 200


# ---- credentials ---------------------------------------------------------------


def test_digest_answers_the_rfc_2617_example() -> None:
    challenge = {
        "realm": "testrealm@host.com",
        "qop": "auth,auth-int",
        "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "opaque": "5ccc069c403ebaf9f0171e9517f40e41",
    }
    header = digest(
        challenge, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", "00000001", "0a4f113b"
    )
    assert 'response="6629fae49393a05397450978507c4ef1"' in header
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in header


class _Guarded(http.server.BaseHTTPRequestHandler):
    """Answers ASK {} with true to a request that has the expected credentials."""

    scheme = "Basic"
    seen: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        authorization = self.headers.get("Authorization")
        self.seen.append(authorization or "")
        if not authorization or not authorization.startswith(self.scheme):
            self.send_response(401)
            self.send_header(
                "WWW-Authenticate",
                'Digest realm="sg", qop="auth", nonce="abc", algorithm=MD5'
                if self.scheme == "Digest"
                else 'Basic realm="sg"',
            )
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b'{"head":{},"boolean":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize("scheme", ["Basic", "Digest"])
def test_credentials_are_sent(scheme: str, stores: Callable[..., RemoteStore]) -> None:
    handler = type("Handler", (_Guarded,), {"scheme": scheme, "seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        store = stores(url, user="ada", password="s3cret", auth=scheme.lower(), profile="oxigraph")
        assert store.ask("ASK {}") and store.ask("ASK {}")
    finally:
        server.shutdown()
        server.server_close()
    if scheme == "Basic":
        assert handler.seen == ["Basic YWRhOnMzY3JldA=="] * 2
    else:  # challenged once, then the nonce is reused with a growing count
        assert handler.seen[0] == "" and "nc=00000001" in handler.seen[1]
        assert "nc=00000002" in handler.seen[2] and len(handler.seen) == 3


# ---- other ways to write, other profiles -------------------------------------------


@pytest.mark.parametrize("doors", ["update-only", "graph-store-only"])
def test_writes_through_either_door_alone(
    sparql_server: SparqlServer, stores: Callable[..., RemoteStore], doors: str
) -> None:
    options = sparql_server.store_options()
    stores(sparql_server.query_url, **options).clear()
    options.pop("gsp_url" if doors == "update-only" else "update_url")
    store = stores(sparql_server.query_url, **options)
    embedded = OxigraphStore()
    b = URIRef(EX + "b")
    for s in (embedded, store):
        assert s.load(TTL, by_name("ttl"), graph=G) == 3
        assert s.extend(H, [(b, URIRef(EX + "p"), Literal("x\ny", lang="fa"))]) == 1
        s.replace_graph(G, [(b, URIRef(EX + "q"), Literal(1))])
    assert store.graph_names() == embedded.graph_names() == [H, G]
    for name in (G, H):
        assert store.graph(name).isomorphic(embedded.graph(name))
    store.clear()
    assert store.count() == 0 and store.graph_names() == []


def test_the_profile_is_found_from_the_server_header(sparql_server: SparqlServer) -> None:
    store = RemoteStore(sparql_server.query_url)
    try:
        assert store.profile.name == sparql_server.name
    finally:
        store.close()


def test_the_standard_profile_gives_the_same_answers(
    oxigraph_server: OxigraphServer, stores: Callable[..., RemoteStore]
) -> None:
    """Form POSTs and every named graph listed as default-graph-uri, on the Oxigraph
    server."""
    embedded, loader = OxigraphStore(), remote_on(oxigraph_server)
    loader.clear()
    for store in (embedded, loader):
        store.load(TTL, by_name("ttl"), graph=G)
        store.extend(H, [(URIRef(EX + "b"), URIRef(EX + "p"), Literal(3))])
    loader.close()
    standard = stores(f"{oxigraph_server.url}/query", profile="standard")
    sparql = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o"
    assert standard.query(sparql).rows == embedded.query(sparql).rows
    assert standard.count() == embedded.count() and standard.graph_names() == [H, G]
    positions = []
    for store in (embedded, standard):
        with pytest.raises(ParseError) as caught:
            store.query("SELECT * WHERE {\n  ?s ?p }")
        positions.append((caught.value.line, caught.value.column))
    assert positions[1] == positions[0]
