"""Build the store from the RDF in git: one named graph per source, plus metadata.

Sources, relative to the project root:

========================  =================================
``ontology/*.ttl``        ``sgg:ontology``
``shapes/*.ttl``          ``sgg:shapes``
``data/curated/*.ttl``    ``sgg:curated`` (described by ``data/curated.meta.ttl``)
``data/imported/X.ttl``   ``sgg:X`` (described by ``data/imported/X.meta.ttl``)
``data/examples/*.ttl``   ``sgg:examples`` (example queries)
``data/links/X.ttl``      ``sgg:links-X`` (``scholargate link X``; ``X.meta.ttl``)
========================  =================================

Every ``*.meta.ttl`` goes to ``sgg:metadata`` together with what the build measures
(triples per graph). ``skos:related`` is symmetric, so the build adds the inverse of
every related link inside the graph that states it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, VOID, XSD

from . import __version__
from .errors import InputError, ScholarGateError
from .formats import for_path
from .namespaces import (
    DATASET,
    GRAPH,
    METADATA_GRAPH,
    ONTOLOGY_GRAPH,
    SG,
    SHAPES_GRAPH,
    sparql_prefixes,
)
from .services.saved import readable_triples
from .store import Store
from .store.oxigraph import OxigraphStore

# Bump when the build changes what it writes, so on-disk stores are rebuilt.
BUILD_SCHEMA = "1"
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Source:
    """One file of RDF and the named graph it goes to."""

    path: Path
    graph: URIRef
    role: str  # ontology | shapes | curated | imported | examples | metadata


@dataclass
class BuildReport:
    triples: dict[URIRef, int] = field(default_factory=dict)
    quads: int = 0
    seconds: float = 0.0
    fingerprint: str = ""
    rebuilt: bool = True


def find_root(start: Path | None = None) -> Path:
    """The project root: the nearest folder up from ``start`` (default: the working
    directory, then this package's location) holding ``ontology/`` and ``data/``."""
    candidates = [start] if start is not None else [Path.cwd(), Path(__file__).resolve()]
    for candidate in candidates:
        for folder in [candidate, *candidate.parents]:
            if (folder / "ontology").is_dir() and (folder / "data").is_dir():
                return folder
    where = start or Path.cwd()
    raise InputError(
        f"no ScholarGate data found at or above {where}: run inside a clone of the "
        "repository or set SCHOLARGATE_ROOT"
    )


def discover(root: Path, saved: Path | None = None) -> list[Source]:
    """Every source file under ``root`` (and the saved comparisons), in a stable order."""
    sources: list[Source] = []

    def add(pattern: str, graph: URIRef | None, role: str) -> None:
        for path in sorted(root.glob(pattern)):
            if path.name.endswith(".meta.ttl"):
                continue
            sources.append(Source(path, graph or GRAPH[path.stem], role))

    add("ontology/*.ttl", ONTOLOGY_GRAPH, "ontology")
    add("shapes/*.ttl", SHAPES_GRAPH, "shapes")
    add("data/curated/*.ttl", GRAPH["curated"], "curated")
    add("data/imported/*.ttl", None, "imported")
    add("data/examples/*.ttl", GRAPH["examples"], "examples")
    for path in sorted(root.glob("data/links/*.ttl")):  # `scholargate link` output
        if not path.name.endswith(".meta.ttl"):
            sources.append(Source(path, GRAPH[f"links-{path.stem}"], "links"))
    for meta in sorted(root.glob("data/**/*.meta.ttl")):
        sources.append(Source(meta, METADATA_GRAPH, "metadata"))
    if saved is not None and saved.is_file():
        sources.append(Source(saved, GRAPH["comparisons"], "saved"))
    return sources


def fingerprint(root: Path, sources: list[Source]) -> str:
    """A hash of every source file's name and bytes, and of the build itself."""
    digest = hashlib.sha256(f"{__version__}/{BUILD_SCHEMA}".encode())
    for source in sources:
        digest.update(_relative(source.path, root).encode() + b"\0")
        digest.update(hashlib.sha256(source.path.read_bytes()).digest())
    return digest.hexdigest()


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def build_store(
    store: Store, root: Path, *, saved: Path | None = None, progress: Progress | None = None
) -> BuildReport:
    """Empty ``store`` and load every source under ``root`` (and ``saved``) into it."""
    started = time.perf_counter()
    sources = discover(root, saved)
    if not any(s.role == "curated" for s in sources):
        raise InputError(f"{root}: no data/curated/*.ttl found; is this a ScholarGate checkout?")
    report = BuildReport(fingerprint=fingerprint(root, sources))
    store.clear()
    for source in sources:
        if progress:
            progress(_relative(source.path, root))
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
            meta.add((source.graph, PROV.wasDerivedFrom, Literal(_relative(source.path, root))))
    store.replace_graph(METADATA_GRAPH, meta)


# ---- the on-disk store that `serve` uses -------------------------------------------


class StoreBusyError(ScholarGateError):
    """Another process holds the on-disk store (RocksDB allows one writer)."""

    status = 503
    kind = "store-busy"


def open_store(path: Path) -> OxigraphStore:
    """Open the on-disk store at ``path``; a store another process holds is a one-line
    :class:`StoreBusyError`, not a traceback."""
    try:
        return OxigraphStore(path)
    except OSError as error:
        if "lock" not in str(error).lower():
            raise
        raise StoreBusyError(
            f"the store at {path} is in use by another process (a running `scholargate "
            "serve`, `build` or `query`); wait for it or stop it, or use --memory or "
            "another --store"
        ) from None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def remove_stale(path: Path) -> list[Path]:
    """Remove what interrupted builds left beside ``path`` (``NAME.building-PID`` and
    ``NAME.old-PID`` folders whose process is gone); return what was removed."""
    removed: list[Path] = []
    if not path.parent.is_dir():
        return removed
    for leftover in path.parent.iterdir():
        if not leftover.name.startswith(f"{path.name}."):
            continue
        kind, _, pid = leftover.name[len(path.name) + 1 :].rpartition("-")
        if kind not in ("building", "old") or not pid.isdigit() or not leftover.is_dir():
            continue
        if int(pid) != os.getpid() and _alive(int(pid)):
            continue  # a build running now
        shutil.rmtree(leftover, ignore_errors=True)
        removed.append(leftover)
    return removed


def _fingerprint_file(path: Path) -> Path:
    return path.with_name(path.name + ".fingerprint")


def open_built(
    path: Path, root: Path, *, saved: Path | None = None, progress: Progress | None = None
) -> tuple[OxigraphStore, BuildReport]:
    """Open the on-disk store at ``path``, rebuilding it only when a source changed.

    A rebuild happens in a sibling folder that replaces the old store only once it is
    complete, so a failed build leaves the previous store as it was.
    """
    sources = discover(root, saved)
    wanted = fingerprint(root, sources)
    marker = _fingerprint_file(path)
    if path.is_dir() and marker.is_file() and marker.read_text().strip() == wanted:
        return open_store(path), BuildReport(fingerprint=wanted, rebuilt=False)

    if path.is_dir():  # replacing a store another process holds would pull it from under it
        open_store(path).close()
    remove_stale(path)
    staging = path.with_name(f"{path.name}.building-{os.getpid()}")
    try:
        store = OxigraphStore(staging)
        report = build_store(store, root, saved=saved, progress=progress)
        store.optimize()
        store.close()
        del store
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = path.with_name(f"{path.name}.old-{os.getpid()}")
    if path.exists():
        path.rename(retired)
    staging.rename(path)
    marker.write_text(wanted + "\n")
    shutil.rmtree(retired, ignore_errors=True)
    return open_store(path), report
