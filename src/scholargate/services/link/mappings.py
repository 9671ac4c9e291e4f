"""What one external SPARQL graph calls things: the settings of ``scholargate link``.

A :class:`Mapping` says where the source's endpoint is, under which licence its data
comes, how politely to ask it (:class:`ClientSettings`: batch size, rate, timeouts, byte
cap, retries), and which of its properties hold the identifiers ScholarGate has
(:class:`Identifier`: arXiv ids and DOIs of works, ORCID iDs of persons), the authors of
a work, the subjects of a work, labels, and how it states that a work cites another.
Mappings are read from TOML files by ``mapping_files.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Form = Literal["literal", "iri"]

# IRIs written into a query between < and >: no spaces, no characters IRIREF forbids.
IRI_OK = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>"{}|\\^`\x00-\x20]*$')


@dataclass(frozen=True)
class Identifier:
    """One kind of identifier (``arxiv``, ``doi``, ``orcid``) and how the source holds it.

    ``templates`` turn our identifier into the source's value (``"{}"``: as it is;
    ``"https://doi.org/{}"``: an IRI); ``variants`` say in which cases our identifier
    is sent (``asis``, ``upper``, ``lower``), since a source may normalise the case
    (Wikidata writes DOIs in upper case). A ``fallback`` identifier is only used for the
    works that no earlier identifier linked.
    """

    name: str
    property: str
    form: Form = "literal"
    templates: tuple[str, ...] = ("{}",)
    variants: tuple[str, ...] = ("asis",)
    fallback: bool = False

    def values(self, ours: str) -> list[str]:
        """The values to send for our identifier ``ours``, without duplicates; an IRI that
        could not be written in a query is left out."""
        found: dict[str, None] = {}
        for template in self.templates:
            for variant in self.variants:
                text = ours.upper() if variant == "upper" else ours
                text = text.lower() if variant == "lower" else text
                value = template.replace("{}", text)
                if self.form == "iri" and not IRI_OK.match(value):
                    continue
                found[value] = None
        return list(found)

    def ours(self, theirs: str) -> str | None:
        """Our form of a value the source holds (case-folded), or None when no template
        fits; the longest matching template wins."""
        best: tuple[int, str] | None = None
        folded = theirs.casefold()
        for template in self.templates:
            head, _, tail = template.casefold().partition("{}")
            if folded.startswith(head) and folded.endswith(tail) and len(folded) > len(head):
                middle = folded[len(head) : len(folded) - len(tail) if tail else None]
                if best is None or len(head) > best[0]:
                    best = (len(head), middle)
        return best[1] if best else None

    def specificity(self, theirs: str) -> int:
        """How long a template prefix of this identifier ``theirs`` matches (-1: none)."""
        folded = theirs.casefold()
        lengths = [
            len(head)
            for head, _, tail in (t.casefold().partition("{}") for t in self.templates)
            if folded.startswith(head) and folded.endswith(tail)
        ]
        return max(lengths, default=-1)


@dataclass(frozen=True)
class ClientSettings:
    """How politely to ask one endpoint (see ``client.SparqlClient``)."""

    endpoint: str
    user_agent: str
    method: Literal["GET", "POST"] = "GET"
    batch_size: int = 50
    min_interval: float = 1.0
    connect_timeout: float = 10.0
    timeout: float = 70.0
    max_bytes: int = 16_000_000
    retries: int = 4
    max_wait: float = 300.0
    default_retry_after: float = 60.0
    allowed_hosts: tuple[str, ...] = ()
    max_redirects: int = 5
    max_url: int = 6000  # a GET whose URL would be longer goes by POST


@dataclass(frozen=True)
class Mapping:
    """Everything ``scholargate link`` knows about one source."""

    name: str
    title: str
    homepage: str
    endpoint: str
    licence: str
    uri_space: str
    item_pattern: re.Pattern[str]
    titles: tuple[tuple[str, str], ...]
    client: ClientSettings
    works: tuple[Identifier, ...] = ()
    people: tuple[Identifier, ...] = ()
    author_property: str | None = None
    author_names: tuple[str, ...] = ()
    author_languages: tuple[str, ...] = ()
    author_name_suffix: re.Pattern[str] | None = None
    subject_of_work: tuple[str, ...] = ()
    described_by_work: tuple[str, ...] = ()
    method_names: tuple[str, ...] = ()
    method_languages: tuple[str, ...] = ()
    label_preferred: tuple[str, ...] = ()
    label_alternative: tuple[str, ...] = ()
    label_languages: tuple[str, ...] = ()
    cites_property: str | None = None  # a work cites a work (Wikidata: P2860)
    citation_citing: str | None = None  # a citation node's citing work (OpenCitations)
    citation_cited: str | None = None  # … and its cited work
    citation_works: tuple[str, ...] = ()  # the source's IRI of a work, from our DOI
    source: str = ""  # the file(s) it was read from
    fingerprint: str = ""  # sha256 of the settings in force
    settings: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def links_methods(self) -> bool:
        return bool((self.subject_of_work or self.described_by_work) and self.method_names)

    @property
    def links_citations(self) -> bool:
        return bool(self.cites_property or (self.citation_citing and self.citation_cited))

    def is_item(self, iri: str) -> bool:
        """True for an IRI of the source's own entities that may be linked."""
        return bool(self.item_pattern.match(iri))

    def with_endpoint(self, endpoint: str | None) -> Mapping:
        """The same mapping asking another endpoint (``--endpoint``)."""
        if not endpoint:
            return self
        from .mapping_files import build, check_endpoint  # it builds Mappings: imports this

        check_endpoint(endpoint)
        settings = dict(self.settings)
        settings["endpoint"] = endpoint
        return build(settings, self.source)
