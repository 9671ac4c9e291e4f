"""Run SPARQL on a store with the project's prefixes predeclared."""

from __future__ import annotations

import re
from typing import IO, overload

from ..formats import Format
from ..namespaces import PREFIXES
from ..store import QueryResult, Store

_DECLARED = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:", re.I | re.M)


def with_prefixes(sparql: str) -> str:
    """Prepend PREFIX lines for the project's prefixes the query does not declare itself."""
    declared = {m.group(1) or "" for m in _DECLARED.finditer(sparql)}
    head = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items() if p not in declared)
    return head + sparql


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
