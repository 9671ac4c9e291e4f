"""Linked Data resources: what a page about one IRI shows, and what /methods lists.

:meth:`Resources.describe` reads one resource with one SELECT (its own statements, the
statements that point at it, its SKOS-XL aliases, its RDF lists and, for a method, its
foundational works) plus, for a method, one small query for the links among its
neighbours; it returns a :class:`Description` of plain data: every property under its
ontology label in the asked language, every value with a label along the language
fallback chain. :meth:`Resources.document_query` is the CONSTRUCT behind the RDF forms
(the resource's statements, its alias resources, the statements pointing at it, and the
labels of everything named there). :meth:`Resources.browse` pages and facets the
methods. Nothing here knows about HTTP; views turn ``(kind, slug)`` pairs into URLs.
"""

from __future__ import annotations

import difflib
import re
import weakref
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from .. import terms as checked
from ..errors import InputError, NotFoundError
from ..i18n import t
from ..namespaces import (
    BASE,
    BIBO,
    ONTOLOGY_GRAPH,
    PAGE_KINDS,
    PREFIXES,
    SCHEMA,
    SG,
    SKOSXL,
    sparql_prefixes,
)
from ..store import Store
from ..store.oxigraph import to_rdflib
from .compare import comparer_for, normalise_doi
from .labels import pick

# The kinds of resource that have a page here, as /{kind}/{slug}, are namespaces.PAGE_KINDS
# (comparisons have their own blueprint; graphs, shapes and ontology terms are not pages).

PAGE_SIZE = 50
MAX_NEIGHBOURS = 24  # nodes around a method in its neighbourhood graph
INCOMING_LIMIT = 200  # values shown per incoming property (the count says how many in all)

# Properties that name a thing, best first (labels.LABEL_PROPERTIES and SKOS-XL forms).
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, FOAF.name, DCTERMS.title, SKOSXL.literalForm)
_LABEL_VALUES = " ".join(checked.iri(p) for p in LABEL_PROPERTIES)
_XL = (SKOSXL.prefLabel, SKOSXL.altLabel, SKOSXL.hiddenLabel)

# fmt: off
# Labels of properties outside the ontology graph (the ontology labels only sg: terms).
PROPERTY_LABELS: dict[URIRef, dict[str, str]] = {
    RDF.type: {"en": "class", "fa": "رده", "tr": "sınıf"},
    SKOS.prefLabel: {"en": "preferred name", "fa": "نام ترجیحی", "tr": "tercih edilen ad"},
    SKOS.altLabel: {"en": "other names", "fa": "نام‌های دیگر", "tr": "diğer adlar"},
    SKOS.hiddenLabel: {"en": "hidden names", "fa": "نام‌های پنهان", "tr": "gizli adlar"},
    SKOS.definition: {"en": "definition", "fa": "تعریف", "tr": "tanım"},
    SKOS.inScheme: {"en": "concept scheme", "fa": "طرح مفهومی", "tr": "kavram şeması"},
    SKOS.topConceptOf: {"en": "top concept of", "fa": "مفهوم بالادستِ", "tr": "en üst kavramı"},
    SKOS.hasTopConcept: {"en": "top concepts", "fa": "مفهوم‌های بالادست", "tr": "en üst kavramlar"},
    SKOS.related: {"en": "related", "fa": "مرتبط", "tr": "ilişkili"},
    SKOS.broader: {"en": "broader", "fa": "گسترده‌تر", "tr": "daha geniş"},
    SKOS.narrower: {"en": "narrower", "fa": "جزئی‌تر", "tr": "daha dar"},
    SKOS.exactMatch: {"en": "exact match", "fa": "هم‌ارز دقیق", "tr": "tam eşleşme"},
    SKOS.closeMatch: {"en": "close match", "fa": "هم‌ارز نزدیک", "tr": "yakın eşleşme"},
    SKOSXL.prefLabel: {"en": "preferred name record", "fa": "رکورد نام ترجیحی",
        "tr": "tercih edilen ad kaydı"},
    SKOSXL.altLabel: {"en": "alias records", "fa": "رکوردهای نام دیگر", "tr": "diğer ad kayıtları"},
    SKOSXL.hiddenLabel: {"en": "hidden name records", "fa": "رکوردهای نام پنهان",
        "tr": "gizli ad kayıtları"},
    SKOSXL.literalForm: {"en": "written form", "fa": "صورت نوشتاری", "tr": "yazılış biçimi"},
    RDFS.label: {"en": "label", "fa": "برچسب", "tr": "etiket"},
    RDFS.comment: {"en": "comment", "fa": "توضیح", "tr": "açıklama"},
    RDFS.seeAlso: {"en": "see also", "fa": "همچنین ببینید", "tr": "ayrıca bakınız"},
    OWL.sameAs: {"en": "same as", "fa": "همان", "tr": "aynısı"},
    FOAF.name: {"en": "name", "fa": "نام", "tr": "ad"},
    FOAF.givenName: {"en": "given name", "fa": "نام کوچک", "tr": "adı"},
    FOAF.familyName: {"en": "family name", "fa": "نام خانوادگی", "tr": "soyadı"},
    DCTERMS.title: {"en": "title", "fa": "عنوان", "tr": "başlık"},
    DCTERMS.issued: {"en": "published", "fa": "سال انتشار", "tr": "yayın yılı"},
    DCTERMS.creator: {"en": "authors", "fa": "نویسندگان", "tr": "yazarlar"},
    DCTERMS.source: {"en": "source", "fa": "منبع", "tr": "kaynak"},
    DCTERMS.description: {"en": "description", "fa": "شرح", "tr": "açıklama"},
    DCTERMS.license: {"en": "licence", "fa": "پروانه", "tr": "lisans"},
    BIBO.authorList: {"en": "authors, in order", "fa": "نویسندگان، به ترتیب",
        "tr": "yazarlar (sırasıyla)"},
    BIBO.doi: {"en": "DOI", "fa": "DOI", "tr": "DOI"},
    SCHEMA.url: {"en": "web page", "fa": "صفحهٔ وب", "tr": "web sayfası"},
}

# Labels of properties read backwards, for the "used by" part of a page.
INVERSE_LABELS: dict[URIRef, dict[str, str]] = {
    SG.introducedBy: {"en": "methods introduced", "fa": "روش‌هایی که پدید آورده",
        "tr": "ortaya koyduğu yöntemler"},
    DCTERMS.creator: {"en": "works", "fa": "آثار", "tr": "yayınları"},
    SG.foundationalWork: {"en": "foundational work of", "fa": "اثر بنیادینِ",
        "tr": "temel yayını olduğu yöntemler"},
    SG.buildsOn: {"en": "built on by", "fa": "روش‌های ساخته‌شده بر پایهٔ آن",
        "tr": "üzerine kurulan yöntemler"},
    SG.field: {"en": "methods in this field", "fa": "روش‌های این حوزه",
        "tr": "bu alandaki yöntemler"},
    SG.family: {"en": "methods in this family", "fa": "روش‌های این خانواده",
        "tr": "bu ailedeki yöntemler"},
    SG.methodType: {"en": "methods of this type", "fa": "روش‌های این نوع",
        "tr": "bu türdeki yöntemler"},
    SG.aliasKind: {"en": "aliases of this kind", "fa": "نام‌های دیگر از این گونه",
        "tr": "bu türdeki diğer adlar"},
    SG.method: {"en": "compared in", "fa": "مقایسه‌شده در", "tr": "karşılaştırıldığı yer"},
    SKOS.inScheme: {"en": "concepts in this scheme", "fa": "مفهوم‌های این طرح",
        "tr": "bu şemadaki kavramlar"},
    SKOS.topConceptOf: {"en": "top concepts", "fa": "مفهوم‌های بالادست", "tr": "en üst kavramlar"},
    SKOSXL.altLabel: {"en": "alias of", "fa": "نام دیگرِ", "tr": "diğer adı olduğu"},
    SKOSXL.prefLabel: {"en": "preferred name of", "fa": "نام ترجیحیِ", "tr": "tercih edilen adı"},
    DCTERMS.source: {"en": "source of", "fa": "منبعِ", "tr": "kaynağı olduğu"},
}
# fmt: on

# The order properties appear in on a page; the rest follow by label.
PROPERTY_ORDER: tuple[URIRef, ...] = (
    RDF.type, SKOS.prefLabel, FOAF.name, FOAF.givenName, FOAF.familyName, DCTERMS.title,
    SKOSXL.literalForm, SG.aliasKind, SKOS.altLabel, SKOSXL.altLabel, SKOS.hiddenLabel,
    SG.summary, SKOS.definition, DCTERMS.description, RDFS.comment, SG.yearIntroduced,
    DCTERMS.issued, SG.venue, SG.introducedBy, BIBO.authorList, DCTERMS.creator,
    SG.foundationalWork, SG.field, SG.family, SG.methodType, SKOS.related, SG.buildsOn,
    BIBO.doi, SG.arxivId, SG.orcid, SCHEMA.url, SKOS.exactMatch, SKOS.closeMatch, OWL.sameAs,
    RDFS.seeAlso, DCTERMS.source, SKOS.inScheme, SKOS.topConceptOf,
)  # fmt: skip
INCOMING_ORDER: tuple[URIRef, ...] = (
    SG.introducedBy, DCTERMS.creator, SG.foundationalWork, SG.buildsOn, SKOS.related,
    SG.field, SG.family, SG.methodType, SKOS.topConceptOf, SKOS.inScheme, SKOSXL.altLabel,
)  # fmt: skip

# Statements that link out of the graph: shown again, as outbound links.
EXTERNAL_PROPERTIES = (
    SKOS.exactMatch, SKOS.closeMatch, OWL.sameAs, SG.orcid, BIBO.doi, SG.arxivId,
    SCHEMA.url, RDFS.seeAlso,
)  # fmt: skip
_SITES = {
    "wikidata.org": "Wikidata",
    "doi.org": "DOI",
    "arxiv.org": "arXiv",
    "orcid.org": "ORCID",
    "openalex.org": "OpenAlex",
    "orkg.org": "ORKG",
    "paperswithcode.com": "Papers with Code",
    "dbpedia.org": "DBpedia",
}
_WORK_FIELDS = (DCTERMS.issued, BIBO.doi, SG.arxivId, SCHEMA.url, SG.venue)


# ---- what the service returns ---------------------------------------------------------


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


@dataclass(frozen=True)
class GraphNode:
    iri: str
    slug: str
    label: str
    lang: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str  # "related" | "buildsOn"


@dataclass
class Neighbourhood:
    """A method, its related and builds-on neighbours, and the links among them."""

    centre: GraphNode
    nodes: list[GraphNode]
    edges: list[Edge]
    omitted: int = 0  # neighbours left out to keep the drawing readable


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
    def href(self) -> str | None:
        if self.doi:
            return f"https://doi.org/{normalise_doi(self.doi)}"
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        return self.url


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

    def find(self, iri: str | URIRef, *, inverse: bool = False) -> Property | None:
        """The property row ``iri`` (read backwards with ``inverse``), if the page has it."""
        for prop in self.incoming if inverse else self.properties:
            if prop.iri == str(iri):
                return prop
        return None


# ---- IRIs, compact IRIs and labels -----------------------------------------------------


def resource_iri(kind: str, slug: str) -> URIRef:
    """The IRI of ``/{kind}/{slug}``; a 404 for an unknown kind or a malformed slug."""
    if kind not in PAGE_KINDS:
        raise NotFoundError(f"no resources of kind {kind!r}; kinds: {', '.join(PAGE_KINDS)}")
    checked.check_slug(kind, slug)
    return URIRef(f"{BASE}{kind}/{slug}")


def local_of(iri: str) -> tuple[str, str] | None:
    """``(kind, slug)`` when ``iri`` is a resource with a page here, else None."""
    if not iri.startswith(BASE):
        return None
    kind, _, slug = iri[len(BASE) :].partition("/")
    if kind in PAGE_KINDS and slug and "/" not in slug and "#" not in slug:
        return kind, slug
    return None


_NAMESPACES = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def curie(iri: str) -> str:
    """``skos:prefLabel`` for the SKOS IRI; the IRI itself when no prefix fits."""
    for prefix, ns in _NAMESPACES:
        if iri.startswith(ns) and re.fullmatch(r"[\w.-]*", iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def best_label(labels: dict[str, list[Literal]], lang: str) -> Literal | None:
    """The label of a thing in ``lang`` along the fallback chain, from the first label
    property (``LABEL_PROPERTIES`` order) that has any."""
    for prop in LABEL_PROPERTIES:
        found = labels.get(str(prop))
        if found:
            return pick(found, lang)
    return None


def _external(iri: str) -> tuple[str, str]:
    """``(site, text)`` for an outbound link."""
    parts = urlsplit(iri)
    host = (parts.hostname or "").removeprefix("www.")
    for domain, site in _SITES.items():
        if host == domain or host.endswith("." + domain):
            tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
            if site == "DOI":
                tail = parts.path.lstrip("/")
            return site, tail or iri
    return host or iri, iri


def _year(term: Node | None) -> int | None:
    if term is None:
        return None
    match = re.match(r"-?\d+", str(term))
    return int(match.group(0)) if match else None


def _lang_order(lang: str):  # noqa: ANN202
    """Sort key for literals: the page's language first, then English, then the rest."""

    def key(value: Value) -> tuple:
        return (value.lang != lang, value.lang != "en", value.lang, value.text.casefold())

    return key


# ---- the service -----------------------------------------------------------------------


class Resources:
    """Describes resources of one store; caches property labels and slug indexes until
    the data change (``refresh``)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._property_labels: dict[str, list[Literal]] | None = None
        self._slugs: dict[str, dict[str, str]] = {}
        self._label_cache: dict[tuple[str, str, bool], tuple[str, str]] = {}
        self._concepts: dict[str, list[Literal]] = {}

    def refresh(self) -> None:
        self._property_labels = None
        self._slugs = {}
        self._label_cache = {}
        self._concepts = {}

    # ---- property labels ------------------------------------------------------------

    @property
    def ontology_labels(self) -> dict[str, list[Literal]]:
        if self._property_labels is None:
            found: dict[str, list[Literal]] = defaultdict(list)
            for row in _select(
                self.store,
                f"SELECT ?p ?l WHERE {{ GRAPH {checked.iri(ONTOLOGY_GRAPH)} "
                f"{{ ?p {checked.iri(RDFS.label)} ?l }} }}",
            ):
                if isinstance(row["l"], Literal):
                    found[str(row["p"])].append(row["l"])
            self._property_labels = dict(found)
        return self._property_labels

    def property_label(self, iri: str, lang: str, *, inverse: bool = False) -> tuple[str, str]:
        """``(label, its language)`` of a property: the ontology's rdfs:label, then the
        built-in table, then its compact IRI; read backwards with ``inverse``."""
        key = (iri, lang, inverse)
        if key not in self._label_cache:
            self._label_cache[key] = self._property_label(iri, lang, inverse=inverse)
        return self._label_cache[key]

    def _property_label(self, iri: str, lang: str, *, inverse: bool) -> tuple[str, str]:
        if inverse:
            table = INVERSE_LABELS.get(URIRef(iri))
            if table:
                chosen = pick([Literal(v, lang=k) for k, v in table.items()], lang)
                return str(chosen), chosen.language or ""  # type: ignore[union-attr]
            label, label_lang = self.property_label(iri, lang)
            return t("resource.inverse", lang, label=label), lang
        labels = self.ontology_labels.get(iri)
        if not labels and URIRef(iri) in PROPERTY_LABELS:
            labels = [Literal(v, lang=k) for k, v in PROPERTY_LABELS[URIRef(iri)].items()]
        chosen = pick(labels or [], lang)
        if chosen is None:
            return curie(iri), ""
        return str(chosen), chosen.language or ""

    # ---- existence and suggestions ------------------------------------------------------

    def exists(self, iri: str) -> bool:
        """Whether ``iri`` is the subject or object of a statement (an InputError for a
        value that is not an IRI a query may hold)."""
        s = checked.iri(iri)
        return self.store.ask(f"ASK {{ {{ {s} ?p ?o }} UNION {{ ?s ?p {s} }} }}")

    def slugs(self, kind: str) -> dict[str, str]:
        """Folded slug or label → slug, for every resource of ``kind`` (cached)."""
        if kind not in self._slugs:
            base = f"{BASE}{kind}/"
            index: dict[str, str] = {}
            rows = _select(
                self.store,
                "SELECT DISTINCT ?s ?l WHERE { ?s ?p ?o "
                f"FILTER(STRSTARTS(STR(?s), {checked.literal(base)})) "
                f"OPTIONAL {{ ?s ?lp ?l VALUES ?lp {{ {_LABEL_VALUES} }} }} }}",
            )
            for row in rows:
                slug = str(row["s"])[len(base) :]
                index.setdefault(slug, slug)
                if "l" in row:
                    index.setdefault(str(row["l"]).casefold(), slug)
            self._slugs[kind] = index
        return self._slugs[kind]

    def suggest(self, kind: str, slug: str, n: int = 5) -> list[str]:
        """Slugs near ``slug`` among resources of ``kind`` (methods: the compare index)."""
        if kind == "method":
            return comparer_for(self.store).index.suggest(slug, n)
        index = self.slugs(kind)
        close = difflib.get_close_matches(slug.casefold(), list(index), n=n * 3, cutoff=0.6)
        found: list[str] = []
        for key in close:
            if index[key] not in found:
                found.append(index[key])
        return found[:n]

    def not_found(self, kind: str, slug: str) -> NotFoundError:
        if kind in PAGE_KINDS and not checked.is_slug(slug):
            return checked.malformed_slug(kind, slug)
        hints = self.suggest(kind, slug) if kind in PAGE_KINDS else []
        hint = f"; did you mean: {', '.join(hints)}?" if hints else ""
        return NotFoundError(
            f"no {kind} {slug!r} in the graph{hint}", kind=kind, slug=slug, suggestions=hints
        )

    # ---- one resource -------------------------------------------------------------------

    def describe(self, kind: str, slug: str, lang: str = "en") -> Description:
        """Everything a page about ``/{kind}/{slug}`` shows, labelled in ``lang``."""
        iri = str(resource_iri(kind, slug))
        rows = _select(self.store, _describe_query(iri, with_works=kind == "method"))
        if not rows:
            raise self.not_found(kind, slug)
        described = _assemble(self, iri, kind, slug, lang, rows)
        described.queries = 1
        if kind == "method":
            described.neighbourhood = self._neighbourhood(described)
            described.queries += 1
        return described

    def document_query(self, kind: str, slug: str) -> str:
        """The CONSTRUCT of the RDF document of ``/{kind}/{slug}``; 404 when unknown."""
        iri = str(resource_iri(kind, slug))
        if not self.exists(iri):
            raise self.not_found(kind, slug)
        return document_query(iri)

    def _neighbourhood(self, described: Description) -> Neighbourhood:
        """The method, what it builds on, what builds on it and what it is related to
        (at most ``MAX_NEIGHBOURS``, in that order), and the links among them."""
        me = described.iri
        centre = GraphNode(me, described.slug, described.label.text, described.label.lang)
        nodes: dict[str, GraphNode] = {}
        edges: dict[tuple[str, str, str], Edge] = {}  # insertion-ordered, no duplicates
        seen: set[str] = set()

        def add(a: str, b: str, kind: str) -> None:
            if (
                a != b
                and (a, b, kind) not in edges
                and (
                    kind != "related" or (b, a, kind) not in edges  # symmetric: once
                )
            ):
                edges[(a, b, kind)] = Edge(a, b, kind)

        for prop, inverse, kind in (
            (SG.buildsOn, False, "buildsOn"),
            (SG.buildsOn, True, "buildsOn"),
            (SKOS.related, False, "related"),
        ):
            found = described.find(prop, inverse=inverse)
            for value in found.values if found else []:
                if not (value.local and value.local[0] == "method" and value.iri != me):
                    continue
                if not checked.is_iri(str(value.iri)):  # one a query could not hold
                    continue
                other = str(value.iri)
                seen.add(other)
                if other not in nodes:
                    if len(nodes) >= MAX_NEIGHBOURS:
                        continue
                    nodes[other] = GraphNode(other, value.local[1], value.text, value.lang)
                if inverse:
                    add(other, me, kind)
                else:
                    add(me, other, kind)
        if len(nodes) > 1:
            values = " ".join(checked.iri(n) for n in nodes)
            members = ", ".join(checked.iri(n) for n in nodes)
            for row in _select(
                self.store,
                f"SELECT ?a ?p ?b WHERE {{ VALUES ?a {{ {values} }} ?a ?p ?b "
                f"FILTER(?p IN ({checked.iri(SKOS.related)}, {checked.iri(SG.buildsOn)}) "
                f"&& ?b IN ({members})) }}",
            ):
                kind = "related" if row["p"] == SKOS.related else "buildsOn"
                add(str(row["a"]), str(row["b"]), kind)
        return Neighbourhood(
            centre, list(nodes.values()), list(edges.values()), omitted=len(seen) - len(nodes)
        )

    # ---- browsing the methods -----------------------------------------------------------

    def browse(self, filters: Filters, lang: str = "en", page: int = 1) -> Listing:
        """One page of methods matching ``filters``, with facet counts and the timeline.

        Three queries: the total, the methods per facet value and per year, and the
        page; facet labels come from a cache of concept labels.
        """
        if page < 1:
            raise InputError(f"page must be 1 or more, got {page}")
        where = filters.where()
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        years: dict[int, int] = defaultdict(int)
        found = _select(self.store, f"SELECT (COUNT(?m) AS ?n) WHERE {{ {where} }}")
        total = int(found[0]["n"]) if found else 0  # type: ignore[call-overload]
        for row in _select(self.store, _count_query(where)):
            facet, n = str(row["facet"]), int(row["n"])  # type: ignore[call-overload]
            if facet == "year":
                year = _year(row.get("v"))
                if year is not None:
                    years[year] += n
            elif "v" in row:
                counts[facet][str(row["v"])] = n
        pages = max(1, -(-total // PAGE_SIZE))
        if page > pages:
            raise NotFoundError(f"page {page} is past the last page ({pages})", pages=pages)
        labels = self.concept_labels([iri for found in counts.values() for iri in found])
        return Listing(
            items=self._page(where, lang, page, filters.sort),
            total=total,
            page=page,
            pages=pages,
            page_size=PAGE_SIZE,
            facets={
                name: _facet_values(counts.get(name, {}), labels, getattr(filters, name), lang)
                for name in FACETS
            },
            years=sorted(years.items()),
            filters=filters,
        )

    def concept_labels(self, iris: list[str]) -> dict[str, list[Literal]]:
        """The preferred labels of fields, families and types (cached: there are few)."""
        missing = [i for i in iris if i not in self._concepts]
        if missing:
            values = " ".join(checked.iri(i) for i in missing if checked.is_iri(i))
            found: dict[str, list[Literal]] = {iri: [] for iri in missing}
            pref = checked.iri(SKOS.prefLabel)
            query = f"SELECT ?c ?l WHERE {{ VALUES ?c {{ {values} }} ?c {pref} ?l }}"
            for row in _select(self.store, query):
                if isinstance(row["l"], Literal):
                    found[str(row["c"])].append(row["l"])
            self._concepts.update(found)  # whole entries only: other threads read it
        return {i: self._concepts[i] for i in iris}

    def _page(self, where: str, lang: str, page: int, sort: str) -> list[Item]:
        # At most one skos:prefLabel per language (docs/modelling.md), so one row per
        # method: no GROUP BY, and the engine keeps only the top of the sort.
        # The year is joined inside the sort only when it is the sort key (it costs a
        # third of the query); otherwise for the page's fifty methods alone.
        by_year = sort == "year"
        year = " OPTIONAL { ?m sg:yearIntroduced ?year }"
        rows = _select(
            self.store,
            sparql_prefixes()
            + "SELECT ?m ?key ?year ?l WHERE { { SELECT ?m ?key"
            + (" ?year" if by_year else "")
            + " WHERE { "
            + where
            + f" OPTIONAL {{ ?m skos:prefLabel ?own FILTER(LANG(?own) = {checked.literal(lang)}) }}"
            ' OPTIONAL { ?m skos:prefLabel ?en FILTER(LANG(?en) = "en") }'
            + (year if by_year else "")
            + " BIND(LCASE(STR(COALESCE(?own, ?en, STR(?m)))) AS ?key) } "
            + f"ORDER BY {'DESC(?year) ?key ?m' if by_year else '?key ?m'} "
            + f"LIMIT {PAGE_SIZE} OFFSET {(page - 1) * PAGE_SIZE} }}"
            + ("" if by_year else year)
            + " OPTIONAL { ?m skos:prefLabel ?l } }",
        )
        found: dict[str, dict] = {}
        for row in rows:
            entry = found.setdefault(
                str(row["m"]), {"key": str(row.get("key", "")), "year": row.get("year"), "l": []}
            )
            if isinstance(row.get("l"), Literal) and row["l"] not in entry["l"]:
                entry["l"].append(row["l"])
        items = []
        for iri, entry in found.items():
            label = pick(entry["l"], lang)
            local = local_of(iri)
            items.append(
                Item(
                    iri=iri,
                    slug=local[1] if local else iri,
                    label=str(label) if label is not None else iri.rsplit("/", 1)[-1],
                    lang=(label.language or "") if label is not None else "",
                    year=_year(entry["year"]),
                    key=entry["key"],
                )
            )
        if sort == "year":
            items.sort(key=lambda i: (-(i.year if i.year is not None else -(10**6)), i.key, i.iri))
        else:
            items.sort(key=lambda i: (i.key, i.iri))
        return items


_RESOURCES: weakref.WeakKeyDictionary[Store, Resources] = weakref.WeakKeyDictionary()


def resources_for(store: Store) -> Resources:
    """The resource service of ``store`` (one per store, made on first use)."""
    found = _RESOURCES.get(store)
    if found is None:
        found = _RESOURCES[store] = Resources(store)
    return found


def _select(store: Store, sparql: str) -> list[dict[str, Node]]:
    """SELECT rows as rdflib terms. Pages are the hot path, so an Oxigraph store is
    asked directly (no prefixes to predeclare, no extension functions, no row cap):
    measured on the bundled graph this is 3-5x faster than ``Store.select``."""
    native = getattr(store, "native", None)
    if native is None:
        return store.select(sparql)
    solutions = native.query(sparql, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        pairs = zip(names, solution, strict=True)
        rows.append({name: to_rdflib(term) for name, term in pairs if term is not None})
    return rows


# ---- the queries -----------------------------------------------------------------------


def _labels_of(var: str) -> str:
    return f"OPTIONAL {{ {var} ?lp ?l VALUES ?lp {{ {_LABEL_VALUES} }} }}"


def _describe_query(iri: str, *, with_works: bool) -> str:
    """One SELECT for a page: ``?dir`` tells the branch each row comes from."""
    s = checked.iri(iri)
    xl = "|".join(checked.iri(p) for p in _XL)
    first, rest = checked.iri(RDF.first), checked.iri(RDF.rest)
    works = checked.iri(SG.foundationalWork)
    branches = [
        # the resource's own statements, with the labels of what they point to
        f'{{ {s} ?p ?v BIND("out" AS ?dir) {_labels_of("?v")} }}',
        # statements pointing at it (named subjects only), with their subjects' labels
        f'{{ ?v ?p {s} FILTER(!isBlank(?v)) BIND("in" AS ?dir) {_labels_of("?v")} }}',
        # RDF lists it points to (authors in order), member by member
        f"{{ {s} ?p ?v FILTER(isBlank(?v)) ?v {rest}* ?node . "
        f"?node {first} ?item ; {rest} ?next . "
        f'BIND("list" AS ?dir) {_labels_of("?item")} }}',
        # its SKOS-XL label resources: form, kind, source
        f'{{ {s} {xl} ?v . ?v ?p ?item BIND("alias" AS ?dir) {_labels_of("?item")} }}',
    ]
    if with_works:
        fields = ", ".join(checked.iri(p) for p in _WORK_FIELDS)
        branches += [
            f'{{ {s} {works} ?v . ?v ?p ?item FILTER(?p IN ({fields})) BIND("work" AS ?dir) }}',
            # the author lists of its foundational works: originators in author order
            f"{{ {s} {works} ?v . ?v {checked.iri(BIBO.authorList)} ?list . "
            f"?list {rest}* ?node . ?node {first} ?item ; {rest} ?next . "
            f'BIND("order" AS ?dir) {_labels_of("?item")} }}',
        ]
    union = "\n  UNION ".join(branches)
    return f"SELECT ?dir ?p ?v ?lp ?l ?node ?next ?item WHERE {{\n  {union}\n}}"


def document_query(iri: str) -> str:
    """The CONSTRUCT behind a resource's RDF document: its statements, its alias
    resources and RDF lists, the statements pointing at it, and the labels of every
    resource named in them."""
    s = checked.iri(iri)
    xl = "|".join(checked.iri(p) for p in _XL)
    first, rest = checked.iri(RDF.first), checked.iri(RDF.rest)
    labels = _LABEL_VALUES
    return (
        "CONSTRUCT {\n"
        f"  {s} ?p ?o . ?o ?lp ?l .\n"
        "  ?a ?ap ?ao .\n"
        f"  ?node {first} ?item ; {rest} ?next . ?item ?ilp ?il .\n"
        f"  ?x ?q {s} . ?x ?xlp ?xl .\n"
        "} WHERE {\n"
        f"  {{ {s} ?p ?o OPTIONAL {{ ?o ?lp ?l VALUES ?lp {{ {labels} }} }} }}\n"
        f"  UNION {{ {s} {xl} ?a . ?a ?ap ?ao }}\n"
        f"  UNION {{ {s} ?p0 ?list FILTER(isBlank(?list)) ?list {rest}* ?node . "
        f"?node {first} ?item ; {rest} ?next "
        f"OPTIONAL {{ ?item ?ilp ?il VALUES ?ilp {{ {labels} }} }} }}\n"
        f"  UNION {{ ?x ?q {s} FILTER(!isBlank(?x)) "
        f"OPTIONAL {{ ?x ?xlp ?xl VALUES ?xlp {{ {labels} }} }} }}\n"
        "}"
    )


# ---- assembling a description ----------------------------------------------------------


def _walk(head: str, nodes: dict[str, tuple[str, Node]]) -> list[Node]:
    """The members of the RDF list starting at ``head``, given each node's (next, item)."""
    members, node, seen = [], head, set()
    while node in nodes and node not in seen:
        seen.add(node)
        nxt, item = nodes[node]
        members.append(item)
        node = nxt
    return members


def _assemble(
    service: Resources, iri: str, kind: str, slug: str, lang: str, rows: list[dict[str, Node]]
) -> Description:
    labels: dict[str, dict[str, list[Literal]]] = defaultdict(lambda: defaultdict(list))
    out: dict[str, list[Node]] = defaultdict(list)
    inc: dict[str, list[Node]] = defaultdict(list)
    lists: dict[str, dict[str, dict[str, tuple[str, Node]]]] = defaultdict(dict)  # p → head → …
    orders: dict[str, dict[str, tuple[str, Node]]] = defaultdict(dict)  # work → node → …
    aliases: dict[str, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
    works: dict[str, dict[str, Node]] = defaultdict(dict)

    seen: set[tuple] = set()

    def add_label(row: dict[str, Node], subject: Node | None) -> None:
        if subject is not None and "lp" in row and isinstance(row.get("l"), Literal):
            key = ("label", subject, row["lp"], row["l"])
            if key not in seen:
                seen.add(key)
                labels[str(subject)][str(row["lp"])].append(row["l"])  # type: ignore[arg-type]

    for row in rows:
        direction = str(row["dir"])
        p = str(row.get("p", ""))
        if direction in ("out", "in"):
            target = out if direction == "out" else inc
            v = row["v"]
            if (direction, p, v) not in seen:
                seen.add((direction, p, v))
                target[p].append(v)
            add_label(row, v)
        elif direction == "list":
            heads = lists[p].setdefault(str(row["v"]), {})
            heads[str(row["node"])] = (str(row["next"]), row["item"])
            add_label(row, row["item"])
        elif direction == "order":
            orders[str(row["v"])][str(row["node"])] = (str(row["next"]), row["item"])
            add_label(row, row["item"])
        elif direction == "alias":
            if ("alias", row["v"], p, row["item"]) not in seen:
                seen.add(("alias", row["v"], p, row["item"]))
                aliases[str(row["v"])][p].append(row["item"])
            add_label(row, row["item"])
        elif direction == "work":
            works[str(row["v"])][p] = row["item"]

    picked: dict[str, Literal | None] = {}  # the label of each resource, picked once

    def value_of(term: Node, prop: str) -> Value:
        if isinstance(term, Literal):
            href = None
            if prop == str(BIBO.doi):
                href = f"https://doi.org/{normalise_doi(str(term))}"
            elif prop == str(SG.arxivId):
                href = f"https://arxiv.org/abs/{term}"
            datatype = str(term.datatype) if term.datatype is not None else None
            return Value(str(term), term.language or "", href=href, datatype=datatype)
        text_iri = str(term)
        if text_iri not in picked:
            picked[text_iri] = best_label(labels.get(text_iri, {}), lang)
        chosen = picked[text_iri]
        local = local_of(text_iri)
        if chosen is not None:
            text, text_lang = str(chosen), chosen.language or ""
        elif local:
            text, text_lang = local[1], ""
        else:
            text, text_lang = curie(text_iri), ""
        note = note_lang = ""
        if text_iri in aliases:  # an alias resource: its written form and kind
            record = aliases[text_iri]
            forms = [f for f in record.get(str(SKOSXL.literalForm), []) if isinstance(f, Literal)]
            if forms:
                text, text_lang = str(forms[0]), forms[0].language or ""
            kinds = record.get(str(SG.aliasKind), [])
            if kinds:
                kind_label = best_label(labels.get(str(kinds[0]), {}), lang)
                if kind_label is not None:
                    note, note_lang = str(kind_label), kind_label.language or ""
        return Value(
            text,
            text_lang,
            iri=text_iri,
            local=local,
            href=None if local else text_iri,
            note=note,
            note_lang=note_lang,
        )

    # originators in the author order of the foundational works, then by name
    rank: dict[str, tuple[int, int]] = {}
    for w_index, (_, nodes) in enumerate(sorted(orders.items())):
        pointed = {nxt for nxt, _ in nodes.values()}
        heads = [n for n in nodes if n not in pointed]
        for position, person in enumerate(_walk(heads[0], nodes) if heads else []):
            rank.setdefault(str(person), (w_index, position))

    properties: list[Property] = []
    for p, terms in out.items():
        if p in lists and all(isinstance(x, BNode) for x in terms):
            members = [m for head in terms for m in _walk(str(head), lists[p].get(str(head), {}))]
            values = [value_of(m, p) for m in members]
            ordered = True
        else:
            values = [value_of(x, p) for x in terms if not isinstance(x, BNode)]
            ordered = False
            if p == str(SG.introducedBy) and rank:
                far = (len(orders) + 1, 0)
                values.sort(key=lambda v: (rank.get(v.iri or "", far), v.text.casefold()))
                ordered = True
            elif all(v.is_literal for v in values):
                values.sort(key=_lang_order(lang))
            else:
                values.sort(key=lambda v: (v.text.casefold(), v.iri or ""))
        label, label_lang = service.property_label(p, lang)
        properties.append(
            Property(p, curie(p), label, label_lang, values, ordered=ordered, total=len(values))
        )
    properties.sort(key=_property_order(PROPERTY_ORDER))

    own_related = {str(x) for x in out.get(str(SKOS.related), [])}
    incoming: list[Property] = []
    for p, terms in inc.items():
        if p == str(SKOS.related):  # symmetric: what is also stated outwards is shown there
            terms = [x for x in terms if str(x) not in own_related]
        if not terms:
            continue
        total = len(terms)
        if total > INCOMING_LIMIT:  # a hub: the first ones by IRI, labelled (cheaper)
            terms = sorted(terms, key=str)[:INCOMING_LIMIT]
        values = sorted(
            (value_of(x, p) for x in terms), key=lambda v: (v.text.casefold(), v.iri or "")
        )
        label, label_lang = service.property_label(p, lang, inverse=True)
        incoming.append(Property(p, curie(p), label, label_lang, values, inverse=True, total=total))
    incoming.sort(key=_property_order(INCOMING_ORDER))

    own = {
        prop: [x for x in out.get(prop, []) if isinstance(x, Literal)]
        for prop in map(str, LABEL_PROPERTIES)
    }
    chosen = best_label(own, lang)
    if kind == "alias":
        forms = [x for x in out.get(str(SKOSXL.literalForm), []) if isinstance(x, Literal)]
        chosen = forms[0] if forms else chosen
    label = Value(str(chosen), chosen.language or "", iri=iri) if chosen else Value(slug, iri=iri)
    summaries = [
        x for prop in (SG.summary, SKOS.definition, DCTERMS.description)
        for x in out.get(str(prop), []) if isinstance(x, Literal)
    ]  # fmt: skip
    summary = pick(summaries, lang)
    names = [
        value_of(x, str(prop))
        for prop in (SKOS.prefLabel, SKOS.altLabel, FOAF.name, DCTERMS.title)
        for x in out.get(str(prop), [])
        if isinstance(x, Literal)
    ]
    found_works = [
        _work(w, works.get(w, {}), labels.get(w, {}), orders.get(w, {}), labels, lang)
        for w in sorted(map(str, out.get(str(SG.foundationalWork), [])))
    ]
    return Description(
        iri=iri,
        kind=kind,
        slug=slug,
        lang=lang,
        label=label,
        summary=Value(str(summary), summary.language or "") if summary is not None else None,
        types=[value_of(x, str(RDF.type)) for x in out.get(str(RDF.type), [])],
        properties=properties,
        incoming=incoming,
        links=_links(out),
        names=names,
        works=found_works,
    )


def _property_order(order: tuple[URIRef, ...]):  # noqa: ANN202
    position = {str(p): i for i, p in enumerate(order)}

    def key(prop: Property) -> tuple:
        return (position.get(prop.iri, len(order)), prop.label.casefold(), prop.iri)

    return key


def _links(out: dict[str, list[Node]]) -> list[Link]:
    links: list[Link] = []
    seen: set[str] = set()
    for prop in EXTERNAL_PROPERTIES:
        for term in out.get(str(prop), []):
            if isinstance(term, Literal):
                if prop == BIBO.doi:
                    doi = normalise_doi(str(term))
                    href, site, text = f"https://doi.org/{doi}", "DOI", doi
                elif prop == SG.arxivId:
                    href, site, text = f"https://arxiv.org/abs/{term}", "arXiv", str(term)
                else:
                    continue
            elif isinstance(term, URIRef) and local_of(str(term)) is None:
                href = str(term)
                site, text = _external(href)
            else:
                continue
            if href not in seen:
                seen.add(href)
                links.append(Link(site, text, href, curie(str(prop))))
    return links


def _work(
    iri: str,
    fields: dict[str, Node],
    own_labels: dict[str, list[Literal]],
    nodes: dict[str, tuple[str, Node]],
    labels: dict[str, dict[str, list[Literal]]],
    lang: str,
) -> Work:
    title = best_label(own_labels, lang)
    pointed = {nxt for nxt, _ in nodes.values()}
    heads = [n for n in nodes if n not in pointed]
    authors = []
    for person in _walk(heads[0], nodes) if heads else []:
        name = best_label(labels.get(str(person), {}), lang)
        authors.append(str(name) if name is not None else str(person).rsplit("/", 1)[-1])

    def text(prop: URIRef) -> str | None:
        term = fields.get(str(prop))
        return str(term) if term is not None else None

    local = local_of(iri)
    return Work(
        iri=iri,
        slug=local[1] if local else iri,
        title=str(title) if title is not None else iri.rsplit("/", 1)[-1],
        title_lang=(title.language or "") if title is not None else "",
        year=_year(fields.get(str(DCTERMS.issued))),
        authors=authors,
        doi=text(BIBO.doi),
        arxiv=text(SG.arxivId),
        url=text(SCHEMA.url),
        venue=text(SG.venue),
    )


# ---- browsing --------------------------------------------------------------------------

# facet name → (query parameter) → the property it filters on and the IRI prefix of values
FACETS = {"field": "field/", "family": "family/", "type": "type/"}
_FACET_PROPERTY = {"field": SG.field, "family": SG.family, "type": SG.methodType}


@dataclass(frozen=True)
class Filters:
    """What /methods is narrowed to: facet values as slugs, a year range, a sort."""

    field: tuple[str, ...] = ()
    family: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "name"

    def __post_init__(self) -> None:
        for name in FACETS:
            for slug in getattr(self, name):
                if not checked.is_slug(slug):
                    raise InputError(
                        f"{name}={checked.shown(slug)!r} is not a slug (lower-case letters, "
                        "digits and hyphens, such as deep-learning)",
                        reason="malformed-slug",
                    )
        if self.sort not in ("name", "year"):
            raise InputError(f"sort={self.sort!r}: sort by name or year")
        if (
            self.year_from is not None
            and self.year_to is not None
            and self.year_from > self.year_to
        ):
            raise InputError(f"the year range {self.year_from}–{self.year_to} is empty")

    @property
    def active(self) -> bool:
        return bool(self.field or self.family or self.type or self.year_from or self.year_to)

    def where(self) -> str:
        """The graph pattern of the methods these filters keep (binds ?m)."""
        parts = [f"?m a {checked.iri(SG.Method)} ."]
        for name, prefix in FACETS.items():
            prop = checked.iri(_FACET_PROPERTY[name])
            for slug in getattr(self, name):
                parts.append(f"?m {prop} {checked.iri(BASE + prefix + slug)} .")
        if self.year_from is not None or self.year_to is not None:
            tests = []
            if self.year_from is not None:
                tests.append(f"?fy >= {int(self.year_from)}")
            if self.year_to is not None:
                tests.append(f"?fy <= {int(self.year_to)}")
            parts.append(
                f"?m {checked.iri(SG.yearIntroduced)} ?fyear . "
                f"BIND({checked.iri(XSD.integer)}(STR(?fyear)) AS ?fy) "
                f"FILTER({' && '.join(tests)})"
            )
        return " ".join(parts)


@dataclass(frozen=True)
class FacetValue:
    iri: str
    slug: str
    label: str
    lang: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Item:
    iri: str
    slug: str
    label: str
    lang: str
    year: int | None
    key: str = ""


@dataclass
class Listing:
    items: list[Item]
    total: int
    page: int
    pages: int
    page_size: int
    facets: dict[str, list[FacetValue]]
    years: list[tuple[int, int]]  # (year, methods) in year order: the timeline
    filters: Filters = field(default_factory=Filters)


def _count_query(where: str) -> str:
    """Methods per facet value and per year, in one pass over the methods. (A branch
    counting every method here makes Oxigraph 0.5 take seconds: the total is asked
    apart.)"""
    branches = [
        f"{{ ?m {checked.iri(_FACET_PROPERTY[name])} ?v BIND({checked.literal(name)} AS ?facet) }}"
        for name in FACETS
    ]
    branches.append(f'{{ ?m {checked.iri(SG.yearIntroduced)} ?v BIND("year" AS ?facet) }}')
    return (
        sparql_prefixes()
        + f"SELECT ?facet ?v (COUNT(?m) AS ?n) WHERE {{ {where} "
        + " UNION ".join(branches)
        + " } GROUP BY ?facet ?v"
    )


def _facet_values(
    counts: dict[str, int], labels: dict[str, list[Literal]], selected: tuple[str, ...], lang: str
) -> list[FacetValue]:
    values = []
    for iri, count in counts.items():
        local = local_of(iri)
        slug = local[1] if local else iri
        label = pick(labels.get(iri, []), lang)
        values.append(
            FacetValue(
                iri=iri,
                slug=slug,
                label=str(label) if label is not None else slug,
                lang=(label.language or "") if label is not None else "",
                count=count,
                selected=slug in selected,
            )
        )
    values.sort(key=lambda v: (not v.selected, -v.count, v.label.casefold()))
    return values
