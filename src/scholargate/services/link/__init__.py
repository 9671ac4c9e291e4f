"""Linking to external scholarly graphs (``scholargate link SOURCE``).

What a source calls things:

* ``mappings``: the settings of one source (``Mapping``, ``Identifier``,
  ``ClientSettings``); ``mapping_files``: reading and checking ``link_sources/*.toml``.

Asking a source, politely:

* ``client``: the SPARQL client on SPARQLWrapper (one request in flight, pacing,
  retries, ``Retry-After``); ``transport``: one HTTP exchange (timeouts, byte cap,
  redirect policy); ``answers``: SPARQL JSON answers read into rows; ``errors``: the
  ways a source fails a run.

One run (``linker.link``), in the order it goes:

* ``ours``: what we have to link, read from our graph through ``Store``;
* ``queries``: the SPARQL text of each question; ``batches``: asking them in ``VALUES``
  batches; ``checkpoint``: answered batches kept so a stopped run resumes, and the
  lock of one run per source;
* ``matching``: the rules that match works, persons and methods; ``conflicts``: which
  candidates are written and which are reported as conflicts;
* ``labels``: names of linked methods that we lack;
* ``provenance``: the graph's description; ``staging``: the diff with the previous
  file and the staged write of ``data/links/{source}.ttl`` (graph ``sgg:links-{source}``);
* ``report``: what a run found (``LinkReport``) and its summary for a person.
"""

from __future__ import annotations

from .client import SparqlClient
from .errors import LinkError
from .linker import link
from .mapping_files import load_mapping, shipped
from .mappings import Mapping
from .report import Conflict, Link, LinkReport, graph_name, summary

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
