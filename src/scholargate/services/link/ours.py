"""What we have to link: our works, persons, methods, names and existing links.

:func:`read_ours` asks our own graph, through the ``Store`` interface, every graph but
the links graph a run replaces, and gathers the answer in :class:`Ours`: each work's
arXiv ids and DOIs, each person's ORCID iDs, the authors of each work with their folded
names, each method's founding works and names by language, the ``skos:exactMatch`` and
``owl:sameAs`` links to the source that our other graphs already state, and the highest
number of each alias IRI (so new aliases get fresh ones).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from ...namespaces import ALIAS, sparql_prefixes
from ...store import Store
from ..search.folding import fold
from .mappings import Mapping
from .queries import sparql_string


@dataclass
class Author:
    person: URIRef
    names: tuple[str, ...]  # folded full names
    family: str  # folded
    initial: str  # folded first letter of the given name


@dataclass
class Ours:
    """What our graphs (all but the links graph being made) say that linking needs."""

    works: dict[URIRef, dict[str, set[str]]] = field(default_factory=dict)
    orcids: dict[URIRef, set[str]] = field(default_factory=dict)
    authors: dict[URIRef, list[Author]] = field(default_factory=dict)
    founded_by: dict[URIRef, set[URIRef]] = field(default_factory=dict)
    names: dict[URIRef, dict[str, dict[str, list[str]]]] = field(default_factory=dict)
    existing: dict[str, set[str]] = field(default_factory=dict)  # ours → items
    existing_items: dict[str, set[str]] = field(default_factory=dict)  # item → ours
    alias_numbers: Counter[str] = field(default_factory=Counter)


_OUR_WORKS = """SELECT DISTINCT ?work ?arxiv ?doi WHERE {
  { ?work sg:arxivId ?arxiv } UNION { ?work bibo:doi ?doi }
}"""
_OUR_ORCIDS = "SELECT DISTINCT ?person ?orcid WHERE { ?person sg:orcid ?orcid }"
_OUR_AUTHORS = """SELECT DISTINCT ?work ?person ?name ?given ?family WHERE {
  ?work dcterms:creator ?person .
  FILTER(isIRI(?work) && isIRI(?person))  # not a graph's creator named by a literal
  OPTIONAL { ?person foaf:name ?name }
  OPTIONAL { ?person foaf:givenName ?given }
  OPTIONAL { ?person foaf:familyName ?family }
}"""
_OUR_METHODS = """SELECT DISTINCT ?method ?work WHERE {
  ?method a sg:Method ; sg:foundationalWork ?work .
}"""
_OUR_NAMES = """SELECT DISTINCT ?method ?property ?label WHERE {
  ?method a sg:Method .
  VALUES ?property { skos:prefLabel skos:altLabel }
  ?method ?property ?label .
}"""
_OUR_MATCHES = """SELECT DISTINCT ?ours ?item WHERE {
  { ?ours skos:exactMatch ?item } UNION { ?ours owl:sameAs ?item }
  FILTER(isIRI(?item) && STRSTARTS(STR(?item), %s))
}"""
_OUR_ALIASES = """SELECT DISTINCT ?alias WHERE {
  { ?method skosxl:altLabel ?alias } UNION { ?alias a sg:Alias }
}"""


def read_ours(store: Store, mapping: Mapping, *, exclude: URIRef) -> Ours:
    """Our works, persons, methods, names and existing links, from every graph of
    ``store`` except ``exclude`` (the links graph this run replaces)."""
    graphs = [str(g) for g in store.graph_names() if g != exclude]
    prefixes = sparql_prefixes()

    def rows(query: str) -> list[dict[str, Node]]:
        return store.query(prefixes + query, default_graphs=graphs).rows

    ours = Ours()
    for row in rows(_OUR_WORKS):
        ids = ours.works.setdefault(URIRef(str(row["work"])), {})
        for kind in ("arxiv", "doi"):
            if row.get(kind) is not None:
                ids.setdefault(kind, set()).add(str(row[kind]).strip())
    for row in rows(_OUR_ORCIDS):
        orcid = str(row["orcid"]).rstrip("/").rsplit("/", 1)[-1]
        ours.orcids.setdefault(URIRef(str(row["person"])), set()).add(orcid)
    people: dict[tuple[URIRef, URIRef], dict[str, set[str]]] = {}
    for row in rows(_OUR_AUTHORS):
        key = (URIRef(str(row["work"])), URIRef(str(row["person"])))
        fields = people.setdefault(key, {"name": set(), "given": set(), "family": set()})
        for name in fields:
            if row.get(name) is not None:
                fields[name].add(str(row[name]))
    for (work, person), fields in sorted(people.items()):
        names = {fold(n) for n in fields["name"]}
        for given in fields["given"]:
            names |= {fold(f"{given} {family}") for family in fields["family"]}
        family = fold(min(fields["family"])) if fields["family"] else ""
        initial = fold(min(fields["given"]))[:1] if fields["given"] else ""
        if not family and names:
            family = min(names).rsplit(" ", 1)[-1]
        ours.authors.setdefault(work, []).append(
            Author(person, tuple(sorted(n for n in names if n)), family, initial)
        )
    for row in rows(_OUR_METHODS):
        ours.founded_by.setdefault(URIRef(str(row["method"])), set()).add(URIRef(str(row["work"])))
    for row in rows(_OUR_NAMES):
        label = row["label"]
        if not isinstance(label, Literal):
            continue
        kind = "pref" if row["property"] == SKOS.prefLabel else "alt"
        lang = (label.language or "").lower()
        method = ours.names.setdefault(URIRef(str(row["method"])), {})
        method.setdefault(lang, {"pref": [], "alt": []})[kind].append(str(label))
    for row in rows(_OUR_MATCHES % sparql_string(mapping.uri_space)):
        subject, item = str(row["ours"]), str(row["item"])
        ours.existing.setdefault(subject, set()).add(item)
        ours.existing_items.setdefault(item, set()).add(subject)
    base = str(ALIAS)
    for row in rows(_OUR_ALIASES):
        text = str(row["alias"])
        if text.startswith(base):
            prefix, _, tail = text[len(base) :].rpartition("-")
            if tail.isdigit():
                ours.alias_numbers[prefix] = max(ours.alias_numbers[prefix], int(tail))
    return ours
