"""Per-application resources, wired in ``init_app`` and reached through getters."""

from __future__ import annotations

from flask import Flask, current_app, request

from ..build import open_configured
from ..namespaces import LANGUAGES
from ..services.saved import SavedComparisons
from ..store import Store

_EXTENSION = "scholargate.store"
_SAVED = "scholargate.saved"


def init_app(app: Flask) -> None:
    """Open the store the settings name (``build.open_configured``: a graph built in
    memory, the on-disk store rebuilt first if a source changed, under ``serve`` the
    store it built opened read-only, or a SPARQL server, never loaded here) and the
    saved comparisons beside it."""
    opened = open_configured(app.config)
    app.config["ROOT"] = opened.place.root
    app.config["SAVED"] = opened.place.saved
    if opened.place.path is not None:
        app.config["STORE"] = opened.place.path
    store = opened.store
    app.extensions[_EXTENSION] = store
    writable = not app.config.get("STORE_READ_ONLY")
    app.extensions[_SAVED] = SavedComparisons(
        opened.place.saved,
        store,
        writable=writable,
        limit=int(app.config["SAVED_MAX"]),
        rate=int(app.config["SAVE_RATE"]),
    )


def store_kind(store: Store) -> str:
    """``disk``, ``memory`` or ``remote`` (a SPARQL server), for /-/health."""
    if store.remote:
        return "remote"
    return "disk" if store.path is not None else "memory"


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
