"""The queries the application runs in the HTTP worker, outside the query processes,
pass the same checks as a user's query at /sparql, even at the caps a request may
reach: their shape is fixed, every value in them is a checked term, and their size is
bounded by the caps (20 methods a comparison, MAX_FACET_VALUES per facet), so none can
nest or chain past what the engine survives. (Oxigraph cannot stop a query in the
worker; these bounds are what keeps one short.)"""

from __future__ import annotations

import pytest

from scholargate.config import SETTINGS
from scholargate.namespaces import BASE
from scholargate.services.compare import MAX_METHODS, build_query, comparer_for
from scholargate.services.resources import FACETS, Filters, document_query, resources_for
from scholargate.services.resources.browse import count_query
from scholargate.services.resources.queries import describe_query
from scholargate.services.sparql import Limits, analyse, check
from scholargate.store.oxigraph import OxigraphStore

LIMITS = Limits(max_nesting=SETTINGS["MAX_NESTING"][0], max_chain=SETTINGS["MAX_CHAIN"][0])
FACET_CAP = SETTINGS["MAX_FACET_VALUES"][0]


def passes(store: OxigraphStore, sparql: str) -> None:
    graphs = {str(g) for g in store.graph_names()}
    check(analyse(sparql), graphs=graphs, limits=LIMITS)


def method_iris(store: OxigraphStore, count: int) -> list[str]:
    rows = store.select(
        "SELECT ?m WHERE { ?m a <https://w3id.org/scholargate/ontology#Method> } "
        f"ORDER BY ?m LIMIT {count}"
    )
    return [str(r["m"]) for r in rows]


def test_a_comparison_of_the_most_methods_passes_the_checks(
    bundled_store: OxigraphStore,
) -> None:
    methods = method_iris(bundled_store, MAX_METHODS)
    assert len(methods) == MAX_METHODS
    sparql = build_query(comparer_for(bundled_store).rows, methods)
    passes(bundled_store, sparql)
    assert bundled_store.select_cells(sparql)  # and it answers


def test_a_listing_at_every_facet_cap_passes_the_checks(bundled_store: OxigraphStore) -> None:
    values = {}
    for name, prefix in FACETS.items():
        rows = bundled_store.select(
            f"SELECT DISTINCT ?v WHERE {{ ?m ?p ?v FILTER(STRSTARTS(STR(?v), '{BASE}{prefix}')) }}"
        )
        found = [str(r["v"]).removeprefix(BASE + prefix) for r in rows][:FACET_CAP]
        values[name] = tuple(found + [f"no-such-{name}-{i}" for i in range(FACET_CAP - len(found))])
    filters = Filters(**values, year_from=1950, year_to=2025)
    where = filters.where()
    for sparql in (
        f"SELECT (COUNT(?m) AS ?n) WHERE {{ {where} }}",
        count_query(where),
        count_query(where, by_values=True),
    ):
        passes(bundled_store, sparql)
    listing = resources_for(bundled_store).browse(filters)
    assert listing.total == 0  # no method is in ten fields at once


@pytest.mark.parametrize("kind", ["method", "person", "work"])
def test_a_resource_page_of_the_longest_slug_passes_the_checks(
    bundled_store: OxigraphStore, kind: str
) -> None:
    iri = f"{BASE}{kind}/{'a' * 200}"
    for sparql in (document_query(iri), describe_query(iri, with_works=kind == "method")):
        passes(bundled_store, sparql)


@pytest.mark.parametrize(
    "filters",
    [Filters(), Filters(field=("computer-vision",), year_from=2015, year_to=2017)],
)
def test_both_forms_of_the_facet_count_give_the_same_counts(
    bundled_store: OxigraphStore, filters: Filters
) -> None:
    where = filters.where()
    found = [
        sorted((str(r["facet"]), str(r["v"]), int(r["n"])) for r in bundled_store.select(q))  # type: ignore[call-overload]
        for q in (count_query(where), count_query(where, by_values=True))
    ]
    assert found[0] == found[1] and len(found[0]) > 10
