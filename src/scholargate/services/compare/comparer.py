"""The comparer of one store: resolves the names asked for, writes and runs the one
query, and assembles the table; it keeps the rows, the method index and the shapes'
version until the shapes or the data change (``refresh``)."""

from __future__ import annotations

import weakref

from ...errors import InputError, NotFoundError
from ...namespaces import sparql_prefixes
from ...store import Store
from ..search import index_for
from ..store_ref import StoreRef
from .model import Comparison
from .query import build_query
from .resolve import MethodIndex, distinct_names
from .rows import RowSpec, read_rows
from .table import assemble

# how search matched a whole name (services/search/matching.py), not a part of one
WHOLE_NAME = frozenset(("exact", "inflected"))


class Comparer:
    """Compares methods on one store; caches the rows and the method index until the
    shapes or the data change (``refresh``)."""

    store = StoreRef()  # weakly: see services/store_ref.py

    def __init__(self, store: Store) -> None:
        self.store = store
        self._rows: list[RowSpec] | None = None
        self._index: MethodIndex | None = None
        self._version: str | None = None
        self.generation = store.generation  # the store's state the caches describe

    def refresh(self) -> None:
        self._rows = self._index = self._version = None
        self.generation = self.store.generation

    @property
    def rows(self) -> list[RowSpec]:
        if self._rows is None:
            self._rows = read_rows(self.store)
        return self._rows

    @property
    def index(self) -> MethodIndex:
        if self._index is None:
            self._index = MethodIndex(self.store)
        return self._index

    @property
    def shapes_version(self) -> str:
        if self._version is None:
            found = self.store.select(
                sparql_prefixes()
                + "SELECT ?v WHERE { GRAPH sgg:metadata { ?d sg:shapesVersion ?v } }"
            )
            self._version = str(found[0]["v"]) if found else ""
        return self._version

    def resolve(self, names: list[str]) -> list[str]:
        """IRIs for slugs, IRIs or names, in the order given, each once.

        Each item may hold several names separated by commas. At most ``MAX_METHODS``
        different names of at most ``MAX_NAME`` characters (400 beyond); the work is
        linear in the length of what was given.
        """
        wanted = distinct_names(names)
        if not wanted:
            raise InputError("name at least one method to compare, e.g. ?m=lora,bert-fine-tuning")
        iris: dict[str, None] = {}
        for name in wanted:
            iri = self.index.resolve(name) or self._searched(name)
            if iri is None:
                hints = self.index.suggest(name)
                hint = f"; did you mean: {', '.join(hints)}?" if hints else ""
                raise NotFoundError(
                    f"no method {name!r} in the graph{hint}", method=name, suggestions=hints
                )
            iris.setdefault(iri)
        return list(iris)

    def _searched(self, name: str) -> str | None:
        """The method search finds for ``name`` as a whole name in another form (a space
        for a ZWNJ, a Turkish plural: what the picker suggests), when exactly one method
        is found so; a part of a name or a typo is not taken, only suggested."""
        try:
            hits = index_for(self.store).search(name, limit=2, kinds=["method"]).hits
        except InputError:  # not something search takes (a control character …)
            return None
        whole = [hit for hit in hits if hit.match in WHOLE_NAME]
        return whole[0].iri if len({hit.iri for hit in whole}) == 1 else None

    def compare(self, methods: list[str], lang: str = "en") -> Comparison:
        iris = self.resolve(methods)
        rows = self.rows
        sparql = build_query(rows, iris)
        answer = self.store.select_cells(sparql)
        return assemble(rows, iris, answer, lang, sparql, self.shapes_version)


_COMPARERS: weakref.WeakKeyDictionary[Store, Comparer] = weakref.WeakKeyDictionary()


def comparer_for(store: Store) -> Comparer:
    """The comparer of ``store`` (one per store, made on first use), its caches dropped
    after a write (the store's ``generation`` moved on)."""
    comparer = _COMPARERS.get(store)
    if comparer is None:
        comparer = _COMPARERS[store] = Comparer(store)
    elif comparer.generation != store.generation:
        comparer.refresh()
    return comparer


def compare(store: Store, methods: list[str], lang: str = "en") -> Comparison:
    """Compare ``methods`` (slugs, IRIs or names) with labels in ``lang``."""
    return comparer_for(store).compare(methods, lang)
