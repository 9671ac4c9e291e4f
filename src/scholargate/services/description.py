"""What the endpoint and the dataset say about themselves.

- :func:`service_description`: the SPARQL 1.1 Service Description of the endpoint
  (https://www.w3.org/TR/sparql11-service-description/), answered at ``GET /sparql``.
- :func:`void_description`: VoID and DCAT for the whole dataset, its named graphs,
  licences, SPARQL endpoint and dumps, answered at ``/.well-known/void``.
- :func:`example_queries` and :func:`list_examples`: the example queries kept as RDF
  (SHACL ``sh:SPARQLExecutable`` resources) in the named graph ``sgg:examples``, built
  from ``data/examples/*.ttl``.

Every number comes from the store when asked (nothing is hard-coded), and what the build
knows about each graph (licence, sources, attribution, validation policy) is read from
the metadata graph with SPARQL.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SH, VOID, XSD
from rdflib.term import Node

from ..errors import InputError
from ..formats import GRAPH_FORMATS, RDF_FORMATS, RESULT_FORMATS, Format
from ..namespaces import (
    BASE,
    DATASET,
    GRAPH,
    METADATA_GRAPH,
    PREFIXES,
    SCHEMA,
    SD,
    bind_prefixes,
    sparql_prefixes,
)
from ..store import Store
from ..terms import iri as sparql_iri
from ..terms import is_iri, shown

T = TypeVar("T")
EXAMPLES_GRAPH = GRAPH["examples"]
EXAMPLE = Namespace(BASE + "example/")

# W3C "Unique URIs for File Formats" (https://www.w3.org/ns/formats/), by format name
# in the one format table (formats.FORMATS). A format without an entry has no W3C IRI.
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")
_W3C_FORMAT = {
    "ttl": W3C_FORMATS["Turtle"],
    "jsonld": W3C_FORMATS["JSON-LD"],
    "nt": W3C_FORMATS["N-Triples"],
    "rdf": W3C_FORMATS["RDF_XML"],
    "trig": W3C_FORMATS["TriG"],
    "nq": W3C_FORMATS["N-Quads"],
    "json": W3C_FORMATS["SPARQL_Results_JSON"],
    "xml": W3C_FORMATS["SPARQL_Results_XML"],
    "csv": W3C_FORMATS["SPARQL_Results_CSV"],
    "tsv": W3C_FORMATS["SPARQL_Results_TSV"],
}
# Prefixes this module binds beyond the project's own (namespaces.PREFIXES).
EXTRA_PREFIXES: dict[str, str] = {
    "sd": str(SD),
    "formats": str(W3C_FORMATS),
    "sgex": str(EXAMPLE),
}
ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def extension_functions() -> tuple[URIRef, ...]:
    """The SPARQL functions of the project's own that the store evaluates: the keys of
    ``store.functions.custom_functions``, so a function added there is described too."""
    import pyoxigraph as ox

    from ..store.functions import custom_functions

    return tuple(sorted(URIRef(iri.value) for iri in custom_functions(ox.Store())))


# What the ontology says about a function (its labels and comments in en/fa/tr).
_FUNCTION_TEXT = """SELECT ?p ?o WHERE {
  VALUES ?p { rdfs:label rdfs:comment }
  GRAPH ?g { %s ?p ?o }
}"""


def format_iri(fmt: Format) -> URIRef | None:
    """The W3C IRI of a format (``http://www.w3.org/ns/formats/Turtle``), if it has one."""
    return _W3C_FORMAT.get(fmt.name)


def media_type_iri(fmt: Format) -> URIRef:
    """The IANA registry IRI of a format's media type, as DCAT recommends."""
    return URIRef(IANA_MEDIA_TYPES + fmt.media_type)


# ---- counts read from the store ------------------------------------------------------

_GRAPH_SIZE = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH %s { ?s ?p ?o } }"

# The default graph of a query is the union (RDF merge) of the named graphs, so a
# triple stated in two graphs counts once. This one scans the whole store.
_DISTINCT_TRIPLES = (
    "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
)

_CLASSES = """SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
WHERE { GRAPH ?g { ?s a ?class } } GROUP BY ?class"""

# Entities: the resources that have a type.
_ENTITIES = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?class } }"

_PROPERTIES = "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s ?p ?o } }"

# Everything the metadata graph says, except sizes: a source's sidecar may state its own
# count next to the build's, so the sizes come from Statistics, measured on the store.
_METADATA = """CONSTRUCT { ?s ?p ?o } WHERE {
  GRAPH %s { ?s ?p ?o FILTER(?p != void:triples) }
}"""

_LICENCES = """SELECT DISTINCT ?g ?license WHERE {
  GRAPH %s { ?g dcterms:license ?license }
}"""


def _int(node: Node | None) -> int:
    return int(node) if node is not None else 0  # type: ignore[call-overload]


def _count(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


@dataclass(frozen=True)
class Statistics:
    """The numbers VoID and the Service Description give, measured on one store."""

    graphs: dict[URIRef, int]  # triples per named graph
    triples: int  # distinct triples in the default graph (the union of the named graphs)
    entities: int  # resources that have a type
    classes: tuple[tuple[URIRef, int], ...]  # (class, instances)
    properties: tuple[URIRef, ...]  # every predicate in use


# What this module measured or built for a store, kept while the store object lives.
# Counting a large store takes seconds (a DISTINCT over every triple), so it is not done
# per request; whatever writes to a store calls forget() afterwards.
_MEMO: WeakKeyDictionary[Store, dict[Hashable, Any]] = WeakKeyDictionary()
_MEMO_SIZE = 128


def remembered(store: Store, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``'s value for ``store`` and ``key``, computed once until :func:`forget`.

    Keep only immutable values here (numbers, tuples, bytes, frozen dataclasses).
    """
    memo = _MEMO.setdefault(store, {})
    if key not in memo:
        if len(memo) >= _MEMO_SIZE:  # keys may hold a Host header: keep the memo bounded
            for old in [k for k in memo if k != "statistics"]:
                del memo[old]
        memo[key] = compute()
    return memo[key]


def forget(store: Store) -> None:
    """Drop everything remembered about ``store``: call it after a write."""
    _MEMO.pop(store, None)


forget_statistics = forget  # the name the statistics were first documented under


def statistics(store: Store) -> Statistics:
    """Triples per graph and in all, entities, classes and properties of ``store``.

    Measured on the store itself (the ``void:triples`` in the metadata graph may be a
    source's own count, made before the build completed the graph), once per store.
    """
    return remembered(store, "statistics", lambda: _measure(store))


def _measure(store: Store) -> Statistics:
    graphs = {}
    for name in store.graph_names():
        rows = store.select(_GRAPH_SIZE % sparql_iri(name))
        graphs[name] = _int(rows[0]["n"]) if rows else 0
    triples = store.select(_DISTINCT_TRIPLES)
    entities = store.select(_ENTITIES)
    return Statistics(
        graphs=graphs,
        triples=_int(triples[0]["n"]) if triples else 0,
        entities=_int(entities[0]["n"]) if entities else 0,
        classes=tuple(
            sorted((URIRef(str(r["class"])), _int(r["n"])) for r in store.select(_CLASSES))
        ),
        properties=tuple(sorted(URIRef(str(r["p"])) for r in store.select(_PROPERTIES))),
    )


# ---- the SPARQL 1.1 Service Description ----------------------------------------------


def service_description(
    store: Store,
    endpoint_url: str,
    *,
    service_allowlist: Sequence[str] | None = None,
) -> Graph:
    """The Service Description of the SPARQL endpoint at ``endpoint_url``.

    ``service_allowlist`` is the list of endpoints ``SERVICE`` may call; when it is not
    given, the ``SERVICE_ALLOWLIST`` setting of the running Flask app is used (none
    outside an app). Federation (``sd:BasicFederatedQuery``) is announced only when the
    list is not empty.
    """
    endpoint_url = server_url(endpoint_url)
    if service_allowlist is None:
        service_allowlist = _configured_allowlist()
    g = Graph()
    bind_prefixes(g)
    for prefix, ns in EXTRA_PREFIXES.items():
        g.bind(prefix, ns)
    service = BNode()
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint_url)))
    g.add((service, DCTERMS.title, Literal("ScholarGate SPARQL endpoint", lang="en")))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    for fmt in (*RESULT_FORMATS, *RDF_FORMATS):
        iri = format_iri(fmt)
        if iri is not None:
            g.add((service, SD.resultFormat, iri))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    if service_allowlist:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    g.add((service, SD.defaultEntailmentRegime, ENTAILMENT_SIMPLE))
    for function in extension_functions():
        g.add((service, SD.extensionFunction, function))
        g.add((function, RDF.type, SD.Function))
        for row in store.select(sparql_prefixes() + _FUNCTION_TEXT % sparql_iri(function)):
            g.add((function, row["p"], row["o"]))

    # The default dataset: its default graph is the union of every named graph.
    dataset = DATASET
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default_graph = BNode()
    g.add((dataset, SD.defaultGraph, default_graph))
    g.add((default_graph, RDF.type, SD.Graph))
    stats = statistics(store)
    g.add((default_graph, VOID.triples, _count(stats.triples)))
    for name, size in stats.graphs.items():
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, name))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, _count(size)))
    return g


def server_url(url: str) -> str:
    """``url`` when it is an absolute IRI an RDF document may hold (terms.is_iri), else a
    400: the server's URLs are made from the request's Host header, which a client sets."""
    if not is_iri(url):
        raise InputError(
            f"this server's URL would be {shown(url)!r}, which is not an IRI: send a Host header "
            "that is a host name or address and an optional port",
            reason="host",
        )
    return url


def _configured_allowlist() -> list[str]:
    """``SERVICE_ALLOWLIST`` of the running app, split on spaces (empty without an app)."""
    try:
        from flask import current_app, has_app_context
    except ImportError:  # pragma: no cover - flask is a dependency
        return []
    if not has_app_context():
        return []
    return str(current_app.config.get("SERVICE_ALLOWLIST") or "").split()


# ---- VoID and DCAT for the dataset ---------------------------------------------------


def dump_url(base_url: str, graph: URIRef | None, fmt: Format) -> URIRef:
    """Where a dump lives: ``/export/all.{ext}`` for everything, ``/export/{graph}.{ext}``."""
    name = "all" if graph is None else graph_slug(graph)
    return URIRef(f"{_root(base_url)}export/{name}.{fmt.extension}")


def graph_slug(graph: URIRef) -> str:
    """``curated`` for ``sgg:curated``; the whole IRI for a graph outside ``sgg:``."""
    text = str(graph)
    return text[len(str(GRAPH)) :] if text.startswith(str(GRAPH)) else text


def _root(base_url: str) -> str:
    return base_url if base_url.endswith("/") else base_url + "/"


def void_description(
    store: Store,
    base_url: str,
    *,
    sparql_endpoint: str | None = None,
) -> Graph:
    """VoID and DCAT for ``<https://w3id.org/scholargate/dataset>`` as ``store`` holds it.

    ``base_url`` is the server's root URL; the SPARQL endpoint is ``{base_url}sparql``
    unless ``sparql_endpoint`` says otherwise, and dumps follow the export routes'
    scheme ``{base_url}export/{graph}.{ext}`` and ``{base_url}export/all.{ext}``.
    """
    root = server_url(_root(base_url))
    endpoint = URIRef(server_url(sparql_endpoint or root + "sparql"))
    prefixes = sparql_prefixes()
    g = Graph()
    bind_prefixes(g)

    # What the build wrote about the dataset and its graphs: titles, licences, sources,
    # attribution, validation policy.
    for triple in store.construct(prefixes + _METADATA % sparql_iri(METADATA_GRAPH)):
        g.add(triple)

    ds = DATASET
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, VOID.uriSpace, Literal(BASE)))
    g.add((ds, VOID.sparqlEndpoint, endpoint))
    g.add((ds, DCAT.landingPage, URIRef(root)))

    # Sizes of the whole.
    stats = statistics(store)
    g.add((ds, VOID.triples, _count(stats.triples)))
    g.add((ds, VOID.entities, _count(stats.entities)))
    g.add((ds, VOID.classes, _count(len(stats.classes))))
    g.add((ds, VOID.properties, _count(len(stats.properties))))
    for cls, n in stats.classes:
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, _count(n)))
    for vocabulary in vocabularies([c for c, _ in stats.classes] + list(stats.properties)):
        g.add((ds, VOID.vocabulary, vocabulary))

    # One subset per named graph, with its size, licence (from the metadata) and dumps.
    for name, size in stats.graphs.items():
        g.add((ds, VOID.subset, name))
        g.add((name, RDF.type, VOID.Dataset))
        g.add((name, VOID.triples, _count(size)))
        g.add((name, VOID.sparqlEndpoint, endpoint))
        for fmt in GRAPH_FORMATS:
            g.add((name, VOID.dataDump, dump_url(root, name, fmt)))
    linkset_sizes(store, g)

    # The dataset's licences are those of its parts, unless the metadata names one.
    if (ds, DCTERMS.license, None) not in g:
        for row in store.select(prefixes + _LICENCES % sparql_iri(METADATA_GRAPH)):
            g.add((ds, DCTERMS.license, row["license"]))

    # Dumps of everything, one per RDF format, and the SPARQL endpoint as a data service.
    for fmt in RDF_FORMATS:
        url = dump_url(root, None, fmt)
        g.add((ds, VOID.dataDump, url))
        iri = format_iri(fmt)
        if iri is not None:
            g.add((ds, VOID.feature, iri))
        dist = BNode()
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"ScholarGate as {fmt.label}", lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.mediaType, media_type_iri(fmt)))
        g.add((dist, DCTERMS.format, Literal(fmt.media_type)))
    service, dist = BNode(), BNode()
    g.add((ds, DCAT.distribution, dist))
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCTERMS.title, Literal("ScholarGate SPARQL endpoint", lang="en")))
    g.add((dist, DCAT.accessURL, endpoint))
    g.add((dist, DCAT.accessService, service))
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    g.add((service, DCAT.servesDataset, ds))
    return g


_LINKSETS = """SELECT ?graph ?linkset ?predicate WHERE {
  GRAPH %s {
    ?graph void:subset ?linkset . ?linkset a void:Linkset ; void:linkPredicate ?predicate
  }
}"""
_LINKS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH %s { ?s %s ?o } }"


def linkset_sizes(store: Store, g: Graph) -> None:
    """Give each ``void:Linkset`` the metadata names (the link graphs of ``scholargate
    link``: one per target, a subset of its graph) the number of links it holds now."""
    for row in store.select(sparql_prefixes() + _LINKSETS % sparql_iri(METADATA_GRAPH)):
        if not (isinstance(row["graph"], URIRef) and isinstance(row["predicate"], URIRef)):
            continue
        found = store.select(_LINKS % (sparql_iri(row["graph"]), sparql_iri(row["predicate"])))
        g.set((row["linkset"], VOID.triples, _count(_int(found[0]["n"]) if found else 0)))


def vocabularies(terms: Iterable[Node]) -> list[URIRef]:
    """The vocabularies (namespaces among the project's prefixes) that ``terms`` come from.

    Resource namespaces (``method/``, ``person/``, …) are data, not vocabularies.
    """
    candidates = sorted(
        (ns for ns in set(PREFIXES.values()) if not ns.startswith(BASE) or ns.endswith("#")),
        key=len,
        reverse=True,
    )
    found: set[str] = set()
    for term in terms:
        text = str(term)
        for ns in candidates:
            if text.startswith(ns):
                found.add(ns)
                break
    return [URIRef(ns) for ns in sorted(found)]


# ---- example queries -----------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    """One example query, with its label and comment in the asked language."""

    iri: URIRef
    slug: str
    kind: str  # select | construct | ask
    query: str
    label: str
    comment: str
    keywords: tuple[str, ...] = field(default=())
    position: int = 0


_QUERY_FORMS = (
    ("select", SH.select),
    ("construct", SH.construct),
    ("ask", SH.ask),
)


def example_queries(store: Store) -> Graph:
    """The graph of example queries (``sgg:examples``), prefixes bound for serialising."""
    g = store.graph(EXAMPLES_GRAPH)
    bind_prefixes(g)
    for prefix, ns in EXTRA_PREFIXES.items():
        g.bind(prefix, ns)
    return g


def list_examples(store: Store, lang: str = "en") -> list[Example]:
    """Every example query, labelled in ``lang`` (falling back to English, then any),
    in the order of their ``schema:position`` and then their IRI."""
    return list(remembered(store, ("examples", lang), lambda: tuple(_examples(store, lang))))


def _examples(store: Store, lang: str) -> list[Example]:
    g = store.graph(EXAMPLES_GRAPH)
    found: list[Example] = []
    for subject in set(g.subjects(RDF.type, SH.SPARQLExecutable)):
        if not isinstance(subject, URIRef):
            continue
        kind, text = next(
            ((k, t) for k, p in _QUERY_FORMS if (t := g.value(subject, p)) is not None), ("", None)
        )
        if text is None:
            continue
        iri = str(subject)
        slug = iri[len(str(EXAMPLE)) :] if iri.startswith(str(EXAMPLE)) else iri
        position = g.value(subject, SCHEMA.position)
        found.append(
            Example(
                iri=subject,
                slug=slug,
                kind=kind,
                query=str(text),
                label=pick_language(g.objects(subject, RDFS.label), lang) or slug,
                comment=pick_language(g.objects(subject, RDFS.comment), lang),
                keywords=tuple(sorted(str(k) for k in g.objects(subject, SCHEMA.keywords))),
                position=_int(position) if position is not None else 1_000_000,
            )
        )
    return sorted(found, key=lambda e: (e.position, e.slug))


def pick_language(values: Iterable[Node], lang: str) -> str:
    """The value in ``lang``, else English, else one without a language, else any."""
    by_lang: dict[str, str] = {}
    for value in values:
        if isinstance(value, Literal):
            by_lang.setdefault((value.language or "").lower(), str(value))
    for candidate in (lang, "en", ""):
        if candidate in by_lang:
            return by_lang[candidate]
    return next(iter(sorted(by_lang.items())), ("", ""))[1]


__all__ = [
    "EXAMPLES_GRAPH",
    "EXTRA_PREFIXES",
    "Example",
    "dump_url",
    "example_queries",
    "extension_functions",
    "format_iri",
    "Statistics",
    "forget",
    "forget_statistics",
    "statistics",
    "list_examples",
    "media_type_iri",
    "remembered",
    "server_url",
    "service_description",
    "void_description",
]
