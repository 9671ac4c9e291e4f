"""What a resource page shows, as plain data: a :class:`Description` of one resource
(its properties and the ones pointing at it, each :class:`Value` labelled for the page,
its outbound links and, for a method, its foundational works with their byline, and its
neighbourhood). Views and renderers read these; nothing here queries the store."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.term import Node

from ..authors import author_list
from ..compare import normalise_doi
from .neighbourhood import Neighbourhood


@dataclass(frozen=True)
class Value:
    """One value to show: a literal, or a resource with the label picked for the page.

    ``local`` is ``(kind, slug)`` for resources that have a page here; ``href`` is an
    outbound link (a resource elsewhere, or a DOI/arXiv id turned into its URL).
    """

    text: str
    lang: str = ""  # language of ``text``; "" when it has none
    iri: str | None = None
    local: tuple[str, str] | None = None
    href: str | None = None
    datatype: str | None = None
    note: str = ""  # e.g. the kind of an alias
    note_lang: str = ""

    @property
    def is_literal(self) -> bool:
        return self.iri is None


@dataclass
class Property:
    iri: str
    curie: str
    label: str
    label_lang: str
    values: list[Value]
    inverse: bool = False  # read backwards: the values point at the resource
    ordered: bool = False  # an RDF list, in its order
    total: int = 0  # values before the page's cap

    @property
    def long_text(self) -> bool:
        """True when a value is prose (a summary), shown as paragraphs."""
        return any(v.is_literal and len(v.text) > 160 for v in self.values)


@dataclass(frozen=True)
class Link:
    """An outbound link: ``site`` says where it goes (Wikidata, DOI, …)."""

    site: str
    text: str
    href: str
    property: str  # compact IRI of the statement behind it


@dataclass
class Work:
    iri: str
    slug: str
    title: str
    title_lang: str
    year: int | None
    authors: list[str]
    doi: str | None
    arxiv: str | None
    url: str | None
    venue: str | None

    @property
    def cited_authors(self) -> str:
        """The authors as a citation names them: the one "et al." rule (authors.py)."""
        return author_list(self.authors)

    @property
    def href(self) -> str | None:
        if self.doi:
            return f"https://doi.org/{normalise_doi(self.doi)}"
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        return self.url


@dataclass
class Credit:
    """Who a text is from and under which licence: "Papers with Code, CC BY-SA 4.0"."""

    name: str
    licence: str  # the licence's IRI
    licence_name: str  # "CC BY-SA 4.0", or the IRI when it is not a Creative Commons one


def licence_name(iri: str) -> str:
    """A Creative Commons licence's short name from its IRI, else the IRI.

    >>> licence_name("https://creativecommons.org/licenses/by-sa/4.0/")
    'CC BY-SA 4.0'
    """
    match = re.match(r"^https?://creativecommons\.org/licenses/([a-z-]+)/(\d\.\d)/?$", iri)
    return f"CC {match.group(1).upper()} {match.group(2)}" if match else iri


@dataclass
class Description:
    iri: str
    kind: str
    slug: str
    lang: str
    label: Value
    summary: Value | None
    types: list[Value]
    properties: list[Property]
    incoming: list[Property]
    links: list[Link]
    names: list[Value]  # every preferred and alternative name, for schema.org
    works: list[Work]  # foundational works (methods)
    neighbourhood: Neighbourhood | None = None
    queries: int = 0  # SPARQL queries it took
    summary_credit: Credit | None = None  # the summary's source, when it asks for credit

    def find(self, iri: str | URIRef, *, inverse: bool = False) -> Property | None:
        """The property row ``iri`` (read backwards with ``inverse``), if the page has it."""
        for prop in self.incoming if inverse else self.properties:
            if prop.iri == str(iri):
                return prop
        return None


def year_of(term: Node | None) -> int | None:
    """The year a page shows for a year or date value (``"2021"``, ``"2021-06-17"``)."""
    if term is None:
        return None
    match = re.match(r"-?\d+", str(term))
    return int(match.group(0)) if match else None
