"""Shared by the write tests: a fingerprint of everything a store holds, a local HTTP
server that records every request (what an upload must never reach), and where the
graph a write test writes lives — in memory, or on a real Oxigraph server with the
journal on the server (``place`` for the Writer, ``store_settings`` for an app)."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scholargate.formats import by_name
from scholargate.services.writes.journal import Journal
from scholargate.services.writes.server_journal import ServerJournal
from scholargate.store import Store
from scholargate.store.remote import RemoteStore

from ..conftest import OxigraphServer


class Listener:
    """The server's address and the paths it was asked for."""

    def __init__(self, url: str, hits: list[str]) -> None:
        self.url = url
        self.hits = hits


class _Recording(http.server.BaseHTTPRequestHandler):
    hits: list[str]
    body = b'{"@context": {"name": "http://example.org/fetched#name"}}'

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[Listener]:
    hits: list[str] = []
    handler = type("Handler", (_Recording,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Listener(f"http://127.0.0.1:{server.server_port}", hits)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def digest(store: Store) -> str:
    """SHA-256 of the store's quads, sorted: equal exactly when the stores hold the same
    quads (blank nodes by their labels)."""
    out = io.BytesIO()
    store.dump(by_name("nq"), out)
    lines = sorted(out.getvalue().splitlines())
    return hashlib.sha256(b"\n".join(lines)).hexdigest()


# ---- where a write test's graph lives ---------------------------------------------


class Place:
    """The bundled graph, written through the Writer, in one of the two kinds of store:
    ``store`` and :meth:`journal` are the pair a Writer takes; :meth:`another` gives a
    second process's (the embedded store: its own copy built again, following the same
    journal file; the server: a second connection and another host's lock)."""

    def __init__(self, kind: str, folder: Path, bundled: Store, server: object = None) -> None:
        self.kind, self.folder, self.server, self.bundled = kind, folder, server, bundled
        self._made: list[Store] = []
        self.store = self._store()
        if kind == "server":
            load_server(server, bundled)  # type: ignore[arg-type]

    def _store(self) -> Store:
        if self.kind == "embedded":
            made = self.bundled.in_memory()
        else:
            url = self.server.url  # type: ignore[attr-defined]
            made = RemoteStore(
                f"{url}/query", update_url=f"{url}/update", gsp_url=f"{url}/store", poll=0.2
            )
        self._made.append(made)
        return made

    def journal(self, host: str = "a") -> Journal | ServerJournal:
        if self.kind == "embedded":
            return Journal(self.folder / "j.jsonl")
        return ServerJournal(self.store, self.folder / f"{host}.journal", poll=0.2)

    def another(self) -> tuple[Store, Journal | ServerJournal]:
        store = self._store()
        if self.kind == "embedded":
            return store, Journal(self.folder / "j.jsonl")
        return store, ServerJournal(store, self.folder / "b.journal", poll=0.2)

    def close(self) -> None:
        for store in self._made:
            store.close()


def load_server(server: OxigraphServer, store: Store) -> None:
    """Load every quad of ``store`` into ``server`` (a fresh one: nothing is removed)."""
    out = io.BytesIO()
    store.dump(by_name("nq"), out)
    request = urllib.request.Request(
        f"{server.url}/store", data=out.getvalue(), headers={"Content-Type": "application/n-quads"}
    )
    with urllib.request.urlopen(request, timeout=60):
        pass


def server_settings(server: OxigraphServer) -> dict[str, str]:
    """The settings of an app whose store is ``server``."""
    url = server.url
    return {"STORE": f"{url}/query", "STORE_UPDATE": f"{url}/update", "STORE_GSP": f"{url}/store"}


@pytest.fixture(scope="module", params=["memory", "server"])
def store_settings(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, bundled_store: Store
) -> Iterator[dict[str, object]]:
    """The settings that give an app the bundled graph built in memory, or on a real
    Oxigraph server of the module's own (the journal then on the server)."""
    if request.param == "memory":
        yield {"MEMORY": True}
        return
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    try:
        load_server(server, bundled_store)
        yield {**server_settings(server), "STORE_POLL": 0.2}
    finally:
        server.stop()


@pytest.fixture(params=["embedded", "server"])
def place(request: pytest.FixtureRequest, tmp_path: Path, bundled_store: Store) -> Iterator[Place]:
    """The bundled graph in memory with its journal file, or on a real Oxigraph server
    of this test's own (a fresh database), with the journal on the server."""
    server = None
    if request.param == "server":
        (tmp_path / "oxigraph").mkdir()
        server = OxigraphServer(tmp_path / "oxigraph")
    made = Place(request.param, tmp_path, bundled_store, server)
    yield made
    made.close()
    if server is not None:
        server.stop()
