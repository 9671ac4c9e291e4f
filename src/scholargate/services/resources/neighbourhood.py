"""A method's neighbourhood, the data of the drawing on its page (``render/svg.py``):
what it builds on, what builds on it and what it is related to, and the links among
them, read from the method's :class:`~.page.Description` plus one query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib.namespace import SKOS

from ... import terms as checked
from ...namespaces import SG
from ...store import Store

if TYPE_CHECKING:
    from .page import Description

MAX_NEIGHBOURS = 24  # nodes around a method in its neighbourhood graph


@dataclass(frozen=True)
class GraphNode:
    iri: str
    slug: str
    label: str
    lang: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # "related" | "buildsOn"


@dataclass
class Neighbourhood:
    """A method, its related and builds-on neighbours, and the links among them."""

    centre: GraphNode
    nodes: list[GraphNode]
    edges: list[Edge]
    omitted: int = 0  # neighbours left out to keep the drawing readable


def neighbourhood(store: Store, described: Description) -> Neighbourhood:
    """The method, what it builds on, what builds on it and what it is related to
    (at most ``MAX_NEIGHBOURS``, in that order), and the links among them."""
    me = described.iri
    centre = GraphNode(me, described.slug, described.label.text, described.label.lang)
    nodes: dict[str, GraphNode] = {}
    edges: dict[tuple[str, str, str], Edge] = {}  # insertion-ordered, no duplicates
    seen: set[str] = set()

    def add(a: str, b: str, kind: str) -> None:
        if (
            a != b
            and (a, b, kind) not in edges
            and (
                kind != "related" or (b, a, kind) not in edges  # symmetric: once
            )
        ):
            edges[(a, b, kind)] = Edge(a, b, kind)

    for prop, inverse, kind in (
        (SG.buildsOn, False, "buildsOn"),
        (SG.buildsOn, True, "buildsOn"),
        (SKOS.related, False, "related"),
    ):
        found = described.find(prop, inverse=inverse)
        for value in found.values if found else []:
            if not (value.local and value.local[0] == "method" and value.iri != me):
                continue
            if not checked.is_iri(str(value.iri)):  # one a query could not hold
                continue
            other = str(value.iri)
            seen.add(other)
            if other not in nodes:
                if len(nodes) >= MAX_NEIGHBOURS:
                    continue
                nodes[other] = GraphNode(other, value.local[1], value.text, value.lang)
            if inverse:
                add(other, me, kind)
            else:
                add(me, other, kind)
    if len(nodes) > 1:
        values = " ".join(checked.iri(n) for n in nodes)
        members = ", ".join(checked.iri(n) for n in nodes)
        for row in store.select(
            f"SELECT ?a ?p ?b WHERE {{ VALUES ?a {{ {values} }} ?a ?p ?b "
            f"FILTER(?p IN ({checked.iri(SKOS.related)}, {checked.iri(SG.buildsOn)}) "
            f"&& ?b IN ({members})) }}",
        ):
            kind = "related" if row["p"] == SKOS.related else "buildsOn"
            add(str(row["a"]), str(row["b"]), kind)
    return Neighbourhood(
        centre, list(nodes.values()), list(edges.values()), omitted=len(seen) - len(nodes)
    )
