"""Open the store the settings name: the one place that decides how.

``cli``, ``web/context.py`` and ``serve`` all call :func:`open_configured`:

- ``MEMORY``: build the graph from the sources into a new store in memory;
- ``STORE_READ_ONLY`` (a ``serve`` worker; ``serve`` built the store before forking):
  when the store holds at most ``MEMORY_COPY`` quads (``STORE_QUADS``, as ``serve``
  counted them), answer from a copy in memory, where Oxigraph's lookups are several
  times cheaper than RocksDB's (writes change the copy and the journal): the copy
  ``serve``'s master loaded before the workers forked (:func:`share_copy`), whose pages
  the workers share until each reads or changes them, or, without one, a copy of the store
  opened read-only; otherwise open its newest snapshot read-only (``build/snapshots.py``:
  writes go to the store itself, which no worker reads, and reach the workers as new
  snapshots);
- ``STORE`` an ``http(s)://`` URL: the SPARQL server at that query endpoint
  (``STORE_UPDATE``, ``STORE_GSP``, ``STORE_USER``/``_PASSWORD``/``_AUTH``,
  ``STORE_TIMEOUT``, ``STORE_MAX_BYTES``, ``STORE_PROFILE``), opened without building
  anything; ``load`` (``scholargate build``) loads every source into it first, each
  source's named graph replaced, every time (no fingerprint is kept on the server yet);
  ``MEMORY`` with a URL is an error;
- otherwise the on-disk store at ``STORE`` (default ``ROOT/var/store``), rebuilt first
  when a source changed (:func:`~scholargate.build.disk.open_built`); a store pulled
  from a server (``scholargate pull``) is kept as it is, except by ``load``
  (``scholargate build``), which builds it from the sources again.

The legacy saved comparisons (``SAVED``, default ``ROOT/var/comparisons.nt``, no longer
written: a save is a write, see ``services/saved.py``) are a source of the store either
way. So is the change journal (``JOURNAL``, every accepted write; see
``services/writes``): a graph built in memory replays all of it, the on-disk store the
entries it does not hold yet (it records the last in ``STORE.journal-seq``, after
taking back what a write killed half-way left: ``STORE.undo.jsonl``), and a ``serve``
worker starts from what ``serve``'s build recorded or the snapshot it opens. A SPARQL
server keeps no journal here (writes through ScholarGate need the embedded store, for
now).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import is_url
from ..errors import InputError, StoreUnavailableError
from ..services.writes.journal import Journal
from ..services.writes.server_journal import ServerJournal
from ..services.writes.writer import Replayed, replay
from ..store import Store, memory_image, new_store, over_image, remote_store
from .disk import open_built, record_seq, recorded_seq
from .loading import BuildReport, Progress, build_store
from .snapshots import DiskWrites, take_back_unfinished
from .sources import find_root

# path of the on-disk store -> (its copy in memory, the last journal entry it holds):
# loaded by `serve`'s master before the workers fork (share_copy), read by each worker
_SHARED: dict[Path, tuple[Any, int]] = {}


@dataclass(frozen=True)
class Place:
    """Where the settings put the project, its saved comparisons and its store."""

    root: Path
    saved: Path
    path: Path | None  # the on-disk store; None in memory or on a server
    url: str | None = None  # the SPARQL server's query endpoint when STORE is a URL
    journal: Path | None = None  # the change journal; None: a temporary one, or a server


@dataclass(frozen=True)
class Opened:
    """An open store, where it came from, and what building it did (``None`` for a
    ``serve`` worker, which opens what ``serve`` built)."""

    store: Store
    place: Place
    report: BuildReport | None
    seq: int = 0  # the last journal entry the store holds
    replayed: Replayed | None = None  # what replaying the journal did, when it was
    disk: DiskWrites | None = None  # a serve worker on disk: where it writes, how it follows


def place_of(settings: Mapping[str, Any]) -> Place:
    """The root (``ROOT``, or found from the working directory), the saved comparisons
    and the on-disk store the settings name."""
    root = find_root(settings.get("ROOT"))
    saved = Path(settings.get("SAVED") or root / "var" / "comparisons.nt")
    if is_url(settings.get("STORE")):
        if settings.get("MEMORY"):
            raise InputError(
                "MEMORY builds the graph in memory, but STORE names a SPARQL server: "
                "drop one of them (--memory or SCHOLARGATE_MEMORY, --store or "
                "SCHOLARGATE_STORE)"
            )
        return Place(root, saved, None, url=str(settings["STORE"]))
    journal = Path(settings["JOURNAL"]) if settings.get("JOURNAL") else None
    if settings.get("MEMORY"):
        return Place(root, saved, None, journal=journal)
    path = Path(settings.get("STORE") or root / "var" / "store")
    return Place(root, saved, path, journal=journal or journal_beside(path))


def journal_beside(path: Path) -> Path:
    """The journal of the on-disk store at ``path`` when ``JOURNAL`` names none."""
    return path.with_name(path.name + ".journal.jsonl")


def open_configured(
    settings: Mapping[str, Any], *, progress: Progress | None = None, load: bool = False
) -> Opened:
    """Open (building it if needed) the store ``settings`` name; ``progress`` is told the
    name of each source file a build loads. ``load``: on a SPARQL server, load the
    sources into it (an embedded store is always brought up to date; with ``load`` a
    store pulled from a server is built from the sources again)."""
    place = place_of(settings)
    if place.url is not None:
        store = open_remote(place.url, settings)
        if not load:
            return Opened(store, place, None)
        try:
            report = build_store(
                store, place.root, saved=place.saved, progress=progress, own_graphs_only=True
            )
            # the journal on the server, over the sources just reloaded: each quad ends as
            # the last entry that touched it left it (writes to a source graph come back)
            journal = ServerJournal(store, Path(settings.get("JOURNAL") or "journal"))
            replayed = replay(store, journal, fresh=False)
        except BaseException:
            store.close()
            raise
        return Opened(store, place, report, seq=replayed.seq, replayed=replayed)
    if place.path is None:
        store = new_store()
        report = build_store(store, place.root, saved=place.saved, progress=progress)
        if place.journal is None:
            return Opened(store, place, report)
        replayed = replay(store, Journal(place.journal))
        return Opened(store, place, report, seq=replayed.seq, replayed=replayed)
    if settings.get("STORE_READ_ONLY"):
        quads = settings.get("STORE_QUADS")
        if quads is not None and copies_to_memory(int(quads), int(settings["MEMORY_COPY"])):
            shared = _SHARED.get(place.path)
            if shared is not None:
                return Opened(over_image(shared[0], place.path), place, None, seq=shared[1])
            served = open_served(place.path, int(quads), int(settings["MEMORY_COPY"]))
            return Opened(served, place, None, seq=recorded_seq(place.path))
        disk = DiskWrites(place.path)
        found = disk.reopen(-1)
        if found is None:
            raise StoreUnavailableError(
                f"the store at {place.path} has no snapshot to serve from; `scholargate "
                "serve` publishes one when it starts: start it again"
            )
        return Opened(found[0], place, None, seq=found[1], disk=disk)
    store, report = open_built(
        place.path, place.root, saved=place.saved, progress=progress, rebuild_pulled=load
    )
    try:
        take_back_unfinished(place.path, store, discard=bool(report.rebuilt))
        after = recorded_seq(place.path)
        journal = Journal(place.journal or journal_beside(place.path))
        replayed = replay(store, journal, after=after, fresh=bool(report.rebuilt))
        if replayed.applied or report.rebuilt:
            record_seq(place.path, replayed.seq)
    except BaseException:
        store.close()
        raise
    return Opened(store, place, report, seq=replayed.seq, replayed=replayed)


def open_remote(url: str, settings: Mapping[str, Any]) -> Store:
    """The SPARQL server at ``url`` with the ``STORE_*`` settings (empty: not given)."""
    max_bytes = settings.get("STORE_MAX_BYTES")
    return remote_store(
        url,
        update_url=settings.get("STORE_UPDATE") or None,
        gsp_url=settings.get("STORE_GSP") or None,
        user=settings.get("STORE_USER") or None,
        password=settings.get("STORE_PASSWORD") or None,
        auth=str(settings.get("STORE_AUTH") or "basic").lower(),
        timeout=float(settings.get("STORE_TIMEOUT") or 30.0),
        max_bytes=256 << 20 if max_bytes is None else (int(max_bytes) or None),
        profile=str(settings.get("STORE_PROFILE") or "auto"),
        poll=float(settings.get("STORE_POLL", 2.0)),
    )


def copies_to_memory(quads: int, memory_copy: int) -> bool:
    """Whether `serve`'s workers answer from a copy in memory of a store of ``quads``."""
    return 0 < quads <= memory_copy


def share_copy(path: Path, dump: Path, seq: int) -> None:
    """Load ``dump`` (N-Quads of the on-disk store at ``path``, which holds the journal up
    to entry ``seq``) into memory in this process, for the `serve` workers it forks to
    answer from (:func:`open_configured`): they share its pages copy-on-write, until a
    worker writes to one, which reading a quad does too (Oxigraph counts references
    inside the quads it reads): each worker ends up with its own copy of the pages it
    has read or changed (bench/README.md, "Memory of `serve`")."""
    _SHARED[path] = (memory_image(dump), seq)


def open_served(path: Path, quads: int | None, memory_copy: int) -> Store:
    """The on-disk store opened read-only, copied to memory when it is small enough
    (``memory_copy`` quads): what a `serve` worker reads when nothing writes the store
    while the server runs (its writes go to the copies; on disk they go through
    snapshots instead, :class:`~scholargate.build.snapshots.DiskWrites`)."""
    disk = new_store(path, read_only=True)
    if quads is None or not copies_to_memory(quads, memory_copy):
        return disk
    copy = disk.in_memory()
    disk.close()
    return copy
