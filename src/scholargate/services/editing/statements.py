"""A delta shown to a person: each statement removed or added, with the labels of its
subject, property and value in the page's language (what a preview and a history show).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from ... import terms
from ...store import Quad, Store
from ..labels import LABEL_PROPERTIES, pick_by_property
from ..resources.property_names import PropertyNames

MAX_SHOWN = 500  # statements listed per side; a bigger change is summarised by its count


@dataclass(frozen=True)
class Shown:
    """One term: its text, the language of that text, and the IRI when it is one."""

    text: str
    lang: str = ""
    iri: str = ""


@dataclass(frozen=True)
class Statement:
    subject: Shown
    property: Shown
    value: Shown
    graph: str


@dataclass(frozen=True)
class ShownDelta:
    removed: list[Statement]
    added: list[Statement]
    removed_count: int
    added_count: int


def show_delta(
    store: Store,
    removed: Iterable[Quad],
    added: Iterable[Quad],
    lang: str,
    *,
    most: int = MAX_SHOWN,
) -> ShownDelta:
    """The statements of a delta with their labels, sorted by subject and property, at
    most ``most`` a side. Labels the delta itself adds or removes count too (a new
    method's names, or those of one a revert took away)."""
    return show_deltas(store, [(removed, added)], lang, most=most)[0]


def show_deltas(
    store: Store,
    deltas: Sequence[tuple[Iterable[Quad], Iterable[Quad]]],
    lang: str,
    *,
    most: int = MAX_SHOWN,
) -> list[ShownDelta]:
    """:func:`show_delta` of several (removed, added) pairs, their labels read at once."""
    cut = []
    for removed, added in deltas:
        gone, new = sorted(removed, key=_order), sorted(added, key=_order)
        cut.append((gone, new, gone[:most], new[:most]))
    nodes = {
        n
        for _g, _n, shown_gone, shown_new in cut
        for q in shown_gone + shown_new
        for n in (q[0], q[2])
        if isinstance(n, URIRef)
    }
    also = [q for gone, new, _sg, _sn in cut for q in new + gone]
    labels = labels_of(store, nodes, lang, also=also)
    names = PropertyNames(store)

    def statement(q: Quad) -> Statement:
        prop_text, prop_lang = names.label(str(q[1]), lang)
        return Statement(
            _shown(q[0], labels),
            Shown(prop_text, prop_lang, str(q[1])),
            _shown(q[2], labels),
            str(q[3]),
        )

    return [
        ShownDelta([statement(q) for q in sg], [statement(q) for q in sn], len(g), len(n))
        for g, n, sg, sn in cut
    ]


def _order(q: Quad) -> tuple[str, str, str]:
    return (str(q[0]), str(q[1]), str(q[2]))


def _shown(node: Node, labels: dict[URIRef, Literal]) -> Shown:
    if isinstance(node, Literal):
        return Shown(str(node), node.language or "")
    if isinstance(node, URIRef):
        label = labels.get(node)
        if label is not None:
            return Shown(str(label), label.language or "", str(node))
        return Shown(str(node), "", str(node))
    return Shown(str(node))


def labels_of(
    store: Store, nodes: Iterable[URIRef], lang: str, *, also: Iterable[Quad] = ()
) -> dict[URIRef, Literal]:
    """One label per IRI for ``lang`` (the usual fallback), read in batches; the labels
    in ``also`` (quads about to be added: a new method's names) count too."""
    nodes = sorted(nodes, key=str)
    props = ", ".join(terms.iri(p) for p in LABEL_PROPERTIES)
    found: dict[URIRef, dict[str, list[Literal]]] = {}
    wanted = set(nodes)
    for s, p, o, _g in also:
        if s in wanted and str(p) in LABEL_PROPERTIES and isinstance(o, Literal):
            found.setdefault(s, {}).setdefault(str(p), []).append(o)
    for start in range(0, len(nodes), 200):
        batch = " ".join(terms.term(n) for n in nodes[start : start + 200])
        # FILTER, not a second VALUES: Oxigraph joins two VALUES blocks slowly (~20 ms
        # for 14 nodes, against 0.2 ms)
        rows = store.select(
            f"SELECT ?s ?p ?l WHERE {{ VALUES ?s {{ {batch} }} ?s ?p ?l FILTER (?p IN ({props})) }}"
        )
        for row in rows:
            if isinstance(row["l"], Literal):
                found.setdefault(row["s"], {}).setdefault(str(row["p"]), []).append(row["l"])
    chosen = {}
    for node, by_prop in found.items():
        label = pick_by_property(by_prop, lang)
        if label is not None:
            chosen[node] = label
    return chosen
