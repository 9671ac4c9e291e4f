"""The names search indexes, and the one query that reads them all from the store.

Which properties hold a name and how each ranks (preferred, alias, hidden):
``skos:prefLabel``, ``skos:altLabel`` and ``skos:hiddenLabel`` (plain, and SKOS-XL
``skosxl:literalForm``), ``foaf:name`` of persons, ``dcterms:title`` of works, and the
IRI's slug. :func:`read_names` reads them, with how connected each resource is and how
many papers use it (``sg:usageCount``), in one SELECT through the ``Store`` interface.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...namespaces import sparql_prefixes
from ...store import Store, from_tsv

__all__ = ["DISPLAYED", "PROPERTIES", "PROPERTY_NAMES", "USAGE", "Row", "read_names"]

_SKOS = "http://www.w3.org/2004/02/skos/core#"
# The property a name comes from → (name in results, rank: 0 preferred, 1 alias, 2 hidden)
PROPERTIES = {
    _SKOS + "prefLabel": ("prefLabel", 0),
    "http://xmlns.com/foaf/0.1/name": ("name", 0),
    "http://purl.org/dc/terms/title": ("title", 0),
    _SKOS + "altLabel": ("altLabel", 1),
    _SKOS + "hiddenLabel": ("hiddenLabel", 2),
    "slug": ("slug", 2),
}
PROPERTY_NAMES = tuple(dict.fromkeys(name for name, _ in PROPERTIES.values()))
DISPLAYED = frozenset(("prefLabel", "name", "title"))  # the names a result may show

_QUERY = (
    sparql_prefixes()
    + """SELECT ?s ?p ?l ?n ?u WHERE {
  {
    VALUES ?p { skos:prefLabel skos:altLabel skos:hiddenLabel foaf:name dcterms:title }
    ?s ?p ?l .
  } UNION {
    VALUES (?xl ?p) {
      (skosxl:prefLabel skos:prefLabel) (skosxl:altLabel skos:altLabel)
      (skosxl:hiddenLabel skos:hiddenLabel)
    }
    ?s ?xl ?label . ?label skosxl:literalForm ?l .
  } UNION {
    SELECT ?s (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s skos:related|sg:buildsOn|^sg:buildsOn ?o }
    GROUP BY ?s
  } UNION {
    ?s sg:usageCount ?u .
  }
}"""
)

# (subject, property, text, language, links): a name (links 0), how many links a subject
# has (property, text and language None), or how many papers use it (property USAGE)
Row = tuple[str, str | None, str | None, str | None, int]
USAGE = "usage"


def read_names(store: Store) -> Iterator[Row]:
    """Every name in ``store`` and every linked subject, read from TSV cells: the text
    and language of a name are sliced out of its cell, and only a cell with an escape
    in it is parsed (``from_tsv``), which keeps rdflib terms off this hot path."""
    cells = store.select_cells(_QUERY)
    at = cells.variables
    s_at, p_at, l_at, n_at, u_at = at["s"], at["p"], at["l"], at["n"], at["u"]
    for row in cells.rows:
        s = row[s_at]
        if not s.startswith("<") or s.startswith("<<"):  # a blank node or a triple
            continue
        s = s[1:-1] if "\\" not in s else str(from_tsv(s))
        u = row[u_at]
        if u:  # "1883"^^xsd:integer
            yield s, USAGE, None, None, int(str(from_tsv(u)))
            continue
        n = row[n_at]
        if n:
            yield s, None, None, None, int(n) if n.isdigit() else int(from_tsv(n))
            continue
        cell = row[l_at]
        if not cell.startswith('"'):  # not a literal
            continue
        end = cell.rfind('"')
        text = cell[1:end]
        if "\\" in text:
            label = from_tsv(cell)
            yield s, row[p_at][1:-1], str(label), label.language, 0
        else:
            tail = cell[end + 1 :]  # @lang (perhaps --direction) or ^^<datatype>
            lang = tail[1:].partition("--")[0] if tail.startswith("@") else None
            yield s, row[p_at][1:-1], text, lang, 0
