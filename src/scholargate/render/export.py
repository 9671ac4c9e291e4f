"""Downloads: the dataset page ``/export`` (:class:`Catalogue`, HTML or JSON), the
ontology page ``/ontology`` (:class:`OntologyTerms`), and dumps streamed from the store
(:class:`Dump` for ``/export/{graph}``, :class:`OntologyDump` for ``/ontology``'s RDF).

A dump's body is the iterable of chunks the view made (web/export/streaming.py: an OS
thread writes the store's dump into a pipe while the response reads it); the renderer
passes it through untouched, so a dump is streamed exactly as before, and adds its
``Content-Disposition``. Conditional GET (``ETag``, ``Last-Modified``, 304) stays in the
view (web/export/dumps.py), which answers 304 without rendering anything.

Context a view gives: ``lang`` (the page language) for the pages; ``negotiated`` for a
dump (true when ``Accept`` chose the format: it then varies on ``Accept``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import render_template

from ..formats import GRAPH_FORMATS, RDF_FORMATS, Format
from ..namespaces import BASE
from .registry import Rendered, formats_for, renderer


@dataclass(frozen=True)
class Catalogue:
    """Every named graph with its size, licence, attribution and dump links, and the
    whole dataset (web/export/catalogue.py ``index_data``), as JSON-ready ``data``."""

    data: dict[str, Any]


@renderer(Catalogue, "html", "data-json")  # html first: the default
def catalogue(result: Catalogue, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    if fmt.name == "data-json":
        body = json.dumps(result.data, ensure_ascii=False)
    else:
        body = render_template(
            "export.html",
            lang=context["lang"],
            data=result.data,
            formats=formats_for(Dump),
            base=BASE,
        )
    return Rendered(body, vary=("Accept", "Accept-Language"))


@dataclass(frozen=True)
class OntologyTerms:
    """The ontology's named classes, properties and individuals, each with a label and a
    comment in the page language and its axioms in Manchester syntax
    (services/ontology.py ``ontology_terms``)."""

    terms: dict[str, list[dict[str, Any]]]


@renderer(OntologyTerms, "html")
def ontology_page(result: OntologyTerms, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    body = render_template(
        "ontology.html",
        lang=context["lang"],
        terms=result.terms,
        formats=list(formats_for(OntologyDump)),
    )
    return Rendered(body, vary=("Accept", "Accept-Language"))


@dataclass(frozen=True)
class Streamed:
    """A graph as the store dumps it: ``chunks`` produced while they are read, offered
    as ``filename`` (``disposition``: attachment or inline). Not registered itself: a
    subclass would inherit its formats."""

    chunks: Iterable[bytes]
    filename: str
    disposition: str = "attachment"


@dataclass(frozen=True)
class Dump(Streamed):
    """A named graph or the whole dataset: every RDF format, TriG and N-Quads too."""


@dataclass(frozen=True)
class OntologyDump(Streamed):
    """The ontology graph: triples only, so the graph formats."""


def dump(result: Streamed, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    return Rendered(
        result.chunks,
        headers={"Content-Disposition": f'{result.disposition}; filename="{result.filename}"'},
        vary=("Accept",) if context.get("negotiated") else (),
    )


renderer(Dump, *(f.name for f in RDF_FORMATS))(dump)  # ttl, jsonld, nt, rdf, trig, nq
renderer(OntologyDump, *(f.name for f in GRAPH_FORMATS))(dump)  # ttl, jsonld, nt, rdf
