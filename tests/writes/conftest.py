"""Shared by the write tests: a fingerprint of everything a store holds, and a local
HTTP server that records every request (what an upload must never reach)."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
from collections.abc import Iterator

import pytest

from scholargate.formats import by_name
from scholargate.store import Store


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
