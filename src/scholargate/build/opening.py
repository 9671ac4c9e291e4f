"""Open the store the settings name: the one place that decides how.

``cli``, ``web/context.py`` and ``serve`` all call :func:`open_configured`:

- ``MEMORY``: build the graph from the sources into a new store in memory;
- ``STORE_READ_ONLY`` (a ``serve`` worker; ``serve`` built the store before forking):
  open the on-disk store read-only, and answer from a copy in memory when it holds at
  most ``MEMORY_COPY`` quads (``STORE_QUADS``, as ``serve`` counted them), where
  Oxigraph's lookups are several times cheaper than RocksDB's;
- otherwise the on-disk store at ``STORE`` (default ``ROOT/var/store``), rebuilt first
  when a source changed (:func:`~scholargate.build.disk.open_built`).

The saved comparisons (``SAVED``, default ``ROOT/var/comparisons.nt``) are a source of
the store either way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..store import Store, new_store
from .disk import open_built
from .loading import BuildReport, Progress, build_store
from .sources import find_root


@dataclass(frozen=True)
class Place:
    """Where the settings put the project, its saved comparisons and its store."""

    root: Path
    saved: Path
    path: Path | None  # the on-disk store; None when the graph is built in memory


@dataclass(frozen=True)
class Opened:
    """An open store, where it came from, and what building it did (``None`` for a
    ``serve`` worker, which opens what ``serve`` built)."""

    store: Store
    place: Place
    report: BuildReport | None


def place_of(settings: Mapping[str, Any]) -> Place:
    """The root (``ROOT``, or found from the working directory), the saved comparisons
    and the on-disk store the settings name."""
    root = find_root(settings.get("ROOT"))
    saved = Path(settings.get("SAVED") or root / "var" / "comparisons.nt")
    if settings.get("MEMORY"):
        return Place(root, saved, None)
    return Place(root, saved, Path(settings.get("STORE") or root / "var" / "store"))


def open_configured(settings: Mapping[str, Any], *, progress: Progress | None = None) -> Opened:
    """Open (building it if needed) the store ``settings`` name; ``progress`` is told the
    name of each source file a build loads."""
    place = place_of(settings)
    if place.path is None:
        store = new_store()
        report = build_store(store, place.root, saved=place.saved, progress=progress)
        return Opened(store, place, report)
    if settings.get("STORE_READ_ONLY"):
        served = open_served(place.path, settings.get("STORE_QUADS"), settings["MEMORY_COPY"])
        return Opened(served, place, None)
    store, report = open_built(place.path, place.root, saved=place.saved, progress=progress)
    return Opened(store, place, report)


def copies_to_memory(quads: int, memory_copy: int) -> bool:
    """Whether `serve`'s workers answer from a copy in memory of a store of ``quads``."""
    return 0 < quads <= memory_copy


def open_served(path: Path, quads: int | None, memory_copy: int) -> Store:
    """The store a `serve` worker reads: nothing writes it while the server runs, so when
    it is small enough (``memory_copy`` quads) the worker answers from a copy in memory."""
    disk = new_store(path, read_only=True)
    if quads is None or not copies_to_memory(quads, memory_copy):
        return disk
    copy = disk.in_memory()
    disk.close()
    return copy
