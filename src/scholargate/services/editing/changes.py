"""The change journal for pages: recent changes, a resource's history, a revert.

:class:`ChangeLog` reads the journal as it grows (only the bytes appended since the last
look) and keeps the newest :data:`MAX_KEPT` entries, with the nodes each touches, so
that ``/changes`` and a resource's history never read the whole file per request. The
CLI (``scholargate history``) reads everything. :func:`revert_delta` is the inverse of
an entry, effective on the graph as it is now: what it added and is still there is
removed, what it removed and is not back is added; the write path then checks it like
any other write.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from ...errors import NotFoundError
from ...store import Quad, Store
from ..writes.delta import Delta, effective
from ..writes.journal import Entry, Journal

MAX_KEPT = 10000  # entries the pages can show; older ones are in `scholargate history`


@dataclass(frozen=True)
class Kept:
    entry: Entry
    nodes: frozenset[Node]


class ChangeLog:
    """The newest entries of one journal, read incrementally."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._kept: deque[Kept] = deque(maxlen=MAX_KEPT)
        self._offset = 0
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        with self._lock:
            if self.journal.size() == self._offset:
                return
            entries, self._offset = self.journal.read(self._offset)
            for entry in entries:
                self._kept.append(Kept(entry, entry.delta.nodes()))

    def recent(self, limit: int, *, before: int | None = None) -> list[Entry]:
        """The newest ``limit`` entries (numbered below ``before``), newest first."""
        self._refresh()
        found = []
        for kept in reversed(self._kept):
            if before is not None and kept.entry.seq >= before:
                continue
            found.append(kept.entry)
            if len(found) >= limit:
                break
        return found

    def about(self, node: URIRef, limit: int) -> list[Entry]:
        """The newest ``limit`` entries that touch ``node``, newest first."""
        self._refresh()
        found = []
        for kept in reversed(self._kept):
            if node in kept.nodes:
                found.append(kept.entry)
                if len(found) >= limit:
                    break
        return found

    def entry(self, seq: int) -> Entry:
        self._refresh()
        for kept in reversed(self._kept):
            if kept.entry.seq == seq:
                return kept.entry
        raise NotFoundError(f"there is no change {seq} to revert (or it is too old for the site)")


def quads_about(delta: Delta, node: URIRef) -> tuple[list[Quad], list[Quad]]:
    """The quads of ``delta`` whose subject or object is ``node``: removed, added."""
    removed = [q for q in delta.removed if node in (q[0], q[2])]
    added = [q for q in delta.added if node in (q[0], q[2])]
    return removed, added


def revert_delta(store: Store, entry: Entry) -> Delta:
    """The change that takes ``entry`` back, on the graph as it is now."""
    return effective(store, entry.delta.added, entry.delta.removed)
