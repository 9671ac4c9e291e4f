"""Staging the result: the links graph compared with the previous file, and both files
(``data/links/{source}.ttl`` and its ``.meta.ttl`` description) written in one swap.

The graph and its description are written to temporary files beside their targets and
moved into place (``os.replace``) only when the whole run has succeeded, so a failed or
interrupted run leaves the previous files byte for byte as they were.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SKOS

from ...namespaces import bind_prefixes
from .mappings import Mapping
from .report import LinkReport


def new_graph() -> Graph:
    """An empty graph with the project's prefixes bound."""
    graph = Graph()
    bind_prefixes(graph)
    return graph


def diff(report: LinkReport, data: Graph, path: Path) -> None:
    """Set in ``report`` the links added and removed, and the other statements counted,
    against the previous links file at ``path``."""
    previous = new_graph()
    if path.is_file():
        try:
            previous.parse(path, format="turtle")
        except Exception as error:  # a damaged previous file: everything counts as new
            report.notes.append(f"{path}: the previous links do not parse ({error})")
    before = {(str(s), str(o)) for s, _, o in previous.triples((None, SKOS.exactMatch, None))}
    after = {(str(s), str(o)) for s, _, o in data.triples((None, SKOS.exactMatch, None))}
    report.added = sorted(after - before)
    report.removed = sorted(before - after)
    old = {t for t in previous if t[1] != SKOS.exactMatch}
    new = {t for t in data if t[1] != SKOS.exactMatch}
    report.statements_added = len(new - old)
    report.statements_removed = len(old - new)


def _serialise(graph: Graph, header: str) -> bytes:
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment.encode("utf-8") + graph.serialize(format="turtle", encoding="utf-8")


def stage_and_swap(
    mapping: Mapping, data: Graph, metadata: Graph, data_path: Path, meta_path: Path
) -> None:
    """Write both files beside their targets, then move them into place."""
    data_path.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"Links from ScholarGate to {mapping.title}, made by `scholargate link {mapping.name}`;\n"
        f"loaded as the named graph sgg:links-{mapping.name}, described in "
        f"{meta_path.name}.\nDo not edit: run the command again."
    )
    staged: list[tuple[str, Path]] = []
    try:
        for graph, path, text in (
            (data, data_path, header),
            (metadata, meta_path, f"Description of sgg:links-{mapping.name}."),
        ):
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as out:
                out.write(_serialise(graph, text))
        for tmp, path in staged:
            os.replace(tmp, path)
        staged = []
    finally:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
