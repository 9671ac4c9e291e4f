"""Saved comparisons: a stable IRI for a list of methods, kept as RDF.

A saved comparison records which methods, in which order, under which shapes version,
and when. Its id is a hash of the ordered methods and the shapes version, so saving
the same comparison twice gives the same IRI (and writes nothing the second time). The
record is appended to an N-Triples file outside the store (the store is rebuilt from
sources; the file is one of them) and, when the store in this process is writable,
added to the graph ``sgg:comparisons`` at once.

Bounds: each process keeps an index of the file (id → where its lines are), built by
reading the file once and then only what other processes appended since, so a lookup
reads one record, never the whole file; at most ``limit`` comparisons are kept (507
beyond); a client may save at most ``rate`` new comparisons a minute (429 with
``Retry-After``), counted across processes in a small file beside the saved one. A line
of the file that is not a well-formed triple about a saved comparison is skipped with a
warning in the log.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import math
import os
import re
import struct
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from ..errors import InputError, ScholarGateError, TooManyQueriesError
from ..formats import by_name
from ..namespaces import COMPARISON, GRAPH, SG
from ..store import Store, new_store
from ..terms import is_comparison_id

COMPARISONS_GRAPH = GRAPH["comparisons"]
_NT = by_name("nt")
log = logging.getLogger("scholargate")

# the subject of every line of a record: the comparison, or one of its columns
_SUBJECT = re.compile(
    rb"<" + re.escape(str(COMPARISON).encode()) + rb"([0-9a-f]{12})(?:#[0-9]+)?> "
)
_WARNED_LINES = 5  # malformed lines named one by one in the log, per scan; then a count


class SavedFullError(ScholarGateError):
    """The server keeps no more saved comparisons."""

    status = 507
    kind = "insufficient-storage"


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
    """Saved comparisons in an append-only N-Triples file, indexed by id, and in the store."""

    def __init__(
        self,
        path: Path,
        store: Store,
        *,
        writable: bool,
        limit: int = 5000,
        rate: int = 10,
    ) -> None:
        self.path = path
        self.store = store
        self.writable = writable
        self.limit = limit
        self.rate = SaveRate(path.with_name(path.name + ".rate"), rate)
        self._spans: dict[str, list[tuple[int, int]]] = {}  # id -> (offset, length) of lines
        self._scanned = 0  # bytes of the file read into the index
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._catch_up(locked=False)
            return len(self._spans)

    # ---- the index ------------------------------------------------------------------

    def _catch_up(self, *, locked: bool) -> None:
        """Index what was appended to the file since the last look (call with ``_lock``
        held; ``locked``: the caller holds the file's exclusive lock)."""
        try:
            source = open(self.path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            self._spans, self._scanned = {}, 0
            return
        with source:
            if not locked:
                fcntl.flock(source, fcntl.LOCK_SH)  # not while a save is half-written
            size = os.fstat(source.fileno()).st_size
            if size < self._scanned:  # the file was replaced: index it again
                self._spans, self._scanned = {}, 0
            if size == self._scanned:
                return
            source.seek(self._scanned)
            data = source.read(size - self._scanned)
        end = data.rfind(b"\n") + 1  # a last line without its end is read once it has one
        self._index(data[:end], self._scanned)
        self._scanned += end

    def _index(self, data: bytes, base: int) -> None:
        skipped = 0
        at = 0
        last: tuple[str, int] | None = None  # the id of the line before, and its span
        for line in data.splitlines(keepends=True):
            match = _SUBJECT.match(line)
            if match is None:
                if line.strip():
                    skipped += 1
                    if skipped <= _WARNED_LINES:
                        log.warning(
                            "%s: byte %d: not a saved-comparison triple; skipped",
                            self.path,
                            base + at,
                        )
                last = None
            else:
                cid = match.group(1).decode()
                spans = self._spans.setdefault(cid, [])
                if last is not None and last[0] == cid:
                    offset, length = spans[last[1]]
                    spans[last[1]] = (offset, length + len(line))
                else:
                    spans.append((base + at, len(line)))
                    last = (cid, len(spans) - 1)
            at += len(line)
        if skipped > _WARNED_LINES:
            log.warning("%s: %d malformed lines skipped in all", self.path, skipped)

    def _find(self, cid: str) -> list[tuple[int, int]] | None:
        with self._lock:
            if cid not in self._spans:
                self._catch_up(locked=False)
            return self._spans.get(cid)

    # ---- reading and writing --------------------------------------------------------

    def load(self, cid: str) -> Graph | None:
        """The saved comparison ``cid``, read from its lines of the file alone."""
        if not is_comparison_id(cid):
            return None
        spans = self._find(cid)
        if not spans:
            return None
        with open(self.path, "rb") as source:
            data = b"".join(os.pread(source.fileno(), length, offset) for offset, length in spans)
        graph = Graph()
        try:
            graph.parse(data=data.decode("utf-8"), format="nt")
        except Exception:  # noqa: BLE001 - rdflib raises several kinds: read line by line
            graph = Graph()
            for line in data.splitlines():
                try:
                    graph.parse(data=line.decode("utf-8"), format="nt")
                except Exception:  # noqa: BLE001
                    log.warning(
                        "%s: a line of comparison %s does not parse; skipped", self.path, cid
                    )
        return graph if len(graph) else None

    def save(
        self, methods: list[str], shapes_version: str, *, client: str = "unknown"
    ) -> tuple[str, bool]:
        """Save (idempotently); return the id and whether it is new.

        A comparison already saved costs a lookup; a new one counts against ``client``'s
        rate (429) and the number kept (507)."""
        cid = comparison_id(methods, shapes_version)
        if self._find(cid):
            return cid, False
        self.rate.take(client)
        record = describe(cid, methods, shapes_version, datetime.now(UTC).replace(microsecond=0))
        data = record.serialize(format="nt", encoding="utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.path, "ab") as out:
            fcntl.flock(out, fcntl.LOCK_EX)
            try:
                self._catch_up(locked=True)  # another process may have saved meanwhile
                if cid in self._spans:
                    return cid, False
                if len(self._spans) >= self.limit:
                    raise SavedFullError(
                        f"this server keeps at most {self.limit} saved comparisons and has "
                        "no room for more; share the comparison by its /compare URL instead",
                        limit=self.limit,
                    )
                offset = os.fstat(out.fileno()).st_size
                if offset > self._scanned:  # a last line cut off (a crash): end it first
                    out.write(b"\n")
                    offset += 1
                    self._scanned = offset
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
                self._index(data, offset)
                self._scanned = offset + len(data)
            finally:
                fcntl.flock(out, fcntl.LOCK_UN)
        if self.writable:
            self.store.load(data, _NT, graph=COMPARISONS_GRAPH)
        return cid, True

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
