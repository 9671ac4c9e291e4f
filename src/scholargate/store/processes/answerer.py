"""How the embedded store answers a user's query in its query processes
(:class:`Answerer`): the settings it was given, the pool it makes on first use in each
process (a forked HTTP worker makes its own), and where that pool's processes read the
graph (an on-disk store read-only, a checkpoint of one this process writes, or a dump of an
in-memory one).

The pool follows the store: when the store's ``generation`` moved on (a write), the
next answer retires the pool (its busy processes finish their queries) and starts a
new one over the graph as it is now."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import IO

from ..answers import Answer, AnswerRequest, AnswerSettings
from .pool import QueryPool
from .process import Job, StoreSource


class Answerer:
    """The query pool of one store. ``origin`` is the on-disk store the processes open
    read-only; without one, ``checkpoint()`` makes a new checkpoint of the store (one
    this process writes: never opened while written) and gives its folder, or, without
    that either, ``dump(out)`` writes the graph as N-Quads for them to load."""

    def __init__(
        self,
        origin: Callable[[], Path | None],
        dump: Callable[[IO[bytes]], None],
        generation: Callable[[], int] = lambda: 0,
        *,
        checkpoint: Callable[[], Path] | None = None,
    ):
        self._origin = origin
        self._dump = dump
        self._generation = generation
        self._checkpoint = checkpoint
        self._checkpoints: list[weakref.finalize] = []  # each removes one checkpoint
        self.settings = AnswerSettings()
        self._pool: QueryPool | None = None
        self._pool_generation = 0
        self._dump_folder: Path | None = None
        self._lock = threading.Lock()

    def answer(self, request: AnswerRequest) -> Answer:
        job = Job(
            sparql=request.sparql,
            fmt=request.fmt,
            max_rows=request.max_rows,
            max_bytes=request.max_bytes,
            default_graphs=request.default_graphs,
            named_graphs=request.named_graphs,
            union_default_graph=request.union_default_graph,
        )
        return self.pool().run(
            job, timeout=request.timeout, started=request.started, limited=request.limited
        )

    @property
    def pids(self) -> list[int]:
        """This process's query processes (none before the first answer)."""
        pool = self._pool
        return pool.pids if pool is not None and pool.pid == os.getpid() else []

    def pool(self) -> QueryPool:
        """This process's query pool, made on first use and again after a write."""
        pool = self._pool
        generation = self._generation()
        if pool is not None and pool.pid == os.getpid() and self._pool_generation == generation:
            return pool
        with self._lock:
            pool = self._pool
            if pool is not None and pool.pid == os.getpid() and self._pool_generation != generation:
                pool.retire()
                pool = self._pool = None
            if pool is None or pool.pid != os.getpid():
                settings = self.settings
                self._pool_generation = generation
                pool = QueryPool(
                    self._source(),
                    size=settings.processes,
                    prefixes=settings.prefixes,
                    memory_limit=settings.memory_limit,
                    queue=settings.queue,
                    queue_wait=settings.queue_wait,
                    reserve=settings.reserve,
                )
                self._pool = pool
                weakref.finalize(self, pool.close)  # when the store goes, and at exit
        return pool

    def close(self) -> None:
        """Stop the query processes (busy ones too); a later answer starts new ones."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
        while self._checkpoints:
            self._checkpoints.pop()()

    def _source(self) -> StoreSource:
        origin = self._origin()
        if origin is not None:
            return StoreSource(path=origin)
        if self._checkpoint is not None:
            made = self._checkpoint()
            self._checkpoints.append(weakref.finalize(self, shutil.rmtree, made, True))
            while len(self._checkpoints) > 2:  # the retired pool's may still be read
                self._checkpoints.pop(0)()
            return StoreSource(path=made)
        if self._dump_folder is not None:  # the retired pool's processes have read it
            shutil.rmtree(self._dump_folder, ignore_errors=True)
        folder = self._dump_folder = Path(tempfile.mkdtemp(prefix="scholargate-graph-"))
        weakref.finalize(self, shutil.rmtree, folder, True)
        dump = folder / "graph.nq"
        with dump.open("wb") as out:
            self._dump(out)
        return StoreSource(dump=dump)
