"""The one SPARQL query that fetches every cell of a comparison.

:func:`build_query` writes it for the rows read from the shapes and the methods asked
for; the same text is shown to the user and runs as is at the endpoint.
"""

from __future__ import annotations

import functools
import re

from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS

from ...namespaces import BIBO, SCHEMA, SG, SKOSXL, sparql_prefixes
from ...terms import iri as iri_term
from .rows import RowSpec

# What is fetched about each resource a row shows (a field, a person, a work, an alias),
# and the name it is kept under: one scan of the resource's triples, not one lookup each.
DETAILS = {
    str(SKOS.prefLabel): "label",
    str(RDFS.label): "label",
    str(FOAF.givenName): "given",
    str(FOAF.familyName): "family",
    str(FOAF.name): "name",
    str(DCTERMS.title): "title",
    str(DCTERMS.issued): "year",
    str(SG.venue): "venue",
    str(BIBO.doi): "doi",
    str(SG.arxivId): "arxiv",
    str(SCHEMA.url): "url",
    str(SKOSXL.literalForm): "form",
}
_IRI = re.compile(r"<[^<>\s]*>")


def from_scan(row: RowSpec) -> bool:
    """Whether the row's values come with the scan of each method's triples: its path
    is one property and its display shows the values (a Count row has its own branch)."""
    return row.display != "Count" and _IRI.fullmatch(row.path) is not None


def build_query(rows: list[RowSpec], methods: list[str]) -> str:
    """One SELECT that fetches every row's values, and what is needed to show them.

    On an on-disk store each lookup costs tens of microseconds, so the query makes few:
    one scan of each method's triples gives the values of every row whose path is one
    property (and the column names), one scan of each value gives its labels, names or
    citation details. Every part starts from the VALUES of the methods, so the engine
    joins from a few methods outwards, and returns the column number ``?c`` instead of
    the method's IRI (an IRI costs a dictionary read in every solution).
    """
    terms = [iri_term(m) for m in methods]
    values = "VALUES (?m ?c) { " + " ".join(f"({t} {i})" for i, t in enumerate(terms)) + " }"
    members = "VALUES ?m { " + " ".join(terms) + " }"
    others = "VALUES ?v { " + " ".join(terms) + " }"
    return (
        _query_template(tuple(rows))
        .replace(_METHODS, values)
        .replace(_MEMBERS, members)
        .replace(_OTHERS, others)
    )


_METHODS = "VALUES ?methods {}"  # where the methods and their columns go in a template
_MEMBERS = "VALUES ?members {}"  # where the methods alone go
_OTHERS = "VALUES ?others {}"  # where the methods go again, as the values of a row


@functools.lru_cache(maxsize=16)
def _query_template(rows: tuple[RowSpec, ...]) -> str:
    """The comparison query for ``rows``, with ``_METHODS`` where the methods go.

    Its solutions come in three shapes, which ``table.assemble`` tells apart by what is
    bound: ``?part`` bound: a node of a citation's author list ("author") or another work
    an originator wrote first ("first-author"), for row ``?row``; else ``?row`` bound: a
    value of row ``?row`` (a row with a longer path, or a count); else a triple of the
    scan, ``?m ?p ?v``, which is a value of every row whose path is ``?p``. In the last
    two, ``?q ?x`` is one detail of the value (a label, a name, a DOI…), when it has one.
    """
    values = _METHODS
    details = "OPTIONAL { ?v ?q ?x FILTER(?q IN (" + ", ".join(f"<{d}>" for d in DETAILS) + ")) }"
    scanned = [f"<{SKOS.prefLabel}>"]  # the column names
    if any(row.display == "AliasList" for row in rows):
        scanned.append(f"<{SKOSXL.altLabel}>")  # alias resources, for the curated order
    branches = []
    cited = next((r.path for r in rows if r.display == "Citation"), None)
    for i, row in enumerate(rows):
        if from_scan(row):
            scanned.append(row.path)
        elif row.display == "Count":
            branches.append(
                f"{{ SELECT ?c (COUNT(DISTINCT ?x) AS ?v) ({i} AS ?row) "
                f"WHERE {{ {values} OPTIONAL {{ ?m {row.path} ?x }} }} GROUP BY ?c }}"
            )
        elif row.display == "CitedAmong":
            # only the other compared methods: the path's ends are kept to the methods
            branches.append(
                f"{{ {values} {_OTHERS} ?m {row.path} ?v FILTER(?v != ?m) "
                f"{details} BIND({i} AS ?row) }}"
            )
        else:
            branches.append(f"{{ {values} ?m {row.path} ?v . {details} BIND({i} AS ?row) }}")
        if row.display == "PersonList":
            # Originators are grouped ("X et al.") by the foundational works they wrote
            # together, whose author lists come with the citations. An originator who
            # wrote none of them is grouped by works they wrote first with other
            # originators: only those are looked up, in a subquery so that the engine
            # filters before it walks author lists (walking them for every originator
            # doubled the query's time at 100,000 methods).
            # (The MINUS names the methods again, without their columns: Virtuoso 7.2's
            # compiler refuses the columns' variable there, and without the methods
            # Oxigraph evaluates it for every method; FILTER NOT EXISTS takes Oxigraph
            # a third longer.)
            unfounded = (
                f"MINUS {{ {_MEMBERS} ?m {cited} ?fw . ?fw dcterms:creator ?v }}" if cited else ""
            )
            branches.append(
                f"{{ {{ SELECT ?c ?v WHERE {{ {values} ?m {row.path} ?v {unfounded} }} }} "
                "?v ^rdf:first/^bibo:authorList ?w . ?w dcterms:creator ?co . "
                "OPTIONAL { ?w dcterms:issued ?year } "
                f'BIND({i} AS ?row) BIND("first-author" AS ?part) }}'
            )
        elif row.display == "Citation":
            branches.append(  # each author list, node by node, with the authors' names
                f"{{ {values} ?m {row.path} ?v . ?v bibo:authorList/rdf:rest* ?node . "
                "?node rdf:first ?co ; rdf:rest ?next . "
                "OPTIONAL { ?co foaf:givenName ?given } OPTIONAL { ?co foaf:familyName ?family } "
                f'OPTIONAL {{ ?co foaf:name ?name }} BIND({i} AS ?row) BIND("author" AS ?part) }}'
            )
    properties = ", ".join(dict.fromkeys(scanned))
    branches.insert(0, f"{{ {values} ?m ?p ?v FILTER(?p IN ({properties})) {details} }}")
    union = "\n  UNION ".join(branches)
    return (
        sparql_prefixes() + "# ?c is the column: the method's place in the VALUES list\n"
        "SELECT ?c ?row ?part ?p ?v ?q ?x ?given ?family ?name ?year ?w ?co ?node ?next\n"
        f"WHERE {{\n  {union}\n}}"
    )
