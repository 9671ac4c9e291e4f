"""Bounds of the comparison: how many methods, how long a name, linear work on what a
request gives, and method lookups that reach the query only as checked IRIs."""

from __future__ import annotations

import time

import pytest

from scholargate.errors import InputError, NotFoundError
from scholargate.namespaces import METHOD
from scholargate.services.compare import (
    MAX_METHODS,
    MAX_NAME,
    Comparer,
    build_query,
    distinct_names,
)
from scholargate.store.oxigraph import OxigraphStore


@pytest.fixture(scope="module")
def comparer(bundled_store: OxigraphStore) -> Comparer:
    return Comparer(bundled_store)


def test_names_are_split_stripped_and_kept_once_in_order() -> None:
    given = ["lora, bert-fine-tuning", "lora", " multi-head-self-attention ,,", "bert-fine-tuning"]
    assert distinct_names(given) == ["lora", "bert-fine-tuning", "multi-head-self-attention"]


def test_repeated_names_count_once() -> None:
    assert distinct_names(["lora"] * 10_000 + ["lora,lora"] * 10_000) == ["lora"]


def test_more_than_the_cap_of_methods_is_refused_naming_the_cap() -> None:
    names = [f"method-{i}" for i in range(MAX_METHODS + 1)]
    assert len(distinct_names(names[:-1])) == MAX_METHODS
    with pytest.raises(InputError, match=f"at most {MAX_METHODS}") as refused:
        distinct_names([",".join(names)])
    assert refused.value.status == 400


def test_a_name_longer_than_the_cap_is_refused() -> None:
    assert distinct_names(["x" * MAX_NAME]) == ["x" * MAX_NAME]
    with pytest.raises(InputError, match=f"at most {MAX_NAME}"):
        distinct_names(["x" * (MAX_NAME + 1)])


def test_a_megabyte_of_names_is_refused_within_a_second(comparer: Comparer) -> None:
    # the resolver used to de-duplicate in quadratic time: a 1 MB form took 86 s
    names = [",".join(f"m{i}" for i in range(150_000))]
    started = time.monotonic()
    with pytest.raises(InputError):
        comparer.resolve(names)
    repeated = ["lora"] * 200_000
    assert comparer.resolve(repeated) == [str(METHOD["lora"])]
    assert time.monotonic() - started < 5  # a safety bound, not a speed test


@pytest.mark.parametrize(
    "name",
    [
        "lora> } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o",
        f"{METHOD}lora> . ?x ?y ?z",
        f"{METHOD}lora%3E",
        f'{METHOD}a"}}{{',
        "lo\x00ra",
    ],
)
def test_hostile_names_are_not_found_and_reach_no_query(comparer: Comparer, name: str) -> None:
    with pytest.raises(NotFoundError):
        comparer.resolve([name])


def test_an_iri_resolves_to_the_graphs_own(comparer: Comparer) -> None:
    assert comparer.resolve([f"{METHOD}lora", "LoRA"]) == [str(METHOD["lora"])]


def test_the_query_writes_methods_as_checked_iris(comparer: Comparer) -> None:
    assert f"(<{METHOD}lora> 0)" in build_query(comparer.rows, [str(METHOD["lora"])])
    with pytest.raises(InputError):
        build_query(comparer.rows, [f"{METHOD}lora> }} SERVICE <http://127.0.0.1:9/> {{"])
