"""Saved comparisons: a stable IRI for a list of methods, kept as RDF.

A saved comparison records which methods, in which order, under which shapes version,
and when. Its id is a hash of the ordered methods and the shapes version, so saving
the same comparison twice gives the same IRI. The record is appended to a file outside
the store (the store is rebuilt from sources; the file is one of them) and, when the
store in this process is writable, added to the graph ``sgg:comparisons`` at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from ..formats import by_name
from ..namespaces import COMPARISON, GRAPH, SG
from ..store import Store

COMPARISONS_GRAPH = GRAPH["comparisons"]
_NT = by_name("nt")


def comparison_id(methods: list[str], shapes_version: str) -> str:
    digest = hashlib.sha256("\n".join([shapes_version, *methods]).encode("utf-8"))
    return digest.hexdigest()[:12]


def comparison_iri(cid: str) -> URIRef:
    return COMPARISON[cid]


def describe(cid: str, methods: list[str], shapes_version: str, created: datetime) -> Graph:
    """The triples of one saved comparison."""
    g = Graph()
    node = comparison_iri(cid)
    g.add((node, RDF.type, SG.Comparison))
    g.add((node, DCTERMS.created, Literal(created.isoformat(), datatype=XSD.dateTime)))
    g.add((node, SG.shapesVersion, Literal(shapes_version)))
    for position, method in enumerate(methods, start=1):
        column = URIRef(f"{node}#{position}")
        g.add((node, SG.method, URIRef(method)))
        g.add((node, DCTERMS.hasPart, column))
        g.add((column, SG.method, URIRef(method)))
        g.add((column, SG.position, Literal(position, datatype=XSD.integer)))
    return g


class SavedComparisons:
    """Saved comparisons in an append-only N-Triples file and in the store."""

    def __init__(self, path: Path, store: Store, *, writable: bool) -> None:
        self.path = path
        self.store = store
        self.writable = writable

    def save(self, methods: list[str], shapes_version: str) -> tuple[str, bool]:
        """Save (idempotently); return the id and whether it is new."""
        cid = comparison_id(methods, shapes_version)
        if self.load(cid) is not None:
            return cid, False
        record = describe(cid, methods, shapes_version, datetime.now(UTC).replace(microsecond=0))
        data = record.serialize(format="nt", encoding="utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "ab") as out:
            fcntl.flock(out, fcntl.LOCK_EX)
            try:
                if self._from_file(cid) is None:  # another process may have saved it meanwhile
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
            finally:
                fcntl.flock(out, fcntl.LOCK_UN)
        if self.writable:
            self.store.load(data, _NT, graph=COMPARISONS_GRAPH)
        return cid, True

    def load(self, cid: str) -> Graph | None:
        """The saved comparison ``cid``, from the store or (if newer than it) the file."""
        node = comparison_iri(cid)
        found = self.store.construct(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{COMPARISONS_GRAPH}> {{ ?s ?p ?o "
            f'FILTER(?s = <{node}> || STRSTARTS(STR(?s), "{node}#")) }} }}'
        )
        if len(found):
            return found
        return self._from_file(cid)

    def _from_file(self, cid: str) -> Graph | None:
        if not self.path.is_file():
            return None
        node = str(comparison_iri(cid))
        lines = [
            line
            for line in self.path.read_text(encoding="utf-8").splitlines()
            if line.startswith((f"<{node}>", f"<{node}#"))
        ]
        if not lines:
            return None
        return Graph().parse(data="\n".join(lines), format="nt")

    def methods_of(self, record: Graph, cid: str) -> list[str]:
        """The methods of a saved comparison, in column order."""
        node = comparison_iri(cid)
        columns = []
        for column in record.objects(node, DCTERMS.hasPart):
            position = record.value(column, SG.position)
            method = record.value(column, SG.method)
            if position is not None and method is not None:
                columns.append((int(position), str(method)))
        return [m for _, m in sorted(columns)]

    def shapes_version_of(self, record: Graph, cid: str) -> str:
        return str(record.value(comparison_iri(cid), SG.shapesVersion) or "")
