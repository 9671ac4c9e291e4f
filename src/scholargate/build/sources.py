"""What the store is built from: the project root, its source files and their fingerprint.

Sources, relative to the project root:

========================  =================================
``ontology/*.ttl``        ``sgg:ontology``
``shapes/*.ttl``          ``sgg:shapes``
``data/curated/*.ttl``    ``sgg:curated`` (described by ``data/curated.meta.ttl``)
``data/imported/X.ttl``   ``sgg:X`` (described by ``data/imported/X.meta.ttl``)
``data/aliases/X.ttl``    ``sgg:X``: aliases written by hand (``data/aliases/X.meta.ttl``)
``data/translations/*``   ``sgg:translations``: names translated by the curators
                          (described by ``data/translations.meta.ttl``)
``data/examples/*.ttl``   ``sgg:examples`` (example queries)
``data/links/X.ttl``      ``sgg:links-X`` (``scholargate link X``; ``X.meta.ttl``)
========================  =================================

Every ``*.meta.ttl`` goes to ``sgg:metadata``; the saved comparisons, when there are
any, to ``sgg:comparisons``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import URIRef

from .. import __version__
from ..errors import InputError
from ..namespaces import GRAPH, METADATA_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH

# Bump when the build changes what it writes, so on-disk stores are rebuilt.
BUILD_SCHEMA = "1"


@dataclass(frozen=True)
class Source:
    """One file of RDF and the named graph it goes to."""

    path: Path
    graph: URIRef
    # ontology | shapes | curated | imported | translations | aliases | examples | metadata
    role: str


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
    add("data/aliases/*.ttl", None, "aliases")
    add("data/translations/*.ttl", GRAPH["translations"], "translations")
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
        digest.update(relative(source.path, root).encode() + b"\0")
        digest.update(hashlib.sha256(source.path.read_bytes()).digest())
    return digest.hexdigest()


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it lies under it, as the build names sources."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
