"""The SPARQL 1.1 Service Description of the endpoint
(https://www.w3.org/TR/sparql11-service-description/), answered at ``GET /sparql``:
result formats, features, the project's own functions and the default dataset."""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from ...formats import RDF_FORMATS, RESULT_FORMATS
from ...namespaces import DATASET, SD, bind_prefixes, sparql_prefixes
from ...store import Store
from ...terms import iri as sparql_iri
from .iris import ENTAILMENT_SIMPLE, EXTRA_PREFIXES, format_iri, server_url
from .measured import count_literal, statistics

# What the ontology says about a function (its labels and comments in en/fa/tr).
_FUNCTION_TEXT = """SELECT ?p ?o WHERE {
  VALUES ?p { rdfs:label rdfs:comment }
  GRAPH ?g { %s ?p ?o }
}"""


def service_description(
    store: Store,
    endpoint_url: str,
    *,
    service_allowlist: Sequence[str],
) -> Graph:
    """The Service Description of the SPARQL endpoint at ``endpoint_url``.

    ``service_allowlist`` is the list of endpoints ``SERVICE`` may call (the caller's
    ``SERVICE_ALLOWLIST`` setting); federation (``sd:BasicFederatedQuery``) is announced
    only when it is not empty. The extension functions are those the store evaluates
    (``Store.extension_functions``), described by the ontology's labels and comments.
    """
    endpoint_url = server_url(endpoint_url)
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
    for function in store.extension_functions():
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
    g.add((default_graph, VOID.triples, count_literal(stats.triples)))
    for name, size in stats.graphs.items():
        named, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, name))
        g.add((named, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, count_literal(size)))
    return g
