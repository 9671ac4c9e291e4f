"""A large update is read in linear time: the triples of DATA blocks and templates are
kept as written, never put through rdflib's evaluation order (``reorderTriples``, which
is quadratic: a 3,000-triple INSERT DATA took 50 s in it, found by the crash trials)."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef, Variable
from rdflib.plugins.sparql import algebra

from scholargate.services.writes.update import parse_update

EX = "http://example.org/"
G = URIRef(EX + "g")


@pytest.fixture
def reordered(monkeypatch: pytest.MonkeyPatch) -> list[list]:
    """The triple lists rdflib's ``reorderTriples`` is given (only a WHERE's may be)."""
    calls: list[list] = []
    original = algebra.reorderTriples

    def recorded(triples):  # noqa: ANN001, ANN202
        calls.append(list(triples))
        return original(calls[-1])

    monkeypatch.setattr(algebra, "reorderTriples", recorded)
    return calls


def test_a_large_insert_data_keeps_every_triple_in_order(reordered: list[list]) -> None:
    body = " .\n".join(f'<{EX}s{i % 7}> <{EX}p> "v{i}"' for i in range(2000))
    (op,) = parse_update(f"INSERT DATA {{ {body} . GRAPH <{G}> {{ <{EX}a> <{EX}p> <{EX}b> }} }}")
    assert len(op.quads) == 2001
    assert op.quads[0] == (URIRef(EX + "s0"), URIRef(EX + "p"), Literal("v0"), None)
    assert op.quads[1999][2] == Literal("v1999")
    assert op.quads[2000] == (URIRef(EX + "a"), URIRef(EX + "p"), URIRef(EX + "b"), G)
    assert reordered == []


def test_templates_and_delete_where_are_read_without_reordering(reordered: list[list]) -> None:
    ops = parse_update(
        f"PREFIX : <{EX}>\n"
        "DELETE { ?c :count ?n } INSERT { GRAPH :g { ?c :count ?m } } "
        "WHERE { ?c :count ?n BIND(?n + 1 AS ?m) } ;\n"
        "DELETE WHERE { ?x :p ?y . ?y :q ?z } ;\n"
        "DELETE DATA { :a :p :b }"
    )
    modify, delete_where, delete_data = ops
    c, n, m = Variable("c"), Variable("n"), Variable("m")
    count = URIRef(EX + "count")
    assert list(modify.deletes) == [(c, count, n, None)]
    assert list(modify.inserts) == [(c, count, m, G)]
    assert len(delete_where.deletes) == 2
    assert list(delete_data.quads) == [(URIRef(EX + "a"), URIRef(EX + "p"), URIRef(EX + "b"), None)]
    assert reordered == [[(c, count, n)]]  # the WHERE's pattern only
