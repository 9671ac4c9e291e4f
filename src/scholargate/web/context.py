"""Per-application resources, wired in ``init_app`` and reached through getters."""

from __future__ import annotations

import atexit
import hashlib
import shutil
import tempfile
from pathlib import Path

from flask import Flask, current_app, request
from rdflib import URIRef

from ..build import open_configured, record_seq
from ..errors import ForbiddenError
from ..namespaces import LANGUAGES
from ..services.saved import SavedComparisons
from ..services.writes.journal import Journal
from ..services.writes.server_journal import ServerJournal
from ..services.writes.writer import Writer
from ..store import Store

_EXTENSION = "scholargate.store"
_SAVED = "scholargate.saved"
_WRITER = "scholargate.writer"
QUADS = "scholargate.quads"  # /-/health's count of the store's quads


def init_app(app: Flask) -> None:
    """Open the store the settings name (``build.open_configured``: a graph built in
    memory, the on-disk store rebuilt first if a source changed, under ``serve`` a copy
    in memory of the store it built or its newest snapshot, or a SPARQL server, never
    loaded here), its write path (on a SPARQL server with an update or Graph Store URL,
    the journal on the server) and the saved comparisons, which are written through it.

    Under ``serve`` on disk the app's store is replaced when the worker moves to a newer
    snapshot (:func:`_switched`): a request in flight keeps the store object it got
    from ``get_store``, which stays open, with its query processes, until the last
    request holding it is done; nothing closes it under them."""
    opened = open_configured(app.config)
    app.config["ROOT"] = opened.place.root
    app.config["SAVED"] = opened.place.saved
    if opened.place.path is not None:
        app.config["STORE"] = opened.place.path
    store = opened.store
    writer = None
    if not store.remote:
        journal = opened.place.journal or _private_journal()
        app.config["JOURNAL"] = journal
        timeout = float(app.config["WRITE_TIMEOUT"])
        path = store.path if store.writable else None  # an on-disk store this process writes
        disk = opened.disk
        writer = Writer(
            store,
            Journal(journal),
            seq=opened.seq,
            timeout=timeout,
            record=None if path is None else (lambda seq: record_seq(path, seq)),
            primary=None if disk is None else disk.primary,
            reopen=None if disk is None else disk.reopen,
        )
        store = writer.store  # a newer snapshot, when one was published meanwhile
        writer.switched = lambda new: _switched(app, new)
        app.extensions[_WRITER] = writer
        app.before_request(_follow)
    elif store.writable:  # a SPARQL server: the journal on the server (server_journal.py)
        lock = Path(app.config.get("JOURNAL") or _host_lock(opened.place.url or ""))
        journal = ServerJournal(store, lock, poll=float(app.config["STORE_POLL"]))
        writer = Writer(store, journal, timeout=float(app.config["WRITE_TIMEOUT"]))
        app.extensions[_WRITER] = writer
        app.before_request(_follow)
    app.extensions[_EXTENSION] = store
    saved = opened.place.saved  # read-only legacy: a source of the build, no longer written
    app.extensions[_SAVED] = SavedComparisons(
        store,
        writer,  # None on a read-only SPARQL server: no new saves (501)
        rate_file=saved.with_name(saved.name + ".rate"),
        limit=int(app.config["SAVED_MAX"]),
        rate=int(app.config["SAVE_RATE"]),
    )


def _switched(app: Flask, store: Store) -> None:
    """The worker reads ``store`` from now on (a newer snapshot). Requests in flight keep
    the store they have; caches are keyed by the store object (comparer, resources,
    search index, VoID) or hold it weakly (``web/sparql.py``), so they follow; the saved
    comparisons read the writer's store."""
    app.extensions[_EXTENSION] = store
    app.extensions.pop(QUADS, None)  # /-/health counts again


def _host_lock(url: str) -> Path:
    """Where the writers on this host to the server at ``url`` take their lock (with no
    JOURNAL): one file per server, so instances on one host write in turn."""
    digest = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"scholargate-server-{digest}.journal"


def _private_journal() -> Path:
    """A journal for a graph built in memory with no JOURNAL: this process's, removed
    at exit (``serve --memory`` gives its workers one they share)."""
    folder = tempfile.mkdtemp(prefix="scholargate-journal-")
    atexit.register(shutil.rmtree, folder, True)
    return Path(folder) / "journal.jsonl"


def _follow() -> None:
    """Before every request: apply what other processes wrote since the last one."""
    get_writer().follow()


def journal_seq(graph: URIRef | None = None) -> int:
    """The last journal entry this app's store holds (0: none, or a server store); with
    ``graph``, the last one that touched that graph."""
    writer = current_app.extensions.get(_WRITER)
    if writer is None:
        return 0
    return writer.seq if graph is None else writer.graph_seq(graph)


def get_writer() -> Writer:
    """The write path of this app's store; a read-only SPARQL server has none (403)."""
    writer = current_app.extensions.get(_WRITER)
    if writer is None:
        raise ForbiddenError(
            "this server's graph lives on a SPARQL server that takes no writes from it "
            "(no STORE_UPDATE or STORE_GSP URL is set); set one to write through ScholarGate"
        )
    return writer


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
