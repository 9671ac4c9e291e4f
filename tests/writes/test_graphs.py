"""The Graph Store Protocol's operations as deltas (services/writes/graphs.py, issue 14),
on a small embedded store: PUT, POST, DELETE, the default graph and new graphs."""

from __future__ import annotations

import re

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef

from scholargate.errors import InputError, MethodNotAllowedError, NotFoundError
from scholargate.formats import by_name
from scholargate.namespaces import CONTRIBUTED_GRAPH, CURATED_GRAPH, GRAPH
from scholargate.services.writes.access import may_write
from scholargate.services.writes.delta import Delta
from scholargate.services.writes.graphs import (
    Target,
    check_graph_iri,
    delete_delta,
    graph_exists,
    new_graph_iri,
    post_delta,
    put_delta,
    read_graph,
    target,
    write_status,
)
from scholargate.services.writes.upload import parse_upload
from scholargate.store import Store, new_store

EX = Namespace("http://example.org/")
OTHER = GRAPH["other"]
NEW = URIRef("http://example.org/graph/new")


@pytest.fixture
def store() -> Store:
    store = new_store()
    ttl = by_name("ttl")
    store.load(
        "@prefix ex: <http://example.org/> . ex:a ex:p 1 , 2 . ex:a ex:q [ ex:r 3 ] .",
        ttl,
        graph=CURATED_GRAPH,
    )
    store.load("<http://example.org/z> <http://example.org/p> 9 .", ttl, graph=OTHER)
    return store


def quads(graph: URIRef, turtle: str) -> list:
    return parse_upload(
        ("@prefix ex: <http://example.org/> . " + turtle).encode(),
        "text/turtle",
        graph=graph,
        max_triples=100,
    )


def apply(store: Store, delta: Delta) -> None:
    store.change(delta.removed, delta.added)


def triples(store: Store, graph: URIRef) -> set:
    return {t for t in store.graph(graph) if not any(isinstance(n, BNode) for n in t)}


# ---- PUT ------------------------------------------------------------------------------------


def test_put_on_an_existing_graph_replaces_it(store: Store) -> None:
    assert graph_exists(store, CURATED_GRAPH)
    delta = put_delta(store, CURATED_GRAPH, quads(CURATED_GRAPH, "ex:a ex:p 2 , 4 ."))
    added = {q[:3] for q in delta.added}
    removed = {q[:3] for q in delta.removed}
    assert added == {(EX.a, EX.p, Literal(4))}
    assert (EX.a, EX.p, Literal(1)) in removed and (EX.a, EX.p, Literal(2)) not in removed
    assert len(removed) == 3  # 1, and the blank node's two triples
    assert write_status(True, delta) == 204
    apply(store, delta)
    assert set(store.graph(CURATED_GRAPH)) == {(EX.a, EX.p, Literal(2)), (EX.a, EX.p, Literal(4))}
    assert triples(store, OTHER) == {(EX.z, EX.p, Literal(9))}  # other graphs untouched


def test_put_on_a_new_graph_creates_it(store: Store) -> None:
    assert not graph_exists(store, NEW)
    delta = put_delta(store, NEW, quads(NEW, "ex:b ex:p 1 ."))
    assert delta.removed == frozenset()
    assert {q[:3] for q in delta.added} == {(EX.b, EX.p, Literal(1))}
    assert write_status(False, delta) == 201
    apply(store, delta)
    assert graph_exists(store, NEW)


def test_put_of_the_same_triples_again_changes_nothing(store: Store) -> None:
    apply(store, put_delta(store, NEW, quads(NEW, "ex:b ex:p 1 , 2 .")))
    assert not put_delta(store, NEW, quads(NEW, "ex:b ex:p 2 , 1 ."))


def test_put_of_nothing_empties_the_graph(store: Store) -> None:
    delta = put_delta(store, OTHER, [])
    assert {q[:3] for q in delta.removed} == {(EX.z, EX.p, Literal(9))} and not delta.added
    apply(store, delta)
    assert not graph_exists(store, OTHER)


def test_quads_of_another_graph_are_a_programming_error(store: Store) -> None:
    with pytest.raises(ValueError):
        put_delta(store, NEW, quads(OTHER, "ex:b ex:p 1 ."))
    with pytest.raises(ValueError):
        post_delta(store, NEW, quads(OTHER, "ex:b ex:p 1 ."))


# ---- POST -----------------------------------------------------------------------------------


def test_post_merges_and_a_second_post_adds_nothing(store: Store) -> None:
    upload = quads(CURATED_GRAPH, "ex:a ex:p 1 , 5 .")
    delta = post_delta(store, CURATED_GRAPH, upload)
    assert not delta.removed
    assert {q[:3] for q in delta.added} == {(EX.a, EX.p, Literal(5))}
    assert write_status(True, delta) == 204
    apply(store, delta)
    assert not post_delta(store, CURATED_GRAPH, upload)
    assert (EX.a, EX.p, Literal(1)) in triples(store, CURATED_GRAPH)


def test_post_of_blank_nodes_adds_new_ones_each_time(store: Store) -> None:
    """RDF merge: an upload's blank nodes are its own, so the same body twice is two."""
    body = "ex:c ex:q [ ex:r 1 ] ."
    apply(store, post_delta(store, NEW, quads(NEW, body)))
    apply(store, post_delta(store, NEW, quads(NEW, body)))
    assert len({o for _s, _p, o in store.graph(NEW) if isinstance(o, BNode)}) == 2


def test_post_to_a_new_graph_is_created(store: Store) -> None:
    delta = post_delta(store, NEW, quads(NEW, "ex:b ex:p 1 ."))
    assert write_status(graph_exists(store, NEW), delta) == 201


# ---- DELETE ---------------------------------------------------------------------------------


def test_delete_removes_every_triple_of_the_graph(store: Store) -> None:
    delta = delete_delta(store, CURATED_GRAPH)
    assert len(delta.removed) == 4 and not delta.added
    assert delta.graphs == {CURATED_GRAPH}
    apply(store, delta)
    assert not graph_exists(store, CURATED_GRAPH)
    assert graph_exists(store, OTHER)


def test_delete_of_a_missing_graph_is_404_naming_it(store: Store) -> None:
    with pytest.raises(NotFoundError) as caught:
        delete_delta(store, NEW)
    assert caught.value.status == 404
    assert str(NEW) in caught.value.message


# ---- the request's target: ?graph=, ?default, the store itself ------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "put"])
def test_put_and_delete_on_the_default_graph_are_405(method: str) -> None:
    with pytest.raises(MethodNotAllowedError) as caught:
        target(method, graph=None, default=True)
    error = caught.value
    assert error.status == 405
    assert error.details["allow"] == ["GET", "HEAD", "POST"]
    assert "union" in error.message and "?graph=" in error.message


def test_post_to_the_default_graph_merges_into_the_contributed_graph() -> None:
    assert target("POST", graph=None, default=True) == Target(CONTRIBUTED_GRAPH)


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_reading_the_default_graph_reads_the_union(store: Store, method: str) -> None:
    request = target(method, graph=None, default=True)
    assert request == Target(None)
    assert read_graph(store, request) is None


def test_reading_a_graph_names_it_and_a_missing_one_is_404(store: Store) -> None:
    assert read_graph(store, target("GET", graph=str(OTHER), default=False)) == OTHER
    with pytest.raises(NotFoundError):
        read_graph(store, target("HEAD", graph=str(NEW), default=False))


def test_post_to_the_store_itself_mints_a_writable_graph() -> None:
    request = target("POST", graph=None, default=False)
    assert request.minted
    assert re.fullmatch(
        r"https://w3id\.org/scholargate/graph/contributed/[0-9a-f]{32}", str(request.graph)
    )
    assert may_write("writer", request.graph)  # type: ignore[arg-type]
    assert new_graph_iri() != new_graph_iri()


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "HEAD"])
def test_other_methods_on_the_store_itself_need_a_graph(method: str) -> None:
    with pytest.raises(InputError, match=r"\?graph=<IRI> or \?default"):
        target(method, graph=None, default=False)


def test_graph_and_default_together_are_400() -> None:
    with pytest.raises(InputError, match="not both"):
        target("GET", graph=str(OTHER), default=True)


def test_a_method_the_protocol_has_not_is_405() -> None:
    with pytest.raises(MethodNotAllowedError) as caught:
        target("PATCH", graph=str(OTHER), default=False)
    assert "POST" in caught.value.details["allow"]


@pytest.mark.parametrize(
    "value",
    ["graph/curated", "", "http://example.org/a b", "<http://example.org/a>", "urn:" + "x>" * 60],
)
def test_a_graph_value_that_is_not_an_absolute_iri_is_400_quoting_it(value: str) -> None:
    with pytest.raises(InputError) as caught:
        check_graph_iri(value)
    message = caught.value.message
    assert "absolute IRI" in message
    assert repr(value[:80] + ("…" if len(value) > 80 else "")) in message


def test_a_graph_value_that_is_an_iri_is_the_graph() -> None:
    assert check_graph_iri(str(CURATED_GRAPH)) == CURATED_GRAPH
    assert target("PUT", graph="urn:x-graph:1", default=False) == Target(URIRef("urn:x-graph:1"))


# ---- who may write the new graphs -----------------------------------------------------------


def test_writers_write_graphs_under_contributed_but_nothing_that_looks_like_another() -> None:
    base = str(CONTRIBUTED_GRAPH) + "/"
    assert may_write("writer", URIRef(base + "0123abcd"))
    for name in ("../ontology", "a/b", "", "a b", "x" * 201):
        assert not may_write("writer", URIRef(base + name)), name
    assert not may_write("writer", GRAPH["ontology"])
    assert may_write("admin", GRAPH["ontology"])


# ---- an upload through to the store -----------------------------------------------------------


def test_an_upload_put_and_read_back(store: Store) -> None:
    body = (
        b'{"@id": "http://example.org/m",'
        b' "http://example.org/label": {"@value": "x", "@language": "fa"}}'
    )
    upload = parse_upload(body, "application/ld+json", graph=NEW, max_triples=10)
    existed = graph_exists(store, NEW)
    delta = put_delta(store, NEW, upload)
    apply(store, delta)
    assert write_status(existed, delta) == 201
    expected = Graph()
    expected.add((EX.m, EX.label, Literal("x", lang="fa")))
    assert set(store.graph(NEW)) == set(expected)
