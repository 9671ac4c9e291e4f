"""How a query process's trouble becomes the project's error: a syntax error with its
line and column (400), an evaluation error (400), a process that died (503, with why:
out of memory, a signal), the deadline passing while waiting (503)."""

from __future__ import annotations

import logging
import signal
import subprocess
from typing import Any

from ...errors import LimitExceededError, ParseError
from ..answers import QueryFailedError
from .process import QueryProcess

log = logging.getLogger("scholargate.query")


class QueryProcessError(Exception):
    """A query process failed to start, crashed, or broke the protocol."""


__all__ = ["QueryFailedError", "QueryProcessError", "crashed", "failure", "waited_too_long"]


def failure(header: dict[str, Any]) -> Exception:
    """The error a child's refusal (``"ok": false``) stands for."""
    if header.get("error") == "syntax":
        error = ParseError(header.get("message", "SPARQL syntax error"))
        line, column = header.get("line"), header.get("column")
        if line is not None:
            error.line, error.column = line, column
            error.details = {"line": line, "column": column}
        return error
    return QueryFailedError(header.get("message", "the query failed"), status=400)


def crashed(child: QueryProcess, *, memory_limit: int, closing: bool) -> Exception:
    """The error for a query process that died while it evaluated (it is replaced)."""
    child.process.poll()
    try:
        child.process.wait(timeout=2)
    except subprocess.TimeoutExpired:
        pass
    code = child.process.returncode
    words = child.last_words()
    if closing:
        return LimitExceededError("the server is shutting down; try again shortly")
    log.error("query process %s died (exit %s): %s", child.pid, code, words[-2000:])
    if "memory allocation" in words or "MemoryError" in words:
        return LimitExceededError(
            "the query needed more memory than a query process may use "
            f"({memory_limit >> 20} MiB) and was stopped",
            limit_bytes=memory_limit,
        )
    how = f"signal {-code} ({_signal_name(-code)})" if code and code < 0 else f"exit {code}"
    return QueryFailedError(
        f"the query process stopped ({how}) while evaluating this query; a new one is "
        "starting and the server is fine, but this query cannot be answered: simplify "
        "it (long chains of operators, UNIONs or OPTIONALs, or deep nesting overflow "
        "the evaluator)",
        status=503,
        signal=-code if code and code < 0 else None,
    )


def waited_too_long() -> LimitExceededError:
    return LimitExceededError(
        "the time limit passed while the query waited for a query process; try again in "
        "a few seconds",
        retry_after=2,
    )


def seconds(value: float) -> str:
    return f"{value:g}"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown"
