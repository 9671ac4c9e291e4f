"""The checks a query passes before it is evaluated: nesting and chain limits, no
update, SERVICE only to allow-listed endpoints, FROM / FROM NAMED only of graphs the
store holds (see the package's docstring for why)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from ...errors import ForbiddenError, InputError, QueryRefusedError
from .analysis import QueryAnalysis

UPDATE_REFUSED = "updates are not accepted on this endpoint"


@dataclass(frozen=True)
class Limits:
    """The static limits a query must respect (from the settings)."""

    max_nesting: int = 64
    max_chain: int = 256
    service_allowlist: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, config: dict) -> Limits:
        allow = frozenset(str(config.get("SERVICE_ALLOWLIST") or "").split())
        return cls(
            max_nesting=int(config.get("MAX_NESTING") or 64),
            max_chain=int(config.get("MAX_CHAIN") or 256),
            service_allowlist=allow,
        )


def check(analysis: QueryAnalysis, *, graphs: Collection[str], limits: Limits) -> None:
    """Refuse a query the endpoint will not evaluate; return quietly otherwise."""
    check_complexity(analysis, limits)
    if "LOAD" in analysis.update_words:
        raise ForbiddenError(f"LOAD is refused: {UPDATE_REFUSED}", keyword="LOAD")
    if analysis.update_words:
        raise ForbiddenError(UPDATE_REFUSED, keywords=list(analysis.update_words))
    for endpoint in analysis.services:
        if endpoint is None:
            raise ForbiddenError(
                "SERVICE with a variable is refused: name the endpoint, and only "
                "allow-listed endpoints may be called"
            )
        if endpoint not in limits.service_allowlist:
            allowed = ", ".join(sorted(limits.service_allowlist)) or "none"
            raise ForbiddenError(
                f"SERVICE <{endpoint}> is refused: it is not on this endpoint's allow-list "
                f"(allowed: {allowed})",
                service=endpoint,
            )
    check_graphs(analysis.from_graphs, graphs, "FROM")
    check_graphs(analysis.from_named, graphs, "FROM NAMED")


def check_complexity(analysis: QueryAnalysis, limits: Limits) -> None:
    """Refuse (400) a query nested or chained beyond the limits, which could crash the
    engine; any query the application runs can be checked so: ``check_complexity(
    analyse(text), Limits.from_config(config))``."""
    if analysis.depth > limits.max_nesting:
        raise QueryRefusedError(
            f"the query is nested {analysis.depth} deep; the limit is {limits.max_nesting}",
            depth=analysis.depth,
            limit=limits.max_nesting,
        )
    if analysis.chain > limits.max_chain:
        raise QueryRefusedError(
            f"the query chains {analysis.chain} operations; the limit is {limits.max_chain}. "
            "Counted are operators such as + or || in one expression, the elements of one "
            "group (UNION branches, OPTIONAL, MINUS, BIND, FILTER), projections and "
            "property-path steps, with those of nested brackets added: long chains "
            "overflow the engine. Split the query, or list alternatives with VALUES or "
            "IN (…) instead of || or UNION",
            chain=analysis.chain,
            limit=limits.max_chain,
        )


def check_graphs(asked: Sequence[str], graphs: Collection[str], where: str) -> None:
    """Every graph in ``asked`` must be a named graph of the store (never fetched)."""
    missing = [g for g in asked if g not in graphs]
    if missing:
        names = ", ".join(f"<{g}>" for g in missing)
        raise InputError(
            f"{where} {names}: no such graph in this store (graphs are never fetched); "
            "the store's graphs are listed by SELECT DISTINCT ?g { GRAPH ?g {} }",
            graphs=missing,
        )
