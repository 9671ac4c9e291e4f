"""What a page calls each property, in en, fa and tr, and the order rows appear in.

A property's name is its ``rdfs:label`` in the ontology graph, else the built-in table
``PROPERTY_LABELS`` (for SKOS, RDFS, FOAF, Dublin Core … terms the ontology does not
label), else its compact IRI; read backwards (the "used by" part of a page) it is
``INVERSE_LABELS``, else "… of". :class:`PropertyNames` looks them up and remembers them.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS

from ... import terms as checked
from ...i18n import t
from ...namespaces import BIBO, CITO, ONTOLOGY_GRAPH, SCHEMA, SG, SKOSXL
from ...store import Store
from ..labels import pick
from ..store_ref import StoreRef
from .iris import curie

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
    CITO.cites: {"en": "cited by", "fa": "آثاری که به آن استناد کرده‌اند",
        "tr": "atıf yapan yayınlar"},
}
# fmt: on

# The order properties appear in on a page; the rest follow by label.
PROPERTY_ORDER: tuple[URIRef, ...] = (
    RDF.type, SKOS.prefLabel, FOAF.name, FOAF.givenName, FOAF.familyName, DCTERMS.title,
    SKOSXL.literalForm, SG.aliasKind, SKOS.altLabel, SKOSXL.altLabel, SKOS.hiddenLabel,
    SG.summary, SKOS.definition, DCTERMS.description, RDFS.comment, SG.yearIntroduced,
    DCTERMS.issued, SG.venue, SG.introducedBy, BIBO.authorList, DCTERMS.creator,
    SG.foundationalWork, SG.field, SG.family, SG.methodType, SKOS.related, SG.buildsOn,
    CITO.cites, BIBO.doi, SG.arxivId, SG.orcid, SCHEMA.url, SKOS.exactMatch, SKOS.closeMatch,
    OWL.sameAs, RDFS.seeAlso, DCTERMS.source, SKOS.inScheme, SKOS.topConceptOf,
)  # fmt: skip
INCOMING_ORDER: tuple[URIRef, ...] = (
    SG.introducedBy, DCTERMS.creator, SG.foundationalWork, CITO.cites, SG.buildsOn, SKOS.related,
    SG.field, SG.family, SG.methodType, SKOS.topConceptOf, SKOS.inScheme, SKOSXL.altLabel,
)  # fmt: skip


class PropertyNames:
    """The names of properties on pages of one store, remembered until :meth:`refresh`."""

    store = StoreRef()  # weakly: see services/store_ref.py

    def __init__(self, store: Store) -> None:
        self.store = store
        self._ontology_labels: dict[str, list[Literal]] | None = None
        self._cache: dict[tuple[str, str, bool], tuple[str, str]] = {}

    def refresh(self) -> None:
        self._ontology_labels = None
        self._cache = {}

    @property
    def ontology_labels(self) -> dict[str, list[Literal]]:
        """Every ``rdfs:label`` of the ontology graph, by the IRI it labels."""
        if self._ontology_labels is None:
            found: dict[str, list[Literal]] = defaultdict(list)
            for row in self.store.select(
                f"SELECT ?p ?l WHERE {{ GRAPH {checked.iri(ONTOLOGY_GRAPH)} "
                f"{{ ?p {checked.iri(RDFS.label)} ?l }} }}",
            ):
                if isinstance(row["l"], Literal):
                    found[str(row["p"])].append(row["l"])
            self._ontology_labels = dict(found)
        return self._ontology_labels

    def label(self, iri: str, lang: str, *, inverse: bool = False) -> tuple[str, str]:
        """``(label, its language)`` of a property: the ontology's rdfs:label, then the
        built-in table, then its compact IRI; read backwards with ``inverse``."""
        key = (iri, lang, inverse)
        if key not in self._cache:
            self._cache[key] = self._label(iri, lang, inverse=inverse)
        return self._cache[key]

    def _label(self, iri: str, lang: str, *, inverse: bool) -> tuple[str, str]:
        if inverse:
            table = INVERSE_LABELS.get(URIRef(iri))
            if table:
                chosen = pick([Literal(v, lang=k) for k, v in table.items()], lang)
                return str(chosen), chosen.language or ""  # type: ignore[union-attr]
            label, label_lang = self.label(iri, lang)
            return t("resource.inverse", lang, label=label), lang
        labels = self.ontology_labels.get(iri)
        if not labels and URIRef(iri) in PROPERTY_LABELS:
            labels = [Literal(v, lang=k) for k, v in PROPERTY_LABELS[URIRef(iri)].items()]
        chosen = pick(labels or [], lang)
        if chosen is None:
            return curie(iri), ""
        return str(chosen), chosen.language or ""
