"""HTTP exchanges with one SPARQL server: a deadline, a byte cap, credentials, kept-alive
connections, and the server's failures turned into the project's errors.

Built on the standard library's ``http.client`` (what gevent patches for ``serve``).
Each exchange either has a deadline — the whole exchange, sending, the server's work
and reading the answer, ends within ``timeout`` seconds or at a given instant — or, for
dumps, waits at most ``timeout`` seconds for each read. An answer read under a byte
cap is refused once it passes the cap (at once when its ``Content-Length`` says it
would). Kept-alive connections are reused (``pool.py``); a request that fails because the server had
closed one is sent once more on a new one. Failures become errors of
``scholargate.errors`` that name the server, quote at most 80 characters of its answer,
and carry no traceback: cannot connect → 503, timeout → 504, a 5xx, a broken
connection or a refused credential → 502.
"""

from __future__ import annotations

import base64
import http.client
import threading
import time
import urllib.request
from collections.abc import Iterator, Mapping
from types import TracebackType
from typing import Literal
from urllib.parse import urlsplit

from ...errors import BadGatewayError, GatewayTimeoutError, LimitExceededError
from ...errors import StoreUnavailableError as Unavailable
from ...terms import shown
from .digest import digest
from .pool import Pool

Auth = Literal["basic", "digest"]
CHUNK = 1 << 16
_MAX_IDLE = 8


def server_of(url: str) -> str:
    """``host:port`` of ``url``, the name every message gives the server."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname or '?'}:{port}"


class Response:
    """One answer of the server, read under the exchange's deadline and byte cap.

    Use it as a context manager: on leaving, a connection whose answer was read to the
    end goes back to the pool, any other is closed.
    """

    def __init__(
        self,
        transport: Transport,
        connection: http.client.HTTPConnection,
        raw: http.client.HTTPResponse,
        deadline: float | None,
        max_bytes: int | None,
    ) -> None:
        self.transport = transport
        self.server = transport.server
        self.connection = connection
        self.raw = raw
        self.status = raw.status
        self.reason = raw.reason
        self.headers = raw.headers
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.size = 0
        self._done = False

    @property
    def media_type(self) -> str:
        """The answer's media type, lower case, without parameters."""
        return (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()

    # ---- reading -------------------------------------------------------------

    def _arm(self) -> None:
        self.transport.arm(self.connection, self.deadline)

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.max_bytes is not None and self.size > self.max_bytes:
            self.close()
            raise self.transport.too_large(self.max_bytes)
        if not data:
            self._done = True
        return data

    def _read(self, call, *args: int) -> bytes:  # noqa: ANN001 - a bound read method
        self._arm()
        try:
            return self._count(call(*args))
        except TimeoutError:
            self.close()
            raise self.transport.timed_out() from None
        except (OSError, http.client.HTTPException) as error:
            self.close()
            raise BadGatewayError(
                f"the SPARQL server at {self.server} broke off its answer ({type(error).__name__})",
                server=self.server,
            ) from None

    def read(self, size: int = -1) -> bytes:
        """At most ``size`` bytes (all that is left when ``size`` < 0); b"" at the end."""
        if size is None or size < 0:
            return b"".join(self.chunks())
        return self._read(self.raw.read, size)

    def readline(self) -> bytes:
        return self._read(self.raw.readline, CHUNK)

    def readinto(self, buffer: bytearray | memoryview) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def chunks(self) -> Iterator[bytes]:
        while True:
            data = self._read(self.raw.read1, CHUNK)
            if not data:
                return
            yield data

    def readable(self) -> bool:
        return True

    def text(self, most: int = 80) -> str:
        """The start of an error answer as one line of text, cut at ``most`` characters."""
        try:
            data = self.raw.read(4 * most)
        except (OSError, http.client.HTTPException):
            data = b""
        text = " ".join(data.decode("utf-8", "replace").split())
        return shown(text, most)

    # ---- ending --------------------------------------------------------------

    def close(self) -> None:
        if self.connection is None:
            return
        if not self._done and self.raw.length == 0:  # an answer without a body
            self.raw.read()
            self._done = True
        connection, self.connection = self.connection, None  # type: ignore[assignment]
        if self._done and not self.raw.will_close and self.raw.isclosed():
            self.transport.give_back(connection)
        else:
            self.raw.close()  # the answer holds the socket's file until it is closed too
            connection.close()

    def __enter__(self) -> Response:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


class Transport:
    """Requests to one server (one scheme, host and port), under a per-request timeout."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        max_bytes: int | None,
        user: str | None = None,
        password: str | None = None,
        auth: Auth = "basic",
        connect_timeout: float | None = None,
    ) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {shown(base_url)!r}")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.server = server_of(base_url)
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout or timeout, timeout)
        self.max_bytes = max_bytes
        self.user, self.password, self.auth = user, password, auth
        self._pool = Pool(_MAX_IDLE)  # kept-alive connections, per OS thread
        self._lock = threading.Lock()
        self._challenge: dict[str, str] | None = None
        self._nonce_count = 0

    # ---- connections -----------------------------------------------------------

    def _connect(self, deadline: float | None) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        wait = self.connect_timeout
        if deadline is not None:
            wait = min(wait, deadline - time.monotonic())
            if wait <= 0:
                raise self.timed_out()
        connection = cls(self.host, self.port, timeout=wait)
        try:
            connection.connect()
        except TimeoutError:
            connection.close()
            raise self.timed_out("connect to it") from None
        except OSError as error:
            connection.close()
            what = error.strerror or type(error).__name__
            raise Unavailable(
                f"the SPARQL server at {self.server} cannot be reached: {what.lower()}",
                server=self.server,
            ) from None
        return connection

    def _take(self) -> http.client.HTTPConnection | None:
        return self._pool.take()

    def give_back(self, connection: http.client.HTTPConnection) -> None:
        self._pool.give_back(connection)

    def close(self) -> None:
        self._pool.close()

    def arm(self, connection: http.client.HTTPConnection, deadline: float | None) -> None:
        """Let the next socket operation wait for what is left of the deadline (or the
        timeout, for an exchange without one)."""
        wait = self.timeout
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0:
                connection.close()
                raise self.timed_out()
        if connection.sock is not None:
            connection.sock.settimeout(wait)
        else:
            connection.timeout = wait

    # ---- errors --------------------------------------------------------------

    def timed_out(self, doing: str = "answer") -> GatewayTimeoutError:
        return GatewayTimeoutError(
            f"the SPARQL server at {self.server} did not {doing} within {self.timeout:g} s",
            server=self.server,
            timeout=self.timeout,
        )

    def too_large(self, cap: int) -> LimitExceededError:
        return LimitExceededError(
            f"the answer of the SPARQL server at {self.server} passed {cap} bytes, "
            "the most this store reads",
            server=self.server,
            max_bytes=cap,
        )

    def failure(self, response: Response, doing: str) -> Exception:
        """The error for an answer whose status ``doing`` did not expect."""
        status = f"{response.status} {response.reason}".strip()
        said = response.text()
        said = f": {said}" if said else ""
        details = {"server": self.server, "upstream_status": response.status}
        if response.status in (401, 403):
            return BadGatewayError(
                f"the SPARQL server at {self.server} refused the store's credentials to "
                f"{doing} ({status}); check the store's user and password",
                **details,
            )
        if response.status == 503:
            return Unavailable(
                f"the SPARQL server at {self.server} is unavailable ({status}){said}", **details
            )
        if response.status == 504:
            return GatewayTimeoutError(
                f"the SPARQL server at {self.server} timed out ({status}){said}", **details
            )
        return BadGatewayError(
            f"the SPARQL server at {self.server} answered {status} to {doing}{said}", **details
        )

    # ---- credentials -----------------------------------------------------------

    def _authorization(self, method: str, path: str) -> str | None:
        if self.user is None:
            return None
        if self.auth == "basic":
            pair = f"{self.user}:{self.password or ''}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        with self._lock:
            challenge = self._challenge
            if challenge is None:
                return None
            self._nonce_count += 1
            count = f"{self._nonce_count:08x}"
        return digest(challenge, self.user, self.password or "", method, path, count)

    def _learn(self, response: Response) -> bool:
        """Keep a digest challenge of a 401; whether there was one to answer."""
        if self.auth != "digest" or self.user is None:
            return False
        for header in response.headers.get_all("WWW-Authenticate") or []:
            scheme, _, rest = header.partition(" ")
            if scheme.lower() == "digest":
                challenge = urllib.request.parse_keqv_list(urllib.request.parse_http_list(rest))
                with self._lock:
                    self._challenge = {k.lower(): v for k, v in challenge.items()}
                    self._nonce_count = 0
                return True
        return False

    # ---- one exchange --------------------------------------------------------

    def request(
        self,
        method: str,
        target: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        deadline: bool | float = True,
        max_bytes: int | None = None,
    ) -> Response:
        """Send one request to ``target`` (a path with its query string) and hand back
        the answer, whatever its status; the caller reads it and closes it.

        ``deadline``: True, the exchange ends within the timeout; a ``time.monotonic()``
        instant, then; False, each read waits at most the timeout. ``max_bytes`` caps
        the answer."""
        ends = deadline if not isinstance(deadline, bool) else None
        if deadline is True:
            ends = time.monotonic() + self.timeout
        response = self._send(method, target, body, headers or {}, ends, max_bytes)
        if response.status == 401 and self._learn(response):
            response.close()
            response = self._send(method, target, body, headers or {}, ends, max_bytes)
        if max_bytes is not None:
            declared = response.headers.get("Content-Length", "").strip()
            if declared.isdigit() and int(declared) > max_bytes and response.status < 300:
                response.close()
                raise self.too_large(max_bytes)
        return response

    def _send(
        self,
        method: str,
        target: str,
        body: bytes | None,
        headers: Mapping[str, str],
        deadline: float | None,
        max_bytes: int | None,
    ) -> Response:
        sent = dict(headers)
        authorization = self._authorization(method, target)
        if authorization:
            sent["Authorization"] = authorization
        for attempt in (1, 2):
            connection = self._take() if attempt == 1 else None
            reused = connection is not None
            if connection is None:
                connection = self._connect(deadline)
            try:
                self.arm(connection, deadline)
                connection.request(method, target, body=body, headers=sent)
                raw = connection.getresponse()
            except TimeoutError:
                connection.close()
                raise self.timed_out() from None
            except (
                http.client.RemoteDisconnected,
                ConnectionResetError,
                BrokenPipeError,
            ) as error:
                connection.close()
                if reused:
                    continue  # the server had closed a kept-alive connection: once more
                raise BadGatewayError(
                    f"the SPARQL server at {self.server} closed the connection without "
                    f"answering ({type(error).__name__})",
                    server=self.server,
                ) from None
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                raise BadGatewayError(
                    f"the SPARQL server at {self.server} could not be asked "
                    f"({type(error).__name__})",
                    server=self.server,
                ) from None
            return Response(self, connection, raw, deadline, max_bytes)
        raise AssertionError("unreachable")  # pragma: no cover
