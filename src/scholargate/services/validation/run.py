"""The entry points: validate an rdflib graph, a store's data graphs, or new files.

Each compiles the shapes and runs the compiled engine, or pySHACL when asked to or
when the compiler refuses the shapes (``engine="auto"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Literal as Lit

from rdflib import Graph, URIRef
from rdflib.term import Node

from ...errors import InputError
from ...formats import for_path
from ...namespaces import GRAPH, sparql_prefixes
from ...store import Store, new_store
from ...terms import iri as sparql_iri
from .compiler import FOCUS_NODES, Compiler, Query, UnsupportedShapeError
from .engines import Runner, graph_runner, run_compiled, run_pyshacl, store_runner
from .report import ValidationReport

Engine = Lit["auto", "compiled", "pyshacl"]

#: Graphs of a store that describe the data rather than being data.
NON_DATA_GRAPHS = frozenset({GRAPH.ontology, GRAPH.shapes, GRAPH.metadata})


def validate(
    data: Graph,
    *,
    shapes: Graph,
    ontology: Graph | None = None,
    strict_nodes: frozenset[Node] = frozenset(),
    lang: str = "en",
    engine: Engine = "auto",
) -> ValidationReport:
    """Validate ``data`` against ``shapes``; warnings on ``strict_nodes`` block.

    ``ontology`` triples are added to the data (the class hierarchy for ``sh:class``),
    never inferred from. ``data`` is not modified.
    """
    if engine != "pyshacl":
        try:
            queries = Compiler(shapes).compile()
        except UnsupportedShapeError:
            if engine == "compiled":
                raise
        else:
            runner = graph_runner(data, ontology)
            return run_compiled(queries, runner, shapes, strict_nodes, lang)
    work = data
    if ontology is not None:
        work = Graph()
        work += data
        work += ontology
    return run_pyshacl(work, shapes, strict_nodes, lang)


def validate_store(store: Store, *, lang: str = "en", engine: Engine = "auto") -> ValidationReport:
    """Validate the data graphs of a store (everything but ontology, shapes and metadata).

    Graphs whose metadata says ``sg:validationPolicy sg:Strict`` are strict: a warning on
    any subject of such a graph blocks. The compiled engine queries the store in place,
    with the data graphs and the ontology as its default graph.
    """
    rows = store.select(
        sparql_prefixes() + "SELECT DISTINCT ?g WHERE { ?g sg:validationPolicy sg:Strict }"
    )
    strict_graphs = sorted({row["g"] for row in rows if "g" in row})
    names = [n for n in store.graph_names() if n not in NON_DATA_GRAPHS]
    strict: set[Node] = set()
    for name in strict_graphs:
        if name in names:
            answer = store.select(
                f"SELECT DISTINCT ?s WHERE {{ GRAPH {sparql_iri(str(name))} {{ ?s ?p ?o }} }}"
            )
            strict.update(row["s"] for row in answer)
    shapes = store.graph(GRAPH.shapes)
    default = [*names, GRAPH.ontology]
    if engine != "pyshacl":
        try:
            queries = Compiler(shapes).compile()
        except UnsupportedShapeError:
            if engine == "compiled":
                raise
        else:
            runner = store_runner(store, [str(n) for n in default])
            return run_compiled(queries, runner, shapes, frozenset(strict), lang)
    work = Graph()
    for name in default:
        work += store.graph(name)
    return run_pyshacl(work, shapes, frozenset(strict), lang)


def data_graphs(store: Store) -> list[str]:
    """The default graph the compiled queries read: every data graph and the ontology."""
    names = [n for n in store.graph_names() if n not in NON_DATA_GRAPHS]
    return [*(str(n) for n in names), str(GRAPH.ontology)]


def focused_queries(shapes: Graph) -> list[Query]:
    """The shapes compiled for :func:`validate_nodes` (compile once, run per write)."""
    return Compiler(shapes, focused=True).compile()


def validate_nodes(
    store: Store,
    nodes: Sequence[Node],
    queries: list[Query],
    shapes: Graph,
    *,
    strict_nodes: frozenset[Node] = frozenset(),
    lang: str = "en",
) -> ValidationReport:
    """Validate only ``nodes`` (IRIs; a write's guard), on the store as it is now, with
    the :func:`focused_queries` of ``shapes``; warnings on ``strict_nodes`` block.

    One query first finds which of ``nodes`` each shape targets; then each constraint's
    query runs on its shape's nodes only, and not at all for a shape that targets none
    (most of a write's nodes are targets of one shape or none)."""
    iris = [n for n in nodes if isinstance(n, URIRef)]
    graphs = data_graphs(store)
    runner = store_runner(store, graphs)
    if not iris:
        return run_compiled([], runner, shapes, strict_nodes, lang)
    targeted = _focus_nodes(runner, iris, queries)
    ready = []
    for q in queries:
        if q.focus is None:
            ready.append(replace(q, sparql=q.sparql.replace(FOCUS_NODES, _values(iris))))
        elif found := targeted.get(q.focus):
            # the shape's focus nodes are known: the query need not find them again
            sparql = q.sparql.replace(q.focus, "", 1).replace(FOCUS_NODES, _values(found))
            ready.append(replace(q, sparql=sparql))
    return run_compiled(ready, runner, shapes, strict_nodes, lang)


def _values(nodes: Sequence[Node]) -> str:
    return "VALUES ?this { " + " ".join(sparql_iri(str(n)) for n in nodes) + " }"


def _focus_nodes(runner: Runner, nodes: list[URIRef], queries: list[Query]) -> dict[str, list]:
    """Which of ``nodes`` each focus pattern of ``queries`` selects, in one query."""
    patterns = sorted({q.focus for q in queries if q.focus is not None})
    if not patterns:
        return {}
    only = _values(nodes)
    branches = " UNION ".join(
        f"{{ {pattern.replace(FOCUS_NODES, only)} BIND ({number} AS ?shape) }}"
        for number, pattern in enumerate(patterns)
    )
    found: dict[str, list] = {}
    for row in runner(f"SELECT ?shape ?this WHERE {{ {branches} }}"):
        found.setdefault(patterns[int(row["shape"].toPython())], []).append(row["this"])
    return found


def validate_files(
    store: Store, paths: Sequence[Path], *, lang: str = "en", engine: Engine = "auto"
) -> ValidationReport:
    """Validate new Turtle files as curated (strict) data, in the context of the graph
    they refer to: the store's data graphs and ontology. A file that does not parse is
    an error naming its path, line and column; nothing is written anywhere.

    (An edit of a file the store is built from needs no FILES: the store is rebuilt
    from the files before a plain ``validate``.)
    """
    scratch = new_store()
    for number, path in enumerate(paths):
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise InputError(f"{path}: cannot read: {error.strerror}") from None
        scratch.load(data, for_path(str(path)), graph=GRAPH[f"file-{number}"], source=str(path))
    added = Graph()
    for name in scratch.graph_names():
        added += scratch.graph(name)
    strict = frozenset(added.subjects())
    work = Graph()
    for name in store.graph_names():
        if name not in NON_DATA_GRAPHS or name == GRAPH.ontology:
            work += store.graph(name)
    work += added
    return validate(
        work, shapes=store.graph(GRAPH.shapes), strict_nodes=strict, lang=lang, engine=engine
    )
