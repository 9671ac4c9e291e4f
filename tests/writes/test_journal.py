"""The change journal: entries round-trip exactly, a torn or damaged last line is never
read as an entry and is cut off by the next writer, and writers in several processes
are serialised."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from rdflib import XSD, BNode, Literal, URIRef

from scholargate.errors import LimitExceededError, StoreUnavailableError
from scholargate.services.writes.delta import Delta
from scholargate.services.writes.journal import Journal

G = URIRef("https://w3id.org/scholargate/graph/contributed")
S = URIRef("https://w3id.org/scholargate/method/x")
P = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def one(text: str) -> Delta:
    return Delta(added=frozenset({(S, P, Literal(text, lang="fa"), G)}))


def append(journal: Journal, by: str, delta: Delta) -> None:
    with journal.locked(5):
        entries, end = journal.read(0)
        journal.append(len(entries) + 1, by, "test", delta, end=end)


def test_entries_round_trip_every_kind_of_term(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    delta = Delta(
        removed=frozenset({(S, P, Literal('old\n"quoted" \\ ¶'), G)}),
        added=frozenset(
            {
                (S, P, Literal("توجه چندسر", lang="fa"), G),
                (
                    S,
                    URIRef("https://w3id.org/scholargate/ontology#yearIntroduced"),
                    Literal("2017", datatype=XSD.gYear),
                    G,
                ),
                (S, URIRef("http://purl.org/dc/terms/creator"), BNode("b0a1"), G),
            }
        ),
    )
    append(journal, "alice", delta)
    append(journal, "bob", one("دوم"))
    entries = journal.entries()
    assert [(e.seq, e.by) for e in entries] == [(1, "alice"), (2, "bob")]
    assert entries[0].delta == delta
    assert entries[0].graphs == [str(G)]


def test_a_torn_last_line_is_not_an_entry_and_the_next_writer_cuts_it(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    append(journal, "alice", one("a"))
    whole = journal.path.read_bytes()
    with journal.path.open("ab") as f:  # what a writer killed mid-write leaves
        f.write(whole[: len(whole) // 2])
    assert [e.seq for e in journal.entries()] == [1]
    append(journal, "bob", one("b"))
    assert [e.by for e in journal.entries()] == ["alice", "bob"]
    assert journal.path.read_bytes().count(b"\n") == 2


def test_a_damaged_line_ends_the_reading_and_is_never_cut(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    for by in ("alice", "bob", "carol"):
        append(journal, by, one(by))
    damaged = journal.path.read_bytes().replace(b'"bob"', b'"bib"')
    journal.path.write_bytes(damaged)
    assert [e.by for e in journal.entries()] == ["alice"]
    with pytest.raises(StoreUnavailableError, match="damaged"):
        append(journal, "dave", one("d"))
    assert journal.path.read_bytes() == damaged  # carol's entry is still there to repair


def _many(path: str, by: str, count: int) -> None:
    journal = Journal(Path(path))
    for n in range(count):
        append(journal, by, one(f"{by}-{n}"))


def test_writers_in_several_processes_never_lose_or_repeat_an_entry(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_many, args=(str(path), f"w{i}", 25)) for i in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    entries = Journal(path).entries()
    assert [e.seq for e in entries] == list(range(1, 76))
    texts = {str(next(iter(e.delta.added))[2]) for e in entries}
    assert len(texts) == 75


def test_a_writer_waits_for_the_lock_only_so_long(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    with journal.locked(5), pytest.raises(LimitExceededError, match="another write"):
        with Journal(journal.path).locked(0.05):
            pass
