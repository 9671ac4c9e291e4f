"""Slow and hostile clients against the HTTP front (src/scholargate/front.py).

More slow clients than the old front had threads (2 workers × 4) are held open while a
good client asks for /-/health and a SPARQL query: it must be answered at once. Slow
headers are cut at HEADER_TIMEOUT, slow bodies get a 408 at BODY_TIMEOUT, bodies over
MAX_BODY (declared or chunked) a 413, clients that never read their answer are dropped
at SEND_TIMEOUT; refusals use the project's error shape. The Host header never reaches
the absolute URLs when PUBLIC_URL is set, and a malformed one is a 400.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from .conftest import FRONT_MAX_BODY, FRONT_PUBLIC_URL, FRONT_TIMEOUT, LiveServer

pytestmark = pytest.mark.slow

SLACK = 6.0  # seconds past a deadline a busy 2-core machine may take to act on it
QUICK = 5.0  # a good client's answer while hostile ones are held: at once, not stuck
CROWD = 20  # more than the 8 threads of the old front


def _connect(live: LiveServer, timeout: float = 30.0) -> socket.socket:
    return socket.create_connection((live.host, live.port), timeout=timeout)


def _read_all(sock: socket.socket, timeout: float) -> tuple[bytes, bool]:
    """What ``sock`` receives until the server closes it; (data, closed in time)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        return data, False
    except OSError:
        pass  # reset: closed too
    return data, True


def _good_client_answers(live: LiveServer) -> None:
    health = live.request("GET", "/-/health", timeout=30)
    assert health.status == 200 and health.seconds < QUICK, health.seconds
    ask = live.query("ASK { ?s ?p ?o }", timeout=30)
    assert ask.status == 200 and ask.json()["boolean"] is True
    assert ask.seconds < QUICK, ask.seconds


@contextmanager
def _trickling(live: LiveServer, count: int, payload: bytes) -> Iterator[list[socket.socket]]:
    """``count`` connections, each sending ``payload`` and then one byte every 0.5 s."""
    sockets = [_connect(live) for _ in range(count)]
    stop = threading.Event()

    def trickle() -> None:
        for sock in sockets:
            try:
                sock.sendall(payload)
            except OSError:
                pass
        while not stop.wait(0.5):
            for sock in sockets:
                try:
                    sock.send(b"x")
                except OSError:
                    pass

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        yield sockets
    finally:
        stop.set()
        sender.join(timeout=10)
        for sock in sockets:
            sock.close()


def _error(answer: bytes, status: int, kind: str) -> dict:
    import json

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(f"HTTP/1.1 {status} ".encode()), answer[:300]
    assert b"application/json" in head
    document = json.loads(body)
    assert document["status"] == status and document["error"] == kind
    assert document["message"]
    return document


# ---- headers ----------------------------------------------------------------------------------


def test_slow_loris_crowd_does_not_stop_the_server(front_server: LiveServer) -> None:
    head = b"GET /-/health HTTP/1.1\r\nHost: x\r\nX-Slow: "
    with _trickling(front_server, CROWD, head) as sockets:
        time.sleep(0.5)
        _good_client_answers(front_server)
        # the trickling headers never complete: each connection is closed at HEADER_TIMEOUT
        started = time.monotonic()
        for sock in sockets:
            data, closed = _read_all(sock, FRONT_TIMEOUT + SLACK)
            assert closed, "a connection that sends its headers a byte at a time stayed open"
            assert data == b""  # no answer: the request never arrived
        assert time.monotonic() - started < FRONT_TIMEOUT + SLACK
    _good_client_answers(front_server)


def test_idle_connection_is_closed(front_server: LiveServer) -> None:
    with _connect(front_server) as sock:
        data, closed = _read_all(sock, FRONT_TIMEOUT + SLACK)
    assert closed and data == b""


# ---- bodies -------------------------------------------------------------------------------------


def _post_head(length: int | None, extra: str = "") -> bytes:
    framing = (
        f"Content-Length: {length}\r\n"
        if length is not None
        else ("Transfer-Encoding: chunked\r\n")
    )
    return (
        "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        f"Accept: application/sparql-results+json\r\n{framing}{extra}\r\n"
    ).encode()


def test_slow_body_gets_408_and_does_not_hold_the_server(front_server: LiveServer) -> None:
    with _trickling(front_server, CROWD, _post_head(5000) + b"ASK {} #") as sockets:
        time.sleep(0.5)
        _good_client_answers(front_server)
        started = time.monotonic()
        answer, closed = _read_all(sockets[0], FRONT_TIMEOUT + SLACK)
        assert closed and time.monotonic() - started < FRONT_TIMEOUT + SLACK
    body = _error(answer, 408, "request-timeout")
    assert f"{FRONT_TIMEOUT:g} s" in body["message"]
    _good_client_answers(front_server)


def test_chunked_body_over_max_body_is_413(front_server: LiveServer) -> None:
    with _connect(front_server) as sock:
        sock.sendall(_post_head(None))
        piece = b"#" * 10_000
        chunk = b"%x\r\n%s\r\n" % (len(piece), piece)
        try:
            for _ in range(FRONT_MAX_BODY // len(piece) + 5):
                sock.sendall(chunk)
        except OSError:
            pass  # the server answered and stopped reading
        answer, closed = _read_all(sock, 30)
    assert closed
    body = _error(answer, 413, "request-entity-too-large")
    assert str(FRONT_MAX_BODY) in body["message"]


def test_declared_body_over_max_body_is_413_before_it_is_sent(front_server: LiveServer) -> None:
    with _connect(front_server) as sock:
        sock.sendall(_post_head(10 * FRONT_MAX_BODY, "Expect: 100-continue\r\n"))
        answer, closed = _read_all(sock, 30)  # nothing of the body was sent
    assert closed
    body = _error(answer, 413, "request-entity-too-large")
    assert str(10 * FRONT_MAX_BODY) in body["message"]


def test_chunked_body_within_the_limit_reaches_the_app(front_server: LiveServer) -> None:
    query = b"ASK { ?s ?p ?o }"
    with _connect(front_server) as sock:
        sock.sendall(_post_head(None, "Connection: close\r\n"))
        for piece in (query[:5], query[5:]):
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        sock.sendall(b"0\r\n\r\n")
        answer, closed = _read_all(sock, 30)
    assert closed and answer.startswith(b"HTTP/1.1 200 "), answer[:300]
    assert b'"boolean":true' in answer.replace(b" ", b"")


def test_expect_continue_body_is_read(front_server: LiveServer) -> None:
    query = b"ASK { ?s ?p ?o }"
    with _connect(front_server) as sock:
        sock.sendall(_post_head(len(query), "Expect: 100-continue\r\nConnection: close\r\n"))
        sock.settimeout(30)
        assert sock.recv(100).startswith(b"HTTP/1.1 100 Continue")
        sock.sendall(query)
        answer, closed = _read_all(sock, 30)
    assert closed and b"HTTP/1.1 200 " in answer, answer[:300]


# ---- sending ------------------------------------------------------------------------------------


def test_clients_that_never_read_an_export_are_dropped(front_server: LiveServer) -> None:
    full = front_server.request("GET", "/export/all.nq", timeout=120)
    assert full.status == 200
    sockets = []
    for _ in range(12):  # more than the old front's threads
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(30)
        sock.connect((front_server.host, front_server.port))
        sock.sendall(b"GET /export/all.nq HTTP/1.1\r\nHost: x\r\n\r\n")
        sockets.append(sock)
    try:
        time.sleep(1.0)
        _good_client_answers(front_server)
        time.sleep(FRONT_TIMEOUT + SLACK)  # no reading: the server gives up on them
        for sock in sockets:
            data, closed = _read_all(sock, SLACK)
            assert closed, "a client that read nothing for SEND_TIMEOUT was not dropped"
            assert data.startswith(b"HTTP/1.1 200 ")
            assert len(data) < len(full.body)  # cut short
    finally:
        for sock in sockets:
            sock.close()
    _good_client_answers(front_server)


# ---- Host and PUBLIC_URL -----------------------------------------------------------------------


def test_forged_host_is_not_in_the_service_description(front_server: LiveServer) -> None:
    headers = {"Host": "evil.example", "Accept": "text/turtle", "X-Forwarded-Host": "evil2.example"}
    reply = front_server.request("GET", "/sparql", headers=headers)
    assert reply.status == 200
    assert b"evil" not in reply.body
    assert f"<{FRONT_PUBLIC_URL}/sparql>".encode() in reply.body


@pytest.mark.parametrize("path", ["/.well-known/void", "/export.json"])
def test_forged_host_is_not_in_other_absolute_urls(front_server: LiveServer, path: str) -> None:
    reply = front_server.request("GET", path, headers={"Host": "evil.example"})
    assert reply.status == 200
    assert b"evil" not in reply.body
    assert FRONT_PUBLIC_URL.encode() in reply.body


@pytest.mark.parametrize(
    "host", ['evil.example"><script>', "a b", "evil.example/path", "x:99999", "[::1"]
)
def test_malformed_host_is_400(server: LiveServer, host: str) -> None:
    reply = server.request("GET", "/sparql", headers={"Host": host, "Accept": "text/turtle"})
    assert reply.status == 400
    body = reply.json()
    assert body["error"] == "bad-request" and "Host" in body["message"]
    assert host.encode() not in reply.body


def test_valid_host_is_used_without_public_url(server: LiveServer) -> None:
    headers = {"Host": "mirror.example:8080", "Accept": "text/turtle"}
    reply = server.request("GET", "/sparql", headers=headers)
    assert reply.status == 200
    assert b"<http://mirror.example:8080/sparql>" in reply.body


# ---- requests gunicorn itself cannot parse ----------------------------------------------------

MALFORMED = {
    "header-too-long": (
        b"GET /-/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n",
        431,
        "request-header-fields-too-large",
        "Request Header Fields Too Large",
    ),
    "unknown-transfer-coding": (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n",
        501,
        "not-implemented",
        "Not Implemented",
    ),
    "length-and-chunked": (
        b"GET /-/health HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n",
        400,
        "bad-request",
        "Bad Request",
    ),
    "lower-case-method": (b"get /-/health HTTP/1.1\r\nHost: x\r\n\r\n", 400, "bad-request", ""),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_a_request_gunicorn_cannot_parse_gets_the_error_shape(
    front_server: LiveServer, name: str
) -> None:
    raw, status, kind, reason = MALFORMED[name]
    with _connect(front_server) as sock:
        sock.sendall(raw)
        answer, closed = _read_all(sock, FRONT_TIMEOUT + 10)
    assert closed
    _error(answer, status, kind)
    assert answer.startswith(f"HTTP/1.1 {status} {reason}".encode())
    assert b"<html>" not in answer
    assert front_server.healthy()
