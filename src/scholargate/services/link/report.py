"""What one run of ``scholargate link`` found: the links, the conflicts, and the report.

:class:`Link` pairs one of ours with an external entity; :class:`Conflict` is a link
that was refused (see ``conflicts.py``); :class:`LinkReport` gathers them with the
counts of a run, and :func:`summary` turns it into the lines the CLI prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from ...namespaces import GRAPH


def graph_name(source: str) -> URIRef:
    """``sgg:links-{source}``: the named graph of one source's links."""
    return GRAPH[f"links-{source}"]


@dataclass(frozen=True, order=True)
class Link:
    """One of ours (a work, person or method) and the external entity it matches."""

    kind: str
    subject: str
    item: str
    evidence: str = field(default="", compare=False)
    existing: bool = field(default=False, compare=False)  # our other graphs state it


@dataclass(frozen=True, order=True)
class Conflict:
    """A link that would contradict our data or another link: reported, not written."""

    kind: str  # work | person | method
    reason: str  # one-to-many | many-to-one | identifier-disagrees | contradicts | taken
    subjects: tuple[str, ...]
    items: tuple[str, ...]
    detail: str = ""

    def text(self) -> str:
        ours = ", ".join(self.subjects)
        theirs = ", ".join(self.items)
        return f"{self.kind} {self.reason}: {ours} ↔ {theirs}" + (
            f" ({self.detail})" if self.detail else ""
        )


@dataclass
class LinkReport:
    """What a run found, and what it wrote (or, for a dry run, would write)."""

    source: str
    endpoint: str
    graph: URIRef
    links: list[Link] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    citations: list[tuple[str, str]] = field(default_factory=list)  # (citing, cited), ours
    notes: list[str] = field(default_factory=list)
    labels: int = 0
    aliases: int = 0
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    statements_added: int = 0
    statements_removed: int = 0
    requests: int = 0
    reused: int = 0
    batches: int = 0
    ignored: int = 0  # answer rows naming something that is not one of the source's items
    waited: float = 0.0
    dry_run: bool = False
    written: tuple[Path, Path] | None = None
    output: Graph | None = field(default=None, repr=False)
    metadata: Graph | None = field(default=None, repr=False)

    def count(self, kind: str, *, new: bool = True) -> int:
        return sum(1 for link in self.links if link.kind == kind and link.existing != new)


def summary(report: LinkReport, *, limit: int = 50) -> list[str]:
    """The report as lines of text for a person (what the CLI prints)."""
    lines = [f"{report.source}: {report.endpoint}"]
    for kind in ("work", "person", "method"):
        lines.append(
            f"  {kind}s linked: {report.count(kind)} new, "
            f"{report.count(kind, new=False)} already in our data"
        )
    lines.append(f"  labels: {report.labels} preferred, {report.aliases} aliases")
    lines.append(f"  citations among our works: {len(report.citations)}")
    lines.append(
        f"  requests: {report.requests} ({report.batches} batches, {report.reused} kept from "
        f"an interrupted run, {report.waited:g} s waited)"
    )
    if report.ignored:
        lines.append(f"  ignored {report.ignored} answer rows naming no item of {report.source}")
    verb = "would add" if report.dry_run else "added"
    gone = "would remove" if report.dry_run else "removed"
    lines.append(
        f"  {verb} {len(report.added)} links, {gone} {len(report.removed)}; "
        f"names: +{report.statements_added} −{report.statements_removed} statements"
    )
    for sign, pairs in (("+", report.added), ("-", report.removed)):
        for subject, item in pairs[:limit]:
            lines.append(f"    {sign} <{subject}> skos:exactMatch <{item}>")
        if len(pairs) > limit:
            lines.append(f"    … and {len(pairs) - limit} more")
    if report.conflicts:
        lines.append(f"  conflicts, not written: {len(report.conflicts)}")
        lines += [f"    {c.text()}" for c in report.conflicts[:limit]]
        if len(report.conflicts) > limit:
            lines.append(f"    … and {len(report.conflicts) - limit} more")
    if report.notes:
        lines.append(f"  notes: {len(report.notes)}")
        lines += [f"    {note}" for note in report.notes[:limit]]
    if report.written:
        lines.append(f"  wrote {report.written[0]} and {report.written[1].name}")
    elif report.dry_run:
        lines.append("  dry run: nothing written")
    return lines
