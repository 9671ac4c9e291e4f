"""The formats a SPARQL answer can take: by the query's form (:func:`answer_formats`),
and the names clients give them in ``format=`` (:func:`named_format`)."""

from __future__ import annotations

from ...formats import GRAPH_FORMATS, RDF_FORMATS, RESULT_FORMATS, Format, by_name
from .analysis import QueryAnalysis

# Names clients send in ``format=`` beyond the table's names, extensions and media
# types; SPARQLWrapper sends ``xml`` and ``json`` for CONSTRUCT meaning RDF/XML and
# JSON-LD, ``turtle``, ``n3`` and ``json-ld``.
_GRAPH_ALIASES = {
    "turtle": "ttl",
    "n3": "ttl",
    "text/n3": "ttl",
    "json-ld": "jsonld",
    "json": "jsonld",
    "xml": "rdf",
    "rdf+xml": "rdf",
    "rdfxml": "rdf",
    "ntriples": "nt",
    "n-triples": "nt",
    "nquads": "nq",
    "n-quads": "nq",
}


def answer_formats(analysis: QueryAnalysis | None) -> tuple[Format, ...]:
    """The formats a query of this form can be answered in (``None``: no query, the
    service description)."""
    if analysis is None:
        return GRAPH_FORMATS
    if analysis.form is None:  # not a query Oxigraph will parse: its error will say why
        return (*RESULT_FORMATS, *RDF_FORMATS)
    return RDF_FORMATS if analysis.answers_with_graph else RESULT_FORMATS


def named_format(value: str, candidates: tuple[Format, ...]) -> Format | None:
    """The format of ``candidates`` that a ``format=`` value names (by name, extension,
    media type or a common alias), or None."""
    value = value.strip().lower()
    if not value:
        return None
    for fmt in candidates:
        if value in (fmt.name, fmt.extension) or value in fmt.media_types:
            return fmt
    alias = _GRAPH_ALIASES.get(value)
    if alias is not None and by_name(alias) in candidates:
        return by_name(alias)
    return None
