"""Build a store from the sources: one named graph per source, plus metadata.

Every ``*.meta.ttl`` goes to ``sgg:metadata`` together with what the build measures
(triples per graph). ``skos:related`` is symmetric, so the build adds the inverse of
every related link inside the graph that states it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, VOID, XSD

from .. import __version__
from ..errors import InputError
from ..formats import for_path
from ..namespaces import (
    DATASET,
    METADATA_GRAPH,
    ONTOLOGY_GRAPH,
    SG,
    SHAPES_GRAPH,
    sparql_prefixes,
)
from ..services.saved import readable_triples
from ..store import Store
from .sources import Source, discover, fingerprint, relative

CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    """What a build did: triples per graph (``sgg:metadata`` included), quads, seconds,
    the sources' fingerprint; ``rebuilt`` is false when an on-disk store was found up to
    date."""

    triples: dict[URIRef, int] = field(default_factory=dict)
    quads: int = 0
    seconds: float = 0.0
    fingerprint: str = ""
    rebuilt: bool = True


def build_store(
    store: Store,
    root: Path,
    *,
    saved: Path | None = None,
    progress: Progress | None = None,
    own_graphs_only: bool = False,
) -> BuildReport:
    """Empty ``store`` and load every source under ``root`` (and ``saved``) into it;
    ``own_graphs_only`` empties only the graphs the sources and the build write (a
    SPARQL server may hold other graphs, left as they are)."""
    started = time.perf_counter()
    sources = discover(root, saved)
    if not any(s.role == "curated" for s in sources):
        raise InputError(f"{root}: no data/curated/*.ttl found; is this a ScholarGate checkout?")
    report = BuildReport(fingerprint=fingerprint(root, sources))
    if own_graphs_only:
        for graph in dict.fromkeys([*(s.graph for s in sources), METADATA_GRAPH]):
            store.replace_graph(graph, ())
    else:
        store.clear()
    for source in sources:
        if progress:
            progress(relative(source.path, root))
        try:
            # a saved-comparisons file is written by the server: a bad line is skipped
            data = (
                readable_triples(source.path)
                if source.role == "saved"
                else source.path.read_bytes()
            )
        except OSError as error:
            raise InputError(f"{source.path}: cannot read: {error.strerror}") from None
        store.load(data, for_path(source.path.name), graph=source.graph, source=str(source.path))
    _close_related(store)
    _describe(store, root, sources, report)
    report.quads = store.count()
    report.seconds = time.perf_counter() - started
    return report


def _close_related(store: Store) -> None:
    """State every ``skos:related`` link in both directions, in the graph that has it."""
    store.update(
        sparql_prefixes()
        + """INSERT { GRAPH ?g { ?b skos:related ?a } }
WHERE { GRAPH ?g { ?a skos:related ?b } FILTER NOT EXISTS { GRAPH ?g { ?b skos:related ?a } } }"""
    )


def _describe(store: Store, root: Path, sources: list[Source], report: BuildReport) -> None:
    """Add what the build knows to the metadata graph: graphs, sizes, files, licences."""
    meta = store.graph(METADATA_GRAPH)
    meta.add((DATASET, RDF.type, VOID.Dataset))
    meta.add((DATASET, DCTERMS.title, Literal("ScholarGate", lang="en")))
    meta.add((DATASET, DCTERMS.hasVersion, Literal(__version__)))
    shapes = hashlib.sha256()
    for source in sources:
        if source.role == "shapes":
            shapes.update(source.path.read_bytes())
    meta.add((DATASET, SG.shapesVersion, Literal(shapes.hexdigest()[:16])))
    for name in (ONTOLOGY_GRAPH, SHAPES_GRAPH):
        meta.add((name, DCTERMS.license, CC_BY))
        meta.add((name, SG.validationPolicy, SG.Strict))
    for graph in store.graph_names():
        if graph == METADATA_GRAPH:
            continue
        triples = store.count(graph)
        report.triples[graph] = triples
        meta.add((DATASET, VOID.subset, graph))
        meta.add((graph, RDF.type, VOID.Dataset))
        # the build's count is the one that holds: a sidecar's may be out of date
        meta.remove((graph, VOID.triples, None))
        meta.add((graph, VOID.triples, Literal(triples, datatype=XSD.integer)))
        if (graph, SG.validationPolicy, None) not in meta:
            meta.add((graph, SG.validationPolicy, SG.Lenient))
    for source in sources:
        if source.role not in ("metadata", "saved"):
            meta.add((source.graph, PROV.wasDerivedFrom, Literal(relative(source.path, root))))
    store.replace_graph(METADATA_GRAPH, meta)
    report.triples[METADATA_GRAPH] = store.count(METADATA_GRAPH)  # the table lists it too
