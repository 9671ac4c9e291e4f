"""The HTTP front of ``scholargate serve``: gunicorn's gevent worker, bounded and timed.

Each connection costs a greenlet, not a thread, so clients that are slow on purpose
(or just slow) wait in the worker's event loop without holding anything the
application needs. What a client may take is bounded:

* **headers**: a request's line and headers must arrive within ``HEADER_TIMEOUT``
  seconds in total (an idle keep-alive connection gets as long for its next request);
  past that the connection is closed. gunicorn's async worker reads them inside
  ``timeout_ctx()``, a ``gevent.Timeout``: a deadline on the whole read, not per byte.
* **bodies**: read completely, within ``BODY_TIMEOUT`` seconds in total, and buffered
  *before* the application sees the request (it gets the bytes, with a
  ``Content-Length``, whatever the framing was). A body over ``MAX_BODY`` bytes,
  declared or chunked, is answered 413 without reading further; one that does not
  arrive in time, 408. Both in the project's error shape, then the connection closes.
* **sending**: a client that takes no bytes of its answer for ``SEND_TIMEOUT``
  seconds is dropped (each ``send`` waits at most that long for room).
* **connections**: at most ``CONNECTIONS`` per worker; more wait in the listen queue.

Monkey-patching: everything but ``subprocess`` and ``os``
(``patch_all(subprocess=False, os=False, signal=False)``; gevent's ``signal`` only
serves its ``subprocess``). gevent's ``Popen`` makes the pipes of a
child non-blocking, and the query pool (store/processes/pool.py) writes a job to its process
with ``os.write`` in a loop that expects a blocking pipe; the standard ``Popen`` keeps
them blocking. gevent's ``os`` would replace ``os.close`` by one that closes pipes
later, from the event loop, and the standard ``Popen`` waits for its exec pipe to
close while blocking that loop: the worker hung starting its second query process.
The pool's waits are cooperative all the same: ``threading.Condition``,
``time.sleep`` and ``select.poll`` are gevent's, and a query process is idle when it
is given a job, so writing to it returns at once. A greenlet waiting for a runaway
query therefore holds nothing but itself.

CPU work in the worker (pyoxigraph lookups, rendering) runs without yielding, as it
ran under the GIL before: one request's CPU at a time per worker process.
"""

from __future__ import annotations

import errno
import json
import socket
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import gevent
from gevent import monkey
from gunicorn import util as gunicorn_util
from gunicorn.http.body import LengthReader
from gunicorn.http.errors import ParseException
from gunicorn.workers.ggevent import GeventWorker

from .config import load_config
from .errors import error_body

_STEP = 1 << 16  # bytes asked of the body reader at a time
_LINGER = 2.0  # seconds a refused body is drained after the answer, so the client reads it


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def write_error(sock: Any, status: int, reason: str, message: str) -> None:
    """gunicorn's answer to a request it could not parse (a malformed request line or
    header, too many or too long headers, a bad chunk), in the project's error shape
    instead of gunicorn's HTML page, with the reason phrase that goes with the status."""
    kind = _reason(status).lower().replace(" ", "-")
    text = message or reason
    if len(text) > 300:
        text = text[:300] + "…"
    gunicorn_util.write_nonblock(sock, RefusalError(status, kind, text).encode())


@dataclass(frozen=True)
class Limits:
    """What one client may take: seconds for headers, body and each send; body bytes."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    send_timeout: float = 30.0
    max_body: int = 1 << 20

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Limits:
        return cls(
            header_timeout=float(settings["HEADER_TIMEOUT"]),
            body_timeout=float(settings["BODY_TIMEOUT"]),
            send_timeout=float(settings["SEND_TIMEOUT"]),
            max_body=int(settings["MAX_BODY"]),
        )


class SendTimeoutError(OSError):
    """The client took no bytes for ``SEND_TIMEOUT`` seconds (an EPIPE for gunicorn)."""


class GuardedSocket:
    """A client socket whose ``sendall`` gives up after ``timeout`` seconds without
    progress; everything else is the socket's own."""

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        self._sock = sock
        self._timeout = timeout

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def sendall(self, data: bytes | bytearray | memoryview, flags: int = 0) -> None:
        view = memoryview(data).cast("B")
        while view:
            with gevent.Timeout(self._timeout, False):
                sent = self._sock.send(view, flags)
                view = view[sent:]
                continue
            raise SendTimeoutError(
                errno.EPIPE, f"the client took nothing for {self._timeout:g} s; dropped"
            )

    def send(self, data: bytes | bytearray | memoryview, flags: int = 0) -> int:
        with gevent.Timeout(self._timeout, False):
            return self._sock.send(data, flags)
        raise SendTimeoutError(
            errno.EPIPE, f"the client took nothing for {self._timeout:g} s; dropped"
        )


class RefusalError(Exception):
    """A request the front answers itself, in the project's error shape."""

    def __init__(self, status: int, kind: str, message: str) -> None:
        super().__init__(message)
        self.status, self.kind, self.message = status, kind, message

    def encode(self) -> bytes:
        body = json.dumps(error_body(self.status, self.kind, self.message)).encode("utf-8")
        head = (
            f"HTTP/1.1 {self.status} {_reason(self.status)}\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        )
        return head.encode("ascii") + body


class BufferedBody:
    """A request body read in full: what ``wsgi.input`` needs, over bytes."""

    def __init__(self, data: bytes) -> None:
        import io

        self._stream = io.BytesIO(data)

    def read(self, size: int | None = -1) -> bytes:
        return self._stream.read(-1 if size is None else size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._stream.readline(-1 if size is None else size)

    def readlines(self, hint: int | None = -1) -> list[bytes]:
        return self._stream.readlines(-1 if hint is None else hint)

    def __iter__(self) -> BufferedBody:
        return self

    def __next__(self) -> bytes:
        line = self._stream.readline()
        if not line:
            raise StopIteration
        return line


def _declared_length(req: Any) -> int | None:
    """The body's length when the request says it (Content-Length), else None."""
    reader = getattr(req.body, "reader", None)
    if isinstance(reader, LengthReader):
        return int(reader.length)
    return None


def read_body(req: Any, sock: Any, limits: Limits) -> None:
    """Read ``req``'s body in full and put it back as a buffered body with a
    Content-Length; raise :class:`RefusalError` (413, 408, 400) instead when it is too
    long, too slow or malformed."""
    declared = _declared_length(req)
    if declared == 0:
        return
    if declared is not None and declared > limits.max_body:
        raise RefusalError(413, "request-entity-too-large", _too_large(declared, limits))
    if getattr(req, "_expected_100_continue", False):
        sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        req._expected_100_continue = False
    parts: list[bytes] = []
    size = 0
    timer = gevent.Timeout(limits.body_timeout)
    timer.start()
    try:
        while True:
            data = req.body.read(_STEP)
            if not data:
                break
            size += len(data)
            if size > limits.max_body:
                raise RefusalError(413, "request-entity-too-large", _too_large(None, limits))
            parts.append(data)
    except gevent.Timeout as error:
        if error is not timer:
            raise
        raise RefusalError(
            408,
            "request-timeout",
            f"the request body did not arrive within {limits.body_timeout:g} s "
            f"({size} bytes came); send it at once, or send a shorter one",
        ) from None
    except ParseException as error:
        raise RefusalError(400, "bad-request", f"the request body is malformed: {error}") from None
    finally:
        timer.close()
    body = b"".join(parts)
    req.body = BufferedBody(body)
    req.headers = [
        (name, value)
        for name, value in req.headers
        if name not in ("CONTENT-LENGTH", "TRANSFER-ENCODING")
    ] + [("CONTENT-LENGTH", str(len(body)))]


def _too_large(declared: int | None, limits: Limits) -> str:
    size = f"is {declared} bytes" if declared is not None else "goes on past the limit"
    return (
        f"the request body {size}; the most this server takes is {limits.max_body} "
        "bytes (MAX_BODY): send a shorter query"
    )


class FrontWorker(GeventWorker):
    """gunicorn's gevent worker with ScholarGate's header, body and send limits."""

    limits: Limits = Limits()

    def patch(self) -> None:
        monkey.patch_all(subprocess=False, os=False, signal=False)
        # the listening sockets, as gevent sockets (what GeventWorker.patch does)
        self.sockets = [
            gevent.socket.socket(s.FAMILY, socket.SOCK_STREAM, fileno=s.sock.detach())
            for s in self.sockets
        ]

    def init_process(self) -> None:
        settings = getattr(self.app, "app_config", None) or load_config()
        self.limits = Limits.from_settings(settings)
        # gunicorn has no hook for how it answers a request it cannot parse; its worker
        # calls util.write_error, which this process's worker answers with instead
        gunicorn_util.write_error = write_error
        super().init_process()

    def timeout_ctx(self) -> gevent.Timeout:
        return gevent.Timeout(self.limits.header_timeout, False)

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        super().handle(listener, GuardedSocket(client, self.limits.send_timeout), addr)

    def handle_request(self, listener_name: Any, req: Any, sock: Any, addr: Any) -> bool:
        try:
            read_body(req, sock, self.limits)
        except RefusalError as refusal:
            self.log.info("refused %s %s: %s", req.method, req.path, refusal.message)
            answer(sock, refusal)
            raise StopIteration() from None  # gunicorn closes the connection
        try:
            return super().handle_request(listener_name, req, sock, addr)
        finally:
            # Let the other connections run before this one's next request: a client
            # that sends its next request at once would otherwise find it already
            # read, and keep the worker to itself (others waited 30-100 ms). A timer,
            # not sleep(0) (which resumes before the next poll) nor idle() (which under
            # load waits seconds): every ready connection gets one turn per poll.
            gevent.sleep(1e-6)


def answer(sock: Any, refusal: RefusalError) -> None:
    """Send ``refusal``, then drain what the client still sends for a moment, so that
    closing does not reset the connection before the client has read the answer."""
    try:
        sock.sendall(refusal.encode())
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        return
    with gevent.Timeout(_LINGER, False):
        try:
            while sock.recv(_STEP):
                pass
        except OSError:
            pass
