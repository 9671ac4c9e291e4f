"""The change journal for a terminal: entries as an aligned table or JSON Lines
(``scholargate history``)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..services.writes.history import written_at
from ..services.writes.journal import Entry
from .text import compact, table

HISTORY_HEADERS = ["seq", "when (UTC)", "by", "graphs", "removed", "added", "what"]


def when(entry: Entry) -> str:
    """``2025-03-01 14:02:09``: when the entry was accepted, in UTC, to the second."""
    return written_at(entry).strftime("%Y-%m-%d %H:%M:%S")


def one_line(text: str) -> str:
    """``text`` with every run of white space (line breaks included) as one space."""
    return " ".join(text.split())


def graphs_text(entry: Entry) -> str:
    return ", ".join(compact(g) for g in entry.graphs)


def history_table(entries: Sequence[Entry]) -> str:
    rows = [
        [
            str(e.seq),
            when(e),
            e.by,
            graphs_text(e),
            str(len(e.delta.removed)),
            str(len(e.delta.added)),
            one_line(e.what),
        ]
        for e in entries
    ]
    return table(HISTORY_HEADERS, rows, max_cell=72)


def history_json(entry: Entry) -> str:
    """One entry as one JSON line: its number, time (ISO 8601, UTC), holder, summary,
    graphs (full IRIs) and how many quads it removed and added."""
    return json.dumps(
        {
            "seq": entry.seq,
            "at": entry.at,
            "by": entry.by,
            "what": entry.what,
            "graphs": entry.graphs,
            "removed": len(entry.delta.removed),
            "added": len(entry.delta.added),
        },
        ensure_ascii=False,
    )
