"""Two ``scholargate serve --store URL`` instances (two workers each) over one real
Oxigraph server, as two hosts would run them (each its own lock file, so only the
server stands between their writes; issue 13 "stateless web tier", issue 14 on a remote
store):

* a write through A is seen by B within the documented bound (``STORE_POLL``), in
  what B caches (an answer it gave before, ``/-/health``'s count of quads);
* a change made on the server directly is seen by both within the bound;
* conditional increments sent to both instances at once lose nothing: the counter ends
  at the number of increments, and the journal on the server numbers them one after
  another, each from the value the one before left;
* ``scholargate history`` reads the journal on the server.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from scholargate.cli import main
from scholargate.services.tokens import TokenBook
from scholargate.services.writes.server_journal import ServerJournal
from scholargate.store import Store, remote_store

from ..conftest import OxigraphServer
from ..writes.conftest import load_server, server_settings
from .conftest import LiveServer, running
from .test_write_concurrency import COUNTER, INCREMENT, PREFIX, SG, Client, run_all

pytestmark = pytest.mark.slow

POLL = 1.0  # STORE_POLL of both instances
BOUND = POLL + 2.0  # the documented bound, and room for a loaded machine
CLIENTS = 4  # per instance
INCREMENTS = 6  # per client


@pytest.fixture(scope="module")
def backend(
    tmp_path_factory: pytest.TempPathFactory, bundled_store: Store
) -> Iterator[OxigraphServer]:
    server = OxigraphServer(tmp_path_factory.mktemp("backend"))
    load_server(server, bundled_store)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tokens") / "tokens.json"


def _instance(
    name: str, backend: OxigraphServer, tokens: Path, factory: pytest.TempPathFactory, root: Path
) -> Iterator[LiveServer]:
    folder = factory.mktemp(name)
    settings = {
        **server_settings(backend),
        "WORKERS": "2",
        "TOKENS": str(tokens),
        "WRITE_TIMEOUT": "60",
        "STORE_POLL": str(POLL),
        "JOURNAL": str(folder / "lock"),  # a host of its own: only the server serialises
    }
    settings.pop("STORE")
    yield from running(folder, settings, root, store=f"{backend.url}/query")


@pytest.fixture(scope="module")
def a(
    backend: OxigraphServer,
    tokens: Path,
    tmp_path_factory: pytest.TempPathFactory,
    project_root: Path,
) -> Iterator[LiveServer]:
    yield from _instance("a", backend, tokens, tmp_path_factory, project_root)


@pytest.fixture(scope="module")
def b(
    backend: OxigraphServer,
    tokens: Path,
    tmp_path_factory: pytest.TempPathFactory,
    project_root: Path,
) -> Iterator[LiveServer]:
    yield from _instance("b", backend, tokens, tmp_path_factory, project_root)


@pytest.fixture(scope="module")
def token(tokens: Path) -> str:
    return TokenBook(tokens).add("two-instances", "writer")


def asks(live: LiveServer, sparql: str) -> bool:
    reply = live.query(PREFIX + sparql)
    assert reply.status == 200, reply.text
    return reply.json()["boolean"]


def quads(live: LiveServer) -> int:
    reply = live.request("GET", "/-/health")
    assert reply.status == 200, reply.text
    return reply.json()["quads"]


def seen_within(check, bound: float) -> float:  # noqa: ANN001 - a callable returning bool
    """Seconds until ``check()`` holds; fails past ``bound``."""
    started = time.monotonic()
    while not check():
        waited = time.monotonic() - started
        assert waited < bound, f"not seen within {bound} s"
        time.sleep(0.05)
    return time.monotonic() - started


def test_a_write_through_one_instance_is_seen_by_the_other(
    a: LiveServer, b: LiveServer, token: str
) -> None:
    note = "https://w3id.org/scholargate/trial/written-through-a"
    question = f"ASK {{ <{note}> sg:count 1 }}"
    count = quads(b)
    for _ in range(4):  # asked on new connections: both of B's workers cache "no"
        assert not asks(b, question)
    client = Client(a, token)
    status, receipt = client.update(PREFIX + f"INSERT DATA {{ <{note}> sg:count 1 }}")
    client.close()
    assert status == 200 and receipt["added"] == 1, receipt
    assert asks(a, question)  # its own write: at once
    waited = seen_within(lambda: all(asks(b, question) for _ in range(4)), BOUND)
    seen_within(lambda: all(quads(b) == count + 1 for _ in range(4)), BOUND)
    print(f"a write through A was seen by B after {waited:.2f} s (STORE_POLL={POLL})")


def test_a_change_on_the_server_is_seen_by_both(
    a: LiveServer, b: LiveServer, backend: OxigraphServer
) -> None:
    node = "https://w3id.org/scholargate/trial/written-on-the-server"
    question = f"ASK {{ <{node}> sg:count 2 }}"
    counts = {live.url: quads(live) for live in (a, b)}
    for live in (a, b):
        for _ in range(4):
            assert not asks(live, question)
    update = (
        f"INSERT DATA {{ GRAPH <https://w3id.org/scholargate/graph/contributed> "
        f"{{ <{node}> <{SG}count> 2 }} }}"
    )
    request = urllib.request.Request(
        f"{backend.url}/update",
        data=update.encode(),
        headers={"Content-Type": "application/sparql-update"},
    )
    with urllib.request.urlopen(request, timeout=30):
        pass
    for live in (a, b):
        seen_within(lambda live=live: all(asks(live, question) for _ in range(4)), BOUND)
        seen_within(
            lambda live=live: all(quads(live) == counts[live.url] + 1 for _ in range(4)), BOUND
        )


def test_increments_through_both_instances_lose_nothing(
    a: LiveServer, b: LiveServer, token: str, backend: OxigraphServer
) -> None:
    setup = Client(a, token)
    status, receipt = setup.update(PREFIX + f"INSERT DATA {{ <{COUNTER}> sg:count 0 }}")
    setup.close()
    assert status == 200 and receipt["added"] == 1, receipt
    first = receipt["seq"]
    clients = [Client(live, token) for live in (a, b) for _ in range(CLIENTS)]
    receipts: list[dict] = []
    lock = threading.Lock()

    def increment(_number: int, client: Client) -> None:
        for _ in range(INCREMENTS):
            status, receipt = client.update(INCREMENT)
            assert status == 200, receipt
            assert (receipt["removed"], receipt["added"]) == (1, 1), receipt
            with lock:
                receipts.append(receipt)

    errors = run_all(clients, increment)
    for client in clients:
        client.close()
    assert not errors, errors[:3]
    total = 2 * CLIENTS * INCREMENTS
    for live in (a, b):
        reply = live.query(PREFIX + f"SELECT ?n WHERE {{ <{COUNTER}> sg:count ?n }}")
        assert [int(r["n"]["value"]) for r in reply.json()["results"]["bindings"]] == [total]
    assert sorted(r["seq"] for r in receipts) == list(range(first + 1, first + 1 + total))
    # the journal on the server: each increment from the value the one before left
    store = remote_store(f"{backend.url}/query")
    try:
        entries = ServerJournal(store, Path("unused")).read(first)[0]
    finally:
        store.close()
    values = []
    for entry in entries:
        ((_, _, gone, _),) = entry.delta.removed
        ((_, _, new, _),) = entry.delta.added
        values.append((int(gone), int(new)))
    assert values == [(n, n + 1) for n in range(total)]
    print(f"{len(clients)} clients on two instances x {INCREMENTS} increments: {total}, none lost")


def test_history_reads_the_journal_on_the_server(
    a: LiveServer, token: str, backend: OxigraphServer, project_root: Path
) -> None:
    client = Client(a, token)
    status, receipt = client.update(
        PREFIX + "INSERT DATA { <https://w3id.org/scholargate/trial/h> sg:count 7 }"
    )
    client.close()
    assert status == 200, receipt
    env = {"SCHOLARGATE_STORE": f"{backend.url}/query", "SCHOLARGATE_ROOT": str(project_root)}
    result = CliRunner().invoke(main, ["history", "--json", "--limit", "1"], env=env)
    assert result.exit_code == 0, result.output
    [line] = [json.loads(x) for x in result.stdout.splitlines()]
    assert (line["seq"], line["by"], line["added"]) == (receipt["seq"], "two-instances", 1)
