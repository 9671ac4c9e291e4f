"""One store's search index, kept fresh: when it is built, and when it is built again.

The index is built when first asked for (the web app asks at start), kept per store
(:func:`index_for`), and rebuilt in the background when the store changes: a write
through the store (its ``generation`` counter, checked on every search), a change in
its named graphs or in the triple counts the build records in ``sgg:metadata``
(checked at most every few seconds, for writes made around the store object), or when
a writer calls :func:`invalidate`. The old snapshot answers until the new one is ready;
``SearchIndex.refresh()`` rebuilds at once.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterable

from ...errors import StoreUnavailableError
from ...namespaces import sparql_prefixes
from ...store import Store
from ..store_ref import StoreRef
from .checks import check_options, check_query
from .matching import did_you_mean, find
from .names import read_names
from .results import MATCHES, Results
from .snapshot import Snapshot

__all__ = ["SearchIndex", "index_for", "invalidate", "search"]

SUGGESTIONS = 3  # names offered as "did you mean" when a search finds nothing

_STAMP_QUERY = sparql_prefixes() + (
    "SELECT ?g ?n WHERE { GRAPH sgg:metadata { ?g void:triples ?n } } ORDER BY ?g"
)


class SearchIndex:
    """The search index of one store; rebuilt when the store changes."""

    store = StoreRef()  # weakly: see services/store_ref.py

    def __init__(
        self,
        store: Store,
        *,
        check_every: float = 5.0,
        min_interval: float = 10.0,
        background: bool = True,
    ) -> None:
        self.store = store
        self.check_every = check_every  # seconds between looks at the store's metadata
        self.min_interval = min_interval  # seconds between background rebuilds, at least
        self.background = background
        self._snapshot: Snapshot | None = None
        self._stamp: tuple | None = None
        self._built_generation: int | None = None
        self._checked = self._built_at = 0.0
        self._lock = threading.Lock()
        self._rebuilding = False
        self.built_in = 0.0  # seconds the last build took

    # ---- building ----

    def refresh(self) -> None:
        """Rebuild the index from the store now."""
        with self._lock:
            self._build()

    def invalidate(self) -> None:
        """The store changed: rebuild now (in the background unless ``background=False``)."""
        self._ensure_fresh(asked=True)

    def _build(self) -> None:
        started = time.perf_counter()
        generation = self._generation()
        stamp = self._read_stamp()
        snapshot = Snapshot(read_names(self.store))
        self._snapshot, self._stamp, self._built_generation = snapshot, stamp, generation
        self._checked = self._built_at = time.monotonic()
        self.built_in = time.perf_counter() - started

    def _generation(self) -> int:
        """The count of writes made through the store (0 for a store that keeps none)."""
        return self.store.generation

    def _read_stamp(self) -> tuple:
        counts = tuple((str(r["g"]), str(r["n"])) for r in self.store.select(_STAMP_QUERY))
        return (tuple(str(g) for g in self.store.graph_names()), counts)

    def _ensure_fresh(self, *, asked: bool = False) -> Snapshot:
        """The current snapshot; when the store changed, start rebuilding it (at once
        when ``asked`` by a writer or ``background=False``; otherwise no sooner than
        ``min_interval`` seconds, or twice the last build's time, after the last build,
        so that a stream of small writes does not keep a core busy rebuilding)."""
        snapshot = self._snapshot
        if snapshot is None:
            with self._lock:
                if self._snapshot is None:
                    self._build()
            return self._snapshot  # type: ignore[return-value]
        if self._rebuilding:
            return snapshot
        if not asked and self._generation() == self._built_generation:  # no write through it
            now = time.monotonic()
            if now - self._checked < self.check_every:
                return snapshot
            self._checked = now
            if self._stamp is not None and self._read_stamp() == self._stamp:
                return snapshot
        if not self.background:
            self.refresh()
            return self._snapshot  # type: ignore[return-value]
        gap = max(self.min_interval, 2 * self.built_in)
        if not asked and time.monotonic() - self._built_at < gap:
            return snapshot  # stale, but rebuilt only a moment ago: later
        self._rebuilding = True

        def rebuild() -> None:
            try:
                self.refresh()
            except StoreUnavailableError:
                pass  # the store was let go meanwhile: so is this index
            finally:
                self._rebuilding = False

        threading.Thread(target=rebuild, name="search-index", daemon=True).start()
        return snapshot  # the old index answers until the new one is ready

    # ---- searching ----

    def __len__(self) -> int:
        """Number of names in the index."""
        return len(self._ensure_fresh())

    def search(
        self,
        query: str,
        *,
        lang: str = "en",
        limit: int = 20,
        kinds: Iterable[str] | None = None,
    ) -> Results:
        """The resources whose names match ``query``, best first (see the package doc).

        ``kinds`` restricts the answer (``["method"]``); ``limit`` is 1–100.
        """
        key = check_query(query)
        allowed = check_options(limit, kinds)
        snapshot = self._ensure_fresh()
        found = find(snapshot, key, limit + 1, allowed, query)
        hits = [snapshot.hit(entry, match, lang) for entry, match in found[:limit]]
        offered = []
        if not hits:  # nothing: what is closest, as "did you mean"
            fuzzy = MATCHES.index("fuzzy")
            entries = did_you_mean(snapshot, key, SUGGESTIONS, allowed)
            offered = [snapshot.hit(entry, fuzzy, lang) for entry in entries]
        return Results(
            query=query,
            key=key,
            lang=lang,
            hits=hits,
            more=len(found) > limit,
            did_you_mean=offered,
        )


_INDEXES: weakref.WeakKeyDictionary[Store, SearchIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(store: Store) -> SearchIndex:
    """The search index of ``store`` (one per store, built on first use)."""
    index = _INDEXES.get(store)
    if index is None:
        with _INDEXES_LOCK:
            index = _INDEXES.get(store)
            if index is None:
                index = _INDEXES[store] = SearchIndex(store)
    return index


def invalidate(store: Store) -> None:
    """Tell search that ``store`` changed (writers call this after a write)."""
    index = _INDEXES.get(store)
    if index is not None:
        index.invalidate()


def search(store: Store, query: str, *, lang: str = "en", limit: int = 20, **options) -> Results:
    """Search the names of ``store``'s resources (see :meth:`SearchIndex.search`)."""
    return index_for(store).search(query, lang=lang, limit=limit, **options)
