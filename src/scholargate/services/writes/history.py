"""The journal read back (``scholargate history``): which entries a question asks for.

A question names entries by where they start (``since``: a journal number, a date or a
time), who wrote them (``by``, a token's name), a graph they touched, and how many of
the newest to keep (``limit``). Entries stay in journal order, newest last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rdflib import URIRef

from ...errors import InputError
from ...namespaces import GRAPH, PREFIXES
from .journal import Entry


@dataclass(frozen=True)
class Since:
    """Where a question starts: after entry ``seq``, or at ``moment`` (UTC) and later."""

    seq: int | None = None
    moment: datetime | None = None

    def admits(self, entry: Entry) -> bool:
        if self.seq is not None:
            return entry.seq > self.seq
        assert self.moment is not None
        return written_at(entry) >= self.moment


def parse_since(text: str) -> Since:
    """``12`` (after entry 12), ``2025-03-01`` (that day, UTC, and later) or an ISO time
    (``2025-03-01T14:00``, UTC unless it names an offset, ``Z`` or ``+03:30``)."""
    text = text.strip()
    if text.isdigit():
        return Since(seq=int(text))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"since {text!r}: give a journal number (12), a date (2025-03-01) or an ISO "
            "time (2025-03-01T14:00, UTC unless it names an offset)"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Since(moment=moment.astimezone(UTC))


def written_at(entry: Entry) -> datetime:
    """When ``entry`` was accepted, in UTC."""
    moment = datetime.fromisoformat(entry.at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def graph_named(name: str) -> URIRef:
    """A graph by its name in ``sgg:`` (``curated``), a prefixed name (``sgg:curated``)
    or its full IRI."""
    prefix, colon, local = name.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        return URIRef(PREFIXES[prefix] + local)
    if colon:
        return URIRef(name)
    return GRAPH[name]


def select(
    entries: Sequence[Entry],
    *,
    since: Since | None = None,
    by: str | None = None,
    graph: URIRef | None = None,
    limit: int | None = None,
) -> list[Entry]:
    """The entries that match every condition given, in journal order; with ``limit``,
    only the newest ``limit`` of them."""
    chosen = [
        entry
        for entry in entries
        if (since is None or since.admits(entry))
        and (by is None or entry.by == by)
        and (graph is None or graph in entry.delta.graphs)
    ]
    if limit is not None:
        chosen = chosen[len(chosen) - limit :] if limit else []
    return chosen
