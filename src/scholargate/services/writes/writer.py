"""The one write path: a request's steps become one delta, guarded, journaled, applied.

:class:`Writer` belongs to one process's store. :meth:`Writer.follow` brings that store
up to date with the journal (what other processes wrote), before every request.
:meth:`Writer.write` holds the journal's lock across the whole write, so writes are
serialised across processes and a conditional update never loses another:

1. follow the journal to its end (the graph as every process will see it);
2. run the steps, each a delta effective on the graph as the earlier steps left it
   (a SPARQL Update request's operations), applied to the store written as it goes;
3. check the roles' graphs and the shapes for the nodes the whole delta touches;
4. append the delta to the journal and ``fsync`` it: the write is accepted;
5. on any refusal or error before that, take the delta back: the store is as it was.

The store written is this process's own (a graph in memory, a copy of the on-disk
store, or the on-disk store a single process holds), or, for ``serve`` on disk, the
*primary* store that no worker reads (``primary``, ``build/snapshots.py``): opened for
the write, brought up to the journal, snapshotted once the write is accepted; the
worker then reads the new snapshot (``reopen``), as every other worker does when it
follows the journal past the snapshot it reads.

On a SPARQL server store the journal is on the server too (``server_journal.py``,
``in_store``): the entries are already in the store, so following the journal only
learns their numbers, and the steps, the guard and the take-back run on the server
itself, so a write the guard refuses is on the server (never in the journal) for the
milliseconds the guard takes. Blank nodes a write adds are skolemised first
(:func:`~scholargate.services.writes.delta.skolemised`): no update can name a blank node
the server holds, so the write could not be taken back or reverted later.

Nothing another request reads changes before step 4 (a gevent worker runs one request
at a time between waits, and no step waits; the primary is read by nobody), and other
processes see the write only from the journal or a snapshot published after it, so a
refused write is never seen anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Protocol

from rdflib import URIRef

from ...errors import StoreUnavailableError, WriteRefusedError
from ...namespaces import METADATA_GRAPH, SHAPES_GRAPH
from ...store import Store
from ..validation.report import ValidationReport
from . import refusal
from .access import check_graphs
from .delta import Delta, effective, skolemised
from .guard import Guard
from .journal import Entry, Journal

log = logging.getLogger("scholargate.writes")

Step = Callable[[Store], Delta]
"""One part of a write: the delta it makes on the store as it is when it runs."""


class Primary(Protocol):
    """The store a write changes when it is not the store this process reads."""

    store: Store  # opened for this write
    seq: int  # the last journal entry it holds

    def settled(self) -> None:
        """The store holds what the journal says up to ``seq``: nothing to take back
        if this process stops now."""

    def commit(self, seq: int) -> None:
        """The store holds the journal up to entry ``seq`` (just appended): make that
        what readers see."""


OpenPrimary = Callable[[], AbstractContextManager[Primary]]
Reopen = Callable[[int], "tuple[Store, int] | None"]
"""The newest state of the graph readers may open holding more than journal entry
``seq``: a store and the entry it holds; None when there is none newer yet."""


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
    """Writes through ``journal``. ``store`` is the store this process reads, ``seq``
    the last entry it holds (it is brought up to the journal's end when made).

    Without ``primary``, writes and the entries other processes wrote are applied to
    ``store`` itself (``record`` is told each new last entry: an on-disk store). With
    ``primary`` (``serve`` on disk), ``store`` is read-only: each write goes to the
    store ``primary()`` opens, and following the journal means reading the newer
    state ``reopen`` gives; ``switched`` is told the new store (the app's store).
    """

    def __init__(
        self,
        store: Store,
        journal: Journal,
        *,
        seq: int = 0,
        timeout: float = 10.0,
        record: Callable[[int], None] | None = None,
        primary: OpenPrimary | None = None,
        reopen: Reopen | None = None,
        switched: Callable[[Store], None] | None = None,
    ):
        if (primary is None) != (reopen is None):
            raise ValueError("a Writer with a primary store reads through reopen, and only then")
        self.store = store
        self.journal = journal
        self.timeout = timeout
        self.record = record  # told the last entry the store holds (an on-disk store)
        self.primary = primary
        self.reopen = reopen
        self.switched = switched
        self.guard = Guard(store)
        self.seq = seq
        self.pending: list[Entry] = []  # read from the journal, not yet in ``store``
        self._graph_seq: dict[URIRef, int] = {}  # the last entry that touched each graph
        entries, self.offset = journal.read(0)
        for entry in entries:
            self._note(entry.seq, entry.delta)
        self._last = max([seq, *(e.seq for e in entries)])  # the journal's last entry
        newer = [e for e in entries if e.seq > seq]
        if primary is None:
            self._apply(newer)
        else:
            self.pending = newer
            self._reopen()

    def graph_seq(self, graph: URIRef) -> int:
        """The last journal entry read that touched ``graph`` (0: none did): what a
        graph's dump's version follows."""
        return self._graph_seq.get(graph, 0)

    def _note(self, seq: int, delta: Delta) -> None:
        for graph in delta.graphs:
            self._graph_seq[graph] = seq

    def follow(self) -> int:
        """Apply what other processes appended since the last look (a ``stat`` when
        nothing was); return how many entries the store now holds that it did not."""
        if self.journal.size() == self.offset and not self.pending:
            return 0
        entries, self.offset = self.journal.read(self.offset)
        for entry in entries:
            self._touched(entry.delta)
            self._note(entry.seq, entry.delta)
            self._last = max(self._last, entry.seq)
        if self.primary is None:
            self._apply(entries)
            return len(entries)
        self.pending += [e for e in entries if e.seq > self.seq]
        return self._reopen()

    def _apply(self, entries: Sequence[Entry]) -> None:
        if not entries:
            return
        if getattr(self.journal, "in_store", False):  # the server holds them already
            for entry in entries:
                self._touched(entry.delta)
                self.seq = entry.seq
            return
        if not self.store.writable:
            raise StoreUnavailableError(
                "the journal has writes this server's store cannot take (it reads the "
                "store read-only from disk); restart the server to rebuild it"
            )
        for entry in entries:
            self.store.change(entry.delta.removed, entry.delta.added)
            self._touched(entry.delta)
            self.seq = entry.seq
        if self.record is not None:
            self.record(self.seq)

    def _reopen(self) -> int:
        """Read the newest state ``reopen`` gives past ``seq``; the count of entries it
        holds that the store before did not (0: none newer, the store stays)."""
        if not self.pending:
            return 0
        assert self.reopen is not None
        found = self.reopen(self.seq)
        if found is None:
            return 0  # a write not published yet: answer from the state before it
        store, seq = found
        gained = sum(1 for e in self.pending if e.seq <= seq)
        self.pending = [e for e in self.pending if e.seq > seq]
        self.store = self.guard.store = store
        self.seq = seq
        if self.switched is not None:
            self.switched(store)
        return gained

    def _touched(self, delta: Delta) -> None:
        if {SHAPES_GRAPH, METADATA_GRAPH} & delta.graphs:
            self.guard.forget()

    @contextmanager
    def _own(self) -> Iterator[Primary]:
        """This process's store as the store a write changes."""
        yield _Own(self)

    def _catch_up(self, primary: Primary) -> None:
        """Bring the primary up to the journal's last entry (entries a writer killed
        before its snapshot left, or written while another process held it)."""
        if primary.seq >= self._last:
            return
        if primary.seq >= self.seq:
            entries = [e for e in self.pending if e.seq > primary.seq]
        else:
            entries = [e for e in self.journal.read(0)[0] if primary.seq < e.seq <= self._last]
        for entry in entries:
            primary.store.change(entry.delta.removed, entry.delta.added)
        primary.commit(self._last)

    def write(
        self, steps: Sequence[Step], *, by: str, role: str, what: str, lang: str = "en"
    ) -> Receipt:
        """Run ``steps`` as one write by ``by`` (a token's name) with ``role``; raise
        ``ForbiddenError`` (a graph the role may not change), ``WriteRefusedError``
        (the shapes), or the steps' own errors, each with the store unchanged."""
        if self.primary is None and not self.store.writable:
            raise StoreUnavailableError(
                "this server cannot take writes: it reads its store read-only from disk "
                "and has no store to write; restart it (`scholargate serve`)"
            )
        with self.journal.locked(self.timeout):
            self.follow()
            with self._own() if self.primary is None else self.primary() as primary:
                self._catch_up(primary)
                store = primary.store
                total = Delta()
                cut = False  # a change cut short: only the primary's undo log undoes it exactly
                try:
                    for step in steps:
                        delta = step(store)
                        if getattr(self.journal, "in_store", False):
                            check_graphs(role, delta.graphs)  # before a blank node's 400
                            delta = skolemised(delta)
                        cut = True
                        store.change(delta.removed, delta.added)
                        cut = False
                        total = total.then(delta)
                    check_graphs(role, total.graphs)
                    entry, report = None, None
                    if total:
                        report = self.guard.check(total, lang=lang, store=store)
                        if not report.conforms:
                            shapes = self.guard.rules(store).names
                            raise WriteRefusedError(
                                refusal.message(report, shapes, lang),
                                report=report,
                                validation=refusal.as_json(report, shapes, lang),
                            )
                        entry, self.offset = self.journal.append(
                            self._last + 1, by, what, total, end=self.offset
                        )
                except BaseException:
                    store.change(total.added, total.removed)
                    if not cut:
                        primary.settled()
                    raise
                if entry is None:
                    primary.settled()  # a write that changed nothing
                else:
                    self._last = entry.seq
                    self._touched(total)
                    self._note(entry.seq, total)
                    self._commit(primary, entry.seq)
            if self.primary is not None:
                if entry is not None:
                    self.pending.append(entry)
                self._reopen()
            return Receipt(entry, total, report)

    def _commit(self, primary: Primary, seq: int) -> None:
        if self.primary is None:
            primary.commit(seq)
            return
        try:
            primary.commit(seq)
        except Exception:  # the write is in the journal: the next write publishes it
            log.exception("write %d is journaled but its snapshot failed", seq)


class _Own:
    """A writer's own store as the store its writes change."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.store = writer.store
        self.seq = writer.seq

    def settled(self) -> None:
        pass

    def commit(self, seq: int) -> None:
        self.seq = self.writer.seq = seq
        if self.writer.record is not None:
            self.writer.record(seq)
