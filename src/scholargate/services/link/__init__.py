"""Linking to external scholarly graphs (``scholargate link SOURCE``).

* ``mappings``: what a source calls things, read from ``link_sources/*.toml``;
* ``client``: a polite SPARQL client on SPARQLWrapper (timeouts, byte cap, redirect
  policy, one request in flight, ``Retry-After``);
* ``linker``: the run — batches, checkpoint, matching rules, conflicts, provenance,
  the staged write of ``data/links/{source}.ttl`` (graph ``sgg:links-{source}``).
"""

from __future__ import annotations

from .client import LinkError, SparqlClient
from .linker import Conflict, Link, LinkReport, graph_name, link, summary
from .mappings import Mapping, load_mapping, shipped

__all__ = [
    "Conflict",
    "Link",
    "LinkError",
    "LinkReport",
    "Mapping",
    "SparqlClient",
    "graph_name",
    "link",
    "load_mapping",
    "shipped",
    "summary",
]
