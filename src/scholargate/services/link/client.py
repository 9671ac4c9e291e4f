"""A polite SPARQL client for other people's endpoints, on SPARQLWrapper.

SPARQLWrapper builds each request (the query by GET or POST, content negotiation for
SPARQL JSON results, the User-Agent) and converts the answer; its transport, a bare
``urlopen``, cannot cap an answer's size, refuse a redirect to another host, tell a
connect timeout from a total one, or wait as ``Retry-After`` says. So
:class:`_Wrapper` replaces SPARQLWrapper's one transport method (``_query``) with
:class:`_Transport`, a ``urllib`` opener of its own:

* connections open under ``connect_timeout``; the whole exchange (headers and body)
  must end within ``timeout`` (each socket read waits at most for what is left);
* the body is read in pieces and refused as soon as it passes ``max_bytes`` (or at once
  when ``Content-Length`` says it would); nothing more is read;
* redirects are followed by hand, only to the endpoint's own host and port or to a host
  the mapping allows (``allowed_hosts``), never from https to http, at most
  ``max_redirects`` times; any other redirect fails the request without contacting the
  host it names;
* the answer must be SPARQL JSON results; anything else (HTML, truncated or malformed
  JSON, a wrong shape) is an error, not an empty answer.

Around it, :class:`SparqlClient` keeps at most one request in flight per endpoint in
this process (a lock per scheme, host and port), leaves ``min_interval`` seconds
between the starts of two requests, and retries 429, 502, 503 and 504 answers and
refused or reset connections up to ``retries`` times: after the ``Retry-After`` the
server gives (seconds or an HTTP date), else after ``default_retry_after`` for a 429,
else with exponential backoff (1, 2, 4, … s). The waiting of a client is capped in all
by ``max_wait``: a server that asks for more makes the run fail at once rather than
hang. A timeout is not retried (the same query would most likely time out again).
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple
from urllib.parse import urljoin, urlsplit, urlunsplit

from SPARQLWrapper import GET, JSON, POST, SPARQLWrapper
from SPARQLWrapper import __version__ as sparqlwrapper_version
from SPARQLWrapper.Wrapper import QueryResult

from ... import __version__
from ...errors import ScholarGateError
from .mappings import ClientSettings

RETRY_STATUSES = frozenset({429, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RESULT_TYPES = ("application/sparql-results+json", "application/json")
_CHUNK = 1 << 16


# ---- errors ---------------------------------------------------------------------------


class LinkError(ScholarGateError):
    """An external endpoint failed us; the run stops and nothing is written."""

    status = 502
    kind = "link-failed"


class EndpointTimeoutError(LinkError):
    kind = "link-timeout"


class ResponseTooLargeError(LinkError):
    kind = "link-too-large"


class RedirectRefusedError(LinkError):
    kind = "link-redirect-refused"


class MalformedResponseError(LinkError):
    kind = "link-malformed"


class ThrottledError(LinkError):
    kind = "link-throttled"


# ---- answers --------------------------------------------------------------------------


class Term(NamedTuple):
    """One value of a SPARQL JSON binding: ``kind`` is uri, literal or bnode."""

    kind: str
    value: str
    lang: str = ""
    datatype: str = ""


@dataclass
class Results:
    """A SELECT answer: its variables and rows (missing variables are absent)."""

    variables: list[str]
    rows: list[dict[str, Term]]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @classmethod
    def from_json(cls, document: Any) -> Results:
        """Check the shape of a SPARQL JSON results document and read its rows."""
        if not isinstance(document, dict):
            raise MalformedResponseError("the answer is not a SPARQL JSON results object")
        head, results = document.get("head"), document.get("results")
        if not isinstance(head, dict) or not isinstance(results, dict):
            raise MalformedResponseError("the answer has no 'head' or 'results' (not a SELECT?)")
        variables = head.get("vars", [])
        bindings = results.get("bindings")
        if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
            raise MalformedResponseError("the answer's head.vars is not a list of names")
        if not isinstance(bindings, list):
            raise MalformedResponseError("the answer's results.bindings is not a list")
        rows = []
        for binding in bindings:
            if not isinstance(binding, dict):
                raise MalformedResponseError("a binding of the answer is not an object")
            rows.append({name: _term(value) for name, value in binding.items()})
        raw = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return cls(variables, rows, raw)


def _term(value: Any) -> Term:
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise MalformedResponseError("a value in the answer is not a SPARQL JSON term")
    kind = value.get("type")
    if kind == "uri":
        return Term("uri", value["value"])
    if kind in ("literal", "typed-literal"):
        lang, datatype = value.get("xml:lang", ""), value.get("datatype", "")
        if not isinstance(lang, str) or not isinstance(datatype, str):
            raise MalformedResponseError("a literal in the answer has a malformed tag")
        return Term("literal", value["value"], lang.lower(), datatype)
    if kind == "bnode":
        return Term("bnode", value["value"])
    raise MalformedResponseError(f"a value in the answer has an unknown type {kind!r}")


# ---- the transport ----------------------------------------------------------------------


@dataclass
class _Body:
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


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, (parts.hostname or "").lower(), port


class _Transport:
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
        scheme, host, port = _origin(settings.endpoint)
        self.allowed = {(host, port)}
        for entry in settings.allowed_hosts:
            name, _, given = entry.lower().partition(":")
            ports = (int(given),) if given else (443, 80)
            self.allowed |= {(name, p) for p in ports}

    def check_redirect(self, source: str, target: str) -> None:
        scheme, host, port = _origin(target)
        source, target = endpoint_of(source), endpoint_of(target)
        if scheme not in ("http", "https"):
            raise RedirectRefusedError(f"{source} redirected to {target}: not an http(s) URL")
        if _origin(source)[0] == "https" and scheme == "http":
            raise RedirectRefusedError(f"{source} redirected from https to http ({target})")
        if (host, port) not in self.allowed:
            allowed = ", ".join(sorted(f"{h}:{p}" for h, p in self.allowed))
            raise RedirectRefusedError(
                f"{source} redirected to {target}, a host this source does not allow "
                f"(allowed: {allowed}); not followed",
                location=target,
            )

    def send(self, request: urllib.request.Request) -> _Body:
        """Send ``request``, following allowed redirects; the answer read in full."""
        self.deadline.at = time.monotonic() + self.settings.timeout
        self.deadline.sockets = []
        url = request.full_url
        for _ in range(self.settings.max_redirects + 1):
            response = self._open(request)
            status = response.status
            if status not in REDIRECT_STATUSES:
                return _Body(status, response.headers, self._read(response, url), url)
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
            if isinstance(reason, ConnectionRefusedError | ConnectionResetError):
                raise _RetryableError(f"{url}: {reason.strerror or reason}") from None
            raise LinkError(f"{url}: cannot connect: {reason}") from None
        except (ConnectionResetError, http.client.RemoteDisconnected) as error:
            raise _RetryableError(f"{url}: the connection was closed ({error})") from None
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


class _RetryableError(LinkError):
    """A failure worth another try (a refused or reset connection)."""


class _Wrapper(SPARQLWrapper):
    """SPARQLWrapper with its transport replaced by :class:`_Transport`."""

    transport: _Transport

    def _query(self) -> tuple[_Body, str]:  # type: ignore[override]
        return self.transport.send(self._createRequest()), self.returnFormat


# ---- the client -------------------------------------------------------------------------


@dataclass
class _Gate:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float = float("-inf")


_GATES: dict[tuple[str, str, int], _Gate] = {}
_GATES_LOCK = threading.Lock()


def _gate(endpoint: str) -> _Gate:
    key = _origin(endpoint)
    with _GATES_LOCK:
        return _GATES.setdefault(key, _Gate())


def user_agent(template: str) -> str:
    """The User-Agent from a mapping's template: ``{version}`` and ``{library}`` filled."""
    library = f"SPARQLWrapper/{sparqlwrapper_version}"
    return template.replace("{version}", __version__).replace("{library}", library).strip()


def retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delay-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    waited: float = 0.0
    bytes: int = 0


class SparqlClient:
    """Ask one endpoint SELECT queries, politely (see the module's docstring)."""

    def __init__(
        self,
        settings: ClientSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.sleep = sleep
        self.stats = ClientStats()
        self.agent = user_agent(settings.user_agent)
        self._transport = _Transport(settings)

    @property
    def endpoint(self) -> str:
        return self.settings.endpoint

    def select(self, query: str) -> Results:
        """The answer to a SELECT ``query``, or a :class:`LinkError`."""
        gate = _gate(self.endpoint)
        with gate.lock:  # at most one request in flight per endpoint, in this process
            attempt = 0
            while True:
                pause = gate.last + self.settings.min_interval - time.monotonic()
                if pause > 0:
                    self.sleep(pause)
                gate.last = time.monotonic()
                self.stats.requests += 1
                try:
                    body = self._exchange(query)
                except _RetryableError as error:
                    delay, reason = self._backoff(attempt), error.message
                else:
                    if body.status == 200:
                        self.stats.bytes += len(body.data)
                        return self._results(body, query)
                    if body.status not in RETRY_STATUSES:
                        raise LinkError(
                            f"{self.endpoint} answered {body.status}: {_snippet(body.data)}",
                            upstream_status=body.status,
                        )
                    delay = retry_after(body.headers.get("Retry-After"))
                    if delay is None:
                        delay = (
                            self.settings.default_retry_after
                            if body.status == 429
                            else self._backoff(attempt)
                        )
                    reason = f"{self.endpoint} answered {body.status}"
                if attempt >= self.settings.retries:
                    raise ThrottledError(
                        f"{reason}; gave up after {attempt + 1} attempts", attempts=attempt + 1
                    )
                if self.stats.waited + delay > self.settings.max_wait:
                    raise ThrottledError(
                        f"{reason} and asked to wait {delay:g} s; that would pass this run's "
                        f"limit of {self.settings.max_wait:g} s of waiting, so it stops here",
                        retry_after=delay,
                    )
                self.sleep(delay)
                self.stats.waited += delay
                self.stats.retries += 1
                attempt += 1

    @staticmethod
    def _backoff(attempt: int) -> float:
        return float(min(60, 2**attempt))

    def _exchange(self, query: str) -> _Body:
        wrapper = _Wrapper(self.endpoint, agent=self.agent, returnFormat=JSON)
        wrapper.transport = self._transport
        wrapper.setOnlyConneg(True)
        wrapper.setQuery(query)
        wrapper.setMethod(self.settings.method == "POST" and POST or GET)
        if self.settings.method == "GET":
            request = wrapper._createRequest()
            if len(request.full_url) > self.settings.max_url:
                wrapper.setMethod(POST)
        return wrapper._query()[0]

    def _results(self, body: _Body, query: str) -> Results:
        media = (body.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media not in RESULT_TYPES:
            raise MalformedResponseError(
                f"{self.endpoint} answered {media or 'no Content-Type'}, not SPARQL JSON results",
                content_type=media,
            )
        try:
            document = QueryResult((body, JSON)).convert()
        except (ValueError, TypeError) as error:  # JSONDecodeError, UnicodeDecodeError
            raise MalformedResponseError(
                f"{self.endpoint} answered malformed JSON: {_first_line(error)}"
            ) from None
        return Results.from_json(document)


def _first_line(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0][:200]


def _snippet(data: bytes) -> str:
    text = data[:300].decode("utf-8", "replace")
    return " ".join(text.split()) or "(no body)"


def results_to_text(results: Results) -> str:
    """The answer as compact JSON (what the checkpoint keeps)."""
    return json.dumps(results.raw, ensure_ascii=False, separators=(",", ":"))
