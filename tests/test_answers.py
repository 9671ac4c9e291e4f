"""The answer cache of /sparql: bounded, least recently used first out, never volatile."""

from __future__ import annotations

import pytest

from scholargate.services.answers import ENTRY_OVERHEAD, AnswerCache, cacheable
from scholargate.store import Answer


def answer(size: int) -> Answer:
    return Answer("select", b"x" * size)


def test_keeps_answers_within_its_byte_budget_dropping_the_oldest() -> None:
    unit = ENTRY_OVERHEAD + 41  # one entry: the overhead, a 1-byte key, 40 bytes
    cache = AnswerCache(unit * 5 // 2, max_entry=unit * 2)
    cache.put("a", answer(40))
    cache.put("b", answer(40))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("c", answer(40))  # over budget: b, the least recently used, goes
    assert cache.get("b") is None
    assert cache.get("a") is not None and cache.get("c") is not None


def test_an_answer_larger_than_an_entry_may_be_is_not_kept() -> None:
    cache = AnswerCache(100 + ENTRY_OVERHEAD, max_entry=ENTRY_OVERHEAD + 10)
    cache.put("big", answer(11))
    assert cache.get("big") is None and len(cache) == 0


def test_keys_count_in_the_budget_so_long_queries_with_small_answers_cannot_grow_it() -> None:
    cache = AnswerCache(10_000, max_entry=5_000)
    for i in range(100):  # 100 different 4 kB requests, each with a 10-byte answer
        cache.put(("POST", b"q" * 4_000 + str(i).encode()), answer(10))
    assert len(cache) == 2  # 2 × ~4 kB fit in 10 kB; the oldest were dropped
    assert cache.get(("POST", b"q" * 4_000 + b"99")) is not None


def test_a_zero_budget_turns_the_cache_off() -> None:
    cache = AnswerCache(0)
    cache.put("a", answer(1))
    assert cache.get("a") is None


@pytest.mark.parametrize(
    ("text", "services", "expected"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", (), True),
        ("SELECT (NOW() AS ?t) WHERE {}", (), False),
        ("SELECT (rand () AS ?r) WHERE {}", (), False),
        ("SELECT (STRUUID() AS ?u) WHERE {}", (), False),
        ("SELECT * WHERE { SERVICE <http://x/sparql> { ?s ?p ?o } }", ("http://x/sparql",), False),
        ("SELECT ?brand WHERE { ?s <http://x/brand> ?brand }", (), True),
        ("SELECT (NOW#a comment\n() AS ?t) {}", (), False),  # a comment before "(" is allowed
        ("SELECT ?x {} ORDER BY RAND # why\n  ()", (), False),
    ],
)
def test_volatile_answers_are_not_cacheable(text: str, services: tuple, expected: bool) -> None:
    assert cacheable(text, services) is expected


def test_tiny_answers_count_what_they_cost_so_many_cannot_grow_it() -> None:
    """A million different requests with tiny answers: each entry counts its objects too,
    so the cache holds at most its budget over the overhead."""
    cache = AnswerCache(64 * 1024, max_entry=4096)
    for i in range(20_000):
        cache.put(("GET", f"query=ASK%7B%7D&x={i}".encode()), answer(2))
    assert len(cache) <= 64 * 1024 // ENTRY_OVERHEAD


def test_the_stores_default_answer_evaluates_in_the_calling_process() -> None:
    """``Store.answer`` for a store without query processes: ``query_to`` in this
    process, the answer's bytes as the engine wrote them, MAX_ANSWER_BYTES kept."""
    from rdflib import URIRef

    from scholargate.errors import ParseError
    from scholargate.formats import by_name
    from scholargate.store import AnswerRequest, QueryFailedError, Store, new_store

    store = new_store()
    store.load('<urn:s> <urn:p> "x" .', by_name("nt"), graph=URIRef("urn:g"))
    answer = Store.answer(store, AnswerRequest("SELECT ?o WHERE { ?s ?p ?o }", "csv"))
    assert (answer.kind, answer.body) == ("select", b"o\r\nx\r\n")
    assert Store.answer(store, AnswerRequest("ASK { ?s skos:prefLabel ?o }", "json")).kind == "ask"
    with pytest.raises(QueryFailedError, match="MAX_ANSWER_BYTES"):
        Store.answer(store, AnswerRequest("SELECT ?o WHERE { ?s ?p ?o }", "csv", max_bytes=3))
    with pytest.raises(ParseError):
        Store.answer(store, AnswerRequest("SELECT nonsense", "json"))
