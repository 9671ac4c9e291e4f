"""The ontology as its page shows it: every named class, property and individual with a
label and a comment in the page language, and its axioms — ``EquivalentTo``,
``SubClassOf``, ``Domain``, ``Range`` — written in the OWL Manchester syntax.

An anonymous class (a blank node: an enumeration ``owl:oneOf``, ``owl:unionOf``,
``owl:intersectionOf``, ``owl:complementOf``, a restriction) is not a term: it is
written out where it is used (``sg:AliasKind`` EquivalentTo ``{Abbreviation, …}``),
never listed under a made-up name.

An expression is a list of segments, ``{"text": …, "href": …}`` (``href`` only on a
named term: ``#Local`` for the project's own, the IRI for any other), so a page links
each name and escapes the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ..namespaces import BASE, ONTOLOGY_GRAPH, bind_prefixes
from ..store import Store
from .labels import pick

Segment = dict[str, str]

_OWN = BASE + "ontology#"  # the project's own terms link to their anchor on the page

KINDS = (
    (OWL.Class, "classes"),
    (OWL.ObjectProperty, "properties"),
    (OWL.DatatypeProperty, "properties"),
    (OWL.AnnotationProperty, "properties"),
    (OWL.NamedIndividual, "individuals"),
)
# The axioms shown, in Manchester syntax's frame order.
AXIOMS = (
    ("EquivalentTo", OWL.equivalentClass),
    ("SubClassOf", RDFS.subClassOf),
    ("Domain", RDFS.domain),
    ("Range", RDFS.range),
)
# Restrictions: the property that holds the filler, and the Manchester keyword.
_RESTRICTIONS = (
    (OWL.someValuesFrom, "some"),
    (OWL.allValuesFrom, "only"),
    (OWL.hasValue, "value"),
    (OWL.minQualifiedCardinality, "min"),
    (OWL.maxQualifiedCardinality, "max"),
    (OWL.qualifiedCardinality, "exactly"),
    (OWL.minCardinality, "min"),
    (OWL.maxCardinality, "max"),
    (OWL.cardinality, "exactly"),
)
_MAX_DEPTH = 8  # deeper nesting is written "…": the page stays finite whatever the graph


def local_name(iri: str) -> str:
    """The part of ``iri`` after its ``#`` or last ``/``."""
    return iri.split("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]


def _text(values: Iterable[Node], lang: str) -> str:
    literals = [v for v in values if isinstance(v, Literal)]
    chosen = pick(literals, lang) if literals else None
    return str(chosen) if chosen is not None else ""


class _Writer:
    """Class expressions of one ontology graph as Manchester-syntax segments."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def name(self, term: URIRef) -> Segment:
        iri = str(term)
        if iri.startswith(_OWN):
            return {"text": local_name(iri), "href": "#" + local_name(iri)}
        try:
            prefix, _, local = self.graph.namespace_manager.compute_qname(iri, generate=False)
            text = f"{prefix}:{local}" if prefix else local
        except (KeyError, ValueError):
            text = iri
        return {"text": text, "href": iri}

    def write(self, node: Node, depth: int = 0, *, nested: bool = False) -> list[Segment]:
        if isinstance(node, URIRef):
            return [self.name(node)]
        if isinstance(node, Literal):
            return [{"text": f'"{node}"' if node.datatype is None else str(node)}]
        if depth >= _MAX_DEPTH:
            return [{"text": "…"}]
        g = self.graph
        members = g.value(node, OWL.oneOf)
        if members is not None:
            return self._joined(Collection(g, members), ", ", depth, "{", "}")
        for prop, word in ((OWL.unionOf, " or "), (OWL.intersectionOf, " and ")):
            members = g.value(node, prop)
            if members is not None:
                opened, closed = ("(", ")") if nested else ("", "")
                return self._joined(Collection(g, members), word, depth, opened, closed)
        other = g.value(node, OWL.complementOf)
        if other is not None:
            return [{"text": "not "}, *self.write(other, depth + 1, nested=True)]
        on = g.value(node, OWL.onProperty)
        if on is not None:
            return self._restriction(node, on, depth, nested)
        return [{"text": "an anonymous class"}]

    def _joined(
        self, members: Iterable[Node], word: str, depth: int, opened: str, closed: str
    ) -> list[Segment]:
        out: list[Segment] = [{"text": opened}] if opened else []
        for i, member in enumerate(members):
            if i:
                out.append({"text": word})
            out.extend(self.write(member, depth + 1, nested=True))
        if closed:
            out.append({"text": closed})
        return out

    def _restriction(self, node: Node, on: Node, depth: int, nested: bool) -> list[Segment]:
        g = self.graph
        for prop, word in _RESTRICTIONS:
            filler = g.value(node, prop)
            if filler is None:
                continue
            out = [*self.write(on, depth + 1), {"text": f" {word} "}]
            if word in ("min", "max", "exactly"):
                out.append({"text": str(filler)})
                qualifier = g.value(node, OWL.onClass) or g.value(node, OWL.onDataRange)
                if qualifier is not None:
                    out += [{"text": " "}, *self.write(qualifier, depth + 1, nested=True)]
            else:
                out.extend(self.write(filler, depth + 1, nested=True))
            return [{"text": "("}, *out, {"text": ")"}] if nested else out
        return [{"text": "a restriction on "}, *self.write(on, depth + 1)]


def ontology_terms(store: Store, lang: str) -> dict[str, list[dict[str, Any]]]:
    """The ontology's named classes, properties and individuals, each with ``iri``,
    ``local``, ``label``, ``comment`` (in ``lang`` along the fallback chain) and
    ``axioms`` (``{"keyword", "expression"}``, anonymous classes written out)."""
    graph = store.graph(ONTOLOGY_GRAPH)
    bind_prefixes(graph)
    writer = _Writer(graph)
    kinds: dict[URIRef, str] = {}
    for cls, kind in KINDS:  # the first kind listed wins: a class before an individual
        for term in graph.subjects(RDF.type, cls):
            if isinstance(term, URIRef):
                kinds.setdefault(term, kind)
    grouped: dict[str, list[dict[str, Any]]] = {"classes": [], "properties": [], "individuals": []}
    for term in sorted(kinds, key=str):
        local = local_name(str(term))
        axioms = [
            {"keyword": keyword, "expression": writer.write(value)}
            for keyword, prop in AXIOMS
            for value in sorted(graph.objects(term, prop), key=lambda v: (isinstance(v, BNode), v))
        ]
        grouped[kinds[term]].append(
            {
                "iri": str(term),
                "local": local,
                "label": _text(graph.objects(term, RDFS.label), lang) or local,
                "comment": _text(graph.objects(term, RDFS.comment), lang),
                "axioms": axioms,
            }
        )
    return grouped
