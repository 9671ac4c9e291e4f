"""Writes against a live ``scholargate serve`` that reads its store from disk
(``MEMORY_COPY=0``, two workers): every write goes to the on-disk store, which no
worker reads, and reaches the workers as a new snapshot (``build/snapshots.py``).

An accepted write is seen by the next request on both workers; a refused one changes
nothing; a write outlives a restart; the snapshots folder stays small however many
writes come; the query processes of a snapshot a worker left stop."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from scholargate.services.tokens import TokenBook

from .conftest import LiveServer, running, start_server, stop_server
from .test_writes import CONTRIBUTED, NEW, ask, bearer, method, store_hash, update

pytestmark = pytest.mark.slow

LORA = "https://w3id.org/scholargate/method/lora"


def settings_in(folder: Path) -> dict[str, str]:
    return {
        "WORKERS": "2",
        "MEMORY_COPY": "0",
        "TOKENS": str(folder / "tokens.json"),
        "QUERY_TIMEOUT": "4",
        "QUERY_WORKERS": "1",
    }


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("disk-writes")


@pytest.fixture(scope="module")
def live(folder: Path, project_root: Path) -> Iterator[LiveServer]:
    yield from running(folder, settings_in(folder), project_root)


@pytest.fixture(scope="module")
def tokens(live: LiveServer) -> dict[str, str]:
    book = TokenBook(Path(live.setting("TOKENS")))
    return {"writer": book.add("curator", "writer"), "admin": book.add("keeper", "admin")}


def every_worker(live: LiveServer, seq: int) -> dict[int, dict]:
    """/-/health of both workers (new connections until each answered), asserting that
    each holds journal entry ``seq``, read from disk."""
    seen: dict[int, dict] = {}
    deadline = time.monotonic() + 20  # the kernel spreads connections, not evenly
    while len(seen) < 2 and time.monotonic() < deadline:
        health = live.request("GET", "/-/health").json()
        seen[health["worker"]] = health
        time.sleep(0.01)
    assert len(seen) == 2, seen
    assert all(h["journal"] >= seq and h["store"] == "disk" for h in seen.values()), seen
    return seen


def snapshots(folder: Path) -> list[str]:
    return sorted(p.name for p in (folder / "store.snapshots").iterdir())


def test_a_put_is_seen_by_the_next_request_on_both_workers(
    live: LiveServer, tokens: dict[str, str], folder: Path
) -> None:
    for _ in range(6):  # both workers' caches and query processes hold the graph as it was
        assert live.request("GET", "/compare.json?m=lora,bert-fine-tuning").status == 200
        assert live.request("GET", "/method/lora.ttl").status == 200
        assert not ask(live, f"ASK {{ <{NEW}> ?p ?o }}")
    reply = live.request(
        "PUT",
        "/store?graph=" + quote(CONTRIBUTED),
        body=method("2022"),
        headers=bearer(tokens["writer"], **{"Content-Type": "text/turtle"}),
    )
    assert reply.status in (200, 201), reply.text
    seq = reply.json()["seq"]
    every_worker(live, seq)
    for _ in range(6):  # SPARQL (query processes), pages, comparisons: on every worker
        assert ask(live, f'ASK {{ <{NEW}> a sg:Method ; skos:prefLabel "روش آزمایشی"@fa }}')
        compared = live.request("GET", "/compare.json?m=graph-store-test-method,lora")
        assert compared.status == 200, compared.text
        page = live.request("GET", "/method/graph-store-test-method.ttl")
        assert page.status == 200 and "روش آزمایشی" in page.text
    # the store the workers read is a snapshot, never the store written
    assert any(name.startswith(f"{seq:012d}-") for name in snapshots(folder))


def test_a_sparql_update_is_seen_by_the_next_request_on_both_workers(
    live: LiveServer, tokens: dict[str, str]
) -> None:
    first = update(live, tokens["writer"], f'INSERT DATA {{ <{LORA}> rdfs:comment "d1"@en }}')
    assert first.status == 200, first.text
    # a conditional update: its WHERE runs in query processes over the store as written
    second = update(
        live,
        tokens["writer"],
        f'DELETE {{ ?m rdfs:comment "d1"@en }} INSERT {{ ?m rdfs:comment "d2"@en }} '
        f'WHERE {{ BIND(<{LORA}> AS ?m) ?m rdfs:comment "d1"@en }}',
    )
    assert second.status == 200, second.text
    assert (second.json()["removed"], second.json()["added"]) == (1, 1)
    every_worker(live, second.json()["seq"])
    for _ in range(6):
        assert ask(live, f'ASK {{ <{LORA}> rdfs:comment "d2"@en }}')
        assert not ask(live, f'ASK {{ <{LORA}> rdfs:comment "d1"@en }}')


def test_a_refused_write_changes_nothing(live: LiveServer, tokens: dict[str, str]) -> None:
    before = store_hash(live)
    health = live.request("GET", "/-/health").json()
    refused = live.request(
        "PUT",
        "/store?graph=" + quote(CONTRIBUTED),
        body=method("1066"),  # a year the shapes refuse
        headers=bearer(tokens["writer"], **{"Content-Type": "text/turtle"}),
    )
    assert refused.status == 422, refused.text
    ontology = "https://w3id.org/scholargate/graph/ontology"
    forbidden = update(
        live, tokens["writer"], f'INSERT DATA {{ GRAPH <{ontology}> {{ <urn:a> <urn:b> "c" }} }}'
    )
    assert forbidden.status == 403, forbidden.text
    for _ in range(4):  # whichever worker answers
        assert store_hash(live) == before
        assert live.request("GET", "/-/health").json()["journal"] == health["journal"]


def test_many_writes_leave_a_few_snapshots_and_no_stray_query_processes(
    live: LiveServer, tokens: dict[str, str], folder: Path
) -> None:
    seq = 0
    for n in range(12):
        reply = update(
            live, tokens["writer"], f'INSERT DATA {{ <{LORA}> rdfs:comment "many {n}"@en }}'
        )
        assert reply.status == 200, reply.text
        seq = reply.json()["seq"]
        assert ask(live, f'ASK {{ <{LORA}> rdfs:comment "many {n}"@en }}')  # query processes
    every_worker(live, seq)
    for _ in range(4):  # each worker drops the snapshots it read before
        assert ask(live, f'ASK {{ <{LORA}> rdfs:comment "many 11"@en }}')
    # the newest two, and at most one more per worker (the one it may still hold)
    assert 1 <= len(snapshots(folder)) <= 4, snapshots(folder)
    assert not [p for p in folder.iterdir() if ".answering" in p.name]
    # a worker's query processes read its snapshot: the old ones stopped with theirs
    deadline = time.monotonic() + 10
    while len(live.query_processes()) > 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(live.query_processes()) <= 2, live.query_processes()


def test_a_write_outlives_a_restart(
    live: LiveServer, tokens: dict[str, str], folder: Path, project_root: Path
) -> None:
    reply = update(
        live, tokens["writer"], f'INSERT DATA {{ <{LORA}> rdfs:comment "kept on disk"@en }}'
    )
    assert reply.status == 200, reply.text
    before = store_hash(live)
    assert not stop_server(live)
    again = start_server(folder, settings_in(folder), project_root)
    try:
        every_worker(again, reply.json()["seq"])
        assert ask(again, f'ASK {{ <{LORA}> rdfs:comment "kept on disk"@en }}')
        assert store_hash(again) == before
        assert len(snapshots(folder)) == 1  # the build step keeps only the one it published
    finally:
        assert not stop_server(again)
