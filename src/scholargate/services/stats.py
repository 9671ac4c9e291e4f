"""Counts that describe the graph: per class, per named graph, per label language."""

from __future__ import annotations

from dataclasses import dataclass

from ..namespaces import sparql_prefixes
from ..store import Store


@dataclass
class Stats:
    quads: int
    classes: list[tuple[str, int]]
    graphs: list[tuple[str, int]]
    languages: list[tuple[str, str, int]]  # (language, label property, count)


_CLASSES = """SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
WHERE { GRAPH ?g { ?s a ?class } FILTER(?g NOT IN (sgg:ontology, sgg:shapes, sgg:metadata)) }
GROUP BY ?class ORDER BY DESC(?n) ?class"""

_GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"

_LANGUAGES = """SELECT ?lang ?p (COUNT(*) AS ?n)
WHERE {
  VALUES ?p { skos:prefLabel skos:altLabel sg:summary }
  GRAPH ?g { ?s ?p ?label }
  FILTER(?g NOT IN (sgg:ontology, sgg:shapes, sgg:metadata))
  BIND(LANG(?label) AS ?lang)
}
GROUP BY ?lang ?p ORDER BY ?lang ?p"""


def stats(store: Store) -> Stats:
    prefixes = sparql_prefixes()
    return Stats(
        quads=store.count(),
        classes=[(str(r["class"]), int(r["n"])) for r in store.select(prefixes + _CLASSES)],
        graphs=[(str(r["g"]), int(r["n"])) for r in store.select(_GRAPHS)],
        languages=[
            (str(r["lang"]) or "(none)", str(r["p"]), int(r["n"]))
            for r in store.select(prefixes + _LANGUAGES)
        ],
    )
