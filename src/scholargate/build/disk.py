"""The on-disk store: opened with a one-line error when another process holds it,
rebuilt in a sibling folder only when a source changed, leftovers of interrupted
builds removed, and the last journal entry it holds (``STORE.journal-seq``).

A store pulled from a SPARQL server (``scholargate pull``, :func:`replace_store`) is
written in a sibling folder and swapped in the same way; ``STORE.pulled`` says where it
came from, and it is kept as it is by every command but ``build`` (``rebuild_pulled``),
which builds it from the sources again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from ..errors import ScholarGateError
from ..store import Store, new_store
from .loading import BuildReport, Progress, build_store
from .sources import discover, fingerprint

T = TypeVar("T")


class StoreBusyError(ScholarGateError):
    """Another process holds the on-disk store (RocksDB allows one writer)."""

    status = 503
    kind = "store-busy"


def open_store(path: Path) -> Store:
    """Open the on-disk store at ``path``; a store another process holds is a one-line
    :class:`StoreBusyError`, not a traceback."""
    try:
        return new_store(path)
    except OSError as error:
        if "lock" not in str(error).lower():
            raise
        raise StoreBusyError(
            f"the store at {path} is in use by another process (a running `scholargate "
            "serve`, `build` or `query`); wait for it or stop it, or use --memory or "
            "another --store"
        ) from None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale(path: Path) -> list[Path]:
    """Remove what interrupted builds left beside ``path`` (``NAME.building-PID`` and
    ``NAME.old-PID`` folders whose process is gone, and the checkpoints a process that
    wrote the store made for its query processes, ``NAME.answeringN-PID``); return what
    was removed."""
    removed: list[Path] = []
    if not path.parent.is_dir():
        return removed
    for leftover in path.parent.iterdir():
        if not leftover.name.startswith(f"{path.name}."):
            continue
        kind, _, pid = leftover.name[len(path.name) + 1 :].rpartition("-")
        kind = kind.rstrip("0123456789")
        if kind not in ("building", "old", "answering") or not pid.isdigit():
            continue
        if not leftover.is_dir():
            continue
        if int(pid) != os.getpid() and _alive(int(pid)):
            continue  # a build running now
        shutil.rmtree(leftover, ignore_errors=True)
        removed.append(leftover)
    return removed


def fingerprint_file(path: Path) -> Path:
    """Where :func:`open_built` records the fingerprint of the sources the store at
    ``path`` was built from (written once the build is complete)."""
    return path.with_name(path.name + ".fingerprint")


def pulled_file(path: Path) -> Path:
    """Where :func:`replace_store` records that the store at ``path`` was pulled from a
    SPARQL server (its URL, when, and the fingerprint it was given)."""
    return path.with_name(path.name + ".pulled")


def pulled_from(path: Path) -> dict | None:
    """What ``STORE.pulled`` says of the store at ``path`` (``url``, ``at``,
    ``fingerprint``) while the store is the one pulled; None for a store built here."""
    try:
        record = json.loads(pulled_file(path).read_text())
        marker = fingerprint_file(path).read_text().strip()
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("fingerprint") != marker:
        return None
    return record


def replace_store(path: Path, fill: Callable[[Store], T], *, pulled: str | None = None) -> T:
    """Write a new store for ``path`` in a sibling folder with ``fill``, then swap it in
    (the old one is kept when ``fill`` fails) and return what ``fill`` returned.

    ``pulled``: the URL of the SPARQL server the store's content came from; the store
    gets a fingerprint of its own (new for each pull) and ``STORE.pulled`` says where it
    came from. Without it, the caller writes the fingerprint."""
    if path.is_dir():  # replacing a store another process holds would pull it from under it
        open_store(path).close()
    remove_stale(path)
    staging = path.with_name(f"{path.name}.building-{os.getpid()}")
    try:
        store = new_store(staging)
        result = fill(store)
        store.optimize()
        store.close()
        del store
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = path.with_name(f"{path.name}.old-{os.getpid()}")
    if path.exists():
        path.rename(retired)
    staging.rename(path)
    pulled_file(path).unlink(missing_ok=True)
    if pulled is not None:
        at = datetime.now(UTC).isoformat(timespec="seconds")
        marker = hashlib.sha256(f"pulled {pulled} {at} {os.getpid()}".encode()).hexdigest()
        fingerprint_file(path).write_text(marker + "\n")
        record = {"url": pulled, "at": at, "fingerprint": marker}
        pulled_file(path).write_text(json.dumps(record) + "\n")
    shutil.rmtree(retired, ignore_errors=True)
    return result


def open_built(
    path: Path,
    root: Path,
    *,
    saved: Path | None = None,
    progress: Progress | None = None,
    rebuild_pulled: bool = False,
) -> tuple[Store, BuildReport]:
    """Open the on-disk store at ``path``, rebuilding it only when a source changed (a
    store pulled from a SPARQL server is kept as it is, unless ``rebuild_pulled``).

    A rebuild happens in a sibling folder that replaces the old store only once it is
    complete, so a failed build leaves the previous store as it was.
    """
    sources = discover(root, saved)
    wanted = fingerprint(root, sources)
    marker = fingerprint_file(path)
    if path.is_dir() and marker.is_file():
        found = marker.read_text().strip()
        if found == wanted or (not rebuild_pulled and pulled_from(path) is not None):
            return open_store(path), BuildReport(fingerprint=found, rebuilt=False)

    def build(store: Store) -> BuildReport:
        return build_store(store, root, saved=saved, progress=progress)

    report = replace_store(path, build)
    marker.write_text(wanted + "\n")
    return open_store(path), report


def _seq_file(path: Path) -> Path:
    """Where the on-disk store at ``path`` records the last journal entry it holds, with
    the fingerprint of the build it was replayed over (a rebuild starts again at 0)."""
    return path.with_name(path.name + ".journal-seq")


def recorded_seq(path: Path) -> int:
    """The last journal entry the on-disk store at ``path`` holds (0: none)."""
    try:
        built, seq = _seq_file(path).read_text().split()
        return int(seq) if built == fingerprint_file(path).read_text().strip() else 0
    except (OSError, ValueError):
        return 0


def record_seq(path: Path, seq: int) -> None:
    """Record that the on-disk store at ``path`` holds the journal up to entry ``seq``."""
    marker = _seq_file(path)
    temporary = marker.with_name(marker.name + ".new")
    temporary.write_text(f"{fingerprint_file(path).read_text().strip()} {seq}\n")
    temporary.replace(marker)
