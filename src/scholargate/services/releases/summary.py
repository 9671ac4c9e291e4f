"""A release's summary, for people (``summary.md``) and for programs (``summary.json``):
the version, the previous one, when, the notes, the journal range it covers, the quads
added and removed, the methods added, changed and removed with their English names, and
each file's size and SHA-256.

``summary.json`` is what the routes under ``/releases`` read; its keys:
``version``, ``iri``, ``previous`` (or null), ``issued`` (ISO 8601, UTC), ``notes``,
``software`` (ScholarGate's version), ``journal_seq`` (``from``: the last journal entry
the previous release held, ``to``: the last this one holds), ``quads``, ``triples``,
``added``, ``removed``, ``methods`` (``total``, and ``added``/``changed``/``removed``:
lists of ``{iri, label, added, removed}``), ``files`` (name → ``{bytes, sha256,
media_type}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .methods import MethodChange

_KINDS = (
    ("added", "Methods added"),
    ("changed", "Methods changed"),
    ("removed", "Methods removed"),
)


def method_rows(changes: list[MethodChange]) -> list[dict[str, Any]]:
    return [c.as_json() for c in changes]


def markdown(summary: Mapping[str, Any]) -> str:
    """``summary.md``: the summary as a page a person reads (GitHub-flavoured Markdown)."""
    version, previous = summary["version"], summary.get("previous")
    seq = summary["journal_seq"]
    lines = [f"# ScholarGate {version}", ""]
    lines.append(f"- Issued: {summary['issued']}")
    lines.append(f"- Previous release: {previous}" if previous else "- Previous release: none")
    lines.append(f"- Dataset IRI: <{summary['iri']}>")
    lines.append(
        f"- Quads: {summary['quads']:,} ({summary['triples']:,} distinct triples); "
        f"{summary['added']:,} added, {summary['removed']:,} removed"
    )
    methods = summary["methods"]
    lines.append(
        f"- Methods: {methods['total']:,}; {len(methods['added']):,} added, "
        f"{len(methods['changed']):,} changed, {len(methods['removed']):,} removed"
    )
    lines.append(
        f"- Change journal: entries {seq['from'] + 1} to {seq['to']}"
        if seq["to"] > seq["from"]
        else f"- Change journal: no new entries (last entry {seq['to']})"
    )
    lines.append(f"- Made by ScholarGate {summary['software']}")
    lines.append("")
    if summary.get("notes"):
        lines += ["## Notes", "", summary["notes"].strip(), ""]
    for key, title in _KINDS:
        rows = methods[key]
        lines += [f"## {title} ({len(rows):,})", ""]
        if not rows:
            lines += ["None.", ""]
            continue
        lines += ["| method | IRI | triples added | triples removed |", "|---|---|---:|---:|"]
        for row in rows:
            name = _cell(row["label"] or row["iri"].rsplit("/", 1)[-1])
            lines.append(f"| {name} | <{row['iri']}> | {row['added']:,} | {row['removed']:,} |")
        lines.append("")
    lines += ["## Files", "", "| file | bytes | SHA-256 |", "|---|---:|---|"]
    for name, about in summary["files"].items():
        lines.append(f"| [{name}]({name}) | {about['bytes']:,} | `{about['sha256']}` |")
    lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell: one line, pipes and markup escaped."""
    text = " ".join(text.split())
    for char in "\\|*_`[]<>":
        text = text.replace(char, "\\" + char)
    return text
