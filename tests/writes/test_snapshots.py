"""Writes when ``serve`` reads its store from disk (``build/snapshots.py``): snapshots
published, opened, kept while in use and pruned after; two workers' writers on one
primary store and one journal; a writer killed at each point; the old store let go
(its caches, its lock, its query processes) when a worker moves to a newer snapshot."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import XSD, Literal, URIRef
from rdflib.namespace import RDFS

from scholargate.build import DiskWrites, Snapshots, open_configured, open_store, recorded_seq
from scholargate.build.snapshots import undo_file
from scholargate.errors import StoreUnavailableError, WriteRefusedError
from scholargate.formats import by_name
from scholargate.namespaces import CONTRIBUTED_GRAPH, CURATED_GRAPH, METHOD, SG
from scholargate.services.compare import comparer_for
from scholargate.services.description.measured import statistics
from scholargate.services.resources import resources_for
from scholargate.services.search import index_for
from scholargate.services.writes.delta import Delta, effective
from scholargate.services.writes.journal import Journal
from scholargate.services.writes.writer import Writer
from scholargate.store import AnswerRequest, Store, new_store

from .conftest import digest

ROOT = Path(__file__).resolve().parents[2]
LORA = METHOD["lora"]
G = URIRef("urn:test:graph")


def small(path: Path, n: int = 3) -> Store:
    """An on-disk store of ``n`` triples, open for writing."""
    store = new_store(path)
    data = "".join(f'<urn:s{i}> <urn:p> "{i}" .\n' for i in range(n))
    store.load(data, by_name("nt"), graph=G)
    return store


def names(snapshots: Snapshots) -> list[int]:
    return [s.seq for s in snapshots.published(every_build=True)]


# ---- snapshots -------------------------------------------------------------------------


def test_a_published_snapshot_opens_read_only_and_never_changes(tmp_path: Path) -> None:
    primary = small(tmp_path / "store")
    snapshots = Snapshots(tmp_path / "store")
    made = snapshots.publish(primary, 1)
    assert made.path.name == "000000000001-"  # no fingerprint: a store not built here
    primary.change([], [(URIRef("urn:new"), URIRef("urn:p"), Literal("x"), G)])
    opened, seq = snapshots.open_newest()
    assert seq == 1 and opened.count() == 3 and not opened.writable
    assert snapshots.open_newest(after=1) is None  # nothing newer
    assert snapshots.publish(primary, 1).path == made.path  # kept as it was published
    assert new_store(made.path, read_only=True).count() == 3
    primary.close()


def test_only_the_on_disk_store_opened_for_writing_makes_snapshots(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError, match="in memory"):
        new_store().snapshot(tmp_path / "a")
    small(tmp_path / "store").close()
    with pytest.raises(StoreUnavailableError, match="read-only"):
        new_store(tmp_path / "store", read_only=True).snapshot(tmp_path / "b")
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_pruning_keeps_the_newest_two_and_every_one_in_use(tmp_path: Path) -> None:
    primary = small(tmp_path / "store")
    snapshots = Snapshots(tmp_path / "store")
    snapshots.publish(primary, 1)
    reader, seq = snapshots.open_newest()  # a worker reads snapshot 1
    for n in (2, 3, 4):
        snapshots.publish(primary, n)
    snapshots.prune()
    assert names(snapshots) == [1, 3, 4]  # 2 went; 1 is open
    assert reader.count() == 3
    gone = weakref.ref(reader)
    del reader  # the worker moved on: no collector needed to let it go
    assert gone() is None
    snapshots.prune()
    assert names(snapshots) == [3, 4]
    primary.close()


def test_a_snapshot_pruned_while_a_reader_opens_it_is_not_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    primary = small(tmp_path / "store")
    snapshots = Snapshots(tmp_path / "store")
    old = snapshots.publish(primary, 1)
    for n in (2, 3):
        snapshots.publish(primary, n)
    listed = [old]  # the reader listed the folder before the pruner ran
    real = Snapshots.newest
    monkeypatch.setattr(Snapshots, "newest", lambda self: listed.pop() if listed else real(self))
    snapshots.prune()
    store, seq = snapshots.open_newest()
    assert seq == 3 and not old.path.exists()
    primary.close()


def test_another_builds_snapshots_are_never_served_and_pruned(tmp_path: Path) -> None:
    path = tmp_path / "store"
    primary = small(path)
    snapshots = Snapshots(path)
    (tmp_path / "store.fingerprint").write_text("aaaa\n")
    snapshots.publish(primary, 7)
    (tmp_path / "store.fingerprint").write_text("bbbb\n")  # rebuilt from changed sources
    assert snapshots.open_newest() is None
    snapshots.publish(primary, 2)
    assert [s.path.name for s in snapshots.published()] == ["000000000002-bbbb"]
    snapshots.prune()
    assert names(snapshots) == [2]
    primary.close()


def test_what_killed_publishers_left_is_removed(tmp_path: Path) -> None:
    primary = small(tmp_path / "store")
    snapshots = Snapshots(tmp_path / "store")
    snapshots.publish(primary, 1)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **_out)
    pid = int(dead.stdout)
    for name in (f".making-{pid}", f".removing-{pid}-000000000000-"):
        (snapshots.folder / name).mkdir()
    running = snapshots.folder / f".making-{_live_pid()}"
    running.mkdir()
    snapshots.prune()
    assert sorted(p.name for p in snapshots.folder.iterdir()) == sorted(
        ["000000000001-", running.name]
    )
    primary.close()


_out = {"capture_output": True, "text": True, "check": True}


def _live_pid() -> int:
    import os

    return os.getppid()  # this test's parent: alive while it runs


def test_the_query_processes_of_a_store_being_written_open_a_checkpoint(tmp_path: Path) -> None:
    store = small(tmp_path / "store")
    ask = AnswerRequest(sparql="SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", fmt="csv", timeout=60)
    try:
        assert store.answer(ask).body.decode().split()[-1] == "3"
        copies = [p for p in tmp_path.iterdir() if ".answering" in p.name]
        assert len(copies) == 1
        store.change([], [(URIRef("urn:new"), URIRef("urn:p"), Literal("x"), G)])
        assert store.answer(ask).body.decode().split()[-1] == "4"  # a new checkpoint
    finally:
        store.close()
    assert not [p for p in tmp_path.iterdir() if ".answering" in p.name]


# ---- two workers on one primary ----------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled graph built on disk once (the workers' ``serve`` build step)."""
    folder = tmp_path_factory.mktemp("built")
    opened = open_configured({"ROOT": ROOT, "STORE": folder / "store", "SAVED": folder / "c.nt"})
    opened.store.close()
    return folder


@pytest.fixture
def served(built: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the built store with its first snapshot published, as ``serve`` leaves
    it before its workers start; the store's path."""
    for item in built.iterdir():
        copy = shutil.copytree if item.is_dir() else shutil.copy2
        copy(item, tmp_path / item.name)
    path = tmp_path / "store"
    with DiskWrites(path).primary() as primary:
        primary.commit(0)
    yield path
    gc.collect()


def worker(path: Path) -> Writer:
    """What ``web/context.py`` makes in a ``serve`` worker on disk."""
    disk = DiskWrites(path)
    store, seq = disk.reopen(-1)
    journal = Journal(path.with_name(path.name + ".journal.jsonl"))
    return Writer(store, journal, seq=seq, primary=disk.primary, reopen=disk.reopen)


def note(text: str, graph: URIRef = CONTRIBUTED_GRAPH) -> list:
    quad = (LORA, RDFS.comment, Literal(text, lang="en"), graph)
    return [lambda s: effective(s, [], [quad])]


def says(store: Store, text: str) -> bool:
    return store.ask(f'ASK {{ <{LORA}> <{RDFS.comment}> "{text}"@en }}')


def primary_digest(path: Path) -> str:
    store = open_store(path)
    try:
        return digest(store)
    finally:
        store.close()


def test_a_write_reaches_the_other_worker_as_a_new_snapshot(served: Path) -> None:
    a, b = worker(served), worker(served)
    first = a.store
    receipt = a.write(note("from a"), by="alice", role="writer", what="a note")
    assert receipt.entry is not None and receipt.entry.seq == 1
    assert a.store is not first and a.seq == 1 and says(a.store, "from a")
    assert not says(b.store, "from a")  # before its next request
    assert b.follow() == 1 and b.seq == 1 and says(b.store, "from a")
    assert b.follow() == 0
    assert recorded_seq(served) == 1
    assert [s.seq for s in Snapshots(served).published()] == [0, 1]


def test_a_store_a_worker_left_goes_with_its_caches_and_lock(served: Path) -> None:
    a = worker(served)
    old = a.store
    comparer_for(old).compare(["lora", "bert-fine-tuning"])
    resources_for(old).exists(str(LORA))
    index_for(old).search("lora")
    statistics(old)
    old.answer(AnswerRequest(sparql="ASK { ?s ?p ?o }", fmt="json", timeout=60))
    processes = old.query_processes
    assert processes
    gone = weakref.ref(old)
    del old
    a.write(note("one"), by="alice", role="writer", what="1")
    a.write(note("two"), by="alice", role="writer", what="2")
    assert gone() is None  # no cycle, no cache kept it: let go at once
    assert all(not Path(f"/proc/{pid}").exists() or _zombie(pid) for pid in processes)
    a.write(note("three"), by="alice", role="writer", what="3")  # prunes snapshot 0
    assert [s.seq for s in Snapshots(served).published()] == [2, 3]


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")
    except OSError:
        return True


def test_a_refused_write_changes_nothing_anywhere(served: Path) -> None:
    a = worker(served)
    before, seen = primary_digest(served), digest(a.store)
    bad = (LORA, SG.yearIntroduced, Literal("1066", datatype=XSD.gYear), CURATED_GRAPH)
    with pytest.raises(WriteRefusedError):
        a.write([lambda s: effective(s, [], [bad])], by="alice", role="writer", what="bad")
    assert primary_digest(served) == before and digest(a.store) == seen
    assert a.journal.entries() == [] and a.seq == 0
    assert [s.seq for s in Snapshots(served).published()] == [0]
    assert not undo_file(served).exists()


def test_a_journal_entry_no_snapshot_holds_yet_is_served_stale_then_caught_up(
    served: Path,
) -> None:
    a, b = worker(served), worker(served)
    # a writer killed between its journal entry and its snapshot: the entry, no snapshot
    lost = (LORA, RDFS.comment, Literal("journaled only", lang="en"), CONTRIBUTED_GRAPH)
    with a.journal.locked(5):
        a.journal.append(1, "killed", "lost", Delta(added=frozenset({lost})), end=0)
    assert b.follow() == 0 and b.seq == 0  # the snapshot it has: consistent, a write behind
    assert not says(b.store, "journaled only")
    a.write(note("next"), by="alice", role="writer", what="next")  # brings the primary up
    assert a.seq == 2 and says(a.store, "journaled only") and says(a.store, "next")
    assert b.follow() == 2 and says(b.store, "journaled only") and says(b.store, "next")


def test_a_writer_killed_half_way_leaves_what_is_taken_back(served: Path) -> None:
    before = primary_digest(served)
    half = (LORA, RDFS.comment, Literal("never journaled", lang="en"), CONTRIBUTED_GRAPH)
    disk = DiskWrites(served)
    with disk.primary() as primary:  # steps applied, then the process is gone
        primary.store.change([], [half])
    assert undo_file(served).exists() and primary_digest(served) != before
    a = worker(served)
    a.write(note("after"), by="alice", role="writer", what="after")
    assert not says(a.store, "never journaled") and says(a.store, "after")
    assert not undo_file(served).exists()
    # the same when the next to open the store is a rebuild check (serve's build step)
    with disk.primary() as primary:
        primary.store.change([], [half])
    opened = open_configured({"ROOT": ROOT, "STORE": served, "SAVED": served.parent / "c.nt"})
    try:
        assert not says(opened.store, "never journaled") and says(opened.store, "after")
    finally:
        opened.store.close()


def test_a_writer_killed_between_its_snapshot_and_its_record_is_replayed_once(
    served: Path,
) -> None:
    a, b = worker(served), worker(served)
    a.write(note("first"), by="alice", role="writer", what="1")
    seq_file = served.with_name(served.name + ".journal-seq")
    seq_file.write_text(seq_file.read_text().replace(" 1\n", " 0\n"))  # the record never made
    assert recorded_seq(served) == 0
    a.write(note("second"), by="alice", role="writer", what="2")  # replays entry 1 again
    assert recorded_seq(served) == 2
    assert b.follow() == 2 and says(b.store, "first") and says(b.store, "second")
    assert primary_digest(served) == digest(b.store)


def test_a_worker_started_late_reads_the_newest_snapshot(served: Path) -> None:
    a = worker(served)
    for n in range(3):
        a.write(note(f"n{n}"), by="alice", role="writer", what=str(n))
    late = worker(served)
    assert late.seq == 3 and late.pending == [] and says(late.store, "n2")
    assert late.follow() == 0
