"""One list of resource kinds (namespaces.RESOURCE_KINDS); the others are derived from it."""

from __future__ import annotations

from scholargate import namespaces
from scholargate.namespaces import FACET_KINDS, PAGE_KINDS, RESOURCE_KINDS, SEARCH_KINDS


def test_every_kind_has_a_namespace() -> None:
    for kind in RESOURCE_KINDS:
        assert str(getattr(namespaces, kind.upper())) == f"{namespaces.BASE}{kind}/"


def test_derived_kinds_are_subsets_of_the_one_list() -> None:
    for derived in (FACET_KINDS, PAGE_KINDS, SEARCH_KINDS):
        assert set(derived) <= set(RESOURCE_KINDS)


def test_pages_and_search_keep_their_kinds_and_order() -> None:
    # the /{kind}/{slug} pages, in IRI order: everything but comparisons
    assert PAGE_KINDS == ("method", "person", "work", "field", "family", "type", "alias", "scheme")
    # /search's ranking: methods, then what classifies them, then persons and works
    assert SEARCH_KINDS == ("method", "field", "family", "type", "person", "work")


def test_unknown_search_type_lists_the_kinds_in_ranking_order(client) -> None:
    response = client.get("/search.json?q=lora&type=comparison")
    assert response.status_code == 400
    assert "method, field, family, type, person, work" in response.get_json()["message"]
