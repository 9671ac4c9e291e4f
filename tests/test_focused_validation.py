"""A write's guard validates only the nodes it touches (``validate_nodes`` with the
shapes compiled ``focused``): on every example of tests/shapes/ it finds exactly the
results a full validation finds on those nodes — with ``?this`` bound first in the
query and in its OPTIONALs, and the constraints of a shape that targets none of the
nodes skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from scholargate.services.validation import validate
from scholargate.services.validation.compiler import Query
from scholargate.services.validation.report import ValidationReport
from scholargate.services.validation.run import focused_queries, validate_nodes
from scholargate.store import new_store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "tests" / "shapes").glob("*.ttl"))
DATA = URIRef("https://w3id.org/scholargate/graph/test-data")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        g.parse(path)
    return g


@pytest.fixture(scope="module")
def queries(shapes: Graph) -> list[Query]:
    return focused_queries(shapes)


def keys(report: ValidationReport, nodes: set) -> set[tuple]:
    return {
        (r.focus_node, r.path, r.value, r.source_shape, r.constraint, r.severity)
        for r in report.results
        if r.focus_node in nodes
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_focused_validation_finds_what_a_full_one_finds(
    path: Path, shapes: Graph, queries: list[Query]
) -> None:
    data = Graph().parse(path)
    store = new_store()
    store.extend(DATA, data)
    nodes = sorted({n for t in data for n in (t[0], t[2]) if isinstance(n, URIRef)}, key=str)
    full = validate(data, shapes=shapes, engine="compiled")
    focused = validate_nodes(store, nodes, queries, shapes)
    assert keys(focused, set(nodes)) == keys(full, set(nodes))
    if "-invalid-" in path.stem:
        assert keys(full, set(nodes)), "an invalid example with no result on an IRI"
    # one node at a time, as a small write touches them
    for node in nodes:
        alone = validate_nodes(store, [node], queries, shapes)
        assert keys(alone, {node}) == keys(full, {node}), node
