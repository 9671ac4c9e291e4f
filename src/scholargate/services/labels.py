"""Picking one label for a term along a language fallback chain."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import Literal

from ..i18n import fallback_chain

# Properties that name things, best first.
LABEL_PROPERTIES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://xmlns.com/foaf/0.1/name",
    "http://purl.org/dc/terms/title",
)


def pick(labels: Iterable[Literal], lang: str) -> Literal | None:
    """The label to show for ``lang``: the asked language, then English, then any.

    Among labels of the chosen language the lexically first wins, so the choice is
    stable whatever order the store returns them in.
    """
    labels = list(labels)
    if not labels:
        return None
    for candidate in fallback_chain(lang):
        same = [x for x in labels if (x.language or "") == candidate]
        if same:
            return min(same, key=str)  # one of the labels given: making a Literal is slow
    return min(labels, key=lambda x: ((x.language or ""), str(x)))
