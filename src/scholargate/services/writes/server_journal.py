"""The journal on a SPARQL server: every accepted write, in order, in the graph
``sgg:journal`` of the server that holds the graph (issue 14 on a remote store).

It reads and writes like :class:`~scholargate.services.writes.journal.Journal` (the
file beside an embedded store), so the :class:`~scholargate.services.writes.writer.Writer`
takes either; ``in_store`` tells it the entries are already in the store it writes
(the server), so following the journal applies nothing, it only learns the numbers.

An entry is one node ``<sgg:journal/N>`` with its number, its line — the very JSON
line, CRC included, the file journal writes (``journal.py``) — and the token of the
writer that appended it. ``offset`` and ``end`` are entry numbers here, not bytes.

**Appending.** One update request inserts entry N only where the graph holds no entry
numbered N or more (``FILTER NOT EXISTS``), with a new state stamp (``state.py``); the
writer then reads entry N's tokens back. Only its own token: accepted. Another's too,
or only another's: refused with a 503 (the writer takes its delta back), so a number
is never taken twice by accepted writes.

**Serialising writes.** Writers on one host (the workers of one ``serve``, or several
instances) hold an ``flock`` on ``lock`` from reading the graph to appending, as with
the file journal. Across hosts only the server's conditional insert stands between two
writers, and Oxigraph 0.5 does not isolate it: measured with 8 threads × 50
conditional increments, 6 numbers were taken by 2–4 writers at once. The read-back
refuses every writer of such a number, so no accepted write is lost, but writes from
two hosts at once fail with 503 where they raced (``README``: *Writes on a SPARQL
server*).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Literal, URIRef

from ...errors import StoreUnavailableError
from ...namespaces import JOURNAL_GRAPH
from ...store import Store
from ...terms import term
from .delta import Delta
from .journal import Entry, Journal, line_of, read_line

log = logging.getLogger("scholargate.writes")

SEQ = URIRef(str(JOURNAL_GRAPH) + "#seq")
LINE = URIRef(str(JOURNAL_GRAPH) + "#line")
TOKEN = URIRef(str(JOURNAL_GRAPH) + "#token")
_BATCH = 500  # entries read per query
_J, _SEQ, _LINE, _TOKEN = (term(x) for x in (JOURNAL_GRAPH, SEQ, LINE, TOKEN))


def entry_node(seq: int) -> URIRef:
    return URIRef(f"{JOURNAL_GRAPH}/{seq}")


class ServerJournal:
    """The journal in ``store``'s graph ``sgg:journal``; ``lock`` is the file whose
    ``flock`` serialises the writers of this host; the last entry's number is read
    from the server at most every ``poll`` seconds (always while the lock is held)."""

    in_store = True  # its entries are in the store the writer writes

    def __init__(self, store: Store, lock: Path, *, poll: float = 2.0) -> None:
        self.store = store
        self.path = Path(lock)  # named in messages; the lock is beside it
        self._lock = Journal(self.path)
        self.poll = poll
        self._held = False
        self._last: tuple[float, int] | None = None

    def __repr__(self) -> str:
        return f"ServerJournal({self.store!r})"

    def _rows(self, sparql: str) -> list[dict]:
        return self.store.query(sparql, default_graphs=[str(JOURNAL_GRAPH)]).rows

    def read(self, offset: int = 0) -> tuple[list[Entry], int]:
        """The entries numbered above ``offset``, and the last number read."""
        entries: list[Entry] = []
        end = offset
        while True:
            rows = self._rows(
                f"SELECT ?n ?line WHERE {{ ?e {_SEQ} ?n ; {_LINE} ?line "
                f"FILTER(?n > {int(end)}) }} ORDER BY ?n ?line LIMIT {_BATCH}"
            )
            for row in rows:
                seq = int(row["n"])
                if seq == end:  # a number two writers raced for (both were refused)
                    log.warning("journal entry %d on the server is there twice", seq)
                    continue
                entry = read_line(str(row["line"]).encode("utf-8"))
                if entry is None or entry.seq != seq:
                    raise StoreUnavailableError(
                        f"the journal on the server is damaged at entry {seq} (its line "
                        "does not read); writes are refused until it is repaired"
                    )
                entries.append(entry)
                end = seq
            if len(rows) < _BATCH:
                return entries, end

    def entries(self) -> list[Entry]:
        return self.read(0)[0]

    def size(self) -> int:
        """The last entry's number (0: none yet): what a reader compares with how far it
        has read."""
        now = time.monotonic()
        if not self._held and self._last is not None and now < self._last[0]:
            return self._last[1]
        rows = self._rows(f"SELECT (MAX(?n) AS ?last) WHERE {{ ?e {_SEQ} ?n }}")
        last = int(rows[0]["last"]) if rows and "last" in rows[0] else 0
        self._last = (now + self.poll, last)
        return last

    @contextmanager
    def locked(self, timeout: float) -> Iterator[None]:
        """Hold this host's write lock (``Journal.locked``); meanwhile every read of the
        last number asks the server."""
        with self._lock.locked(timeout):
            self._held = True
            try:
                yield
            finally:
                self._held = False

    def append(self, seq: int, by: str, what: str, delta: Delta, *, end: int) -> tuple[Entry, int]:
        """Insert entry ``seq`` unless the server holds it or a later one already; the
        caller holds :meth:`locked` and has read up to ``end`` (``seq`` is one past)."""
        entry = Entry(seq, datetime.now(UTC).isoformat(timespec="milliseconds"), by, what, delta)
        line = line_of(entry).decode("utf-8").rstrip("\n")
        token = secrets.token_hex(12)
        node = term(entry_node(seq))
        self.store.update(
            f"INSERT {{ GRAPH {_J} {{ {node} {_SEQ} {int(seq)} ; {_LINE} {term(Literal(line))} ; "
            f'{_TOKEN} "{token}" }} }} WHERE {{ FILTER NOT EXISTS {{ GRAPH {_J} {{ '
            f"?e {_SEQ} ?n FILTER(?n >= {int(seq)}) }} }} }}"
        )
        tokens = {str(r["t"]) for r in self._rows(f"SELECT ?t WHERE {{ {node} {_TOKEN} ?t }}")}
        if tokens != {token}:
            if token in tokens:  # raced: every writer of this number takes its entry back
                self.store.update(
                    f"DELETE DATA {{ GRAPH {_J} {{ {node} {_SEQ} {int(seq)} ; "
                    f'{_LINE} {term(Literal(line))} ; {_TOKEN} "{token}" }} }}'
                )
            self._last = None
            raise StoreUnavailableError(
                f"another ScholarGate wrote journal entry {seq} on the server at the same "
                "time; nothing of this write was kept: send it again",
                retry_after=1,
            )
        self._last = (time.monotonic() + self.poll, seq)
        return entry, seq
