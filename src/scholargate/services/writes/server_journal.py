"""The journal on a SPARQL server: every accepted write, in order, in the graph
``sgg:journal`` of the server that holds the graph (issue 14 on a remote store).

It reads and writes like :class:`~scholargate.services.writes.journal.Journal` (the
file beside an embedded store), so the :class:`~scholargate.services.writes.writer.Writer`
takes either; ``in_store`` tells it the entries are already in the store it writes
(the server), so following the journal applies nothing, it only learns the numbers.
``offset`` and ``end`` are entry numbers here, not bytes.

**A write claims its number first.** :meth:`ServerJournal.locked` claims entry N (one
past the last whole entry) before the write reads or changes anything: one update
request inserts a claim node — N, a random token, a deadline — only where the graph
holds no claim or entry numbered N or more and entry N−1 is whole; then the claims of
N are read back. Only its own: the write holds N, and the graph, until it appends (the
claim gets the entry's line: the very JSON line, CRC included, the file journal
writes) or gives up (the claim is deleted, after the Writer took its changes back).
Another's too: it deletes its own claim and tries again, until the write timeout.

This needs of the server only that each update request is applied whole and that a
request made after another's answer sees it — not that a conditional update is
isolated, which Oxigraph 0.5 does not do (8 threads × 50 conditional increments took
6 numbers 2–4 times). Of two writers whose claims of N overlap, the one that commits
later reads both back; so at most one holds N, and the others never touched the data.

Writers on one host (the workers of one ``serve``, or several instances) also hold an
``flock`` on ``lock`` around it, so they queue there instead of retrying on the server.
A writer that dies holding a claim leaves it until its deadline (``CLAIM_SECONDS``);
the next writer after that deletes it. A write cut off between changing the data and
appending stays on the server unjournaled (``README``: *Writes on a SPARQL server*).
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rdflib import Literal, URIRef

from ...errors import LimitExceededError, StoreUnavailableError
from ...namespaces import JOURNAL_GRAPH
from ...store import Store
from ...terms import term
from .delta import Delta
from .journal import Entry, Journal, line_of, read_line

SEQ = URIRef(str(JOURNAL_GRAPH) + "#seq")
LINE = URIRef(str(JOURNAL_GRAPH) + "#line")
TOKEN = URIRef(str(JOURNAL_GRAPH) + "#token")
UNTIL = URIRef(str(JOURNAL_GRAPH) + "#until")
CLAIM_SECONDS = 120  # a claim nobody appended to is deleted after this
_BATCH = 500  # entries read per query
_J, _SEQ, _LINE, _TOKEN, _UNTIL = (term(x) for x in (JOURNAL_GRAPH, SEQ, LINE, TOKEN, UNTIL))


def claim_node(token: str) -> URIRef:
    return URIRef(f"{JOURNAL_GRAPH}/{token}")


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
        self._claim: tuple[int, str] | None = None  # the number held, and its token
        self._held = False  # within locked(): every read asks the server
        self._last: tuple[float, int] | None = None

    def __repr__(self) -> str:
        return f"ServerJournal({self.store!r})"

    def _rows(self, sparql: str) -> list[dict]:
        return self.store.query(sparql, default_graphs=[str(JOURNAL_GRAPH)]).rows

    def read(self, offset: int = 0) -> tuple[list[Entry], int]:
        """The whole entries numbered above ``offset``, and the last number read."""
        entries: list[Entry] = []
        end = offset
        while True:
            rows = self._rows(
                f"SELECT ?n ?line WHERE {{ ?e {_SEQ} ?n ; {_LINE} ?line "
                f"FILTER(?n > {int(end)}) }} ORDER BY ?n LIMIT {_BATCH}"
            )
            for row in rows:
                seq = int(row["n"])
                entry = read_line(str(row["line"]).encode("utf-8"))
                if entry is None or entry.seq != seq or seq == end:
                    raise StoreUnavailableError(
                        f"the journal on the server is damaged at entry {seq} (its line "
                        "does not read, or is there twice); writes are refused until it is "
                        "repaired"
                    )
                entries.append(entry)
                end = seq
            if len(rows) < _BATCH:
                return entries, end

    def entries(self) -> list[Entry]:
        return self.read(0)[0]

    def size(self) -> int:
        """The last whole entry's number (0: none yet): what a reader compares with how
        far it has read."""
        now = time.monotonic()
        if not self._held and self._last is not None and now < self._last[0]:
            return self._last[1]
        rows = self._rows(f"SELECT (MAX(?n) AS ?last) WHERE {{ ?e {_SEQ} ?n ; {_LINE} ?l }}")
        last = int(rows[0]["last"]) if rows and "last" in rows[0] else 0
        self._last = (now + self.poll, last)
        return last

    @contextmanager
    def locked(self, timeout: float) -> Iterator[None]:
        """Hold this host's write lock and the claim of the next entry on the server,
        waiting at most ``timeout`` seconds for both; the claim is given up on the way
        out unless :meth:`append` filled it."""
        deadline = time.monotonic() + timeout
        with self._lock.locked(timeout):
            self._held = True
            try:
                while not self._try_claim():
                    if time.monotonic() >= deadline:
                        raise LimitExceededError(
                            f"another write held the graph for {timeout:g} s; try again",
                            retry_after=2,
                        )
                    time.sleep(random.uniform(0.005, 0.03))
                yield
            finally:
                self._held = False
                claim, self._claim = self._claim, None
                if claim is not None:  # not appended: the write gave up
                    node = term(claim_node(claim[1]))
                    self.store.update(f"DELETE WHERE {{ GRAPH {_J} {{ {node} ?p ?o }} }}")

    def _try_claim(self) -> bool:
        """Claim the entry after the last whole one; whether this writer alone holds it."""
        self._claim = None
        seq = self.size() + 1
        token = secrets.token_hex(12)
        node = term(claim_node(token))
        until = datetime.now(UTC) + timedelta(seconds=CLAIM_SECONDS)
        whole = (
            f"FILTER EXISTS {{ GRAPH {_J} {{ ?w {_SEQ} {seq - 1} ; {_LINE} ?l }} }}"
            if seq > 1
            else ""
        )
        self.store.update(
            # claims their writers left behind, past their deadline
            f"DELETE {{ GRAPH {_J} {{ ?c ?p ?o }} }} WHERE {{ GRAPH {_J} {{ ?c {_UNTIL} ?u ; "
            f"?p ?o FILTER NOT EXISTS {{ ?c {_LINE} ?l }} FILTER(?u < NOW()) }} }} ;\n"
            f'INSERT {{ GRAPH {_J} {{ {node} {_SEQ} {seq} ; {_TOKEN} "{token}" ; '
            f"{_UNTIL} {term(Literal(until))} }} }} WHERE {{ FILTER NOT EXISTS {{ GRAPH {_J} "
            f"{{ ?e {_SEQ} ?n FILTER(?n >= {seq}) }} }} {whole} }}"
        )
        tokens = {
            str(r["t"]) for r in self._rows(f"SELECT ?t WHERE {{ ?c {_SEQ} {seq} ; {_TOKEN} ?t }}")
        }
        if tokens == {token}:
            self._claim = (seq, token)
            return True
        if token in tokens:  # claimed at once with another: both step back
            self.store.update(f"DELETE WHERE {{ GRAPH {_J} {{ {node} ?p ?o }} }}")
        return False

    def append(self, seq: int, by: str, what: str, delta: Delta, *, end: int) -> tuple[Entry, int]:
        """Fill the claimed entry ``seq`` with its line; the caller holds :meth:`locked`
        and has read up to ``end`` (``seq`` is one past)."""
        if self._claim is None or self._claim[0] != seq:
            raise StoreUnavailableError(
                f"journal entry {seq} is not this write's to append on the server; "
                "nothing of this write was kept: send it again",
                retry_after=1,
            )
        entry = Entry(seq, datetime.now(UTC).isoformat(timespec="milliseconds"), by, what, delta)
        line = line_of(entry).decode("utf-8").rstrip("\n")
        node = term(claim_node(self._claim[1]))
        # only while the claim is still there (a claim past its deadline may be gone)
        self.store.update(
            f"DELETE {{ GRAPH {_J} {{ {node} {_UNTIL} ?u }} }} "
            f"INSERT {{ GRAPH {_J} {{ {node} {_LINE} {term(Literal(line))} }} }} "
            f"WHERE {{ GRAPH {_J} {{ {node} {_SEQ} {seq} ; {_UNTIL} ?u }} }}"
        )
        if not self._rows(f"SELECT ?l WHERE {{ {node} {_LINE} ?l }}"):
            raise StoreUnavailableError(
                f"this write held journal entry {seq} past its deadline ({CLAIM_SECONDS} s) "
                "and lost it; nothing of it was kept: send it again",
                retry_after=1,
            )
        self._claim = None
        self._last = (time.monotonic() + self.poll, seq)
        return entry, seq
