"""Small HTTP servers on 127.0.0.1 for the link tests: a scripted SPARQL endpoint that
misbehaves on cue (and otherwise forwards to the real fixture server), and a listener
that accepts connections and never answers."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Behaviour = Callable[["Handler"], None]

RESULTS = "application/sparql-results+json"


@dataclass
class Hit:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


class Handler(http.server.BaseHTTPRequestHandler):
    server: ScriptedServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep the test output clean
        return None

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        owner = self.server.owner
        with owner.lock:
            owner.hits.append(Hit(self.command, self.path, dict(self.headers), self.body))
            owner.in_flight += 1
            owner.most_in_flight = max(owner.most_in_flight, owner.in_flight)
            behaviour = owner.script.pop(0) if owner.script else owner.default
        try:
            behaviour(self)
        finally:
            with owner.lock:
                owner.in_flight -= 1

    # -- what a behaviour can do --

    def send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def forward(self) -> None:
        """Ask the upstream server the same question and pass its answer on."""
        upstream = self.server.owner.upstream
        assert upstream, "this scripted server has no upstream to forward to"
        path = self.path.split("?", 1)
        url = upstream + ("?" + path[1] if len(path) > 1 else "")
        request = urllib.request.Request(
            url,
            data=self.body if self.command == "POST" else None,
            method=self.command,
            headers={
                k: v
                for k, v in self.headers.items()
                if k.lower() in ("accept", "content-type", "user-agent")
            },
        )
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
            data = answer.read()
            self.send(answer.status, data, {"Content-Type": answer.headers["Content-Type"]})


class ScriptedServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: Scripted


@dataclass
class Scripted:
    """A SPARQL endpoint whose next answers follow ``script`` (one behaviour per request);
    once the script is used up it forwards to ``upstream`` (or answers 500)."""

    upstream: str | None = None
    script: list[Behaviour] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.server = ScriptedServer(("127.0.0.1", 0), Handler)
        self.server.owner = self
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def default(self, handler: Handler) -> None:
        if self.upstream:
            handler.forward()
        else:
            handler.send(500, b"no script left")

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# ---- behaviours ------------------------------------------------------------------------


def forward(handler: Handler) -> None:
    handler.forward()


def answer(rows: list[dict[str, Any]], variables: list[str]) -> Behaviour:
    body = json.dumps({"head": {"vars": variables}, "results": {"bindings": rows}}).encode()
    return lambda h: h.send(200, body, {"Content-Type": RESULTS})


def too_many(retry_after: str | None) -> Behaviour:
    headers = {"Content-Type": "text/plain"}
    if retry_after is not None:
        headers["Retry-After"] = retry_after
    return lambda h: h.send(429, b"Too many requests", headers)


def unavailable(retry_after: str | None = None) -> Behaviour:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return lambda h: h.send(503, b"Service unavailable", headers)


def malformed_midway(handler: Handler) -> None:
    """A 200 whose JSON breaks off in the middle of a binding."""
    body = b'{"head":{"vars":["value","item"]},"results":{"bindings":[{"value":{"type":"lit'
    handler.send(200, body, {"Content-Type": RESULTS})


def truncated(handler: Handler) -> None:
    """A 200 that promises more bytes than it sends, then closes the connection."""
    handler.send_response(200)
    handler.send_header("Content-Type", RESULTS)
    handler.send_header("Content-Length", "5000")
    handler.send_header("Connection", "close")
    handler.end_headers()
    handler.wfile.write(b'{"head":{"vars":["value"]},"results":{"bindings":[')
    handler.close_connection = True


def html_page(handler: Handler) -> None:
    handler.send(200, b"<html><body>Maintenance</body></html>", {"Content-Type": "text/html"})


def oversized(size: int, *, announce: bool) -> Behaviour:
    """A body of ``size`` bytes of valid-looking JSON, announced or streamed chunked."""

    def behave(handler: Handler) -> None:
        head = b'{"head":{"vars":["x"]},"results":{"bindings":['
        row = b'{"x":{"type":"literal","value":"' + b"a" * 1000 + b'"}},'
        handler.send_response(200)
        handler.send_header("Content-Type", RESULTS)
        if announce:
            handler.send_header("Content-Length", str(size))
            handler.end_headers()
            handler.wfile.write(head)  # the client must stop before reading the rest
            return
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        sent = 0
        try:
            for piece in [head, *[row] * (size // len(row) + 1)]:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                sent += len(piece)
            handler.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.server.owner.streamed = sent  # type: ignore[attr-defined]
        handler.close_connection = True

    return behave


def redirect(location: str, status: int = 302) -> Behaviour:
    return lambda h: h.send(status, b"", {"Location": location})


def slow(seconds: float, then: Behaviour = forward) -> Behaviour:
    def behave(handler: Handler) -> None:
        time.sleep(seconds)
        then(handler)

    return behave


class Silent:
    """Accepts connections and never answers; counts them."""

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections.append(connection)  # held open, never answered

    def close(self) -> None:
        self.socket.close()
        for connection in self.connections:
            connection.close()
