"""Where a resource lives: the IRI of a page ``/{kind}/{slug}``, the page of an IRI, and
compact IRIs (``skos:prefLabel``) for properties without a label."""

from __future__ import annotations

import re

from rdflib import URIRef

from ... import terms as checked
from ...errors import NotFoundError
from ...namespaces import BASE, PAGE_KINDS, PREFIXES

# The kinds of resource that have a page here, as /{kind}/{slug}, are namespaces.PAGE_KINDS
# (comparisons have their own blueprint; graphs, shapes and ontology terms are not pages).


def resource_iri(kind: str, slug: str) -> URIRef:
    """The IRI of ``/{kind}/{slug}``; a 404 for an unknown kind or a malformed slug."""
    if kind not in PAGE_KINDS:
        raise NotFoundError(f"no resources of kind {kind!r}; kinds: {', '.join(PAGE_KINDS)}")
    checked.check_slug(kind, slug)
    return URIRef(f"{BASE}{kind}/{slug}")


def local_of(iri: str) -> tuple[str, str] | None:
    """``(kind, slug)`` when ``iri`` is a resource with a page here, else None."""
    if not iri.startswith(BASE):
        return None
    kind, _, slug = iri[len(BASE) :].partition("/")
    if kind in PAGE_KINDS and slug and "/" not in slug and "#" not in slug:
        return kind, slug
    return None


_NAMESPACES = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def curie(iri: str) -> str:
    """``skos:prefLabel`` for the SKOS IRI; the IRI itself when no prefix fits."""
    for prefix, ns in _NAMESPACES:
        if iri.startswith(ns) and re.fullmatch(r"[\w.-]*", iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri
