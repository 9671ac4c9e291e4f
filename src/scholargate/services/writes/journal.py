"""The change journal: every accepted write, in order, in one append-only file.

The journal is the record the graph is rebuilt from: the store is the sources under
``data/`` with the journal replayed over them, so an accepted write outlives
``scholargate build``. Every process that serves the graph follows it: before a request
it reads what other processes appended and applies it to its own copy.

One entry per line (JSON): its number ``seq``, when, by whom (a token's name), what
(a one-line summary), the graphs it touched, and the quads removed and added (terms as
JSON: an IRI is a string, a blank node ``{"b": id}``, a literal ``{"v": text}`` with
``"l"`` its language or ``"d"`` its datatype). Each line carries a CRC-32 of itself.

A line is written with one ``write`` on a descriptor opened with ``O_APPEND`` and made
durable with ``fsync`` before the write is acknowledged. A process killed while
writing leaves at most a torn last line: readers ignore it, and the next writer cuts
it off before appending, so an entry is in the journal whole or not at all. A damaged
line with whole lines after it (not what a crash leaves) is never cut: readers stop
before it and writes are refused (503) until the file is repaired.
Writers hold :meth:`Journal.locked` (an ``flock`` on ``<journal>.lock``) from reading
the graph to appending, so writes are serialised across every process.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ...durable import fsync_folder
from ...errors import InputError, LimitExceededError, StoreUnavailableError
from ...store import Quad
from .delta import Delta


@dataclass(frozen=True)
class Entry:
    """One accepted write."""

    seq: int
    at: str  # ISO 8601, UTC
    by: str  # the token's name (or the feature that wrote, e.g. "compare/save")
    what: str  # a one-line summary
    delta: Delta = field(repr=False)

    @property
    def graphs(self) -> list[str]:
        return sorted(str(g) for g in self.delta.graphs)


# ---- terms as JSON --------------------------------------------------------------------


def _term(node: Node) -> Any:
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode):
        return {"b": str(node)}
    if isinstance(node, Literal):
        if node.language:
            return {"v": str(node), "l": node.language}
        if node.datatype is not None:
            return {"v": str(node), "d": str(node.datatype)}
        return {"v": str(node)}
    raise TypeError(f"not an RDF term: {node!r}")


def _node(value: Any) -> Node:
    if isinstance(value, str):
        return URIRef(value)
    if "b" in value:
        return BNode(value["b"])
    if "l" in value:
        return Literal(value["v"], lang=value["l"])
    if "d" in value:
        return Literal(value["v"], datatype=URIRef(value["d"]))
    return Literal(value["v"])


def _quads(quads: frozenset[Quad]) -> list[list[Any]]:
    return sorted(([_term(t) for t in q] for q in quads), key=json.dumps)


def _from_quads(rows: list[list[Any]]) -> frozenset[Quad]:
    return frozenset(tuple(_node(t) for t in row) for row in rows)  # type: ignore[misc]


def line_of(entry: Entry) -> bytes:
    body = {
        "seq": entry.seq,
        "at": entry.at,
        "by": entry.by,
        "what": entry.what,
        "graphs": entry.graphs,
        "removed": _quads(entry.delta.removed),
        "added": _quads(entry.delta.added),
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    crc = zlib.crc32(text.encode("utf-8"))
    return (text[:-1] + f',"crc":{crc}}}\n').encode("utf-8")


def read_line(raw: bytes) -> Entry | None:
    """The entry on one complete line, or None when the line is torn or damaged."""
    try:
        data = json.loads(raw)
        crc = data.pop("crc")
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        if zlib.crc32(text.encode("utf-8")) != crc:
            return None
        delta = Delta(removed=_from_quads(data["removed"]), added=_from_quads(data["added"]))
        return Entry(data["seq"], data["at"], data["by"], data["what"], delta)
    except (ValueError, KeyError, TypeError):
        return None


# ---- the journal ----------------------------------------------------------------------


class Journal:
    """The journal at ``path`` (created on the first write)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    def read(self, offset: int = 0) -> tuple[list[Entry], int]:
        """The whole entries from byte ``offset`` on, and the offset after the last one
        (a torn last line is left for a later read)."""
        try:
            with self.path.open("rb") as f:
                f.seek(offset)
                data = f.read()
        except FileNotFoundError:
            return [], offset
        entries: list[Entry] = []
        end = offset
        for raw in data.splitlines(keepends=True):
            if not raw.endswith(b"\n"):
                break
            entry = read_line(raw)
            if entry is None:
                break
            entries.append(entry)
            end += len(raw)
        return entries, end

    def entries(self) -> list[Entry]:
        return self.read(0)[0]

    def size(self) -> int:
        """The journal's length in bytes (0 before the first write): a reader compares
        it with how far it has read, without opening the file."""
        try:
            return self.path.stat().st_size
        except FileNotFoundError:
            return 0

    @contextmanager
    def locked(self, timeout: float) -> Iterator[None]:
        """Hold the journal's write lock, waiting at most ``timeout`` seconds (sleeping
        between tries, so a gevent worker's other requests go on meanwhile)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LimitExceededError(
                            f"another write held the graph for {timeout:g} s; try again",
                            retry_after=2,
                        ) from None
                    time.sleep(0.005)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def append(self, seq: int, by: str, what: str, delta: Delta, *, end: int) -> tuple[Entry, int]:
        """Write entry ``seq`` after the whole entries that end at byte ``end``, make it
        durable, and give it with the offset after it. The caller holds :meth:`locked`
        and has read the journal up to ``end`` (``seq`` is one past the last entry)."""
        entry = Entry(seq, datetime.now(UTC).isoformat(timespec="milliseconds"), by, what, delta)
        line = line_of(entry)
        created = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size != end:
                tail = os.pread(fd, size - end, end)
                if b"\n" in tail:  # a whole line that does not read: damage, not a crash
                    raise StoreUnavailableError(
                        f"the journal {self.path} is damaged at byte {end} (a line that does not "
                        "read, with entries after it); writes are refused until it is repaired "
                        "from a backup, so that no entry after it is lost"
                    )
                os.ftruncate(fd, end)  # a torn last line a killed writer left
            written = os.write(fd, line)
            if written != len(line):
                os.ftruncate(fd, end)
                raise InputError("the journal could not be written whole; nothing changed")
            os.fsync(fd)
        finally:
            os.close(fd)
        if created:
            fsync_folder(self.path.parent)
        return entry, end + len(line)
