"""A SPARQL 1.1 Update request turned into deltas, one per operation, before anything
is committed (issue 14).

::

    ops = parse_update(text)                     # checked; nothing runs
    total = Delta()
    for op in ops:                               # each sees the ones before it
        d = op.delta(store, insert_graph=CONTRIBUTED_GRAPH)
        store.change(d.removed, d.added)
        total = total.then(d)
    # the guard refuses? store.change(total.added, total.removed) puts it back

:func:`update_delta` runs that loop and puts the store back: the request's whole delta,
the store unchanged (a dry run).

**The model.** Every triple lives in a named graph; the default graph is their union.
A triple without GRAPH is inserted into the ``insert_graph`` the caller names, and
deleted from every graph that holds it. ``WITH <g>`` makes ``<g>`` the default graph of
the templates and the WHERE; ``USING``/``USING NAMED`` give the WHERE its dataset.
``DEFAULT``, ``NAMED`` and ``ALL`` in CLEAR and DROP mean every graph (the caller's role
check refuses what a role may not touch); a graph exists while it holds triples
(``graphs.py`` says what that makes of CREATE, ADD, MOVE and COPY).

**Reading.** rdflib's update parser and algebra give each operation's structure and
templates (PREFIX, BASE and prefixed names resolved), and check the syntax. The WHERE
clause is not rebuilt from rdflib's algebra but cut out of the request with the
project's tokenizer (which knows strings, IRIs and comments) and asked of the store as
``SELECT DISTINCT … WHERE { … }`` under the request's prologue: the store's engine then
evaluates the very pattern the user wrote, with its own semantics for every function,
path and sub-select, where turning rdflib's algebra back into text
(``translateAlgebra``) is lossy and only as good as rdflib's coverage of the language.
The two readings are checked to agree on the operations (their number and keywords).

**Bounds.** At most ``max_operations`` operations (50) per request and ``max_quads``
quads (100,000) per delta, counted while the delta is built; LOAD and SERVICE are
refused before anything runs.

Rooms: ``reading.py`` (:func:`parse_update`), ``sections.py`` (the text cut at its
operations), ``operation.py`` (the base class, the budget, template instantiation),
``data.py`` (INSERT DATA, DELETE DATA), ``patterns.py`` (DELETE/INSERT WHERE, DELETE
WHERE), ``graphs.py`` (CLEAR, DROP, CREATE, ADD, MOVE, COPY), ``lookups.py`` (which
graphs hold a triple).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from rdflib import URIRef

from ....errors import InputError
from ....store import Store
from ....terms import is_iri, shown
from ..delta import Delta
from .data import DeleteData, InsertData
from .graphs import ClearGraph, CreateGraph, Transfer
from .operation import MAX_QUADS, Budget, Operation
from .patterns import Modify
from .reading import MAX_OPERATIONS, parse_update

__all__ = [
    "MAX_OPERATIONS",
    "MAX_QUADS",
    "ClearGraph",
    "CreateGraph",
    "DeleteData",
    "InsertData",
    "Modify",
    "Operation",
    "Transfer",
    "parse_update",
    "bounded",
    "update_delta",
    "with_dataset",
]


def update_delta(
    store: Store,
    text: str,
    *,
    insert_graph: URIRef,
    max_quads: int = MAX_QUADS,
    base: str | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> Delta:
    """The delta of a whole update request against ``store``, the store left as it was.

    Each operation is applied so the next one sees it, then everything is put back
    (also when an operation fails, whose error is raised). The request's delta holds at
    most ``max_quads`` quads, as each operation's does."""
    total = Delta()
    budget = Budget(max_quads, "the update")
    try:
        for op in parse_update(text, base=base, prefixes=prefixes):
            step = op.delta(store, insert_graph=insert_graph, max_quads=max_quads)
            if step:
                store.change(step.removed, step.added)
                total = total.then(step)
            budget.check(len(total.removed) + len(total.added))
    finally:
        if total:
            store.change(total.added, total.removed)
    return total


def with_dataset(
    operations: list[Operation], using: Sequence[str], using_named: Sequence[str]
) -> list[Operation]:
    """The operations with the protocol's ``using-graph-uri`` / ``using-named-graph-uri``
    as the dataset of every WHERE; an operation that names its own (USING, USING NAMED
    or WITH) is a 400, as the SPARQL 1.1 Protocol says."""
    graphs = [checked_graph(g, "using-graph-uri") for g in using]
    named = [checked_graph(g, "using-named-graph-uri") for g in using_named]
    out: list[Operation] = []
    for op in operations:
        if isinstance(op, Modify):
            if op.using is not None or op.using_named is not None or op.with_graph is not None:
                raise InputError(
                    "the update names its own dataset (USING, USING NAMED or WITH) and the "
                    "request gives using-graph-uri or using-named-graph-uri: give one of them"
                )
            op = replace(op, using=graphs, using_named=named)
        out.append(op)
    return out


def bounded(operations: list[Operation], timeout: float) -> list[Operation]:
    """The operations with every WHERE limited to ``timeout`` seconds (run where the
    store can stop it: see ``Modify.timeout``)."""
    return [replace(op, timeout=timeout) if isinstance(op, Modify) else op for op in operations]


def checked_graph(value: str, where: str) -> URIRef:
    if not is_iri(value):
        raise InputError(f"{where} is not an absolute IRI: {shown(value)!r}")
    return URIRef(value)
