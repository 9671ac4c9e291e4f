"""Run SPARQL on a store with the project's prefixes predeclared."""

from __future__ import annotations

from typing import IO, overload

from ..formats import Format
from ..namespaces import PREFIXES
from ..store import QueryResult, Store


@overload
def run_local(store: Store, sparql: str) -> QueryResult: ...
@overload
def run_local(store: Store, sparql: str, fmt: Format, out: IO[bytes]) -> None: ...


def run_local(
    store: Store, sparql: str, fmt: Format | None = None, out: IO[bytes] | None = None
) -> QueryResult | None:
    """Evaluate ``sparql`` with the project's prefixes predeclared; return the result,
    or write it to ``out`` in ``fmt``."""
    if fmt is None or out is None:
        return store.query(sparql, prefixes=PREFIXES)
    store.query_to(sparql, fmt, out, prefixes=PREFIXES)
    return None
