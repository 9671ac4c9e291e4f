"""SHACL property paths as SPARQL paths: one writer for the comparison rows, the
validation compiler and validation messages."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from scholargate.errors import InputError
from scholargate.services.shacl_path import to_sparql

EX = "http://example.org/"
SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:inverse-of-inverse sh:path [ sh:inversePath [ sh:inversePath ex:p ] ] .
ex:optional-star sh:path [ sh:zeroOrOnePath [ sh:zeroOrMorePath ex:p ] ] .
ex:sequence-of-alternatives sh:path ( ex:a [ sh:alternativePath ( ex:b ex:c ) ] ) .
ex:unknown sh:path [ sh:somethingElse ex:p ] .
"""


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(data=SHAPES, format="turtle")


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("inverse-of-inverse", f"^(^<{EX}p>)"),
        ("optional-star", f"(<{EX}p>*)?"),
        ("sequence-of-alternatives", f"<{EX}a>/(<{EX}b>|<{EX}c>)"),
    ],
)
def test_nested_paths_are_valid_sparql(shapes: Graph, shape: str, expected: str) -> None:
    text = to_sparql(shapes, shapes.value(URIRef(EX + shape), SH.path))
    assert text == expected
    ox.Store().query(f"SELECT * WHERE {{ ?x {text} ?y }}")  # Oxigraph parses it


def test_iris_can_be_written_as_prefixed_names(shapes: Graph) -> None:
    path = shapes.value(URIRef(EX + "sequence-of-alternatives"), SH.path)
    assert to_sparql(shapes, path, iri=lambda i: "ex:" + i[len(EX) :]) == "ex:a/(ex:b|ex:c)"


def test_an_unknown_path_node_is_refused(shapes: Graph) -> None:
    with pytest.raises(InputError, match="unsupported SHACL path"):
        to_sparql(shapes, shapes.value(URIRef(EX + "unknown"), SH.path))
