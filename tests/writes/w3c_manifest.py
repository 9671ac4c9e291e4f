"""The W3C SPARQL 1.1 Update test manifests under ``w3c/`` read with rdflib: one
:class:`Case` per entry, in the manifests' order.

Kinds: ``evaluation`` (``mf:UpdateEvaluationTest``: a request, the dataset before and
after), ``positive-syntax`` and ``negative-syntax`` (``mf:PositiveUpdateSyntaxTest11``,
``mf:NegativeUpdateSyntaxTest11`` and the ``mf:NegativeSyntaxTest11`` entries of
``delete-insert``, whose actions are update requests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

SUITE = Path(__file__).resolve().parent / "w3c"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

_KINDS = {
    MF.UpdateEvaluationTest: "evaluation",
    MF.PositiveUpdateSyntaxTest11: "positive-syntax",
    MF.NegativeUpdateSyntaxTest11: "negative-syntax",
    MF.NegativeSyntaxTest11: "negative-syntax",
}


@dataclass(frozen=True)
class Dataset:
    """Turtle files for the default graph, and for each named graph by its IRI."""

    default: tuple[Path, ...] = ()
    named: dict[str, tuple[Path, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    id: str  # "<folder>/<entry>", e.g. "add/add01"
    kind: str
    name: str
    request: Path
    before: Dataset = Dataset()
    after: Dataset = Dataset()


def _path(node: Node) -> Path:
    return Path(unquote(urlsplit(str(node)).path))


def _dataset(graph: Graph, node: Node | None) -> Dataset:
    if node is None:
        return Dataset()
    default = tuple(_path(d) for d in graph.objects(node, UT.data))
    named: dict[str, tuple[Path, ...]] = {}
    for entry in graph.objects(node, UT.graphData):
        label = str(graph.value(entry, RDFS.label))
        named[label] = named.get(label, ()) + (_path(graph.value(entry, UT.graph)),)
    return Dataset(default, named)


def cases(folder: str) -> list[Case]:
    """The cases of one folder's ``manifest.ttl``."""
    manifest = SUITE / folder / "manifest.ttl"
    graph = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
    root = URIRef(manifest.as_uri())
    found = []
    for head in graph.objects(root, MF.entries):
        for entry in Collection(graph, head):
            kind = next((_KINDS[t] for t in graph.objects(entry, RDF.type) if t in _KINDS), None)
            if kind is None:
                continue
            action = graph.value(entry, MF.action)
            name = str(graph.value(entry, MF.name))
            local = str(entry).rsplit("#", 1)[-1]
            if kind == "evaluation":
                found.append(
                    Case(
                        f"{folder}/{local}",
                        kind,
                        name,
                        _path(graph.value(action, UT.request)),
                        _dataset(graph, action),
                        _dataset(graph, graph.value(entry, MF.result)),
                    )
                )
            else:
                found.append(Case(f"{folder}/{local}", kind, name, _path(action)))
    return found


FOLDERS = (
    "add",
    "basic-update",
    "clear",
    "copy",
    "delete",
    "delete-data",
    "delete-insert",
    "delete-where",
    "drop",
    "move",
    "update-silent",
    "syntax-update-1",
    "syntax-update-2",
)


def all_cases() -> list[Case]:
    return [case for folder in FOLDERS for case in cases(folder)]
