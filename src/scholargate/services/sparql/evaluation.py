"""Evaluation: a prepared query is answered by the store (:meth:`Store.answer`), bounded
in time and size (:class:`Budget`), within its client's limits
(:func:`answer_for_client`); how the store answers comes from the settings
(:func:`answer_settings`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import LimitExceededError, ParseError
from ...store import Answer, AnswerRequest, AnswerSettings, Store
from .clients import ClientSlots, SlowClients
from .protocol import PreparedQuery


def answer_settings(config: Mapping[str, Any]) -> AnswerSettings:
    """How the store answers, from the settings: ``QUERY_WORKERS`` query processes and
    ``QUEUE_WAIT`` seconds of waiting for one."""
    queue_wait = config.get("QUEUE_WAIT")
    return AnswerSettings(
        processes=int(config.get("QUERY_WORKERS") or 2),
        queue_wait=2.0 if queue_wait is None else float(queue_wait),
    )


@dataclass(frozen=True)
class Budget:
    """What one answer may cost: ``MAX_ROWS`` rows (or triples), ``MAX_ANSWER_BYTES``
    bytes, ``QUERY_TIMEOUT`` seconds from the request's start (waiting included)."""

    max_rows: int | None = None
    max_bytes: int | None = None
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Budget:
        return cls(
            max_rows=config.get("MAX_ROWS") or None,
            max_bytes=int(config.get("MAX_ANSWER_BYTES") or 0) or None,
            timeout=float(config.get("QUERY_TIMEOUT") or 30.0),
        )


def evaluate(
    store: Store,
    prepared: PreparedQuery,
    *,
    fmt: str,
    max_rows: int | None,
    timeout: float,
    started: float | None = None,
    limited: bool = False,
    max_bytes: int | None = None,
) -> Answer:
    """Have the store answer a prepared query (the project's prefixes predeclared),
    serialised in ``fmt`` (a format name). ``timeout`` seconds from ``started``
    (``time.monotonic()`` when the request began) cover waiting and running."""
    request = AnswerRequest(
        sparql=prepared.text,
        fmt=fmt,
        default_graphs=prepared.default_graphs,
        named_graphs=prepared.named_graphs,
        union_default_graph=prepared.union_default_graph,
        max_rows=max_rows,
        max_bytes=max_bytes,
        timeout=timeout,
        started=started,
        limited=limited,
    )
    try:
        return store.answer(request)
    except ParseError as error:
        raise _with_position(error) from None


def answer_for_client(
    store: Store,
    prepared: PreparedQuery,
    *,
    fmt: str,
    client: str,
    slots: ClientSlots,
    slow: SlowClients,
    budget: Budget,
    started: float | None = None,
) -> Answer:
    """Evaluate for ``client`` (its remote address): holding one of its slots (429
    beyond them), in the slow lane when its queries ran past the deadline lately, and
    marking it so when this one does."""
    with slots.hold(client):
        try:
            return evaluate(
                store,
                prepared,
                fmt=fmt,
                max_rows=budget.max_rows,
                max_bytes=budget.max_bytes,
                timeout=budget.timeout,
                started=started,
                limited=slow.marked(client),
            )
        except LimitExceededError as error:
            if error.details.get("limit_seconds") is not None:  # stopped at the deadline
                slow.mark(client)
            raise


def _with_position(error: ParseError) -> ParseError:
    """The syntax error with its line and column in the message too."""
    if error.line is None:
        return error
    text = error.message.removeprefix("SPARQL syntax error: ")
    where = f"line {error.line}, column {error.column}"
    result = ParseError(f"SPARQL syntax error at {where}: {text}")
    result.line, result.column = error.line, error.column
    result.details = {"line": error.line, "column": error.column}
    return result
