"""VoID and DCAT for the whole dataset, answered at ``/.well-known/void``: its size,
classes and vocabularies, one subset per named graph with its licence and dumps, the
link sets of ``scholargate link``, the SPARQL endpoint as a data service.

What the build knows about each graph (licence, sources, attribution, validation
policy) is read from the metadata graph with SPARQL; the sizes are measured
(``measured.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID
from rdflib.term import Node

from ...formats import GRAPH_FORMATS, RDF_FORMATS, Format
from ...namespaces import (
    BASE,
    DATASET,
    GRAPH,
    METADATA_GRAPH,
    PREFIXES,
    bind_prefixes,
    sparql_prefixes,
)
from ...store import Store
from ...terms import iri as sparql_iri
from .iris import SPARQL_PROTOCOL, format_iri, media_type_iri, server_url
from .measured import as_int, count_literal, statistics

# Everything the metadata graph says, except sizes: a source's sidecar may state its own
# count next to the build's, so the sizes come from Statistics, measured on the store.
_METADATA = """CONSTRUCT { ?s ?p ?o } WHERE {
  GRAPH %s { ?s ?p ?o FILTER(?p != void:triples) }
}"""

_LICENCES = """SELECT DISTINCT ?g ?license WHERE {
  GRAPH %s { ?g dcterms:license ?license }
}"""


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
    release: Mapping[str, Any] | None = None,
) -> Graph:
    """VoID and DCAT for ``<https://w3id.org/scholargate/dataset>`` as ``store`` holds it.

    ``base_url`` is the server's root URL; the SPARQL endpoint is ``{base_url}sparql``
    unless ``sparql_endpoint`` says otherwise, and dumps follow the export routes'
    scheme ``{base_url}export/{graph}.{ext}`` and ``{base_url}export/all.{ext}``.
    ``release``, the summary of the latest release (``services/releases``), adds it as
    the dataset's current version, its dump ``{base_url}releases/VERSION/…`` one more
    ``void:dataDump``.
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
    g.add((ds, VOID.triples, count_literal(stats.triples)))
    g.add((ds, VOID.entities, count_literal(stats.entities)))
    g.add((ds, VOID.classes, count_literal(len(stats.classes))))
    g.add((ds, VOID.properties, count_literal(len(stats.properties))))
    for cls, n in stats.classes:
        part = BNode()
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, count_literal(n)))
    for vocabulary in vocabularies([c for c, _ in stats.classes] + list(stats.properties)):
        g.add((ds, VOID.vocabulary, vocabulary))

    # One subset per named graph, with its size, licence (from the metadata) and dumps.
    for name, size in stats.graphs.items():
        g.add((ds, VOID.subset, name))
        g.add((name, RDF.type, VOID.Dataset))
        g.add((name, VOID.triples, count_literal(size)))
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
    if release is not None:
        # here, not at the top: services/releases/describe.py reads this package's iris.py
        from ..releases.describe import add_latest

        add_latest(g, release, root)
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
        g.set((row["linkset"], VOID.triples, count_literal(as_int(found[0]["n"]) if found else 0)))


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
