"""SPARQL functions of the project's own that the store evaluates.

``sg:label(?x, "fa,en")`` — the best label of ``?x`` along a language chain, so a query
needs no OPTIONAL/FILTER/COALESCE boilerplate to show names in the reader's language::

    PREFIX sg: <https://w3id.org/scholargate/ontology#>
    SELECT ?method (sg:label(?method, "fa,en") AS ?name)
    WHERE { ?method a sg:Method } ORDER BY ?name

How the label is chosen:

* the chain is a comma-separated list of language tags, tried in order; a tag also
  matches its subtags (``en`` matches ``en-GB``); ``*`` matches any language;
* within one language the properties are tried in order: ``skos:prefLabel``,
  ``rdfs:label``, ``foaf:name``, ``dcterms:title``; among several labels of the same
  property and language the lexically first wins, so answers are stable;
* when no language of the chain has a label, a label without a language tag (a
  person's ``foaf:name``) is taken, since it is not in any particular language;
* an omitted or empty chain means ``*``: any language (property order first, then
  language tag, then text);
* nothing found, a literal as first argument or a chain that is not a string →
  the function has no value (an unbound variable, as for any SPARQL expression error).

The answer is the label literal itself, language tag included, so ``LANG(sg:label(?x,
"fa,en"))`` tells whether the Persian name existed.

This is the project's one label rule (``services/labels.py``: the same properties in
the same order, a stable lexical choice) written once more, because query processes
load this module from its file, without rdflib or the rest of the package. It is the
rule's form for queries, and differs from what pages do (``labels.pick_by_property``)
where a query needs to say more: here the language is ranked before the property
(``"fa"`` finds an ``rdfs:label`` in Persian before a ``skos:prefLabel`` in English;
pages take the first property that has any label, then the language), the chain is
exactly the one given (pages always add English, then a label without language, then
any language), a tag matches its subtags (pages compare whole tags), and SKOS-XL
written forms are not read.

Labels are read from the store while the query runs (a nested read of ``?x``'s label
triples in every graph, whatever the query's FROM clauses say), once per distinct
argument and query: always as fresh as the store, with no label table to hold in
memory or to refresh after writes. Oxigraph allows reads while a query is evaluated
(tests/test_label_function.py checks it, from several threads, in memory and on disk).
The cost, measured here on the bundled graph in memory: ~0.1 ms per distinct term,
mostly the engine calling into Python; about three times the OPTIONAL/FILTER/COALESCE
form it replaces, so a query labelling tens of thousands of rows is faster written out.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyoxigraph as ox

__all__ = ["LABEL", "LABEL_PROPERTIES", "custom_functions", "best_label", "may_call", "parse_chain"]

# This module imports only pyoxigraph, so that a query process that must start fast
# (store/processes/child.py) can load it from its file without importing rdflib; the IRIs are
# therefore written out here, and tests check them against namespaces.py (SG.label) and
# services/labels.py (the same properties, in the same order).
LABEL = ox.NamedNode("https://w3id.org/scholargate/ontology#label")
LABEL_PROPERTIES: tuple[str, ...] = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://xmlns.com/foaf/0.1/name",
    "http://purl.org/dc/terms/title",
)
_RANK = {iri: rank for rank, iri in enumerate(LABEL_PROPERTIES)}
_PROPERTY_NODES = tuple((iri, ox.NamedNode(iri)) for iri in LABEL_PROPERTIES)
ANY = "*"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Function = Callable[..., Term | None]


def parse_chain(value: str) -> tuple[str, ...]:
    """The language chain of ``"fa, en"``: ``("fa", "en")``; empty → ``("*",)``."""
    chain = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    return chain or (ANY,)


def best_label(labels: list[tuple[str, ox.Literal]], chain: tuple[str, ...]) -> ox.Literal | None:
    """The label to return among ``(property IRI, literal)`` pairs, by the rules above."""
    ranked = [
        (_RANK[p], (lit.language or "").lower(), lit.value, lit) for p, lit in labels if p in _RANK
    ]
    if not ranked:
        return None
    for step in chain:
        if step == ANY:
            return min(ranked, key=lambda r: r[:3])[3]
        same = [r for r in ranked if r[1] == step or r[1].startswith(step + "-")]
        if same:
            # the exact tag before its subtags, then property order, then text
            return min(same, key=lambda r: (r[1] != step, r[0], r[1], r[2]))[3]
    neutral = [r for r in ranked if not r[1]]
    return min(neutral, key=lambda r: r[:3])[3] if neutral else None


_MAY_CALL = re.compile(r"label>?\s*\(")


def may_call(sparql: str) -> bool:
    """Whether ``sparql`` may call one of these functions.

    Passing ``custom_functions`` makes pyoxigraph evaluate every query several times
    slower, so callers pass them only when the text has a call of ``label(``.
    """
    return _MAY_CALL.search(sparql) is not None


def custom_functions(store: ox.Store) -> dict[ox.NamedNode, Function]:
    """The project's SPARQL functions bound to ``store``, for pyoxigraph's
    ``Store.query(..., custom_functions=...)``.

    Make a new mapping for each query: it remembers the labels it looked up, and that
    memory must not outlive the query (the store may change between queries).
    """
    memo: dict[tuple[Term, str], ox.Literal | None] = {}

    def label(*args: Term) -> ox.Literal | None:
        if not 1 <= len(args) <= 2:
            return None
        subject = args[0]
        if not isinstance(subject, ox.NamedNode | ox.BlankNode):
            return None
        chain_text = ""
        if len(args) == 2:
            if not isinstance(args[1], ox.Literal) or args[1].language is not None:
                return None
            chain_text = args[1].value
        key = (subject, chain_text)
        if key not in memo:
            # one lookup per property: cheaper than reading every triple of the subject
            labels = [
                (iri, quad.object)
                for iri, node in _PROPERTY_NODES
                for quad in store.quads_for_pattern(subject, node, None, None)
                if isinstance(quad.object, ox.Literal)
            ]
            memo[key] = best_label(labels, parse_chain(chain_text))
        return memo[key]

    return {LABEL: label}
