"""What a search answers: :class:`Results`, the :class:`Hit` of each resource found, and
the kinds of match (``MATCHES``), with the JSON /search returns for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...namespaces import BASE

__all__ = ["MATCHES", "Hit", "Results"]

# How a name can match, best first (matching.py): the whole name (also without the
# spaces between its parts), the whole name in other inflections, its start, the start
# of a later word, anywhere inside, close to it (a typo).
MATCHES = ("exact", "inflected", "prefix", "word", "substring", "fuzzy")


@dataclass(frozen=True)
class Hit:
    """One resource found: what it is, the name that matched, and the name to show."""

    iri: str
    kind: str  # method, field, family, type, person or work
    slug: str
    label: str  # the name to show, in the asked language along the fallback chain
    lang: str  # its language tag ("" when it has none)
    matched: str  # the name that matched, as written in the graph
    matched_lang: str
    property: str  # prefLabel, altLabel, hiddenLabel, name, title or slug
    match: str  # exact, inflected, prefix, word, substring or fuzzy

    @property
    def name(self) -> str:
        """The name to offer for this hit: the one that matched, unless it is hidden
        or the slug (then the label shown)."""
        return self.label if self.property in ("hiddenLabel", "slug") else self.matched

    @property
    def name_lang(self) -> str:
        return self.lang if self.property in ("hiddenLabel", "slug") else self.matched_lang

    @property
    def path(self) -> str:
        """The resource's page on this server: ``/method/lora``."""
        return "/" + self.iri[len(BASE) :]

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "type": self.kind,
            "slug": self.slug,
            "label": self.label,
            "lang": self.lang,
            "matched": self.matched,
            "matched_lang": self.matched_lang,
            "property": self.property,
            "match": self.match,
            "url": self.path,
        }


@dataclass
class Results:
    """The answer to one search: the hits, best first, and whether more were cut."""

    query: str
    key: str  # the query as matched (folded)
    lang: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False
    # when nothing was found: the closest names, to offer as "did you mean"
    did_you_mean: list[Hit] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "normalized": self.key,
            "lang": self.lang,
            "results": [hit.to_json() for hit in self.hits],
            "more": self.more,
            "did_you_mean": [
                {"text": hit.name, "text_lang": hit.name_lang, **hit.to_json()}
                for hit in self.did_you_mean
            ],
        }
