"""Every IRI the project mints or reuses, in one place.

Project terms live in a closed namespace class, so a typo such as ``SG.yearIntroducd``
fails at import time instead of producing a silent new IRI.
"""

from __future__ import annotations

import re
import unicodedata

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    VOID,
    XSD,
    DefinedNamespace,
)

BASE = "https://w3id.org/scholargate/"


class SG(DefinedNamespace):
    """The ScholarGate ontology (``sg:``)."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    Method: URIRef
    Field: URIRef
    Family: URIRef
    MethodType: URIRef
    Alias: URIRef
    AliasKind: URIRef
    Comparison: URIRef
    # alias kinds (individuals of sg:AliasKind)
    Abbreviation: URIRef
    Translation: URIRef
    Synonym: URIRef
    FormerName: URIRef
    FullName: URIRef
    Variant: URIRef
    # method properties
    field: URIRef
    family: URIRef
    methodType: URIRef
    yearIntroduced: URIRef
    introducedBy: URIRef
    foundationalWork: URIRef
    buildsOn: URIRef
    summary: URIRef
    usageCount: URIRef
    # alias properties
    aliasKind: URIRef
    # work and person properties
    arxivId: URIRef
    venue: URIRef
    orcid: URIRef
    yearBasis: URIRef
    # year bases (individuals of sg:YearBasis)
    YearBasis: URIRef
    VenueYear: URIRef
    PreprintYear: URIRef
    # comparison view annotations on property shapes
    display: URIRef
    LabelList: URIRef
    Count: URIRef
    Citation: URIRef
    Year: URIRef
    PersonList: URIRef
    Text: URIRef
    AliasList: URIRef
    CitedAmong: URIRef
    # comparisons
    differsOn: URIRef
    method: URIRef
    position: URIRef
    shapesVersion: URIRef
    # validation policy of a source graph
    validationPolicy: URIRef
    Strict: URIRef
    Lenient: URIRef
    # SPARQL functions the store evaluates (store/functions.py)
    label: URIRef


SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")
FABIO = Namespace("http://purl.org/spar/fabio/")
CITO = Namespace("http://purl.org/spar/cito/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
CC = Namespace("http://creativecommons.org/ns#")

# resource namespaces (DESIGN.md, "Modelling")
METHOD = Namespace(BASE + "method/")
PERSON = Namespace(BASE + "person/")
WORK = Namespace(BASE + "work/")
FIELD = Namespace(BASE + "field/")
FAMILY = Namespace(BASE + "family/")
TYPE = Namespace(BASE + "type/")
COMPARISON = Namespace(BASE + "comparison/")
ALIAS = Namespace(BASE + "alias/")
SCHEME = Namespace(BASE + "scheme/")
GRAPH = Namespace(BASE + "graph/")
SHAPE = Namespace(BASE + "shapes#")
DATASET = URIRef(BASE + "dataset")  # the whole of ScholarGate, described with VoID and DCAT

# The named graphs the build always makes.
ONTOLOGY_GRAPH = GRAPH["ontology"]
SHAPES_GRAPH = GRAPH["shapes"]
CURATED_GRAPH = GRAPH["curated"]
METADATA_GRAPH = GRAPH["metadata"]
# Where a write over HTTP puts triples it names no graph for (issue 14), and where saved
# comparisons live.
CONTRIBUTED_GRAPH = GRAPH["contributed"]
COMPARISONS_GRAPH = GRAPH["comparisons"]
# Graphs a SPARQL server store keeps for ScholarGate itself, never data: hidden from
# the graph list, counts and dumps (store/remote/state.py, services/writes/remote_journal.py).
STATE_GRAPH = GRAPH["state"]  # a stamp every write through ScholarGate changes
JOURNAL_GRAPH = GRAPH["journal"]  # the journal of writes, on the server
PRIVATE_GRAPHS = frozenset({STATE_GRAPH, JOURNAL_GRAPH})
# Graphs a Graph Store POST to /store itself creates: GRAPH["contributed/<uuid>"].
CONTRIBUTED_GRAPHS = Namespace(BASE + "graph/contributed/")
# The project's JSON-LD context (ontology/context.jsonld, served at /ontology/context.jsonld):
# the one remote context an uploaded JSON-LD document may name, read from the file.
CONTEXT_IRI = URIRef(BASE + "ontology/context.jsonld")

# The one list of resource kinds: every kind the project mints IRIs for, as
# https://w3id.org/scholargate/{kind}/{slug} (each has a namespace above). The lists below
# are subsets of it, derived here so that a new kind is added in one place.
RESOURCE_KINDS = (
    "method",
    "person",
    "work",
    "field",
    "family",
    "type",
    "alias",
    "scheme",
    "comparison",
)
# What classifies a method (sg:field, sg:family, sg:methodType): the facets of /methods.
FACET_KINDS = ("field", "family", "type")
# The kinds with a Linked Data page at /{kind}/{slug} (services/resources/): all but
# comparisons, which have a blueprint of their own (/comparison/{cid}, web/compare.py).
PAGE_KINDS = tuple(kind for kind in RESOURCE_KINDS if kind != "comparison")
# What /search finds, in ranking order (services/search/): methods, then what classifies
# them, then persons and works. Aliases are found through the resource they name; schemes
# and comparisons are not searched.
SEARCH_KINDS = tuple(
    sorted(
        (kind for kind in RESOURCE_KINDS if kind not in ("alias", "scheme", "comparison")),
        key=lambda kind: (kind != "method", kind not in FACET_KINDS),  # stable: keeps IRI order
    )
)

# Prefixes bound on every graph the project writes, so exports are stable.
PREFIXES: dict[str, str] = {
    "sg": str(SG._NS),
    "sgm": str(METHOD),
    "sgp": str(PERSON),
    "sgw": str(WORK),
    "sgf": str(FIELD),
    "sgfam": str(FAMILY),
    "sgt": str(TYPE),
    "sgc": str(COMPARISON),
    "sga": str(ALIAS),
    "sgs": str(SCHEME),
    "sgg": str(GRAPH),
    "sgsh": str(SHAPE),
    "skos": str(SKOS),
    "skosxl": str(SKOSXL),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "fabio": str(FABIO),
    "cito": str(CITO),
    "bibo": str(BIBO),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "void": str(VOID),
    "dcat": str(DCAT),
    "owl": str(OWL),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "sh": str(SH),
    "wd": str(WD),
    "wdt": str(WDT),
}

# The languages the project treats as first-class, in fallback order.
LANGUAGES = ("en", "fa", "tr")


def bind_prefixes(graph) -> None:  # noqa: ANN001 - any rdflib Graph or Dataset
    """Bind the project's prefixes on an rdflib graph (replacing defaults)."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, Namespace(ns), override=True, replace=True)


def sparql_prefixes() -> str:
    """The PREFIX block every generated query starts with."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Letters NFKD does not split into a base letter and a mark, and dashes that separate words.
_TRANSLITERATE = str.maketrans(
    {
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ı": "i",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "–": " ",
        "—": " ",
        "‐": " ",
        "‑": " ",
    }
)


def slugify(text: str) -> str:
    """A stable ASCII slug: lower case, accents dropped, runs of other characters → '-'.

    >>> slugify("Attention Is All You Need")
    'attention-is-all-you-need'
    >>> slugify("Öz-Dikkat")
    'oz-dikkat'
    >>> slugify("Łukasz Kaiser")
    'lukasz-kaiser'
    """
    text = text.translate(_TRANSLITERATE)
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NON_SLUG.sub("-", folded.lower()).strip("-")
