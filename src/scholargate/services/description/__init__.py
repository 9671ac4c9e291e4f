"""What the endpoint and the dataset say about themselves.

- :func:`service_description` (``service.py``): the SPARQL 1.1 Service Description of
  the endpoint (https://www.w3.org/TR/sparql11-service-description/), answered at
  ``GET /sparql``.
- :func:`void_description` (``void.py``): VoID and DCAT for the whole dataset, its named
  graphs, licences, SPARQL endpoint and dumps, answered at ``/.well-known/void``.
- :func:`example_queries` and :func:`list_examples` (``examples.py``): the example
  queries kept as RDF (SHACL ``sh:SPARQLExecutable`` resources) in the named graph
  ``sgg:examples``, built from ``data/examples/*.ttl``.
- ``measured.py``: the numbers both give, and what is remembered per store until
  :func:`forget`; ``iris.py``: format and media type IRIs, prefixes, the server's URL.

Every number comes from the store when asked (nothing is hard-coded), and what the build
knows about each graph (licence, sources, attribution, validation policy) is read from
the metadata graph with SPARQL.
"""

from __future__ import annotations

from .examples import Example, example_queries, list_examples
from .iris import EXAMPLE, EXAMPLES_GRAPH, EXTRA_PREFIXES, format_iri, media_type_iri, server_url
from .measured import Statistics, forget, forget_statistics, remembered, statistics
from .service import service_description
from .void import dump_url, graph_slug, linkset_sizes, vocabularies, void_description

__all__ = [
    "EXAMPLE",
    "EXAMPLES_GRAPH",
    "EXTRA_PREFIXES",
    "Example",
    "Statistics",
    "dump_url",
    "example_queries",
    "forget",
    "forget_statistics",
    "format_iri",
    "graph_slug",
    "linkset_sizes",
    "list_examples",
    "media_type_iri",
    "remembered",
    "server_url",
    "service_description",
    "statistics",
    "vocabularies",
    "void_description",
]
