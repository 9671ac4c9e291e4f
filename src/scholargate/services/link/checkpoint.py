"""Resuming a run: the answered batches kept under ``var/link/{source}/``, and the lock.

Each answered batch is kept as one JSON file, keyed by endpoint and query text, so a
run that stops — an error, Ctrl-C — resumes where it stopped; a completed run removes
them (:meth:`Checkpoint.clear`). A dry run reads kept answers but writes none.
:func:`run_lock` lets one run per source go at a time.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from ...errors import InputError
from .answers import Results, results_to_text
from .errors import LinkError

CHECKPOINT_MAX_AGE = 7 * 24 * 3600.0  # seconds after which kept answers are asked again


def utc_now() -> datetime:
    """Now in UTC, to the second (when a run started and ended)."""
    return datetime.now(UTC).replace(microsecond=0)


class Checkpoint:
    """Answered batches of an unfinished run, one JSON file per batch, under ``folder``.

    A batch is known by the endpoint and the exact query text, so a batch whose values
    changed is asked again. Kept answers older than ``CHECKPOINT_MAX_AGE`` are dropped.
    Without a folder (or read-only, for dry runs) nothing is written.
    """

    def __init__(self, folder: Path | None, *, writable: bool = True) -> None:
        self.folder = folder
        self.writable = writable and folder is not None
        if folder is not None and folder.is_dir():
            started = folder / "run.json"
            try:
                age = time.time() - started.stat().st_mtime
            except OSError:
                age = 0.0
            if age > CHECKPOINT_MAX_AGE and self.writable:
                self.clear()

    @staticmethod
    def key(endpoint: str, query: str) -> str:
        return hashlib.sha256(f"{endpoint}\n{query}".encode()).hexdigest()

    def _file(self, endpoint: str, query: str) -> Path | None:
        if self.folder is None:
            return None
        return self.folder / "batches" / f"{self.key(endpoint, query)}.json"

    def get(self, endpoint: str, query: str) -> Results | None:
        path = self._file(endpoint, query)
        if path is None or not path.is_file():
            return None
        try:
            kept = json.loads(path.read_text(encoding="utf-8"))
            if kept.get("endpoint") != endpoint or kept.get("query") != query:
                return None
            return Results.from_json(kept["answer"])
        except (OSError, ValueError, KeyError, LinkError):
            return None  # unreadable: ask again

    def put(self, endpoint: str, query: str, results: Results) -> None:
        path = self._file(endpoint, query)
        if path is None or not self.writable:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        started = path.parent.parent / "run.json"
        if not started.exists():
            _write_atomically(started, json.dumps({"started": utc_now().isoformat()}).encode())
        text = json.dumps(
            {"endpoint": endpoint, "query": query, "answer": json.loads(results_to_text(results))},
            ensure_ascii=False,
        )
        _write_atomically(path, text.encode("utf-8"))

    def count(self) -> int:
        if self.folder is None:
            return 0
        return len(list((self.folder / "batches").glob("*.json")))

    def clear(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        for path in sorted(self.folder.rglob("*"), reverse=True):
            if path.is_dir():
                path.rmdir()
            else:
                path.unlink()
        self.folder.rmdir()


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` for the run: one run per source at a time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(
                f"another link run holds {path}; wait for it to finish", lock=str(path)
            ) from None
        yield
    finally:
        os.close(fd)
