"""Exports of the bundled graph re-read isomorphically by pyoxigraph and rdflib."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from scholargate.formats import DATASET_FORMATS, GRAPH_FORMATS, by_name
from scholargate.namespaces import CURATED_GRAPH
from scholargate.services.export import export
from scholargate.store.oxigraph import OxigraphStore, native_format


def _export(store: OxigraphStore, name: str, graph=None) -> bytes:
    out = io.BytesIO()
    export(store, by_name(name), out, graph=graph)
    return out.getvalue()


@pytest.mark.parametrize("fmt", [f.name for f in DATASET_FORMATS])
def test_dataset_export_round_trips_every_graph(bundled_store: OxigraphStore, fmt: str) -> None:
    data = _export(bundled_store, fmt)
    # pyoxigraph reads it back quad for quad
    back = OxigraphStore()
    back.native.load(data, native_format(by_name(fmt)))
    assert back.graph_names() == bundled_store.graph_names()
    assert back.count() == bundled_store.count()
    # rdflib reads it back, and each named graph is isomorphic to the store's
    dataset = Dataset()
    dataset.parse(data=data, format=by_name(fmt).rdflib)
    for name in bundled_store.graph_names():
        assert isomorphic(dataset.graph(name), bundled_store.graph(name)), name


@pytest.mark.parametrize("fmt", [f.name for f in GRAPH_FORMATS])
def test_graph_export_round_trips(bundled_store: OxigraphStore, fmt: str) -> None:
    data = _export(bundled_store, fmt, graph=CURATED_GRAPH)
    expected = bundled_store.graph(CURATED_GRAPH)
    reread = Graph().parse(data=data, format=by_name(fmt).rdflib)
    assert isomorphic(reread, expected)
    triples = list(ox.parse(data, native_format(by_name(fmt))))
    assert len(triples) == len(expected)


def test_triple_export_of_everything_is_the_union(bundled_store: OxigraphStore) -> None:
    data = _export(bundled_store, "nt")
    reread = Graph().parse(data=data, format="nt")
    union = Graph()
    for name in bundled_store.graph_names():
        union += bundled_store.graph(name)
    assert len(reread) == len(union)


def test_export_refuses_a_results_format(bundled_store: OxigraphStore) -> None:
    from scholargate.errors import InputError

    with pytest.raises(InputError, match="not an RDF format"):
        export(bundled_store, by_name("csv"), io.BytesIO())
