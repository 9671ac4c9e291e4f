"""Loading one graph into a SPARQL server in pieces (``scholargate push``).

A graph's N-Triples are cut into pieces of at most ``size`` triples
(:func:`pieces`); the first piece replaces the graph on the server and every later one
adds to it (:class:`GraphSender`): by the Graph Store Protocol (``PUT``, then ``POST``)
or, for a server without one, by SPARQL Update (``DROP SILENT GRAPH`` with
``INSERT DATA`` in one request, then ``INSERT DATA``).

Blank nodes: a blank node's label holds only within one document, so a server makes a
new node of ``_:b1`` in every request. Pieces therefore never split a blank node: the
triples that name blank nodes are grouped by the blank nodes they share (connected
groups, found with a union-find), and a group goes whole into one piece (a group larger
than ``size`` is a piece of its own). Blank nodes stay blank on the server (nothing is
skolemised, so a pulled graph is the graph pushed); the price is that a graph's
blank-node triples are held in memory while they are grouped, and that a blank node
shared by two graphs becomes two nodes (each graph is its own document). Triples
without blank nodes stream through in dump order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Literal

import pyoxigraph as ox
from rdflib import URIRef

from ...errors import InputError
from ...terms import iri as sparql_iri
from .store import RemoteStore

Method = Literal["gsp", "update"]
METHODS: tuple[Method, ...] = ("gsp", "update")


@dataclass(frozen=True)
class Piece:
    """Part of one graph: its N-Triples and how many triples they hold."""

    body: bytes
    triples: int


def _body(triples: list[ox.Triple]) -> bytes:
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)


def _blank_nodes(triple: ox.Triple) -> list[str]:
    return [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]


def pieces(ntriples: IO[bytes], size: int) -> Iterator[Piece]:
    """The triples of one graph's N-Triples in pieces of at most ``size`` triples (a
    blank-node group larger than ``size`` excepted), the same pieces for the same
    input: triples without blank nodes first, in their order, then the blank-node
    groups in the order their first triple came."""
    if size < 1:
        raise InputError("a piece holds at least one triple")
    ground: list[ox.Triple] = []
    blank: list[ox.Triple] = []
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for quad in ox.parse(ntriples, ox.RdfFormat.N_TRIPLES):
        triple = quad.triple
        nodes = _blank_nodes(triple)
        if not nodes:
            ground.append(triple)
            if len(ground) == size:
                yield Piece(_body(ground), size)
                ground = []
            continue
        blank.append(triple)
        for node in nodes:
            parent.setdefault(node, node)
        if len(nodes) == 2:
            a, b = root(nodes[0]), root(nodes[1])
            if a != b:
                parent[b] = a
    if ground:
        yield Piece(_body(ground), len(ground))
    groups: dict[str, list[ox.Triple]] = {}
    for triple in blank:
        groups.setdefault(root(_blank_nodes(triple)[0]), []).append(triple)
    piece: list[ox.Triple] = []
    for group in groups.values():
        if piece and len(piece) + len(group) > size:
            yield Piece(_body(piece), len(piece))
            piece = []
        piece += group
    if piece:
        yield Piece(_body(piece), len(piece))


class GraphSender:
    """Sends the pieces of graphs to ``store``'s server by ``method`` (``gsp`` or
    ``update``; None: the Graph Store Protocol when the store has a Graph Store URL,
    else SPARQL Update)."""

    def __init__(self, store: RemoteStore, method: Method | None = None) -> None:
        endpoint = store.endpoint
        if method is None:
            method = "gsp" if endpoint.gsp_url is not None else "update"
        if method not in METHODS:
            raise InputError(f"unknown way to load a graph {method!r}: gsp or update")
        if method == "gsp" and endpoint.gsp_url is None:
            raise InputError(
                f"loading by the Graph Store Protocol needs the Graph Store URL of the server "
                f"at {store.server} (--gsp URL or SCHOLARGATE_STORE_GSP)"
            )
        if method == "update" and endpoint.update_url is None:
            raise InputError(
                f"loading by SPARQL Update needs the Update URL of the server at "
                f"{store.server} (--update URL or SCHOLARGATE_STORE_UPDATE)"
            )
        self.endpoint, self.method = endpoint, method

    def replace(self, graph: URIRef, piece: Piece | None) -> None:
        """Make ``graph`` hold ``piece`` alone (nothing for None), in one request."""
        body = piece.body if piece is not None else b""
        if self.method == "gsp":
            self.endpoint.send("PUT", graph, body)
            return
        target = sparql_iri(str(graph))
        data = f" ; INSERT DATA {{ GRAPH {target} {{ {body.decode()} }} }}" if body else ""
        self.endpoint.update(f"DROP SILENT GRAPH {target}{data}")

    def add(self, graph: URIRef, piece: Piece) -> None:
        """Add ``piece`` to ``graph``, in one request."""
        if self.method == "gsp":
            self.endpoint.send("POST", graph, piece.body)
            return
        target = sparql_iri(str(graph))
        self.endpoint.update(f"INSERT DATA {{ GRAPH {target} {{ {piece.body.decode()} }} }}")
