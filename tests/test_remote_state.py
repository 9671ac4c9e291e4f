"""The remote store's generation read from the server (issue 13, stateless web tier):
two stores over one real Oxigraph server see each other's writes, and changes made on
the server directly, within the poll bound; the graphs ScholarGate keeps for itself
stay out of the graph list, counts, dumps and the union."""

from __future__ import annotations

import io
import time
import urllib.request
from collections.abc import Iterator

import pytest
from rdflib import Literal, URIRef

from scholargate.formats import by_name
from scholargate.namespaces import PRIVATE_GRAPHS, STATE_GRAPH
from scholargate.store.remote import RemoteStore

from .conftest import OxigraphServer

G = URIRef("https://w3id.org/scholargate/graph/test")
EX = "http://example.org/"
POLL = 0.3


@pytest.fixture
def pair(oxigraph_server: OxigraphServer) -> Iterator[tuple[RemoteStore, RemoteStore]]:
    url = oxigraph_server.url
    made = [
        RemoteStore(f"{url}/query", update_url=f"{url}/update", gsp_url=f"{url}/store", poll=POLL)
        for _ in range(2)
    ]
    made[0].clear()
    yield made[0], made[1]
    for store in made:
        store.close()


def moves_within(store: RemoteStore, before: int, bound: float) -> float:
    """Seconds until ``store.generation`` differs from ``before`` (fails past ``bound``)."""
    started = time.monotonic()
    while store.generation == before:
        assert time.monotonic() - started < bound, "the generation did not move in time"
        time.sleep(0.02)
    return time.monotonic() - started


def test_a_write_through_one_store_moves_the_other(
    pair: tuple[RemoteStore, RemoteStore],
) -> None:
    a, b = pair
    a_before, b_before = a.generation, b.generation
    a.extend(G, [(URIRef(EX + "a"), URIRef(EX + "p"), Literal(1))])
    assert a.generation != a_before  # its own write: at once
    moves_within(b, b_before, POLL + 1.0)
    # the stamp and the count are read at their own times, so one write may move it twice
    # (one extra cache miss); then, with nothing changing, it stays (caches keep)
    settled, since, ends = b.generation, time.monotonic(), time.monotonic() + 15
    while time.monotonic() - since < 2.0:
        assert time.monotonic() < ends, "the generation never settled"
        if b.generation != settled:
            settled, since = b.generation, time.monotonic()
        time.sleep(0.05)
    assert settled - b_before <= 2


def _direct(server: OxigraphServer, update: str) -> None:
    request = urllib.request.Request(
        f"{server.url}/update",
        data=update.encode(),
        headers={"Content-Type": "application/sparql-update"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def test_a_change_made_on_the_server_directly_is_seen(
    pair: tuple[RemoteStore, RemoteStore], oxigraph_server: OxigraphServer
) -> None:
    a, b = pair
    a.extend(G, [(URIRef(EX + "a"), URIRef(EX + "p"), Literal(1))])
    time.sleep(POLL * 2)
    before = (a.generation, b.generation)
    _direct(oxigraph_server, f"INSERT DATA {{ GRAPH <{G}> {{ <{EX}b> <{EX}p> 2 }} }}")
    # bounded by the poll (the count's own share is far below it on a graph this small)
    moves_within(a, before[0], POLL + 1.0)
    moves_within(b, before[1], POLL + 1.0)


def test_poll_zero_counts_only_its_own_writes(oxigraph_server: OxigraphServer) -> None:
    url = oxigraph_server.url
    store = RemoteStore(f"{url}/query", update_url=f"{url}/update", poll=0)
    other = RemoteStore(f"{url}/query", update_url=f"{url}/update", poll=0)
    try:
        before = store.generation
        other.extend(G, [(URIRef(EX + "z"), URIRef(EX + "p"), Literal(9))])
        time.sleep(0.05)
        assert store.generation == before
        store.extend(G, [(URIRef(EX + "y"), URIRef(EX + "p"), Literal(8))])
        assert store.generation == before + 1
    finally:
        store.close()
        other.close()


@pytest.mark.parametrize("through", ["update", "graph store"])
def test_the_state_graph_is_no_data(
    pair: tuple[RemoteStore, RemoteStore], through: str, oxigraph_server: OxigraphServer
) -> None:
    url = oxigraph_server.url
    if through == "update":
        store = RemoteStore(f"{url}/query", update_url=f"{url}/update")
    else:
        store = RemoteStore(f"{url}/query", update_url=f"{url}/update", gsp_url=f"{url}/store")
    try:
        store.load(f'<{EX}a> <{EX}p> "1" .', by_name("nt"), graph=G)
        assert store.graph(STATE_GRAPH)  # the stamp is there…
        assert store.graph_names() == [G]  # …and nowhere a reader looks
        assert store.count() == 1
        assert [r["s"] for r in store.select("SELECT ?s WHERE { ?s ?p ?o }")] == [URIRef(EX + "a")]
        assert store.select("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }") == [{"g": G}]
        for fmt in ("nq", "trig"):
            out = io.BytesIO()
            store.dump(by_name(fmt), out)
            assert all(str(g).encode() not in out.getvalue() for g in PRIVATE_GRAPHS)
            assert f"{EX}a".encode() in out.getvalue()
    finally:
        store.close()
