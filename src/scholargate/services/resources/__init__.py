"""Linked Data resources: what a page about one IRI shows, and what /methods lists.

:meth:`Resources.describe` reads one resource with one SELECT (its own statements, the
statements that point at it, its SKOS-XL aliases, its RDF lists and, for a method, its
foundational works) plus, for a method, one small query for the links among its
neighbours; it returns a :class:`Description` of plain data: every property under its
ontology label in the asked language, every value with a label along the language
fallback chain. :meth:`Resources.document_query` is the CONSTRUCT behind the RDF forms
(the resource's statements, its alias resources, the statements pointing at it, and the
labels of everything named there). :meth:`Resources.browse` pages and facets the
methods. Nothing here knows about HTTP; views turn ``(kind, slug)`` pairs into URLs.

Where each part lives:

- ``service.py`` — :class:`Resources` and :func:`resources_for`: the entry point;
- ``page.py`` — what a page shows (:class:`Description`, :class:`Value`, :class:`Work` …);
- ``queries.py`` — the page's SELECT, the RDF document's CONSTRUCT, the naming properties;
- ``describe.py`` — a :class:`Description` assembled from the page's rows;
- ``property_names.py`` — what each property is called in en/fa/tr, and the row order;
- ``links.py`` — outbound links and the site each goes to;
- ``neighbourhood.py`` — a method's neighbours and the links among them (the drawing);
- ``browse.py`` — ``/methods``: filters, facets, the timeline and one page of methods;
- ``iris.py`` — the IRI of ``/{kind}/{slug}``, the page of an IRI, compact IRIs.
"""

from __future__ import annotations

from .browse import FACETS, PAGE_SIZE, FacetValue, Filters, Item, Listing, MethodListing
from .describe import INCOMING_LIMIT, best_label
from .iris import curie, local_of, resource_iri
from .links import EXTERNAL_PROPERTIES
from .neighbourhood import MAX_NEIGHBOURS, Edge, GraphNode, Neighbourhood
from .page import Description, Link, Property, Value, Work
from .property_names import (
    INCOMING_ORDER,
    INVERSE_LABELS,
    PROPERTY_LABELS,
    PROPERTY_ORDER,
    PropertyNames,
)
from .queries import LABEL_PROPERTIES, document_query
from .service import Resources, resources_for

__all__ = [
    "EXTERNAL_PROPERTIES",
    "FACETS",
    "INCOMING_LIMIT",
    "INCOMING_ORDER",
    "INVERSE_LABELS",
    "LABEL_PROPERTIES",
    "MAX_NEIGHBOURS",
    "PAGE_SIZE",
    "PROPERTY_LABELS",
    "PROPERTY_ORDER",
    "Description",
    "Edge",
    "FacetValue",
    "Filters",
    "GraphNode",
    "Item",
    "Link",
    "Listing",
    "MethodListing",
    "Neighbourhood",
    "Property",
    "PropertyNames",
    "Resources",
    "Value",
    "Work",
    "best_label",
    "curie",
    "document_query",
    "local_of",
    "resource_iri",
    "resources_for",
]
