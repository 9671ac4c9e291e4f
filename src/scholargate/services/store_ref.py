"""A service object's ``store`` attribute, held weakly (:class:`StoreRef`).

The per-store services (``comparer_for``, ``resources_for``, ``index_for``) live in a
``WeakKeyDictionary`` keyed by the store, so that they go when the store goes. A value
that held its key strongly would keep every store alive for good: under ``serve`` on
disk a worker reads a new store after each write, and every old one would stay open,
with its snapshot and its query processes. So these services refer to their store
weakly; whoever uses one holds the store itself (the app, a request, a test).
"""

from __future__ import annotations

import weakref
from typing import Any

from ..errors import StoreUnavailableError
from ..store import Store


class StoreRef:
    """A descriptor: ``self.store = store`` keeps a weak reference; reading it gives
    the store, or a 503 when the store was let go (a newer state of the graph)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}_ref"

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        store = obj.__dict__[self._slot]()
        if store is None:
            raise StoreUnavailableError(
                "the graph this was read from was replaced by a newer one; ask again"
            )
        return store

    def __set__(self, obj: Any, store: Store) -> None:
        obj.__dict__[self._slot] = weakref.ref(store)
