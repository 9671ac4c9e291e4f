"""The change journal for a terminal: entries as an aligned table or JSON Lines
(``scholargate history``), and what a build's replay did (``scholargate build``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ..services.writes.history import written_at
from ..services.writes.journal import Entry
from ..services.writes.writer import Replayed
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


def _entries(n: int) -> str:
    return f"{n} entry" if n == 1 else f"{n} entries"


def replay_report(replayed: Replayed, journal: Path, *, fresh: bool) -> str:
    """What replaying ``journal`` did, for ``scholargate build``: how many entries, and
    every entry a changed source contradicts or that the sources already hold. ``fresh``:
    it was replayed over a graph just rebuilt from the sources (only then are
    contradictions and folded entries looked for)."""
    if replayed.applied == 0:
        if replayed.offset == 0:
            return f"journal {journal}: no entries\n"
        return f"journal {journal}: nothing new (the store holds it up to entry {replayed.seq})\n"
    over = "over the rebuilt sources" if fresh else "over the store"
    out = [
        f"journal {journal}: replayed {_entries(replayed.applied)} {over}, "
        f"up to entry {replayed.seq}\n"
    ]
    # an entry whose additions the sources hold and whose removals they lack is folded
    # whole: said once, as folded
    whole = {e.seq for e in replayed.folded} & {
        e.seq for e, missing in replayed.contradicted if missing == len(e.delta.removed)
    }
    contradicted = [(e, n) for e, n in replayed.contradicted if e.seq not in whole]
    if contradicted:
        out.append(
            f"contradicted by a changed source ({_entries(len(contradicted))}: triples it "
            "removes are no longer in the sources, folded into data/ or changed there; the "
            "rest of it was applied):\n"
        )
        rows = [
            [
                str(e.seq),
                when(e),
                e.by,
                one_line(e.what),
                f"{missing} of {len(e.delta.removed)}",
            ]
            for e, missing in contradicted
        ]
        out.append(table(["seq", "when (UTC)", "by", "what", "removed triples gone"], rows))
        out.append(
            "a contradicted entry stays in the journal and is re-applied by every build as "
            "far as it applies: edit data/ to settle it (see `scholargate build --help`)\n"
        )
    if replayed.folded:
        out.append(
            f"already folded into the sources ({_entries(len(replayed.folded))}: they hold "
            "everything it adds):\n"
        )
        rows = [[str(e.seq), when(e), e.by, one_line(e.what)] for e in replayed.folded]
        out.append(table(["seq", "when (UTC)", "by", "what"], rows))
    return "".join(out)
