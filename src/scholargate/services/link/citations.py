"""Citations among our works, as a source states them: ``cito:cites`` in the links graph.

A mapping's ``[citations]`` table says how its source states that a work cites another:

* ``property``: directly between the source's works (Wikidata: "cites work", P2860),
  whose IRIs are the items our works were linked to in this run or before;
* ``citing`` and ``cited``: on a citation node of its own, as OpenCitations does
  (``?c cito:hasCitingEntity ?a ; cito:hasCitedEntity ?b``), with ``works`` the
  templates that make the source's IRI of a work from our DOI
  (``http://dx.doi.org/{}``).

Only citations whose citing *and* cited works are both ours are kept; a citation of a
work to itself is not. The source is asked for what our works cite, in ``VALUES``
batches (``queries.query_citations``).
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import URIRef

from ...namespaces import CITO
from ...terms import is_iri
from .batches import Asker
from .mappings import Mapping
from .ours import Ours
from .queries import query_citations, sparql_iri
from .report import Link, LinkReport


def source_works(mapping: Mapping, ours: Ours, works: dict[str, Link]) -> dict[str, set[str]]:
    """The source's IRI of each of our works it may name → our works (usually one)."""
    found: dict[str, set[str]] = defaultdict(set)
    if mapping.citation_works:  # from our DOIs, by template
        for work, ids in ours.works.items():
            for doi in ids.get("doi", ()):
                for template in mapping.citation_works:
                    iri = template.replace("{}", doi.lower())
                    if is_iri(iri):
                        found[iri].add(str(work))
        return found
    for link in works.values():  # the items our works are linked to, now or before
        found[link.item].add(link.subject)
    for work in ours.works:
        for item in ours.existing.get(str(work), ()):
            found[item].add(str(work))
    return found


def link_citations(
    mapping: Mapping, ours: Ours, asker: Asker, report: LinkReport, works: dict[str, Link]
) -> set[tuple[str, str]]:
    """(citing, cited) pairs of our works that the source states; recorded in ``report``."""
    if not mapping.links_citations:
        return set()
    theirs = source_works(mapping, ours, works)
    rows = asker.ask(
        "citations",
        lambda values: query_citations(mapping, values),
        (sparql_iri(iri) for iri in theirs),
    )
    pairs: set[tuple[str, str]] = set()
    for row in rows:
        citing, cited = row.get("citing"), row.get("cited")
        if citing is None or cited is None or citing.kind != "uri" or cited.kind != "uri":
            continue
        for a in theirs.get(citing.value, ()):
            for b in theirs.get(cited.value, ()):
                if a != b:
                    pairs.add((a, b))
    report.citations = sorted(pairs)
    return pairs


def add_citations(data, pairs: set[tuple[str, str]]) -> None:  # noqa: ANN001 - an rdflib Graph
    for citing, cited in sorted(pairs):
        data.add((URIRef(citing), CITO.cites, URIRef(cited)))
