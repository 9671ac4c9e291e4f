"""SHACL property paths (https://www.w3.org/TR/shacl/#property-paths) as SPARQL paths."""

from __future__ import annotations

from collections.abc import Callable

from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from ..errors import InputError

_UNARY = {
    SH.inversePath: "^{}",
    SH.zeroOrMorePath: "{}*",
    SH.oneOrMorePath: "{}+",
    SH.zeroOrOnePath: "{}?",
}


def _angled(iri: URIRef) -> str:
    return f"<{iri}>"


def to_sparql(shapes: Graph, path: Node, *, iri: Callable[[URIRef], str] = _angled) -> str:
    """The SPARQL 1.1 property path for the SHACL path ``path`` described in ``shapes``;
    ``iri`` writes each IRI (``<…>`` by default, a prefixed name for display).

    Every step that is not an IRI is put in parentheses, so that nested paths stay valid
    SPARQL (``^(^<p>)``, ``(<p>*)?``). An unknown path node is an :class:`InputError`.
    """
    if isinstance(path, URIRef):
        return iri(path)
    if not isinstance(path, BNode):
        raise InputError(f"a SHACL path must be an IRI or a blank node, not {path!r}")

    def step(node: Node) -> str:
        text = to_sparql(shapes, node, iri=iri)
        return text if isinstance(node, URIRef) else f"({text})"

    if (path, RDF.first, None) in shapes:
        return "/".join(step(s) for s in Collection(shapes, path))
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        return "|".join(step(s) for s in Collection(shapes, alternatives))
    for predicate, template in _UNARY.items():
        inner = shapes.value(path, predicate)
        if inner is not None:
            return template.format(step(inner))
    raise InputError(f"unsupported SHACL path node {path}")
