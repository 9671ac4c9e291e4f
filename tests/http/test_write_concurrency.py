"""Concurrent conditional updates against a live ``scholargate serve`` (two workers, each
with a copy of the store in memory, or reading snapshots of it from disk):
many clients, each on its own keep-alive connection (both workers take some), run a
read-modify-write SPARQL Update at the same time. A write holds the journal's lock from
reading the graph to appending its line, so none is lost:

* a counter incremented N×K times by ``DELETE { ?c sg:count ?n } INSERT { ?c sg:count
  ?m } WHERE { ?c sg:count ?n BIND (?n + 1 AS ?m) }`` ends at N×K, one value, the same on
  both workers, and the journal holds N×K increments, each from the value the one
  before it left;
* slots claimed with ``INSERT … WHERE { FILTER NOT EXISTS { … } }`` by every client at
  once each get exactly one claimant.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from scholargate.services.tokens import TokenBook
from scholargate.services.writes.journal import Journal

from .conftest import LiveServer, running

pytestmark = pytest.mark.slow

CLIENTS = 8  # threads, one keep-alive connection each
INCREMENTS = 12  # per client
SLOTS = 10  # claimed by every client at once

SG = "https://w3id.org/scholargate/ontology#"
COUNTER = "https://w3id.org/scholargate/trial/counter"
PREFIX = f"PREFIX sg: <{SG}>\n"
INCREMENT = (
    PREFIX + "DELETE { ?c sg:count ?n } INSERT { ?c sg:count ?m } "
    f"WHERE {{ VALUES ?c {{ <{COUNTER}> }} ?c sg:count ?n BIND (?n + 1 AS ?m) }}"
)


def claim(slot: int, client: int) -> str:
    node = f"<https://w3id.org/scholargate/trial/slot-{slot}>"
    return (
        PREFIX + f'INSERT {{ {node} sg:claimedBy "client-{client}" }} '
        f"WHERE {{ FILTER NOT EXISTS {{ {node} sg:claimedBy ?anyone }} }}"
    )


@pytest.fixture(scope="module", params=["500000", "0"], ids=["memory-copy", "disk"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, project_root: Path
) -> Iterator[LiveServer]:
    """Workers writing their copies in memory, or (MEMORY_COPY=0) reading snapshots from
    disk and opening the store itself for each write."""
    folder = tmp_path_factory.mktemp("concurrency")
    settings = {
        "WORKERS": "2",
        "TOKENS": str(folder / "tokens.json"),
        "WRITE_TIMEOUT": "60",
        "MEMORY_COPY": request.param,
    }
    yield from running(folder, settings, project_root)


@pytest.fixture(scope="module")
def token(live: LiveServer) -> str:
    return TokenBook(Path(live.setting("TOKENS"))).add("concurrency", "writer")


class Client:
    """One keep-alive connection to the server, and the worker that answers on it."""

    def __init__(self, live: LiveServer, token: str) -> None:
        self.connection = http.client.HTTPConnection(live.host, live.port, timeout=120)
        self.token = token
        self.worker = self.get("/-/health")["worker"]

    def get(self, path: str) -> dict:
        self.connection.request("GET", path)
        response = self.connection.getresponse()
        return json.loads(response.read())

    def update(self, sparql: str) -> tuple[int, dict]:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/sparql-update",
        }
        self.connection.request("POST", "/sparql", body=sparql.encode(), headers=headers)
        response = self.connection.getresponse()
        return response.status, json.loads(response.read())

    def close(self) -> None:
        self.connection.close()


def clients_on_both_workers(live: LiveServer, token: str, count: int) -> list[Client]:
    """``count`` connections, at least one answered by each worker."""
    clients = [Client(live, token) for _ in range(count)]
    for _ in range(200):
        if len({c.worker for c in clients}) == 2:
            return clients
        clients[0].close()
        clients = [*clients[1:], Client(live, token)]
    pytest.fail("every connection went to one worker")


def run_all(clients: list[Client], work) -> list[BaseException]:  # noqa: ANN001
    errors: list[BaseException] = []
    start = threading.Barrier(len(clients))

    def one(number: int, client: Client) -> None:
        try:
            start.wait()
            work(number, client)
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [
        threading.Thread(target=one, args=(n, c), daemon=True) for n, c in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def select(live: LiveServer, sparql: str) -> list[dict]:
    reply = live.query(PREFIX + sparql)
    assert reply.status == 200, reply.text
    return reply.json()["results"]["bindings"]


def test_no_increment_is_lost(live: LiveServer, token: str) -> None:
    setup = Client(live, token)
    status, receipt = setup.update(PREFIX + f"INSERT DATA {{ <{COUNTER}> sg:count 0 }}")
    assert status == 200 and receipt["added"] == 1, receipt
    first = receipt["seq"]
    setup.close()
    clients = clients_on_both_workers(live, token, CLIENTS)
    receipts: list[dict] = []

    def increment(_number: int, client: Client) -> None:
        for _ in range(INCREMENTS):
            status, receipt = client.update(INCREMENT)
            assert status == 200, receipt
            assert (receipt["removed"], receipt["added"]) == (1, 1), receipt
            receipts.append(receipt)

    errors = run_all(clients, increment)
    workers = {c.worker for c in clients}
    for client in clients:
        client.close()
    assert not errors, errors[:3]
    total = CLIENTS * INCREMENTS
    rows = select(live, f"SELECT ?n WHERE {{ <{COUNTER}> sg:count ?n }}")
    assert [int(r["n"]["value"]) for r in rows] == [total]
    # every write its own journal entry, numbered one after another
    seqs = sorted(r["seq"] for r in receipts)
    assert seqs == list(range(first + 1, first + 1 + total))
    # each increment removed the value the one before it added
    journal = Journal(Path(live.setting("TOKENS")).parent / "store.journal.jsonl")
    counter, count = URIRef(COUNTER), URIRef(SG + "count")
    values = []
    for entry in journal.entries():
        if entry.seq <= first:
            continue
        (removed,) = entry.delta.removed
        (added,) = entry.delta.added
        assert removed[:2] == added[:2] == (counter, count)
        values.append((int(removed[2]), int(added[2])))
    assert values == [(n, n + 1) for n in range(total)]
    # both workers hold the final value
    seen: dict[int, int] = {}
    deadline = time.monotonic() + 30  # new connections until both workers answered
    while len(seen) < 2 and time.monotonic() < deadline:
        health = live.request("GET", "/-/health").json()
        seen[health["worker"]] = health["journal"]
    assert set(seen) == workers and set(seen.values()) == {first + total}, seen
    print(
        f"MEMORY_COPY={live.setting('MEMORY_COPY')}: {CLIENTS} clients x {INCREMENTS} "
        f"increments on {len(workers)} workers: the counter reads {total}, no update lost"
    )


def test_a_claim_is_taken_once(live: LiveServer, token: str) -> None:
    clients = clients_on_both_workers(live, token, CLIENTS)
    won: list[tuple[int, int]] = []

    def take(number: int, client: Client) -> None:
        for slot in range(SLOTS):
            status, receipt = client.update(claim(slot, number))
            assert status == 200, receipt
            if receipt["added"]:
                won.append((slot, number))

    errors = run_all(clients, take)
    for client in clients:
        client.close()
    assert not errors, errors[:3]
    assert sorted(slot for slot, _ in won) == list(range(SLOTS))  # one winner each
    rows = select(
        live,
        "SELECT ?slot ?who WHERE { ?slot sg:claimedBy ?who "
        'FILTER STRSTARTS(STR(?slot), "https://w3id.org/scholargate/trial/slot-") }',
    )
    claimed = {(r["slot"]["value"], r["who"]["value"]) for r in rows}
    expected = {
        (f"https://w3id.org/scholargate/trial/slot-{slot}", str(Literal(f"client-{who}")))
        for slot, who in won
    }
    assert claimed == expected
