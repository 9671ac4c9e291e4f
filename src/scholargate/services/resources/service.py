"""The resource service of one store: :class:`Resources`, what pages and ``/methods``
call. It finds a resource (or says what was meant), describes it for its page, gives
the CONSTRUCT of its RDF document and pages the methods, and keeps what those need
between requests (property names, slug indexes, concept labels) until the data change
(:meth:`Resources.refresh`)."""

from __future__ import annotations

import difflib
import weakref

from rdflib import Literal

from ... import terms as checked
from ...errors import NotFoundError
from ...namespaces import BASE, PAGE_KINDS
from ...store import Store
from ..compare import comparer_for
from ..store_ref import StoreRef
from .browse import Filters, Listing, MethodListing
from .describe import assemble
from .iris import resource_iri
from .neighbourhood import neighbourhood
from .page import Description
from .property_names import PropertyNames
from .queries import LABEL_VALUES, describe_query, document_query


class Resources:
    """Describes resources of one store; caches property labels and slug indexes until
    the data change (``refresh``)."""

    store = StoreRef()  # weakly: see services/store_ref.py

    def __init__(self, store: Store) -> None:
        self.store = store
        self.names = PropertyNames(store)
        self.listing = MethodListing(store)
        self._slugs: dict[str, dict[str, str]] = {}
        self.generation = store.generation  # the store's state the caches describe

    def refresh(self) -> None:
        self.names.refresh()
        self.listing.refresh()
        self._slugs = {}
        self.generation = self.store.generation

    # ---- property labels ------------------------------------------------------------

    @property
    def ontology_labels(self) -> dict[str, list[Literal]]:
        return self.names.ontology_labels

    def property_label(self, iri: str, lang: str, *, inverse: bool = False) -> tuple[str, str]:
        """``(label, its language)`` of a property (``PropertyNames.label``)."""
        return self.names.label(iri, lang, inverse=inverse)

    # ---- existence and suggestions ------------------------------------------------------

    def exists(self, iri: str) -> bool:
        """Whether ``iri`` is the subject or object of a statement (an InputError for a
        value that is not an IRI a query may hold)."""
        s = checked.iri(iri)
        return self.store.ask(f"ASK {{ {{ {s} ?p ?o }} UNION {{ ?s ?p {s} }} }}")

    def slugs(self, kind: str) -> dict[str, str]:
        """Folded slug or label → slug, for every resource of ``kind`` (cached)."""
        if kind not in self._slugs:
            base = f"{BASE}{kind}/"
            index: dict[str, str] = {}
            rows = self.store.select(
                "SELECT DISTINCT ?s ?l WHERE { ?s ?p ?o "
                f"FILTER(STRSTARTS(STR(?s), {checked.literal(base)})) "
                f"OPTIONAL {{ ?s ?lp ?l VALUES ?lp {{ {LABEL_VALUES} }} }} }}",
            )
            for row in rows:
                slug = str(row["s"])[len(base) :]
                index.setdefault(slug, slug)
                if "l" in row:
                    index.setdefault(str(row["l"]).casefold(), slug)
            self._slugs[kind] = index
        return self._slugs[kind]

    def suggest(self, kind: str, slug: str, n: int = 5) -> list[str]:
        """Slugs near ``slug`` among resources of ``kind`` (methods: the compare index)."""
        if kind == "method":
            return comparer_for(self.store).index.suggest(slug, n)
        index = self.slugs(kind)
        close = difflib.get_close_matches(slug.casefold(), list(index), n=n * 3, cutoff=0.6)
        found: list[str] = []
        for key in close:
            if index[key] not in found:
                found.append(index[key])
        return found[:n]

    def not_found(self, kind: str, slug: str) -> NotFoundError:
        if kind in PAGE_KINDS and not checked.is_slug(slug):
            return checked.malformed_slug(kind, slug)
        hints = self.suggest(kind, slug) if kind in PAGE_KINDS else []
        hint = f"; did you mean: {', '.join(hints)}?" if hints else ""
        return NotFoundError(
            f"no {kind} {slug!r} in the graph{hint}", kind=kind, slug=slug, suggestions=hints
        )

    # ---- one resource -------------------------------------------------------------------

    def describe(self, kind: str, slug: str, lang: str = "en") -> Description:
        """Everything a page about ``/{kind}/{slug}`` shows, labelled in ``lang``."""
        iri = str(resource_iri(kind, slug))
        rows = self.store.select(describe_query(iri, with_works=kind == "method"))
        if not rows:
            raise self.not_found(kind, slug)
        described = assemble(self.names, iri, kind, slug, lang, rows)
        described.queries = 1
        if kind == "method":
            described.neighbourhood = neighbourhood(self.store, described)
            described.queries += 1
        return described

    def document_query(self, kind: str, slug: str) -> str:
        """The CONSTRUCT of the RDF document of ``/{kind}/{slug}``; 404 when unknown."""
        self.ensure_exists(kind, slug)
        return document_query(str(resource_iri(kind, slug)))

    def ensure_exists(self, kind: str, slug: str) -> None:
        """Nothing when ``/{kind}/{slug}`` is in the graph, else its 404 with near matches."""
        if not self.exists(str(resource_iri(kind, slug))):
            raise self.not_found(kind, slug)

    # ---- browsing the methods -----------------------------------------------------------

    def browse(self, filters: Filters, lang: str = "en", page: int = 1) -> Listing:
        """One page of methods matching ``filters``, with facet counts and the timeline
        (``MethodListing.browse``)."""
        return self.listing.browse(filters, lang, page)

    def concept_labels(self, iris: list[str]) -> dict[str, list[Literal]]:
        """The preferred labels of fields, families and types (cached: there are few)."""
        return self.listing.concept_labels(iris)


_RESOURCES: weakref.WeakKeyDictionary[Store, Resources] = weakref.WeakKeyDictionary()


def resources_for(store: Store) -> Resources:
    """The resource service of ``store`` (one per store, made on first use)."""
    found = _RESOURCES.get(store)
    if found is None:
        found = _RESOURCES[store] = Resources(store)
    elif found.generation != store.generation:
        found.refresh()  # after a write
    return found
