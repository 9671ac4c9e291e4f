"""Saved comparisons: a stable IRI for a list of methods, kept as RDF in the graph.

A saved comparison records which methods, in which order, under which shapes version,
and when. Its id is a hash of the ordered methods and the shapes version, so saving
the same comparison twice gives the same IRI (and writes nothing the second time).

A save is a write through the one write path (``services/writes``): the app's
:class:`~.writes.writer.Writer` adds the record's triples to ``sgg:comparisons`` as
:data:`SAVED_BY` (``compare/save``) with the *writer* role — no token: saving stays a
public feature, bounded by its rate and its cap — checked by the guard like any write,
appended to the change journal and applied. Every HTTP worker follows the journal
before each request, so a saved comparison is seen by SPARQL, ``/-/stats``, ``/export``
and ``/comparison/{id}`` on every worker from the next request, and every build replays
the journal, so it outlives ``scholargate build`` and a restart. Lookups (:meth:`load`,
``len``) read ``sgg:comparisons`` in the store, never a file. A store on a SPARQL
server has no Writer: a new save there is a 501 (one already in the graph is found).

The file ``SAVED`` (default ``ROOT/var/comparisons.nt``) is read-only legacy: before
saves were writes, each was appended to it as N-Triples. It stays a source of the build
(into ``sgg:comparisons``; :func:`readable_triples` skips a line that is not a
well-formed triple about a saved comparison, with a warning in the log), so those
comparisons keep working; nothing writes it any more.

Bounds: at most ``limit`` comparisons in ``sgg:comparisons`` (507 beyond, counted in
the store under the journal's lock); a client may save at most ``rate`` new
comparisons a minute (429 with ``Retry-After``), counted across processes in a small
file beside ``SAVED`` (:class:`SaveRate`).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import math
import os
import re
import struct
import time
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from ..errors import InputError, ScholarGateError, TooManyQueriesError
from ..formats import by_name
from ..namespaces import COMPARISON, COMPARISONS_GRAPH, SG
from ..store import Store, new_store
from ..terms import iri, is_comparison_id
from .writes.delta import Delta, effective, quads_of
from .writes.writer import Writer

SAVED_BY = "compare/save"
"""Who a saved comparison's journal entry says wrote it (there is no token's name)."""
SAVED_ROLE = "writer"  # may change sgg:comparisons (services/writes/access.py)

_NT = by_name("nt")
log = logging.getLogger("scholargate")

# the subject of every line of a record: the comparison, or one of its columns
_SUBJECT = re.compile(
    rb"<" + re.escape(str(COMPARISON).encode()) + rb"([0-9a-f]{12})(?:#[0-9]+)?> "
)
_WARNED_LINES = 5  # malformed lines named one by one in the log, per scan; then a count

_GRAPH = iri(str(COMPARISONS_GRAPH))
_TYPE, _COMPARISON = iri(str(RDF.type)), iri(str(SG.Comparison))
_HAS_PART = iri(str(DCTERMS.hasPart))
_COUNT = (
    f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ GRAPH {_GRAPH} {{ ?c {_TYPE} {_COMPARISON} }} }}"
)


class SavedFullError(ScholarGateError):
    """The server keeps no more saved comparisons."""

    status = 507
    kind = "insufficient-storage"


class SavingUnavailableError(ScholarGateError):
    """This server cannot save a new comparison: its graph lives on a SPARQL server."""

    status = 501
    kind = "not-implemented"


def comparison_id(methods: list[str], shapes_version: str) -> str:
    digest = hashlib.sha256("\n".join([shapes_version, *methods]).encode("utf-8"))
    return digest.hexdigest()[:12]


def comparison_iri(cid: str) -> URIRef:
    return COMPARISON[cid]


def describe(cid: str, methods: list[str], shapes_version: str, created: datetime) -> Graph:
    """The triples of one saved comparison."""
    g = Graph()
    node = comparison_iri(cid)
    g.add((node, RDF.type, SG.Comparison))
    g.add((node, DCTERMS.created, Literal(created.isoformat(), datatype=XSD.dateTime)))
    g.add((node, SG.shapesVersion, Literal(shapes_version)))
    for position, method in enumerate(methods, start=1):
        column = URIRef(f"{node}#{position}")
        g.add((node, SG.method, URIRef(method)))
        g.add((node, DCTERMS.hasPart, column))
        g.add((column, SG.method, URIRef(method)))
        g.add((column, SG.position, Literal(position, datatype=XSD.integer)))
    return g


def _well_formed(line: bytes, scratch: Store) -> bool:
    """Whether ``line`` is one N-Triples triple: it loads into ``scratch`` (a store in
    memory, so the store's own parser decides) as exactly one."""
    try:
        return scratch.load(line, _NT, graph=COMPARISONS_GRAPH) == 1
    except (InputError, ValueError):
        return False


def readable_triples(path: Path) -> bytes:
    """The well-formed lines of the saved-comparisons file at ``path``, for the build;
    every other line is skipped with a warning in the log."""
    kept: list[bytes] = []
    skipped = 0
    scratch = new_store()
    with open(path, "rb") as source:
        for number, line in enumerate(source, start=1):
            if not line.strip() or line.lstrip().startswith(b"#"):
                continue
            if _SUBJECT.match(line) and _well_formed(line, scratch):
                kept.append(line if line.endswith(b"\n") else line + b"\n")
                continue
            skipped += 1
            if skipped <= _WARNED_LINES:
                log.warning("%s:%d: not a saved-comparison triple; skipped", path, number)
    scratch.close()
    if skipped > _WARNED_LINES:
        log.warning("%s: %d malformed lines skipped in all", path, skipped)
    return b"".join(kept)


class SaveRate:
    """At most ``limit`` saves per client per ``window`` seconds, counted across processes.

    Each client (remote address) hashes to one of ``buckets`` fixed-size records of a
    small file (12 bytes each: the window's number and the saves in it), read and
    written under an exclusive ``flock``; two clients that share a bucket share a budget.
    """

    _RECORD = struct.Struct("<qI")

    def __init__(self, path: Path, limit: int, *, window: float = 60.0, buckets: int = 4096):
        self.path = path
        self.limit = limit
        self.window = window
        self.buckets = buckets

    def take(self, client: str) -> None:
        """Count one save for ``client``, or raise a 429 that says when to try again."""
        if self.limit <= 0:
            return
        digest = hashlib.blake2b(client.encode("utf-8", "replace"), digest_size=4).digest()
        offset = int.from_bytes(digest, "big") % self.buckets * self._RECORD.size
        now = time.time()
        window = int(now // self.window)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, self._RECORD.size, offset)
            start, count = self._RECORD.unpack(raw) if len(raw) == self._RECORD.size else (0, 0)
            if start != window:
                count = 0
            if count >= self.limit:
                wait = max(1, math.ceil((window + 1) * self.window - now))
                raise TooManyQueriesError(
                    f"this client has saved {self.limit} new comparisons within "
                    f"{self.window:g} s, the most one client may; try again in {wait} s",
                    limit=self.limit,
                    retry_after=wait,
                )
            os.pwrite(fd, self._RECORD.pack(window, count + 1), offset)
        finally:
            os.close(fd)  # closing the descriptor releases the lock


class SavedComparisons:
    """Saved comparisons in the graph ``sgg:comparisons`` of ``store``, saved through
    ``writer`` (None: a SPARQL server's store, which takes no new saves)."""

    @property
    def store(self) -> Store:
        """The store read now: the writer's (``serve`` on disk moves it to each newer
        snapshot), else the one given."""
        if self.writer is not None:
            return self.writer.store
        assert self._store is not None
        return self._store

    def __init__(
        self,
        store: Store,
        writer: Writer | None,
        *,
        rate_file: Path,
        limit: int = 5000,
        rate: int = 10,
    ) -> None:
        # only without a writer: holding the first store would keep it (and its query
        # processes) alive after serve on disk moved to a newer snapshot
        self._store = store if writer is None else None
        self.writer = writer
        self.limit = limit
        self.rate = SaveRate(rate_file, rate)

    def __len__(self) -> int:
        return _count(self.store)

    def exists(self, cid: str) -> bool:
        """Whether the comparison ``cid`` is saved (in the graph as this process has it)."""
        return is_comparison_id(cid) and _exists(self.store, cid)

    def load(self, cid: str) -> Graph | None:
        """The saved comparison ``cid``: its triples and its columns', from the store."""
        if not is_comparison_id(cid):
            return None
        node = iri(str(comparison_iri(cid)))
        graph = self.store.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {_GRAPH} {{ "
            f"{{ VALUES ?s {{ {node} }} ?s ?p ?o }} UNION {{ {node} {_HAS_PART} ?s . ?s ?p ?o }}"
            " } }"
        )
        return graph if len(graph) else None

    def save(
        self, methods: list[str], shapes_version: str, *, client: str = "unknown", lang: str = "en"
    ) -> tuple[str, bool]:
        """Save (idempotently) through the write path; return the id and whether this
        call wrote it.

        A comparison already saved costs a lookup and writes nothing; a new one counts
        against ``client``'s rate (429) and the number kept (507), and is refused as any
        write is (the shapes, 422; a store that takes no writes, 503)."""
        cid = comparison_id(methods, shapes_version)
        if self.exists(cid):
            return cid, False
        if self.writer is None:
            raise SavingUnavailableError(
                "this server cannot save new comparisons: its graph lives on a SPARQL "
                "server that takes no writes from it (STORE is a URL, with no STORE_UPDATE "
                "or STORE_GSP); share the comparison by its /compare URL instead",
                reason="remote-store",
            )
        self.rate.take(client)
        created = datetime.now(UTC).replace(microsecond=0)
        record = frozenset(
            quads_of(COMPARISONS_GRAPH, describe(cid, methods, shapes_version, created))
        )

        def step(store: Store) -> Delta:
            # under the journal's lock, on the graph as every process will see it
            if _exists(store, cid):
                return Delta()  # another worker saved it meanwhile
            if _count(store) >= self.limit:
                raise SavedFullError(
                    f"this server keeps at most {self.limit} saved comparisons and has "
                    "no room for more; share the comparison by its /compare URL instead",
                    limit=self.limit,
                )
            return effective(store, (), record)

        receipt = self.writer.write(
            [step],
            by=SAVED_BY,
            role=SAVED_ROLE,
            what=f"save comparison {cid} of {len(methods)} methods",
            lang=lang,
        )
        return cid, receipt.entry is not None

    def methods_of(self, record: Graph, cid: str) -> list[str]:
        """The methods of a saved comparison, in column order."""
        node = comparison_iri(cid)
        columns = []
        for column in record.objects(node, DCTERMS.hasPart):
            position = record.value(column, SG.position)
            method = record.value(column, SG.method)
            if position is not None and method is not None:
                columns.append((int(position), str(method)))
        return [m for _, m in sorted(columns)]

    def shapes_version_of(self, record: Graph, cid: str) -> str:
        return str(record.value(comparison_iri(cid), SG.shapesVersion) or "")


def _exists(store: Store, cid: str) -> bool:
    node = iri(str(comparison_iri(cid)))
    return store.ask(f"ASK {{ GRAPH {_GRAPH} {{ {node} {_TYPE} {_COMPARISON} }} }}")


def _count(store: Store) -> int:
    rows = store.select(_COUNT)
    return int(rows[0]["n"]) if rows and "n" in rows[0] else 0
