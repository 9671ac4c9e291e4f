"""The one write path on the bundled graph: an accepted write is applied and journaled;
a write the shapes or the roles refuse leaves the store and the journal exactly as they
were; another process follows the journal; a rebuild replays it. The first of these run
both in the embedded store and on a real Oxigraph server with the journal on the server
(``place``, ``conftest.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import XSD, Literal
from rdflib.namespace import RDFS, SKOS

from scholargate.build import open_configured
from scholargate.errors import ForbiddenError, WriteRefusedError
from scholargate.namespaces import (
    COMPARISONS_GRAPH,
    CONTRIBUTED_GRAPH,
    CURATED_GRAPH,
    GRAPH,
    METHOD,
    SG,
)
from scholargate.services.writes.delta import Delta, effective
from scholargate.services.writes.journal import Journal
from scholargate.services.writes.writer import Writer
from scholargate.store import new_store

from .conftest import Place, digest

ROOT = Path(__file__).resolve().parents[2]
MHSA = METHOD["multi-head-self-attention"]


def adds(*quads: tuple) -> list:
    return [lambda s: effective(s, [], quads)]


def test_an_accepted_write_is_applied_and_journaled(place: Place) -> None:
    store, journal = place.store, place.journal()
    writer = Writer(store, journal)
    note = (MHSA, RDFS.comment, Literal("یادداشت", lang="fa"), CONTRIBUTED_GRAPH)
    receipt = writer.write(adds(note), by="alice", role="writer", what="a note")
    assert receipt.entry is not None and receipt.entry.seq == 1
    assert store.ask(f'ASK {{ GRAPH <{CONTRIBUTED_GRAPH}> {{ <{MHSA}> ?p "یادداشت"@fa }} }}')
    [entry] = journal.entries()
    assert (entry.by, entry.what, entry.delta.added) == ("alice", "a note", frozenset({note}))


def test_a_write_the_shapes_refuse_changes_nothing(place: Place) -> None:
    store, journal = place.store, place.journal()
    writer = Writer(store, journal)
    before = digest(store)
    # a year outside the shapes' range on a curated method
    bad = (MHSA, SG.yearIntroduced, Literal("1066", datatype=XSD.gYear), CURATED_GRAPH)
    with pytest.raises(WriteRefusedError) as refused:
        writer.write(adds(bad), by="alice", role="writer", what="bad year", lang="fa")
    assert refused.value.status == 422
    assert str(MHSA) in refused.value.message
    report = refused.value.report
    assert not report.conforms
    assert any(r.focus_node == MHSA for r in report.blocking)
    assert digest(store) == before
    assert journal.entries() == [] and not journal.path.exists()


def test_a_writer_may_not_change_an_imported_graph(place: Place) -> None:
    store = place.store
    writer = Writer(store, place.journal())
    before = digest(store)
    quad = (MHSA, RDFS.comment, Literal("x"), GRAPH["pwc-methods"])
    with pytest.raises(ForbiddenError, match="pwc-methods"):
        writer.write(adds(quad), by="bob", role="writer", what="x")
    assert digest(store) == before
    receipt = writer.write(adds(quad), by="root", role="admin", what="x")
    assert receipt.entry is not None


def test_what_was_already_wrong_does_not_refuse_an_unrelated_write(place: Place) -> None:
    store = place.store
    bad = (MHSA, SG.yearIntroduced, Literal("1066", datatype=XSD.gYear), CURATED_GRAPH)
    store.change([], [bad])  # there before the write, not through it
    writer = Writer(store, place.journal())
    note = (MHSA, RDFS.comment, Literal("unrelated", lang="en"), CONTRIBUTED_GRAPH)
    assert writer.write(adds(note), by="alice", role="writer", what="note").entry is not None


def test_a_write_that_changes_nothing_is_not_journaled(place: Place) -> None:
    store = place.store
    writer = Writer(store, place.journal())
    label = next(
        iter(
            store.select(
                f"SELECT ?g ?o WHERE {{ GRAPH ?g {{ <{MHSA}> <{SKOS.prefLabel}> ?o }} }} LIMIT 1"
            )
        )
    )
    existing = (MHSA, SKOS.prefLabel, label["o"], label["g"])
    receipt = writer.write(adds(existing), by="alice", role="admin", what="again")
    assert receipt.entry is None and not receipt.delta
    assert writer.journal.entries() == []


def test_another_process_follows_the_journal(place: Place) -> None:
    (first, journal), (second, other) = (place.store, place.journal()), place.another()
    a, b = Writer(first, journal), Writer(second, other)
    note = (MHSA, RDFS.comment, Literal("seen everywhere", lang="en"), CONTRIBUTED_GRAPH)
    a.write(adds(note), by="alice", role="writer", what="note")
    assert b.follow() == 1 and b.seq == 1
    assert first.count() == second.count()
    assert set(first.graph(CONTRIBUTED_GRAPH)) == set(second.graph(CONTRIBUTED_GRAPH))
    assert b.follow() == 0


def test_each_graph_knows_the_last_write_that_touched_it(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    first, second = new_store(), new_store()
    a = Writer(first, journal)
    note = (MHSA, RDFS.comment, Literal("a note", lang="en"), CONTRIBUTED_GRAPH)
    saved = (MHSA, RDFS.comment, Literal("a comparison", lang="en"), COMPARISONS_GRAPH)
    a.write(adds(note), by="alice", role="writer", what="note")
    a.write(adds(saved), by="compare/save", role="writer", what="save")
    assert (a.graph_seq(CONTRIBUTED_GRAPH), a.graph_seq(COMPARISONS_GRAPH)) == (1, 2)
    assert a.graph_seq(CURATED_GRAPH) == 0  # a dump of it keeps its ETag
    # a process whose store holds the first entry already (a store rebuilt with it)
    second.change((), [note])
    b = Writer(second, journal, seq=1)
    assert (b.graph_seq(CONTRIBUTED_GRAPH), b.graph_seq(COMPARISONS_GRAPH)) == (1, 2)


def test_a_rebuild_replays_the_journal_and_reports_what_a_source_contradicts(
    tmp_path: Path,
) -> None:
    journal = Journal(tmp_path / "j.jsonl")
    settings = {"ROOT": ROOT, "MEMORY": True, "SAVED": tmp_path / "c.nt", "JOURNAL": journal.path}
    opened = open_configured(settings)
    writer = Writer(opened.store, journal, seq=opened.seq)
    note = (MHSA, RDFS.comment, Literal("kept", lang="en"), CONTRIBUTED_GRAPH)
    writer.write(adds(note), by="alice", role="writer", what="note")
    # an entry that removes a triple no source holds any more
    gone = (MHSA, RDFS.comment, Literal("a sentence a maintainer since deleted"), CURATED_GRAPH)
    with journal.locked(5):
        _entries, end = journal.read(0)
        journal.append(2, "bob", "stale", Delta(removed=frozenset({gone})), end=end)
    again = open_configured(settings)
    assert again.seq == 2
    assert again.store.ask(f'ASK {{ <{MHSA}> <{RDFS.comment}> "kept"@en }}')
    assert [(e.seq, missing) for e, missing in again.replayed.contradicted] == [(2, 1)]


def test_the_on_disk_store_keeps_writes_across_reopening(tmp_path: Path) -> None:
    settings = {"ROOT": ROOT, "STORE": tmp_path / "store", "SAVED": tmp_path / "c.nt"}
    opened = open_configured(settings)
    journal = Journal(opened.place.journal)
    writer = Writer(opened.store, journal, seq=opened.seq)
    note = (MHSA, RDFS.comment, Literal("on disk", lang="en"), CONTRIBUTED_GRAPH)
    writer.write(adds(note), by="alice", role="writer", what="note")
    opened.store.close()
    again = open_configured(settings)
    try:
        assert again.store.ask(f'ASK {{ <{MHSA}> <{RDFS.comment}> "on disk"@en }}')
        assert again.seq == 1
    finally:
        again.store.close()
