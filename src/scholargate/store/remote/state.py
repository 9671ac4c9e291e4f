"""The server's state as a generation: what caches over a SPARQL server store follow.

Two things change a remote graph: writes through ScholarGate (any instance) and changes
made on the server directly. A :class:`ServerState` sees both, cheaply:

- **the stamp**: every write through a :class:`~scholargate.store.remote.RemoteStore`
  sets a new random stamp in the graph ``sgg:state`` in the same update request
  (:func:`bump`), so the write and its stamp land together. Reading it is one tiny
  query (~1 ms), made at most every ``poll`` seconds (``SCHOLARGATE_STORE_POLL``).
- **the count** of quads in the named graphs, for changes made on the server directly.
  Counting reads every quad (46 ms for the bundled graph's 41k quads on Oxigraph 0.5),
  so it is made at most every ``max(poll, 20 × the last count's time)`` seconds: about
  5 % of one server core at most, however large the graph. A direct change that keeps
  the count (a literal replaced by another) is not seen until the stamp moves.

:meth:`ServerState.generation` is a local number that moves on whenever either reading
differs from the last one (and at once after a write through this store; a write seen
from elsewhere may move it twice, by the stamp and then by the count), so caches
keyed on it (answers, search index, label tables, comparer, VoID) follow the server
within the bound above. The state graph is hidden from the graph list, counts and
dumps (:func:`not_private`, :func:`copy_data`).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import IO

from rdflib import URIRef

from ...namespaces import PRIVATE_GRAPHS, STATE_GRAPH
from ...terms import iri as sparql_iri
from .transport import Response

STAMP = URIRef(str(STATE_GRAPH) + "#stamp")
_COUNT_SHARE = 20  # count at most every 20 × its own duration (≤ 5 % of the server)

_G, _S, _P = sparql_iri(str(STATE_GRAPH)), sparql_iri(str(STATE_GRAPH)), sparql_iri(str(STAMP))
STAMP_QUERY = f"SELECT ?stamp WHERE {{ GRAPH {_G} {{ {_S} {_P} ?stamp }} }}"
_PRIVATE_ENDS = tuple(f" {sparql_iri(str(g))} .".encode() for g in PRIVATE_GRAPHS)


def not_private(variable: str) -> str:
    """A FILTER keeping the graphs ``variable`` names that hold data."""
    names = ", ".join(sparql_iri(str(g)) for g in sorted(PRIVATE_GRAPHS))
    return f"FILTER(?{variable} NOT IN ({names}))"


def bump() -> str:
    """An update operation setting a new stamp: appended (``;``) to every write's update."""
    stamp = secrets.token_hex(8)
    return (
        f"DELETE {{ GRAPH {_G} {{ {_S} {_P} ?old }} }} "
        f'INSERT {{ GRAPH {_G} {{ {_S} {_P} "{stamp}" }} }} '
        f"WHERE {{ OPTIONAL {{ GRAPH {_G} {{ {_S} {_P} ?old }} }} }}"
    )


class ServerState:
    """The generation of one server's graph, read through ``stamp`` (the stamps in the
    state graph, sorted and joined) and ``count`` (quads in the named graphs)."""

    def __init__(
        self,
        stamp: Callable[[], str],
        count: Callable[[], int],
        *,
        poll: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stamp, self._count, self.poll, self._clock = stamp, count, poll, clock
        self.generation = 0
        self._seen: tuple[str | None, int | None] = (None, None)
        self._adopt = True  # take the next readings as they are (after our own write)
        self._next_stamp = 0.0
        self._next_count = 0.0

    def wrote(self) -> None:
        """A write through this store: caches move on now, and the next readings (which
        show that write) are taken without moving again."""
        self.generation += 1
        self._adopt = True
        self._next_stamp = self._next_count = 0.0

    def current(self) -> int:
        """The generation, reading the server when a reading is due."""
        if self.poll <= 0:
            return self.generation
        now = self._clock()
        if now < self._next_stamp and now < self._next_count:
            return self.generation
        stamp, count = self._seen
        if now >= self._next_stamp:
            stamp = self._stamp()
            self._next_stamp = now + self.poll
        if now >= self._next_count:
            started = self._clock()
            count = self._count()
            took = self._clock() - started
            self._next_count = now + max(self.poll, _COUNT_SHARE * took)
        if not self._adopt and (stamp, count) != self._seen:
            self.generation += 1
        self._adopt = self._adopt and (None in (stamp, count))
        self._seen = (stamp, count)
        return self.generation


def copy_data(response: Response, out: IO[bytes]) -> None:
    """N-Quads as they come, but for the lines of the graphs ScholarGate keeps for
    itself (looked for only in the chunks that name one)."""
    rest = b""
    for chunk in response.chunks():
        data = rest + chunk
        cut = data.rfind(b"\n") + 1
        block, rest = data[:cut], data[cut:]
        if any(end[1:-2] in block for end in _PRIVATE_ENDS):
            lines = block.splitlines(keepends=True)
            block = b"".join(x for x in lines if not x.rstrip().endswith(_PRIVATE_ENDS))
        out.write(block)
    if rest and not rest.rstrip().endswith(_PRIVATE_ENDS):
        out.write(rest)
