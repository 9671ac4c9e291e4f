"""A polite SPARQL client for other people's endpoints, on SPARQLWrapper.

:class:`SparqlClient` keeps at most one request in flight per endpoint in this process
(a lock per scheme, host and port), leaves ``min_interval`` seconds between the starts
of two requests, and retries 429, 502, 503 and 504 answers and refused or reset
connections up to ``retries`` times: after the ``Retry-After`` the server gives
(seconds or an HTTP date), else after ``default_retry_after`` for a 429, else with
exponential backoff (1, 2, 4, … s). The waiting of a client is capped in all by
``max_wait``: a server that asks for more makes the run fail at once rather than hang.
A timeout is not retried (the same query would most likely time out again).

Each exchange goes through ``transport.py`` (deadline, byte cap, redirect policy). The
answer must be SPARQL JSON results (``answers.py``); anything else (HTML, truncated or
malformed JSON, a wrong shape) is an error, not an empty answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from SPARQLWrapper import GET, JSON, POST
from SPARQLWrapper import __version__ as sparqlwrapper_version
from SPARQLWrapper.Wrapper import QueryResult

from ... import __version__
from .answers import Results
from .errors import (
    EndpointUnreachableError,
    LinkError,
    MalformedResponseError,
    RetryableError,
    ThrottledError,
)
from .mappings import ClientSettings
from .transport import Body, Transport, Wrapper, origin

RETRY_STATUSES = frozenset({429, 502, 503, 504})
RESULT_TYPES = ("application/sparql-results+json", "application/json")


@dataclass
class _Gate:
    lock: threading.Lock = field(default_factory=threading.Lock)
    last: float = float("-inf")


_GATES: dict[tuple[str, str, int], _Gate] = {}
_GATES_LOCK = threading.Lock()


def _gate(endpoint: str) -> _Gate:
    key = origin(endpoint)
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
        self._transport = Transport(settings)

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
                refused = False
                try:
                    body = self._exchange(query)
                except RetryableError as error:
                    delay, reason, refused = self._backoff(attempt), error.message, error.connecting
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
                if attempt >= self.settings.retries and refused:
                    tries = "once" if attempt == 0 else f"{attempt + 1} times"
                    raise EndpointUnreachableError(f"{reason} ({tries})")
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

    def _exchange(self, query: str) -> Body:
        wrapper = Wrapper(self.endpoint, agent=self.agent, returnFormat=JSON)
        wrapper.transport = self._transport
        wrapper.setOnlyConneg(True)
        wrapper.setQuery(query)
        wrapper.setMethod(self.settings.method == "POST" and POST or GET)
        if self.settings.method == "GET":
            request = wrapper._createRequest()
            if len(request.full_url) > self.settings.max_url:
                wrapper.setMethod(POST)
        return wrapper._query()[0]

    def _results(self, body: Body, query: str) -> Results:
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
