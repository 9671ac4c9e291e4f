"""Moving a graph between stores, graph by graph: ``scholargate push`` and ``pull``.

:func:`push` loads every named graph of a store into a SPARQL server (a remote store):
each graph's N-Triples cut into pieces (``store/remote/bulk.py``: the first piece
replaces the graph on the server — or is added, when the server's graph is empty — the
others add to it, by the Graph Store Protocol or SPARQL Update; blank nodes never
split). It can be run again after an interruption
and never sends a triple twice:

- a graph whose triple count on the server already equals the local one is skipped
  (``fresh`` sends it anyway);
- a graph begun and not finished is taken up where it stopped: a small state file
  records, after the first piece the server took and then every ``RECORD_EVERY``
  seconds, how many pieces of which graph (and a hash of the graph's N-Triples, the
  piece size and the method) have arrived. A run finding the same graph, the same piece
  size and method, and on the server exactly the triples of the first ``j`` pieces for
  a ``j`` at least that many sends the rest; anything else starts the graph again with
  a replacing first piece — so a blank-node piece, which would make new nodes if sent
  twice, never is.

:func:`pull` copies named graphs of any store (a server) into another (a new local
store), in pieces of lines. Both check every graph's triple count afterwards; a graph
whose counts differ is in :attr:`Moved.mismatches` (``CountMismatchError`` names them).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal, Protocol

from rdflib import URIRef

from ..errors import InputError, ScholarGateError
from ..formats import by_name
from . import Store

if TYPE_CHECKING:
    from .remote.bulk import Piece

NTRIPLES = by_name("nt")
DEFAULT_PIECE = 20000
RECORD_EVERY = 1.0  # seconds between two writes of the state file during one graph


class CountMismatchError(ScholarGateError):
    """A graph moved holds a different number of triples at its destination."""

    status = 502
    kind = "count-mismatch"


class Progress(Protocol):
    """What a move tells as it goes (the CLI draws a bar or prints lines)."""

    def begin(self, graph: URIRef, triples: int) -> None:
        """``graph``, of ``triples`` triples, is next."""

    def advance(self, triples: int) -> None:
        """``triples`` more triples of the graph have arrived."""

    def end(self, outcome: Outcome) -> None:
        """The graph is done (or skipped)."""


@dataclass(frozen=True)
class Outcome:
    """One graph moved: its triples here and at the destination after, what was done
    (``sent`` whole, ``resumed`` from ``first_piece``, or ``skipped``), and how many
    pieces were sent this run."""

    graph: URIRef
    triples: int
    found: int
    done: Literal["sent", "resumed", "skipped"]
    pieces: int = 0
    first_piece: int = 0

    @property
    def equal(self) -> bool:
        return self.found == self.triples


@dataclass
class Moved:
    """Every graph's outcome, the seconds the move took, and the server (host:port)."""

    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    where: str = ""

    @property
    def mismatches(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.equal]

    @property
    def triples(self) -> int:
        return sum(o.triples for o in self.outcomes)

    def check(self, where: str) -> None:
        """Raise :class:`CountMismatchError` naming each graph whose counts differ."""
        if self.mismatches:
            listed = "; ".join(
                f"{o.graph} holds {o.found} triples, not {o.triples}" for o in self.mismatches
            )
            raise CountMismatchError(f"after the move, {where}: {listed}")


class _Quiet:
    def begin(self, graph: URIRef, triples: int) -> None:
        pass

    def advance(self, triples: int) -> None:
        pass

    def end(self, outcome: Outcome) -> None:
        pass


class PushState:
    """The state file of pushes to one server: per graph, the pieces that arrived."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.graphs: dict[str, dict] = {}
        if path is not None:
            try:
                found = json.loads(path.read_text())
            except (OSError, ValueError):
                found = {}
            if isinstance(found, dict) and isinstance(found.get("graphs"), dict):
                self.graphs = found["graphs"]

    def get(self, graph: URIRef) -> dict | None:
        return self.graphs.get(str(graph))

    def record(self, graph: URIRef, mark: dict) -> None:
        self.graphs[str(graph)] = mark
        self._write()

    def forget(self, graph: URIRef) -> None:
        if self.graphs.pop(str(graph), None) is not None:
            self._write()

    def _write(self) -> None:
        if self.path is None:
            return
        if not self.graphs:
            self.path.unlink(missing_ok=True)
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + f".{os.getpid()}.new")
        temporary.write_text(json.dumps({"graphs": self.graphs}, indent=1) + "\n")
        temporary.replace(self.path)


def state_name(target: Store) -> str:
    """The state file's name for pushes to ``target``: a hash of its URLs."""
    endpoint = getattr(target, "endpoint", None)
    urls = [getattr(endpoint, n, None) for n in ("query_url", "update_url", "gsp_url")]
    key = hashlib.sha256(" ".join(str(u) for u in urls).encode()).hexdigest()[:16]
    return f"push-{key}.json"


def _digest(file: IO[bytes]) -> str:
    file.seek(0)
    digest = hashlib.sha256()
    while chunk := file.read(1 << 20):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _arrived(queue: Iterator[Piece], recorded: int, found: int) -> int | None:
    """How many pieces of ``queue`` a server holding ``found`` triples of the graph has
    taken, when the state file says at least ``recorded`` (None: not a number of whole
    pieces, so the graph starts again); ``queue`` is left at the next piece to send.

    Pieces go one after the other, each in one request that the server takes whole or
    not at all, and the state file is written after the first and then now and then:
    the server holds the first ``j`` pieces for one ``j >= recorded``, and as pieces
    hold different triples, ``found`` is the sum of their sizes for that ``j`` only."""
    if recorded < 1:
        return None
    total = 0
    for taken, part in enumerate(queue, start=1):
        total += part.triples
        if total == found and taken >= recorded:
            return taken
        if total > found:
            return None
    return None


def push(
    source: Store,
    target: Store,
    *,
    method: str | None = None,
    piece: int = DEFAULT_PIECE,
    state: Path | None = None,
    fresh: bool = False,
    graphs: Iterable[URIRef] | None = None,
    progress: Progress | None = None,
) -> Moved:
    """Load every named graph of ``source`` (or ``graphs``) into the SPARQL server
    ``target``, ``piece`` triples a request, by ``method`` (``gsp``, ``update``; None:
    the Graph Store Protocol when ``target`` has a Graph Store URL); ``state`` is the
    state file that lets an interrupted push be taken up (None: keep none)."""
    from .remote.bulk import GraphSender, pieces
    from .remote.store import RemoteStore

    if not isinstance(target, RemoteStore):
        raise InputError("a push goes to a SPARQL server: give its query URL")
    if piece < 1:
        raise InputError("a piece holds at least one triple (--piece)")
    sender = GraphSender(target, method)  # type: ignore[arg-type]
    progress = progress or _Quiet()
    began = time.monotonic()
    marks = PushState(state)
    moved = Moved(where=target.server)
    for graph in list(graphs) if graphs is not None else source.graph_names():
        local = source.count(graph)
        progress.begin(graph, local)
        found = target.count(graph)
        if found == local and not fresh:
            marks.forget(graph)
            progress.advance(local)
            moved.outcomes.append(Outcome(graph, local, found, "skipped"))
            progress.end(moved.outcomes[-1])
            continue
        with tempfile.TemporaryFile(prefix="scholargate-push-") as dump:
            source.dump(NTRIPLES, dump, graph=graph)
            digest = _digest(dump)
            mark = {"digest": digest, "piece": piece, "method": sender.method}
            begun = marks.get(graph)
            queue = pieces(dump, piece)
            first, sent = 0, 0
            same = begun is not None and all(begun.get(k) == v for k, v in mark.items())
            if same and not fresh:
                assert begun is not None
                taken = _arrived(queue, int(begun["pieces"]), found)
                if taken is None:
                    dump.seek(0)
                    queue = pieces(dump, piece)
                else:
                    first, sent = taken, found
            progress.advance(sent)
            index, noted = first, time.monotonic()
            for part in queue:
                if index == 0 and found:  # on an empty graph adding is cheaper, and the same
                    sender.replace(graph, part)
                else:
                    sender.add(graph, part)
                index += 1
                sent += part.triples
                if index == 1 or time.monotonic() >= noted + RECORD_EVERY:
                    marks.record(graph, {**mark, "pieces": index, "sent": sent})
                    noted = time.monotonic()
                progress.advance(part.triples)
            if index == 0 and found:  # an empty graph: empty it on the server too
                sender.replace(graph, None)
        after = target.count(graph)
        if after == local:
            marks.forget(graph)
        done: Literal["sent", "resumed"] = "resumed" if first else "sent"
        moved.outcomes.append(Outcome(graph, local, after, done, index - first, first))
        progress.end(moved.outcomes[-1])
    moved.seconds = time.monotonic() - began
    return moved


def pull(
    source: Store,
    target: Store,
    graphs: Iterable[URIRef],
    *,
    piece: int = DEFAULT_PIECE,
    progress: Progress | None = None,
) -> Moved:
    """Copy ``graphs`` of ``source`` into ``target`` (each graph replaced), ``piece``
    lines of N-Triples at a time, and count each at both ends."""
    if piece < 1:
        raise InputError("a piece holds at least one triple (--piece)")
    progress = progress or _Quiet()
    began = time.monotonic()
    moved = Moved(where=str(getattr(source, "server", "")))
    for graph in graphs:
        expected = source.count(graph)
        progress.begin(graph, expected)
        target.replace_graph(graph, ())
        with tempfile.TemporaryFile(prefix="scholargate-pull-") as dump:
            source.dump(NTRIPLES, dump, graph=graph)
            dump.seek(0)
            while lines := list(itertools.islice(dump, piece)):
                added = target.load(b"".join(lines), NTRIPLES, graph=graph, source=str(graph))
                progress.advance(added)
        moved.outcomes.append(Outcome(graph, expected, target.count(graph), "sent"))
        progress.end(moved.outcomes[-1])
    moved.seconds = time.monotonic() - began
    return moved
