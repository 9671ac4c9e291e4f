"""Plain-text renderings for a terminal: aligned tables with compact IRIs."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from ..namespaces import PREFIXES

# Longest namespace first, so sgm: wins over a shorter prefix of it.
_NAMESPACES = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def compact(iri: str) -> str:
    """``sgm:lora`` for ``https://w3id.org/scholargate/method/lora``; other IRIs in <>."""
    for prefix, ns in _NAMESPACES:
        if iri.startswith(ns) and "/" not in iri[len(ns) :] and "#" not in iri[len(ns) :]:
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


def term_text(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compact(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal) and term.language:
        return f"{term}@{term.language}"
    return str(term)


def _width(text: str) -> int:
    """Display width: wide East Asian characters take two cells, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char) or char in "\u200c\u200d":
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, max_cell: int = 60) -> str:
    """An aligned text table with a rule under the header."""
    cells = [[c if _width(c) <= max_cell else c[: max_cell - 1] + "…" for c in row] for row in rows]
    widths = [_width(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], _width(cell))

    def line(values: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - _width(v)) for v, w in zip(values, widths, strict=True))

    out = [line(headers), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells)
    return "\n".join(s.rstrip() for s in out) + "\n"
