"""Accepted edits as patches a maintainer folds into the sources (``scholargate
export-edits``): per graph, the triples to add and the triples to remove, each as a
Turtle document with the project's prefixes (only those it uses, as the curated files
write them) under a comment header that says which entries it covers, who wrote them
and when, and which source files hold the graph. Everything that is not Turtle is a
``#`` comment, so each part parses as it is."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from rdflib import Graph, URIRef

from ..namespaces import GRAPH, bind_prefixes
from ..services.writes.edits import Edits, GraphEdits, Triple
from ..services.writes.journal import Entry
from .journal import one_line, when
from .text import compact

ADDED, REMOVED = "added", "removed"
_WIDTH = 88  # a comment line's length, "# " aside


def turtle(triples: Iterable[Triple]) -> str:
    """The triples as Turtle with the project's prefixes, subjects in order."""
    graph = Graph()
    bind_prefixes(graph)
    for triple in triples:
        graph.add(triple)
    return graph.serialize(format="turtle").rstrip("\n") + "\n"


def file_stem(graph: URIRef) -> str:
    """``curated`` for ``sgg:curated``, ``contributed-<uuid>`` for
    ``sgg:contributed/<uuid>``; any other IRI made safe for a file name."""
    name = str(graph)
    if name.startswith(str(GRAPH)):
        name = name[len(str(GRAPH)) :]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "graph"


def _span(entries: Iterable[Entry]) -> str:
    seqs = [e.seq for e in entries]
    return f"entry {seqs[0]}" if len(seqs) == 1 else f"entries {seqs[0]}–{seqs[-1]}"


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def _triples(n: int) -> str:
    return f"{n} triple" if n == 1 else f"{n} triples"


def _period(entries: Sequence[Entry]) -> str:
    first, last = when(entries[0]), when(entries[-1])
    return f"{first} UTC" if first == last else f"{first} – {last} UTC"


def _names(nodes: Iterable[URIRef]) -> str:
    listed = [compact(str(n)) for n in nodes]
    return ", ".join(listed) if listed else "none"


def summary(edits: Edits, journal: Path) -> list[str]:
    """A few lines for a reviewer: the entries, who and when, the methods, the graphs."""
    entries = edits.entries
    people = sorted({one_line(e.by) for e in entries})
    lines = [
        f"{_span(entries)} ({len(entries)} in all) of the change journal {journal}",
        f"by {', '.join(people)}, {_period(entries)}",
        f"methods added ({len(edits.methods_added)}): {_names(edits.methods_added)}",
        f"methods changed ({len(edits.methods_changed)}): {_names(edits.methods_changed)}",
        f"methods removed ({len(edits.methods_removed)}): {_names(edits.methods_removed)}",
    ]
    for part in edits.graphs:
        lines.append(
            f"{compact(str(part.graph))}: {_triples(len(part.added))} to add, "
            f"{len(part.removed)} to remove"
        )
    return lines


def header(part: GraphEdits, where: str) -> list[str]:
    """The comment lines above a graph's patch: the graph, the entries that touched it
    (number, when, who, what), where its triples live, and the net counts."""
    lines = [
        f"Edits to {compact(str(part.graph))} <{part.graph}>",
        f"by {_entries(len(part.entries))} of the change journal (number, when, who, what):",
    ]
    lines += [
        f"  {e.seq}  {when(e)} UTC  {one_line(e.by)}  {one_line(e.what)}" for e in part.entries
    ]
    lines.append(where)
    if part.added or part.removed:
        lines.append(f"Net: {_triples(len(part.added))} added, {len(part.removed)} removed.")
    else:
        lines.append("Net: nothing (what these entries added here they also took back).")
    return lines


_WHAT = {
    ADDED: "Triples to ADD: paste them into one of the files named above.",
    REMOVED: "Triples to REMOVE: delete each from the file that states it (a subject's "
    "triples may be spread over a ; list).",
}


def patch(part: GraphEdits, side: str, where: str) -> str:
    """One graph's triples added or removed, as a Turtle file with its header."""
    triples = part.added if side == ADDED else part.removed
    lines = [*header(part, where), _WHAT[side]]
    return _comments(lines) + "\n" + turtle(triples)


def section(part: GraphEdits, where: str) -> str:
    """One graph's whole patch for standard output: the header, then what to remove,
    then what to add (each a Turtle document of its own)."""
    out = [_comments(["=" * 72, *header(part, where)])]
    for side in (REMOVED, ADDED):
        triples = part.added if side == ADDED else part.removed
        if not triples:
            out.append(_comments([f"---- {side}: nothing"]))
            continue
        out.append(_comments([f"---- {side} ({len(triples)}) ----", _WHAT[side]]))
        out.append(turtle(triples))
    return "\n".join(out)


def _comments(lines: Iterable[str]) -> str:
    """Each line as a comment, a long one wrapped (its later lines indented)."""
    out = []
    for line in lines:
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        for part in textwrap.wrap(
            line,
            _WIDTH,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]:
            out.append(f"# {part}".rstrip() + "\n")
    return "".join(out)


def report(edits: Edits, journal: Path, where: Mapping[URIRef, str]) -> str:
    """Everything on standard output: the summary, then one section per graph."""
    parts = [_comments(summary(edits, journal))]
    parts += [section(part, where[part.graph]) for part in edits.graphs]
    return "\n".join(parts)
