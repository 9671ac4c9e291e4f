"""The example queries, kept as RDF (SHACL ``sh:SPARQLExecutable`` resources) in the
named graph ``sgg:examples``, built from ``data/examples/*.ttl``: the graph as it is
(``/.well-known/sparql-examples``) and the list the query page offers, labelled in the
reader's language by labels.py's rule."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ...namespaces import SCHEMA, bind_prefixes
from ...store import Store
from ..labels import pick
from .iris import EXAMPLE, EXAMPLES_GRAPH, EXTRA_PREFIXES
from .measured import as_int, remembered


@dataclass(frozen=True)
class Example:
    """One example query, with its label and comment in the asked language."""

    iri: URIRef
    slug: str
    kind: str  # select | construct | ask
    query: str
    label: str
    comment: str
    keywords: tuple[str, ...] = field(default=())
    position: int = 0


_QUERY_FORMS = (
    ("select", SH.select),
    ("construct", SH.construct),
    ("ask", SH.ask),
)


def example_queries(store: Store) -> Graph:
    """The graph of example queries (``sgg:examples``), prefixes bound for serialising."""
    g = store.graph(EXAMPLES_GRAPH)
    bind_prefixes(g)
    for prefix, ns in EXTRA_PREFIXES.items():
        g.bind(prefix, ns)
    return g


def list_examples(store: Store, lang: str = "en") -> list[Example]:
    """Every example query, labelled in ``lang`` (falling back to English, then any),
    in the order of their ``schema:position`` and then their IRI."""
    return list(remembered(store, ("examples", lang), lambda: tuple(_examples(store, lang))))


def _examples(store: Store, lang: str) -> list[Example]:
    g = store.graph(EXAMPLES_GRAPH)
    found: list[Example] = []
    for subject in set(g.subjects(RDF.type, SH.SPARQLExecutable)):
        if not isinstance(subject, URIRef):
            continue
        kind, text = next(
            ((k, t) for k, p in _QUERY_FORMS if (t := g.value(subject, p)) is not None), ("", None)
        )
        if text is None:
            continue
        iri = str(subject)
        slug = iri[len(str(EXAMPLE)) :] if iri.startswith(str(EXAMPLE)) else iri
        position = g.value(subject, SCHEMA.position)
        found.append(
            Example(
                iri=subject,
                slug=slug,
                kind=kind,
                query=str(text),
                label=_text(g.objects(subject, RDFS.label), lang) or slug,
                comment=_text(g.objects(subject, RDFS.comment), lang),
                keywords=tuple(sorted(str(k) for k in g.objects(subject, SCHEMA.keywords))),
                position=as_int(position) if position is not None else 1_000_000,
            )
        )
    return sorted(found, key=lambda e: (e.position, e.slug))


def _text(values: Iterable[Node], lang: str) -> str:
    """The text of the literal labels.py picks for ``lang`` among ``values``; "" for none."""
    chosen = pick([value for value in values if isinstance(value, Literal)], lang)
    return str(chosen) if chosen is not None else ""
