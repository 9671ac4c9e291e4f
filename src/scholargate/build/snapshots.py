"""Snapshots of the on-disk store: how ``serve`` takes writes while its workers read the
graph from disk.

Oxigraph leaves undefined what a process that opened a store read-only sees while
another process writes it, so a serving worker never reads the store that is written:

- The **primary** store (``STORE``) is opened read-write by one process at a time, under
  the journal's lock (``services/writes/journal.py``): the build step of ``serve``, then
  each write (:class:`DiskWrites`), which opens it, brings it up to the journal's end,
  applies the write, and closes it. No serving worker opens it.
- After the build and after every accepted write the writer **publishes a snapshot** of
  it: a RocksDB checkpoint (``Store.snapshot``: hard links, cheap) made under a
  temporary name, then renamed to ``STORE.snapshots/<seq, 12 digits>-<build>`` (the
  journal entry it holds, and the first characters of the sources' fingerprint, so that
  a store rebuilt from changed sources never serves an older build's snapshot). A
  snapshot never changes once published.
- A worker **opens the newest snapshot** read-only (:meth:`Snapshots.open_newest`) and,
  when the journal moves past it, the newest again (``Writer.follow``). When the journal
  holds an entry no snapshot holds yet (a write being published right now, or a writer
  killed between its journal entry and its snapshot), the worker keeps answering from
  the snapshot it has: consistent, a write behind, until a snapshot holds the entry
  (the next write publishes one, after bringing the primary up to the journal).
- **Pruning** keeps the newest two snapshots of the build and every snapshot a process
  has open. A process holds a shared ``flock`` on a snapshot's folder from before it
  opens it until the store object is let go (its query processes, which open the same
  folder, stop then too); :meth:`Snapshots.prune` takes an exclusive lock, without
  waiting, before it renames a snapshot away and removes it, so it never removes one in
  use, and a reader that locked a folder then renamed away opens the newest instead.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import shutil
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from ..errors import StoreUnavailableError
from ..services.writes.delta import Delta
from ..services.writes.journal import Journal
from ..store import Quad, Store, new_store
from .disk import fingerprint_file, open_store, record_seq, recorded_seq

log = logging.getLogger("scholargate.snapshots")

KEEP = 2  # the newest snapshots pruning leaves, in use or not
_NAME = re.compile(r"(\d{12})-([0-9a-f]{0,16})")
_BUILD_CHARS = 16  # of the sources' fingerprint, in a snapshot's name


@dataclass(frozen=True)
class Snapshot:
    """One published snapshot: the last journal entry it holds, its build, its folder."""

    seq: int
    build: str
    path: Path


def folder_of(path: Path) -> Path:
    """Where the snapshots of the on-disk store at ``path`` are published."""
    return path.with_name(path.name + ".snapshots")


class Snapshots:
    """The snapshots of the on-disk store at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.folder = folder_of(self.path)

    def build(self) -> str:
        """The build the primary holds (its sources' fingerprint, shortened)."""
        try:
            return fingerprint_file(self.path).read_text().strip()[:_BUILD_CHARS]
        except OSError:
            return ""

    def published(self, *, every_build: bool = False) -> list[Snapshot]:
        """The snapshots of the primary's build (``every_build``: all), oldest first."""
        build = self.build()
        found = []
        try:
            names = os.listdir(self.folder)
        except FileNotFoundError:
            return []
        for name in names:
            match = _NAME.fullmatch(name)
            if match and (every_build or match.group(2) == build):
                found.append(Snapshot(int(match.group(1)), match.group(2), self.folder / name))
        return sorted(found, key=lambda s: (s.seq, s.build))

    def newest(self) -> Snapshot | None:
        found = self.published()
        return found[-1] if found else None

    # ---- publishing ----------------------------------------------------------------

    def publish(self, store: Store, seq: int, *, replace: bool = False) -> Snapshot:
        """Snapshot ``store`` (the primary, holding the journal up to ``seq``) and publish
        it; a snapshot already published for ``seq`` stays unless ``replace`` (the build
        step of ``serve``, which makes a fresh one whatever an earlier run left)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        build = self.build()
        final = self.folder / f"{seq:012d}-{build}"
        if final.exists():
            if not replace or not self._remove(final):
                return Snapshot(seq, build, final)
        staging = self.folder / f".making-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            store.snapshot(staging)
            os.rename(staging, final)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _fsync_folder(self.folder)
        return Snapshot(seq, build, final)

    def prune(self, keep: int = KEEP) -> list[Path]:
        """Remove the snapshots older than the newest ``keep`` of the primary's build
        (and every one of another build), except those a process has open, and what
        killed publishers and pruners left; return what was removed."""
        current = self.published()
        wanted = {s.path for s in current[-keep:]} if keep > 0 else set()
        removed = []
        for snapshot in self.published(every_build=True):
            if snapshot.path not in wanted and self._remove(snapshot.path):
                removed.append(snapshot.path)
        for leftover in self._leftovers():
            shutil.rmtree(leftover, ignore_errors=True)
            removed.append(leftover)
        return removed

    def _remove(self, path: Path) -> bool:
        """Remove the snapshot at ``path`` unless a process holds it open."""
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            return False
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False  # open in a worker (or being opened)
            doomed = path.with_name(f".removing-{os.getpid()}-{path.name}")
            os.rename(path, doomed)  # gone for readers before the lock is let go
        finally:
            os.close(fd)
        shutil.rmtree(doomed, ignore_errors=True)
        return True

    def _leftovers(self) -> Iterator[Path]:
        try:
            entries = list(self.folder.iterdir())
        except FileNotFoundError:
            return
        for entry in entries:
            match = re.fullmatch(r"\.(making|removing)-(\d+)(-.*)?", entry.name)
            if match and not _alive(int(match.group(2))):
                yield entry

    # ---- reading -------------------------------------------------------------------

    def open_newest(self, *, after: int = -1) -> tuple[Store, int] | None:
        """The newest snapshot holding more than journal entry ``after``, opened
        read-only and locked against pruning for as long as the store object lives;
        with the entry it holds. None when there is none newer."""
        for _ in range(20):  # each retry follows a snapshot pruned while it was opened
            newest = self.newest()
            if newest is None or newest.seq <= after:
                return None
            store = _open_locked(newest.path)
            if store is not None:
                return store, newest.seq
        raise StoreUnavailableError(f"no snapshot of {self.path} could be opened; try again")


def _open_locked(path: Path) -> Store | None:
    """The snapshot at ``path`` opened read-only, holding a shared lock on its folder
    until the store is let go; None when it was pruned meanwhile."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None  # being pruned
        if os.stat(path).st_ino != os.fstat(fd).st_ino:
            raise FileNotFoundError(path)  # renamed away before the lock was had
        store = new_store(path, read_only=True)
    except FileNotFoundError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    weakref.finalize(store, os.close, fd)  # the lock goes with the store object
    return store


# ---- writing the primary ---------------------------------------------------------------
#
# A write changes the primary before it knows whether it is accepted (the steps and the
# guard read the graph as changed), so a worker killed in the middle (a timeout, memory)
# would leave changes no journal entry holds. Each change is first written to the undo
# log beside the store (``STORE.undo.jsonl``, the journal's format, made durable), and
# the log is removed once the store holds exactly what the journal says (the write
# journaled, taken back, or a no-op). Whoever opens the primary next takes back what a
# log left, newest first (each change was effective where it was made, so taking it back
# restores the graph before it, even half made), then replays the journal past the
# recorded entry: a write killed after its journal entry is applied again.


def undo_file(path: Path) -> Path:
    """The undo log of the on-disk store at ``path``."""
    return path.with_name(path.name + ".undo.jsonl")


def take_back_unfinished(path: Path, store: Store, *, discard: bool = False) -> int:
    """Take back the changes the undo log of the store at ``path`` holds (``discard``:
    drop the log, for a store just rebuilt); return how many there were."""
    log_file = undo_file(path)
    if not log_file.exists():
        return 0
    entries = [] if discard else Journal(log_file).entries()
    for entry in reversed(entries):
        store.change(entry.delta.added, entry.delta.removed)
    log_file.unlink(missing_ok=True)
    return len(entries)


class _Logged:
    """The primary as a write changes it: each change written to the undo log first."""

    def __init__(self, store: Store, undo: Journal) -> None:
        self._store = store
        self._undo = undo
        self._end = 0
        self._count = 0

    def change(self, removed: Iterable[Quad], added: Iterable[Quad]) -> None:
        delta = Delta(removed=frozenset(removed), added=frozenset(added))
        if delta:
            self._count += 1
            _, self._end = self._undo.append(self._count, "undo", "", delta, end=self._end)
        self._store.change(delta.removed, delta.added)

    def settled(self) -> None:
        if self._count:
            self._undo.path.unlink(missing_ok=True)
            self._end = self._count = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


class Primary:
    """The primary store opened for one write: ``seq`` is the last journal entry it
    holds (``commit`` moves it on)."""

    def __init__(self, path: Path, store: Store, snapshots: Snapshots) -> None:
        take_back_unfinished(path, store)
        self.path = path
        self._logged = _Logged(store, Journal(undo_file(path)))
        self.store = cast(Store, self._logged)
        self.snapshots = snapshots
        self.seq = recorded_seq(path)

    def settled(self) -> None:
        self._logged.settled()

    def commit(self, seq: int) -> None:
        """The store holds the journal up to entry ``seq``: publish a snapshot of it,
        record ``seq`` beside it, prune the snapshots no process needs."""
        self.settled()  # the journal holds the write: a replay redoes it from now on
        self.snapshots.publish(self._logged._store, seq)
        record_seq(self.path, seq)  # after the snapshot, which flushed the store
        self.seq = seq
        try:
            self.snapshots.prune()
        except OSError as error:  # a snapshot left is disk space, not a wrong answer
            log.warning("pruning the snapshots of %s: %s", self.path, error)


class DiskWrites:
    """What a ``serve`` worker on disk writes through (``Writer``'s ``primary`` and
    ``reopen``): the primary, opened read-write for each write; and the newest snapshot."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.snapshots = Snapshots(self.path)

    @contextmanager
    def primary(self) -> Iterator[Primary]:
        """The primary opened read-write (call under the journal's lock), closed after."""
        store = open_store(self.path)
        try:
            yield Primary(self.path, store, self.snapshots)
        finally:
            store.close()

    def reopen(self, after: int) -> tuple[Store, int] | None:
        return self.snapshots.open_newest(after=after)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process's own leftover: nothing of it is running
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
