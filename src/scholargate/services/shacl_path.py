"""SHACL property paths (https://www.w3.org/TR/shacl/#property-paths) as SPARQL paths."""

from __future__ import annotations

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


def to_sparql(shapes: Graph, path: Node) -> str:
    """The SPARQL 1.1 property path for the SHACL path ``path`` described in ``shapes``."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    if not isinstance(path, BNode):
        raise InputError(f"a SHACL path must be an IRI or a blank node, not {path!r}")
    if (path, RDF.first, None) in shapes:
        steps = [to_sparql(shapes, step) for step in Collection(shapes, path)]
        return "(" + "/".join(steps) + ")"
    alternatives = shapes.value(path, SH.alternativePath)
    if alternatives is not None:
        options = [to_sparql(shapes, step) for step in Collection(shapes, alternatives)]
        return "(" + "|".join(options) + ")"
    for predicate, template in _UNARY.items():
        inner = shapes.value(path, predicate)
        if inner is not None:
            return template.format(to_sparql(shapes, inner))
    raise InputError(f"unsupported SHACL path node {path}")
