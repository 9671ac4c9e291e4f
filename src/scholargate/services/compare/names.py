"""How people are named in a comparison: ``"Vaswani, A."``, and each work's authors in
the order of its author list. (How a list of authors is written — the one "et al."
rule — is ``services/authors.py``.)"""

from __future__ import annotations

import functools
from collections import defaultdict

from rdflib.term import Node


def initials(given: str) -> str:
    """``"E. J."`` for ``"Edward J."``, ``"M.-W."`` for ``"Ming-Wei"``."""
    parts = []
    for word in given.split():
        pieces = [p for p in word.split("-") if p]
        parts.append("-".join(p[0] + "." for p in pieces))
    return " ".join(parts)


@functools.lru_cache(maxsize=4096)  # the same authors come back in comparison after comparison
def person_short(given: str | None, family: str | None, name: str | None) -> str:
    """``"Vaswani, A."`` — family name and initials."""
    if family:
        return f"{family}, {initials(given)}" if given else family
    if name:
        words = name.split()
        if len(words) > 1:
            return f"{words[-1]}, {initials(' '.join(words[:-1]))}"
        return name
    return ""


def author_lists(solutions: list[dict[str, Node]]) -> dict[str, list[tuple[str, str]]]:
    """Each work's authors in list order, as (IRI, "Family, I."), from the solutions
    that give every node of its author list with the node after it."""
    nodes: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)
    for s in solutions:
        nodes[str(s["v"])][str(s["node"])] = (
            str(s.get("next", "")),
            str(s["co"]),
            person_short(_str(s.get("given")), _str(s.get("family")), _str(s.get("name"))),
        )
    return {work: _walk(found) for work, found in nodes.items()}


def _walk(nodes: dict[str, tuple[str, str, str]]) -> list[tuple[str, str]]:
    """Walk an RDF list from its head, given each node's (next, item, name)."""
    pointed = {nxt for nxt, _, _ in nodes.values()}
    heads = [n for n in nodes if n not in pointed]
    node = heads[0] if heads else next(iter(nodes))
    items, seen = [], set()
    while node in nodes and node not in seen:
        seen.add(node)
        nxt, item, name = nodes[node]
        items.append((item, name))
        node = nxt
    return items


def _str(term: Node | None) -> str | None:
    return str(term) if term is not None else None
