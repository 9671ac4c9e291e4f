"""Picking one label for a term along a language fallback chain: the one rule pages,
comparisons, search and the descriptions use.

The rule (:func:`choose`): the asked language, then English, then a label without a
language, then any (``i18n.fallback_chain``). A language tag matches as BCP 47 says:
ignoring case, and a regional tag (``en-GB``) serves its language (``en``) when no label
has the language's own tag. Within one language the lexically first label wins, so the
choice is stable whatever order the store returns labels in. :func:`pick` applies it to
the labels of one property; :func:`pick_by_property` first takes the best label property
that has any (``LABEL_PROPERTIES`` order), then applies it there; validation picks a
shape's message in the asker's language with :func:`choose` too.

``store/functions.py`` (the ``sg:label`` SPARQL function) runs inside query processes
without importing this package, so it keeps its own copy; it reads the same properties
but ranks the language before the property and matches language subtags (its docstring
says how).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from rdflib import Literal

from ..i18n import fallback_chain

# Properties that name things, best first.
LABEL_PROPERTIES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://xmlns.com/foaf/0.1/name",
    "http://purl.org/dc/terms/title",
)


T = TypeVar("T")


def choose(
    items: Iterable[T], lang: str, tag: Callable[[T], str], text: Callable[[T], str]
) -> T | None:
    """The item to show for ``lang`` among ``items`` tagged by ``tag(item)`` (``""`` for
    none): the rule of this module. Ties go to the lexically first ``text(item)``."""
    items = list(items)
    if not items:
        return None
    for wanted in fallback_chain(lang.lower()):
        same = [x for x in items if tag(x) == wanted]  # the common case: exact, lower case
        if not same:
            same = [x for x in items if tag(x).lower() == wanted]
        if not same and wanted:
            same = [x for x in items if tag(x).lower().split("-", 1)[0] == wanted]
        if same:
            return min(same, key=text)
    return min(items, key=lambda x: (tag(x), text(x)))


def _language(label: Literal) -> str:
    return label.language or ""


def pick(labels: Iterable[Literal], lang: str) -> Literal | None:
    """The label to show for ``lang`` (:func:`choose`): one of the labels given, since
    making a new Literal is slow."""
    return choose(labels, lang, _language, str)


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
