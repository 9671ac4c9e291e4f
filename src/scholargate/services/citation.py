"""What a citation needs to know about a work, read from the store with SPARQL.

A work (``sgw:``) carries a title, a year, a short venue name, its authors in order
(``bibo:authorList``), a DOI, an arXiv id and a URL (docs/modelling.md, "A work"). This
module turns those triples into a :class:`Work`; ``render.bib`` writes it as BibTeX or
CSL-JSON. The kind of publication (conference paper, journal article, preprint,
report) is decided here from the venue, so both renderers agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from rdflib import Literal as RDFLiteral
from rdflib import URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ..namespaces import METHOD, WORK, sparql_prefixes
from ..store import Store
from ..terms import check_slug, is_iri
from .labels import pick

VenueKind = Literal["conference", "journal", "preprint", "report", "other"]

# Short venue names as the data writes them (sg:venue), by kind. A venue not listed is
# classified by the words in its name (_JOURNAL_WORDS, _CONFERENCE_WORDS).
_VENUES: dict[str, VenueKind] = {
    **dict.fromkeys(
        (
            "aaai",
            "acl",
            "aistats",
            "bmvc",
            "coling",
            "colt",
            "cvpr",
            "eacl",
            "eccv",
            "emnlp",
            "iccv",
            "icassp",
            "iclr",
            "iclr workshop",
            "icml",
            "ijcai",
            "interspeech",
            "kdd",
            "miccai",
            "naacl",
            "neurips",
            "nips",
            "sigir",
            "uai",
            "wacv",
            "www",
        ),
        "conference",
    ),
    **dict.fromkeys(
        (
            "jmlr",
            "tacl",
            "tpami",
            "nature",
            "science",
            "machine learning",
            "neural computation",
            "neural networks",
            "psychological review",
            "proceedings of the ieee",
            "annals of statistics",
            "annals of mathematical statistics",
        ),
        "journal",
    ),
    "arxiv": "preprint",
    "openai": "report",
}
_JOURNAL_WORDS = re.compile(r"\b(journal|transactions|annals|review|letters|magazine)\b", re.I)
_CONFERENCE_WORDS = re.compile(
    r"\b(conference|proceedings|workshop|symposium|meeting|congress)\b", re.I
)


def venue_kind(venue: str | None, arxiv_id: str | None = None) -> VenueKind:
    """The kind of publication a venue name stands for.

    >>> venue_kind("ICLR"), venue_kind("Nature"), venue_kind("arXiv")
    ('conference', 'journal', 'preprint')
    >>> venue_kind(None, "2106.09685"), venue_kind("IEEE Transactions on Information Theory")
    ('preprint', 'journal')
    """
    if not venue:
        return "preprint" if arxiv_id else "other"
    known = _VENUES.get(venue.strip().lower())
    if known:
        return known
    if _JOURNAL_WORDS.search(venue):
        return "journal"
    if _CONFERENCE_WORDS.search(venue):
        return "conference"
    return "other"


@dataclass(frozen=True)
class Person:
    """An author. ``given``/``family`` are None when only a whole name is known."""

    iri: str
    name: str
    given: str | None = None
    family: str | None = None


@dataclass(frozen=True)
class Work:
    """A work as a citation needs it: plain values, authors in order."""

    iri: str
    title: str
    year: int | None
    venue: str | None
    authors: tuple[Person, ...]
    doi: str | None = None
    arxiv_id: str | None = None
    url: str | None = None
    authors_ordered: bool = True  # False when only unordered dcterms:creator was found

    @property
    def slug(self) -> str:
        return self.iri[len(str(WORK)) :] if self.iri.startswith(str(WORK)) else self.iri

    @property
    def kind(self) -> VenueKind:
        return venue_kind(self.venue, self.arxiv_id)

    @property
    def link(self) -> str | None:
        """A URL to read the work: its own, else its arXiv abstract page."""
        if self.url:
            return self.url
        if self.arxiv_id:
            return f"https://arxiv.org/abs/{self.arxiv_id}"
        return None


_WORK_VALUES = """SELECT ?p ?o WHERE {
  <%s> ?p ?o
  FILTER(?p IN (dcterms:title, dcterms:issued, sg:venue, sg:arxivId, bibo:doi, schema:url,
                bibo:authorList, dcterms:creator))
}"""

_LIST_NODES = """SELECT ?node ?first ?rest WHERE {
  <%s> bibo:authorList/rdf:rest* ?node .
  ?node rdf:first ?first ; rdf:rest ?rest .
}"""

_PERSONS = """SELECT ?person ?name ?given ?family WHERE {
  VALUES ?person { %s }
  OPTIONAL { ?person foaf:name ?name }
  OPTIONAL { ?person foaf:givenName ?given }
  OPTIONAL { ?person foaf:familyName ?family }
}"""

_FOUNDATIONAL = """SELECT DISTINCT ?work WHERE { <%s> sg:foundationalWork ?work }"""
_IS_METHOD = """ASK { <%s> a sg:Method }"""


def work_iri(slug: str) -> URIRef:
    """The IRI of the work ``slug``; a 404 when the slug is malformed (terms.SLUG)."""
    return WORK[check_slug("work", slug)]


def method_iri(slug: str) -> URIRef:
    """The IRI of the method ``slug``; a 404 when the slug is malformed (terms.SLUG)."""
    return METHOD[check_slug("method", slug)]


def get_work(store: Store, iri: str) -> Work | None:
    """The work ``iri`` as a :class:`Work`, or None when the store has no title for it."""
    if not is_iri(iri):
        return None
    prefixes = sparql_prefixes()
    values: dict[str, list[Node]] = {}
    for row in store.select(prefixes + _WORK_VALUES % iri):
        values.setdefault(str(row["p"]), []).append(row["o"])
    titles = [t for t in values.get(_P_TITLE, []) if isinstance(t, RDFLiteral)]
    title = pick(titles, "en")
    if title is None:
        return None

    authors: list[Person] = []
    ordered = True
    heads = sorted(values.get(_P_AUTHOR_LIST, []), key=str)
    if heads:
        members = _walk_list(store, prefixes, iri, heads[0])
    else:
        members = sorted(values.get(_P_CREATOR, []), key=str)
        ordered = False
    people = _persons(store, prefixes, [m for m in members if isinstance(m, URIRef)])
    for member in members:
        if isinstance(member, URIRef) and str(member) in people:
            authors.append(people[str(member)])
        elif isinstance(member, RDFLiteral):
            authors.append(Person(iri="", name=str(member)))
    if not ordered:
        authors.sort(key=lambda p: ((p.family or p.name).casefold(), (p.given or "").casefold()))

    return Work(
        iri=iri,
        title=str(title),
        year=_year(values.get(_P_ISSUED, [])),
        venue=_first(values.get(_P_VENUE, [])),
        authors=tuple(authors),
        doi=_first(values.get(_P_DOI, [])),
        arxiv_id=_first(values.get(_P_ARXIV, [])),
        url=_first(values.get(_P_URL, [])),
        authors_ordered=ordered,
    )


def is_method(store: Store, iri: str) -> bool:
    return is_iri(iri) and store.ask(sparql_prefixes() + _IS_METHOD % iri)


def foundational_works(store: Store, method: str) -> list[Work]:
    """The foundational works of the method ``method`` (an IRI), oldest first."""
    if not is_iri(method):
        return []
    rows = store.select(sparql_prefixes() + _FOUNDATIONAL % method)
    works = [get_work(store, str(r["work"])) for r in rows if isinstance(r.get("work"), URIRef)]
    found = [w for w in works if w is not None]
    return sorted(found, key=lambda w: (w.year or 0, w.title.casefold(), w.iri))


# ---- helpers ---------------------------------------------------------------------------

_P_TITLE = "http://purl.org/dc/terms/title"
_P_ISSUED = "http://purl.org/dc/terms/issued"
_P_CREATOR = "http://purl.org/dc/terms/creator"
_P_VENUE = "https://w3id.org/scholargate/ontology#venue"
_P_ARXIV = "https://w3id.org/scholargate/ontology#arxivId"
_P_DOI = "http://purl.org/ontology/bibo/doi"
_P_URL = "https://schema.org/url"
_P_AUTHOR_LIST = "http://purl.org/ontology/bibo/authorList"


def _first(nodes: Iterable[Node]) -> str | None:
    """One value, the same whatever order the store returns them in."""
    texts = sorted(str(n) for n in nodes if str(n).strip())
    return texts[0].strip() if texts else None


def _year(nodes: Iterable[Node]) -> int | None:
    years = []
    for node in nodes:
        match = re.match(r"-?\d{4}", str(node).strip())
        if match:
            years.append(int(match.group(0)))
    return min(years) if years else None


def _walk_list(store: Store, prefixes: str, work: str, head: Node) -> list[Node]:
    """The members of an RDF list, in order, from its head node."""
    links: dict[Node, tuple[Node, Node]] = {}
    for row in store.select(prefixes + _LIST_NODES % work):
        links.setdefault(row["node"], (row["first"], row["rest"]))
    members: list[Node] = []
    node: Node = head
    seen: set[Node] = set()
    while node != RDF.nil and node in links and node not in seen:
        seen.add(node)
        first, node = links[node]
        members.append(first)
    return members


def _persons(store: Store, prefixes: str, iris: list[URIRef]) -> dict[str, Person]:
    wanted = sorted({str(i) for i in iris if is_iri(str(i))})
    if not wanted:
        return {}
    found: dict[str, dict[str, list[Node]]] = {}
    values = " ".join(f"<{i}>" for i in wanted)
    for row in store.select(prefixes + _PERSONS % values):
        slot = found.setdefault(str(row["person"]), {"name": [], "given": [], "family": []})
        for key in ("name", "given", "family"):
            if row.get(key) is not None:
                slot[key].append(row[key])
    people: dict[str, Person] = {}
    for iri in wanted:
        slot = found.get(iri, {})
        given, family = _first(slot.get("given", [])), _first(slot.get("family", []))
        name = _first(slot.get("name", [])) or " ".join(p for p in (given, family) if p)
        if not name:
            name = iri.rsplit("/", 1)[-1].replace("-", " ").title()
        people[iri] = Person(iri=iri, name=name, given=given, family=family)
    return people
