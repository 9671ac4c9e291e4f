"""One HTTP exchange with an external endpoint: deadline, byte cap and redirect policy.

SPARQLWrapper builds each request (the query by GET or POST, content negotiation for
SPARQL JSON results, the User-Agent) and converts the answer; its transport, a bare
``urlopen``, cannot cap an answer's size, refuse a redirect to another host, tell a
connect timeout from a total one, or wait as ``Retry-After`` says. So :class:`Wrapper`
replaces SPARQLWrapper's one transport method (``_query``) with :class:`Transport`, a
``urllib`` opener of its own:

* connections open under ``connect_timeout``; the whole exchange (headers and body)
  must end within ``timeout`` (each socket read waits at most for what is left);
* the body is read in pieces and refused as soon as it passes ``max_bytes`` (or at once
  when ``Content-Length`` says it would); nothing more is read;
* redirects are followed by hand, only to the endpoint's own host and port or to a host
  the mapping allows (``allowed_hosts``), never from https to http, at most
  ``max_redirects`` times; any other redirect fails the request without contacting the
  host it names.

Retrying, pacing and checking the answer are the client's (``client.py``).
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from SPARQLWrapper import SPARQLWrapper

from .errors import (
    EndpointTimeoutError,
    EndpointUnreachableError,
    LinkError,
    MalformedResponseError,
    RedirectRefusedError,
    ResponseTooLargeError,
    RetryableError,
)
from .mappings import ClientSettings

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 1 << 16


@dataclass
class Body:
    """An answer read in full, shaped like the ``urlopen`` response SPARQLWrapper expects."""

    status: int
    headers: http.client.HTTPMessage
    data: bytes
    url: str

    def read(self) -> bytes:
        return self.data

    def info(self) -> http.client.HTTPMessage:
        return self.headers

    def geturl(self) -> str:
        return self.url


class _Deadline:
    """The end of the current exchange, shared with the connections it opens."""

    def __init__(self) -> None:
        self.at = 0.0
        self.sockets: list[socket.socket] = []

    def left(self) -> float:
        return self.at - time.monotonic()


def _connection_class(base: type[http.client.HTTPConnection]) -> type:
    class Connection(base):  # type: ignore[misc, valid-type]
        """Open under the connect timeout, then read under what is left of the deadline."""

        deadline: _Deadline
        connect_timeout: float

        def connect(self) -> None:
            self.timeout = max(0.001, min(self.connect_timeout, self.deadline.left()))
            super().connect()
            self.sock.settimeout(max(0.001, self.deadline.left()))
            self.deadline.sockets.append(self.sock)

    Connection.__name__ = f"Timed{base.__name__}"
    return Connection


_HTTPConnection = _connection_class(http.client.HTTPConnection)
_HTTPSConnection = _connection_class(http.client.HTTPSConnection)


def _factory(cls: type, deadline: _Deadline, connect_timeout: float) -> Callable[..., Any]:
    """A connection class for ``do_open`` that ignores urllib's one timeout."""

    def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        kwargs.pop("timeout", None)
        connection = cls(host, **kwargs)
        connection.deadline = deadline
        connection.connect_timeout = connect_timeout
        return connection

    return make


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: _Deadline, connect_timeout: float) -> None:
        super().__init__()
        self.make = _factory(_HTTPConnection, deadline, connect_timeout)

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.make, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: _Deadline, connect_timeout: float) -> None:
        super().__init__()
        self.make = _factory(_HTTPSConnection, deadline, connect_timeout)

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self.make, req, context=self._context)


class _KeepEveryStatus(urllib.request.HTTPErrorProcessor):
    """Hand back every response as it is: statuses and redirects are handled by hand."""

    def http_response(self, request: Any, response: Any) -> Any:
        return response

    https_response = http_response


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def origin(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of ``url``: what the redirect policy and the client's one
    request in flight per endpoint compare."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


class Transport:
    """One HTTP exchange at a time, under the deadline, byte cap and redirect policy."""

    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.deadline = _Deadline()
        self.opener = urllib.request.build_opener(
            _HTTPHandler(self.deadline, settings.connect_timeout),
            _HTTPSHandler(self.deadline, settings.connect_timeout),
            _KeepEveryStatus(),
            _NoRedirects(),
        )
        scheme, host, port = origin(settings.endpoint)
        self.allowed = {(host, port)}
        for entry in settings.allowed_hosts:
            name, _, given = entry.lower().partition(":")
            ports = (int(given),) if given else (443, 80)
            self.allowed |= {(name, p) for p in ports}

    def check_redirect(self, source: str, target: str) -> None:
        scheme, host, port = origin(target)
        source, target = endpoint_of(source), endpoint_of(target)
        if scheme not in ("http", "https"):
            raise RedirectRefusedError(f"{source} redirected to {target}: not an http(s) URL")
        if origin(source)[0] == "https" and scheme == "http":
            raise RedirectRefusedError(f"{source} redirected from https to http ({target})")
        if (host, port) not in self.allowed:
            allowed = ", ".join(sorted(f"{h}:{p}" for h, p in self.allowed))
            raise RedirectRefusedError(
                f"{source} redirected to {target}, a host this source does not allow "
                f"(allowed: {allowed}); not followed",
                location=target,
            )

    def send(self, request: urllib.request.Request) -> Body:
        """Send ``request``, following allowed redirects; the answer read in full."""
        self.deadline.at = time.monotonic() + self.settings.timeout
        self.deadline.sockets = []
        url = request.full_url
        for _ in range(self.settings.max_redirects + 1):
            response = self._open(request)
            status = response.status
            if status not in REDIRECT_STATUSES:
                return Body(status, response.headers, self._read(response, url), url)
            location = response.headers.get("Location")
            response.close()
            if not location:
                raise MalformedResponseError(
                    f"{endpoint_of(url)} answered {status} without a Location"
                )
            target = urljoin(url, location)
            self.check_redirect(url, target)
            method = request.get_method()
            if method == "POST" and status in (301, 302, 303):
                raise LinkError(
                    f"{endpoint_of(url)} answered a POST with {status} to "
                    f"{endpoint_of(target)}; give that URL as the endpoint, or ask by GET"
                )
            request = urllib.request.Request(
                target, data=request.data, headers=dict(request.header_items()), method=method
            )
            url = target
        raise LinkError(
            f"{endpoint_of(request.full_url)}: more than {self.settings.max_redirects} redirects"
        )

    def _open(self, request: urllib.request.Request) -> http.client.HTTPResponse:
        url = endpoint_of(request.full_url)
        try:
            return self.opener.open(request)
        except TimeoutError:
            raise self._timeout(url) from None
        except urllib.error.URLError as error:
            reason = error.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                raise self._timeout(url) from None
            if isinstance(reason, ConnectionRefusedError):
                refused = RetryableError(f"{url}: the connection was refused")
                refused.connecting = True
                raise refused from None
            if isinstance(reason, ConnectionResetError):
                raise RetryableError(f"{url}: {reason.strerror or reason}") from None
            cause = getattr(reason, "strerror", None) or str(reason)
            if isinstance(reason, socket.gaierror):
                cause = f"unknown host ({cause})"
            raise EndpointUnreachableError(f"{url}: cannot connect: {cause}") from None
        except (ConnectionResetError, http.client.RemoteDisconnected) as error:
            raise RetryableError(f"{url}: the connection was closed ({error})") from None
        except (OSError, http.client.HTTPException) as error:
            raise LinkError(f"{url}: {error}") from None

    def _timeout(self, url: str) -> EndpointTimeoutError:
        return EndpointTimeoutError(
            f"{url} did not answer within {self.settings.timeout:g} s",
            timeout=self.settings.timeout,
        )

    def _read(self, response: http.client.HTTPResponse, url: str) -> bytes:
        url = endpoint_of(url)
        cap = self.settings.max_bytes
        declared = response.headers.get("Content-Length")
        if declared and declared.strip().isdigit() and int(declared) > cap:
            response.close()
            raise ResponseTooLargeError(
                f"{url} announced {int(declared)} bytes, more than the cap of {cap}",
                max_bytes=cap,
            )
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                left = self.deadline.left()
                if left <= 0:
                    raise self._timeout(url)
                for sock in self.deadline.sockets:
                    try:
                        sock.settimeout(left)
                    except OSError:
                        pass
                chunk = response.read1(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise ResponseTooLargeError(
                        f"{url} sent more than the cap of {cap} bytes; stopped reading",
                        max_bytes=cap,
                    )
                chunks.append(chunk)
        except TimeoutError:
            raise self._timeout(url) from None
        except http.client.IncompleteRead:
            raise MalformedResponseError(f"{url}: the answer ended early (incomplete)") from None
        except (OSError, http.client.HTTPException) as error:
            raise MalformedResponseError(f"{url}: the answer broke off: {error}") from None
        finally:
            response.close()
        return b"".join(chunks)


def endpoint_of(url: str) -> str:
    """``url`` without its query and fragment: what an error message names (the query of
    a GET is the whole URL-encoded SPARQL, over a kilobyte)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class Wrapper(SPARQLWrapper):
    """SPARQLWrapper with its transport replaced by :class:`Transport`."""

    transport: Transport

    def _query(self) -> tuple[Body, str]:  # type: ignore[override]
        return self.transport.send(self._createRequest()), self.returnFormat
