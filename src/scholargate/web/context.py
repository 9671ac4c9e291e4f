"""Per-application resources, wired in ``init_app`` and reached through getters."""

from __future__ import annotations

from flask import Flask, current_app, request

from ..build import build_store, find_root, open_built
from ..i18n import fallback_chain
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
            store = OxigraphStore(path, read_only=True)
        else:
            store, _ = open_built(path, root, saved=saved)
    app.extensions[_EXTENSION] = store
    writable = not app.config.get("STORE_READ_ONLY")
    app.extensions[_SAVED] = SavedComparisons(saved, store, writable=writable)


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


def label_chain() -> tuple[str, ...]:
    return fallback_chain(request_lang())
