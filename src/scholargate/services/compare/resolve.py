"""Resolving what the user named — slugs, IRIs or labels — to method IRIs, with the
bounds on a request's names and suggestions of near names when one is not found."""

from __future__ import annotations

import difflib

from ...errors import InputError
from ...namespaces import METHOD, sparql_prefixes
from ...store import Store
from ...terms import is_slug
from ..search.folding import fold

MAX_METHODS = 20  # columns of one comparison
MAX_NAME = 200  # characters of one name (slug, IRI or label) a request may give


def _fold(text: str) -> str:
    """The same matching key search uses: script variants, ZWNJ, Turkish i, case."""
    return fold(text)


class MethodIndex:
    """Slugs and labels of every method, for resolving names and suggesting near ones."""

    def __init__(self, store: Store) -> None:
        rows = store.select(
            sparql_prefixes() + "SELECT ?m ?l WHERE { ?m a sg:Method "
            "OPTIONAL { ?m skos:prefLabel|skos:altLabel ?l } }"
        )
        self.by_key: dict[str, str] = {}
        self.slugs: dict[str, str] = {}
        for r in rows:
            iri = str(r["m"])
            if not iri.startswith(str(METHOD)):
                continue
            slug = iri[len(str(METHOD)) :]
            self.slugs[slug] = iri
            self.by_key.setdefault(_fold(slug), iri)
            if "l" in r:
                self.by_key.setdefault(_fold(str(r["l"])), iri)

    def resolve(self, name: str) -> str | None:
        """The IRI (as the graph has it) of the method a slug, IRI or name denotes."""
        name = name.strip()
        if name.startswith(str(METHOD)):
            slug = name[len(str(METHOD)) :]
            return self.slugs.get(slug) if is_slug(slug) else None
        if is_slug(name) and name in self.slugs:
            return self.slugs[name]
        return self.by_key.get(_fold(name))

    def suggest(self, name: str, n: int = 5) -> list[str]:
        folded = _fold(name)
        close = difflib.get_close_matches(folded, list(self.by_key), n=n * 3, cutoff=0.6)
        slugs: list[str] = []
        for key in close:
            slug = self.by_key[key][len(str(METHOD)) :]
            if slug not in slugs:
                slugs.append(slug)
        return slugs[:n]


def distinct_names(names: list[str]) -> list[str]:
    """The names in ``names`` (each may hold several, comma-separated), stripped, each
    once, in the order given; a 400 past ``MAX_METHODS`` names or ``MAX_NAME`` characters."""
    wanted: dict[str, None] = {}
    for item in names:
        for part in item.split(","):
            name = part.strip()
            if not name or name in wanted:
                continue
            if len(name) > MAX_NAME:
                raise InputError(
                    f"a method name of {len(name)} characters; a name, slug or IRI may have "
                    f"at most {MAX_NAME}",
                    limit=MAX_NAME,
                )
            wanted[name] = None
            if len(wanted) > MAX_METHODS:
                raise InputError(
                    f"more than {MAX_METHODS} methods named; a comparison shows at most "
                    f"{MAX_METHODS}",
                    limit=MAX_METHODS,
                )
    return list(wanted)
