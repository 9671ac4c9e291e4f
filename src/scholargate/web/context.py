"""Per-application resources, wired in ``init_app`` and reached through getters."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request

from ..build import build_store, find_root, open_built
from ..namespaces import LANGUAGES
from ..services.saved import SavedComparisons
from ..store import Store
from ..store.oxigraph import OxigraphStore

_EXTENSION = "scholargate.store"
_SAVED = "scholargate.saved"


def init_app(app: Flask) -> None:
    """Open the store the settings name: a built in-memory graph (``MEMORY``) or the
    on-disk store at ``STORE``, rebuilt first if a source file changed."""
    root = find_root(app.config.get("ROOT"))
    app.config["ROOT"] = root
    saved = app.config.get("SAVED") or root / "var" / "comparisons.nt"
    app.config["SAVED"] = saved
    if app.config.get("MEMORY"):
        store: Store = OxigraphStore()
        build_store(store, root, saved=saved)
    else:
        path = app.config.get("STORE") or root / "var" / "store"
        app.config["STORE"] = path
        if app.config.get("STORE_READ_ONLY"):  # `serve` built it before forking workers
            store = _served(path, app.config.get("STORE_QUADS"), app.config["MEMORY_COPY"])
        else:
            store, _ = open_built(path, root, saved=saved)
    app.extensions[_EXTENSION] = store
    writable = not app.config.get("STORE_READ_ONLY")
    app.extensions[_SAVED] = SavedComparisons(
        saved,
        store,
        writable=writable,
        limit=int(app.config["SAVED_MAX"]),
        rate=int(app.config["SAVE_RATE"]),
    )


def copies_to_memory(quads: int, memory_copy: int) -> bool:
    """Whether `serve`'s workers answer from a copy in memory of a store of ``quads``."""
    return 0 < quads <= memory_copy


def _served(path: Path, quads: int | None, memory_copy: int) -> OxigraphStore:
    """The store a `serve` worker reads: nothing writes it while the server runs, so when
    it is small enough (``MEMORY_COPY`` quads) the worker answers from a copy in memory,
    where Oxigraph's lookups are several times cheaper than RocksDB's."""
    disk = OxigraphStore(path, read_only=True)
    if quads is None or not copies_to_memory(quads, memory_copy):
        return disk
    copy = disk.in_memory()
    disk.close()
    return copy


def store_kind(store: Store) -> str:
    """``disk`` or ``memory``, for /-/health."""
    return "disk" if getattr(store, "path", None) is not None else "memory"


def get_store() -> Store:
    return current_app.extensions[_EXTENSION]


def get_saved() -> SavedComparisons:
    return current_app.extensions[_SAVED]


def request_lang() -> str:
    """The language of this request: ``?lang=``, then Accept-Language, then the default."""
    asked = request.args.get("lang", "").strip().lower()
    if asked in LANGUAGES:
        return asked
    best = request.accept_languages.best_match(LANGUAGES)
    return best or current_app.config.get("LANG", "en")
