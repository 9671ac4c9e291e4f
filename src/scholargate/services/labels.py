"""Picking one label for a term along a language fallback chain: the one rule pages,
comparisons, search and the descriptions use.

The rule: the asked language, then English, then a label without a language, then any
(``i18n.fallback_chain``); within one language the lexically first label, so the choice
is stable whatever order the store returns labels in. :func:`pick` applies it to the
labels of one property; :func:`pick_by_property` first takes the best label property
that has any (``LABEL_PROPERTIES`` order), then applies it there.

``store/functions.py`` (the ``sg:label`` SPARQL function) runs inside query processes
without importing this package, so it keeps its own copy; it reads the same properties
but ranks the language before the property and matches language subtags (its docstring
says how).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

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


def pick_by_property(
    labels: Mapping[str, Sequence[Literal]],
    lang: str,
    properties: Sequence[str] = LABEL_PROPERTIES,
) -> Literal | None:
    """The label of one thing for ``lang``, given its labels by property IRI: :func:`pick`
    among the labels of the first of ``properties`` that has any (so a preferred name in
    English comes before an ``rdfs:label`` in the asked language)."""
    for prop in properties:
        found = labels.get(prop)
        if found:
            return pick(found, lang)
    return None
