"""The one write path: a request's steps become one delta, guarded, journaled, applied.

:class:`Writer` belongs to one process's store. :meth:`Writer.follow` brings that store
up to date with the journal (what other processes wrote), before every request.
:meth:`Writer.write` holds the journal's lock across the whole write, so writes are
serialised across processes and a conditional update never loses another:

1. follow the journal to its end (the graph as every process will see it);
2. run the steps, each a delta effective on the graph as the earlier steps left it
   (a SPARQL Update request's operations), applied to this process's copy as it goes;
3. check the roles' graphs and the shapes for the nodes the whole delta touches;
4. append the delta to the journal and ``fsync`` it: the write is accepted;
5. on any refusal or error before that, take the delta back: the store is as it was.

Nothing another request reads changes before step 4 (a gevent worker runs one request
at a time between waits, and no step waits), and other processes see the write only
from the journal, so a refused write is never seen anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rdflib import URIRef

from ...errors import StoreUnavailableError, WriteRefusedError
from ...namespaces import METADATA_GRAPH, SHAPES_GRAPH
from ...store import Store
from ..validation.report import ValidationReport
from . import refusal
from .access import check_graphs
from .delta import Delta, effective
from .guard import Guard
from .journal import Entry, Journal

Step = Callable[[Store], Delta]
"""One part of a write: the delta it makes on the store as it is when it runs."""


@dataclass(frozen=True)
class Receipt:
    """What an accepted write did: its journal entry (None when it changed nothing),
    the delta, and the guard's report (warnings that did not block)."""

    entry: Entry | None
    delta: Delta
    report: ValidationReport | None


@dataclass
class Replayed:
    """What replaying the journal over a freshly built graph did."""

    applied: int = 0
    seq: int = 0
    offset: int = 0
    #: (entry, quads it removed that the sources no longer have)
    contradicted: list[tuple[Entry, int]] = None  # type: ignore[assignment]
    #: entries whose additions the sources now hold (folded into data/)
    folded: list[Entry] = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.contradicted = self.contradicted or []
        self.folded = self.folded or []


def replay(store: Store, journal: Journal, *, after: int = 0, fresh: bool = True) -> Replayed:
    """Apply the journal's entries numbered above ``after`` to ``store``. Over a graph
    just built from the sources (``fresh``), note each entry that a changed source now
    contradicts (it removes what is no longer there) or already holds (its additions
    were folded into ``data/``)."""
    entries, end = journal.read(0)
    done = Replayed(seq=after, offset=end)
    for entry in entries:
        if entry.seq <= after:
            continue
        delta = effective(store, entry.delta.removed, entry.delta.added)
        if fresh and (missing := len(entry.delta.removed - delta.removed)):
            done.contradicted.append((entry, missing))
        if fresh and entry.delta.added and not delta.added:
            done.folded.append(entry)
        store.change(delta.removed, delta.added)
        done.applied += 1
        done.seq = entry.seq
    return done


class Writer:
    """Writes to ``store`` through ``journal``; ``seq`` is the last entry the store holds
    (it is brought up to the journal's end when made)."""

    def __init__(
        self,
        store: Store,
        journal: Journal,
        *,
        seq: int = 0,
        timeout: float = 10.0,
        record: Callable[[int], None] | None = None,
    ):
        self.store = store
        self.journal = journal
        self.timeout = timeout
        self.record = record  # told the last entry the store holds (an on-disk store)
        self.guard = Guard(store)
        self.seq = seq
        self.offset = 0
        self._graph_seq: dict[URIRef, int] = {}  # the last entry that touched each graph
        entries, self.offset = journal.read(0)
        for entry in entries:
            if entry.seq <= seq:  # the store holds it already
                self._note(entry.seq, entry.delta)
        self._apply([e for e in entries if e.seq > seq])

    def graph_seq(self, graph: URIRef) -> int:
        """The last entry the store holds that touched ``graph`` (0: none did)."""
        return self._graph_seq.get(graph, 0)

    def _note(self, seq: int, delta: Delta) -> None:
        for graph in delta.graphs:
            self._graph_seq[graph] = seq

    def follow(self) -> int:
        """Apply what other processes appended since the last look (a ``stat`` when
        nothing was); return how many entries."""
        if self.journal.size() == self.offset:
            return 0
        entries, self.offset = self.journal.read(self.offset)
        self._apply(entries)
        return len(entries)

    def _apply(self, entries: Sequence[Entry]) -> None:
        if not entries:
            return
        if not self.store.writable:
            raise StoreUnavailableError(
                "the journal has writes this server's store cannot take (it reads the "
                "store read-only from disk); restart the server to rebuild it"
            )
        for entry in entries:
            self.store.change(entry.delta.removed, entry.delta.added)
            self._touched(entry.delta)
            self._note(entry.seq, entry.delta)
            self.seq = entry.seq
        if self.record is not None:
            self.record(self.seq)

    def _touched(self, delta: Delta) -> None:
        if {SHAPES_GRAPH, METADATA_GRAPH} & delta.graphs:
            self.guard.forget()

    def write(
        self, steps: Sequence[Step], *, by: str, role: str, what: str, lang: str = "en"
    ) -> Receipt:
        """Run ``steps`` as one write by ``by`` (a token's name) with ``role``; raise
        ``ForbiddenError`` (a graph the role may not change), ``WriteRefusedError``
        (the shapes), or the steps' own errors, each with the store unchanged."""
        if not self.store.writable:
            raise StoreUnavailableError(
                "this server cannot take writes: it reads its store read-only from disk "
                "(more quads than MEMORY_COPY); raise MEMORY_COPY or write through a "
                "server that holds the store"
            )
        with self.journal.locked(self.timeout):
            self.follow()
            total = Delta()
            try:
                for step in steps:
                    delta = step(self.store)
                    self.store.change(delta.removed, delta.added)
                    total = total.then(delta)
                check_graphs(role, total.graphs)
                if not total:
                    return Receipt(None, total, None)
                report = self.guard.check(total, lang=lang)
                if not report.conforms:
                    shapes = self.guard.rules().names
                    raise WriteRefusedError(
                        refusal.message(report, shapes, lang),
                        report=report,
                        validation=refusal.as_json(report, shapes, lang),
                    )
                entry, self.offset = self.journal.append(
                    self.seq + 1, by, what, total, end=self.offset
                )
            except BaseException:
                self.store.change(total.added, total.removed)
                raise
            self.seq = entry.seq
            self._touched(total)
            self._note(entry.seq, total)
            if self.record is not None:
                self.record(self.seq)
            return Receipt(entry, total, report)
