"""What ``/sparql`` asks a store and gets back: a user's query answered already
serialised, bounded in time and size (:meth:`Store.answer`).

:class:`AnswerRequest` is the job (the query text, its dataset, the answer's format, the
row and byte caps, the deadline and the slow lane); :class:`Answer` is the answer (its
kind, its bytes, its row count, whether the row cap cut it); :class:`AnswerSettings`
says how a store answers (given once, by :meth:`Store.configure_answers`: the embedded
store's query processes, their queue and memory); :class:`QueryFailedError` is a query
that could not be evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import ScholarGateError
from ..namespaces import PREFIXES


class QueryFailedError(ScholarGateError):
    """The query was accepted but could not be evaluated (or crashed its process)."""

    status = 400
    kind = "query-failed"


@dataclass(frozen=True)
class AnswerRequest:
    """One user query to answer.

    ``fmt`` is a format name of ``scholargate.formats`` (json, csv, ttl, …). The dataset:
    ``default_graphs`` / ``named_graphs`` (None: not given); without them the default
    graph is the union of all graphs when ``union_default_graph``, else the query's own
    FROM / FROM NAMED. ``max_rows`` cuts the answer (``Answer.truncated``); an answer
    longer than ``max_bytes`` is refused. ``timeout`` seconds from ``started`` (a
    ``time.monotonic()`` taken when the request began; now if None) cover waiting and
    running. ``limited``: the client's recent queries ran past their deadline, so this
    one runs in the slow lane.
    """

    sparql: str
    fmt: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    union_default_graph: bool = True
    max_rows: int | None = None
    max_bytes: int | None = None
    timeout: float = 30.0
    started: float | None = None
    limited: bool = False


@dataclass
class Answer:
    """A serialised answer: ``kind`` is select, ask or graph; ``count`` rows or triples."""

    kind: str
    body: bytes
    count: int = 0
    truncated: bool = False
    seconds: float = 0.0


@dataclass(frozen=True)
class AnswerSettings:
    """How a store answers user queries (``QUERY_WORKERS``, ``QUEUE_WAIT``, …).

    For the embedded store: ``processes`` query processes per server process, at most
    ``queue`` requests waiting (None: twice ``processes``) at most ``queue_wait``
    seconds each, ``reserve`` processes the slow lane may not take (None: one),
    ``memory_limit`` bytes of data segment per process (None: an eighth of the RAM).
    ``prefixes`` are predeclared for every query.
    """

    processes: int = 2
    queue: int | None = None
    queue_wait: float = 2.0
    reserve: int | None = None
    memory_limit: int | None = None
    prefixes: Mapping[str, str] = field(default_factory=lambda: dict(PREFIXES))
