"""Saved comparisons as writes: a save is one journal entry by ``compare/save`` in
``sgg:comparisons`` through the Writer (guarded, deduplicated, capped in the store,
rate-limited per client across processes), found from the store by any process that
follows the journal; the legacy file still loads and is never written."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rdflib import SH, Literal, URIRef
from rdflib.namespace import RDF, XSD

from scholargate.build import build_store
from scholargate.errors import TooManyQueriesError, WriteRefusedError
from scholargate.namespaces import COMPARISONS_GRAPH, CURATED_GRAPH, METHOD, SG, SHAPES_GRAPH
from scholargate.services.saved import (
    SAVED_BY,
    SavedComparisons,
    SavedFullError,
    SaveRate,
    SavingUnavailableError,
    comparison_id,
    describe,
    readable_triples,
)
from scholargate.services.validation.run import validate_nodes
from scholargate.services.writes.journal import Journal
from scholargate.services.writes.writer import Writer
from scholargate.store import Store
from scholargate.store.oxigraph import OxigraphStore

from .writes.conftest import digest

LORA, BERT, MHSA = (
    str(METHOD[s]) for s in ("lora", "bert-fine-tuning", "multi-head-self-attention")
)


def _saved(
    tmp_path: Path, store: Store | None = None, *, writer: bool = True, **options: int
) -> SavedComparisons:
    """Saved comparisons over ``store`` (default: an empty one) whose Writer keeps its
    journal in ``tmp_path`` (two of them on one ``tmp_path`` are two HTTP workers)."""
    store = store if store is not None else OxigraphStore()
    write = Writer(store, Journal(tmp_path / "journal.jsonl")) if writer else None
    return SavedComparisons(store, write, rate_file=tmp_path / "comparisons.nt.rate", **options)


def _journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.jsonl")


def _record(methods: list[str], version: str = "v1") -> tuple[str, bytes]:
    """A record as the legacy file held it: its N-Triples lines."""
    cid = comparison_id(methods, version)
    created = datetime(2024, 1, 1, tzinfo=UTC)
    return cid, describe(cid, methods, version, created).serialize(format="nt", encoding="utf-8")


def test_saving_the_same_methods_twice_gives_the_same_id_and_writes_once(tmp_path: Path) -> None:
    saved = _saved(tmp_path)
    first = saved.save([LORA, BERT], "v1", client="a")
    again = saved.save([LORA, BERT], "v1", client="a")
    assert first == (first[0], True) and again == (first[0], False)
    assert len(_journal(tmp_path).entries()) == 1  # the second save's delta was empty
    assert saved.methods_of(saved.load(first[0]), first[0]) == [LORA, BERT]
    assert saved.save([BERT, LORA], "v1", client="a")[0] != first[0]  # another order


def test_a_save_is_one_journal_entry_by_compare_save_in_the_comparisons_graph(
    tmp_path: Path,
) -> None:
    saved = _saved(tmp_path)
    cid, _ = saved.save([LORA, MHSA], "v1", client="a")
    (entry,) = _journal(tmp_path).entries()
    assert entry.by == SAVED_BY == "compare/save" and cid in entry.what
    assert entry.graphs == [str(COMPARISONS_GRAPH)] and not entry.delta.removed
    assert set(saved.store.graph(COMPARISONS_GRAPH)) == {q[:3] for q in entry.delta.added}
    assert len(saved) == 1


def test_another_process_sees_a_save_and_does_not_repeat_it(tmp_path: Path) -> None:
    one, two = _saved(tmp_path), _saved(tmp_path)  # two workers on one journal
    cid, _ = one.save([LORA], "v1", client="a")
    assert two.load(cid) is None  # not before it follows the journal
    assert two.writer is not None and two.writer.follow() == 1  # before its next request
    assert two.load(cid) is not None and len(two) == 1
    assert two.save([LORA], "v1", client="b") == (cid, False)
    assert len(_journal(tmp_path).entries()) == 1


def test_a_save_racing_one_from_another_process_writes_nothing(tmp_path: Path) -> None:
    one, two = _saved(tmp_path), _saved(tmp_path)
    cid, _ = one.save([LORA], "v1", client="a")
    # two has not followed yet, so it finds nothing and writes: under the journal's lock
    # the Writer follows first, and the save's step finds the comparison saved
    assert two.save([LORA], "v1", client="b") == (cid, False)
    assert len(_journal(tmp_path).entries()) == 1
    assert digest(one.store) == digest(two.store)


def test_the_legacy_file_still_loads_and_is_never_written(
    tmp_path: Path, project_root: Path
) -> None:
    path = tmp_path / "comparisons.nt"
    cid, data = _record([LORA, BERT])
    path.write_bytes(data)
    store = OxigraphStore()
    build_store(store, project_root, saved=path)
    saved = _saved(tmp_path, store)
    record = saved.load(cid)
    assert record is not None and len(record) == data.count(b"\n")
    assert saved.methods_of(record, cid) == [LORA, BERT]
    assert saved.shapes_version_of(record, cid) == "v1" and len(saved) == 1
    assert saved.save([LORA, BERT], "v1", client="a") == (cid, False)  # found, not written
    assert saved.save([MHSA], "v1", client="a")[1] is True
    assert path.read_bytes() == data  # the new save went to the journal, not the file
    assert len(saved) == 2


def test_the_build_skips_malformed_saved_lines(tmp_path: Path, project_root: Path) -> None:
    path = tmp_path / "comparisons.nt"
    cid, data = _record([LORA, BERT])
    path.write_bytes(b"<broken\n" + data + b'<https://w3id.org/scholargate/comparison/x> "\n')
    assert readable_triples(path) == data
    store = OxigraphStore()
    build_store(store, project_root, saved=path)  # does not raise
    assert store.count(COMPARISONS_GRAPH) == data.count(b"\n")
    assert _saved(tmp_path, store).load(cid) is not None


@pytest.mark.parametrize("cid", ["", "ABCDEF123456", "d551e14234b", "d551e14234bc>", "x" * 12])
def test_a_malformed_id_is_not_found(tmp_path: Path, cid: str) -> None:
    saved = _saved(tmp_path)
    saved.save([LORA], "v1", client="a")
    assert saved.load(cid) is None and not saved.exists(cid)


def test_saved_comparisons_are_capped_by_what_the_store_holds(tmp_path: Path) -> None:
    saved = _saved(tmp_path, limit=2, rate=0)
    kept = [saved.save([m], "v1", client="a")[0] for m in (LORA, BERT)]
    before = digest(saved.store)
    with pytest.raises(SavedFullError) as refused:
        saved.save([MHSA], "v1", client="a")
    assert refused.value.status == 507 and "at most 2" in refused.value.message
    assert digest(saved.store) == before and len(_journal(tmp_path).entries()) == 2
    assert saved.save([LORA], "v1", client="a") == (kept[0], False)  # found, not refused
    assert len(saved) == 2
    # another worker counts the same comparisons (from the journal)
    with pytest.raises(SavedFullError):
        _saved(tmp_path, limit=2, rate=0).save([MHSA], "v1", client="b")


def test_saves_are_rate_limited_per_client(tmp_path: Path) -> None:
    saved = _saved(tmp_path, rate=2)
    saved.save([LORA], "v1", client="10.0.0.1")
    saved.save([BERT], "v1", client="10.0.0.1")
    assert saved.save([LORA], "v1", client="10.0.0.1")[1] is False  # found: not counted
    with pytest.raises(TooManyQueriesError) as refused:
        saved.save([MHSA], "v1", client="10.0.0.1")
    assert refused.value.status == 429
    assert 1 <= refused.value.details["retry_after"] <= 60
    assert saved.save([MHSA], "v1", client="10.0.0.2")[1] is True  # another client


def test_without_a_writer_a_new_save_is_501_and_a_saved_one_is_found(
    tmp_path: Path, project_root: Path
) -> None:
    path = tmp_path / "comparisons.nt"
    cid, data = _record([LORA, BERT])
    path.write_bytes(data)
    store = OxigraphStore()
    build_store(store, project_root, saved=path)
    saved = _saved(tmp_path, store, writer=False)  # as on a SPARQL server
    before = digest(store)
    assert saved.save([LORA, BERT], "v1") == (cid, False)
    with pytest.raises(SavingUnavailableError) as refused:
        saved.save([MHSA], "v1")
    assert refused.value.status == 501 and "SPARQL server" in refused.value.message
    assert digest(store) == before


# ---- the guard -------------------------------------------------------------------------


@pytest.fixture
def bundled_copy(bundled_store: OxigraphStore) -> OxigraphStore:
    """A writable copy of the bundled graph (the shared one is only read)."""
    return bundled_store.in_memory()


def test_a_save_passes_over_what_the_methods_already_break(
    tmp_path: Path, bundled_copy: OxigraphStore
) -> None:
    # a violation already in the data (a second year for LoRA; the shapes allow one),
    # and imported methods with warnings: none is the save's, so none refuses it
    year = (URIRef(LORA), SG.yearIntroduced, Literal("1999", datatype=XSD.gYear), CURATED_GRAPH)
    bundled_copy.change((), [year])
    saved = _saved(tmp_path, bundled_copy, rate=0)
    assert saved.writer is not None
    rules = saved.writer.guard.rules()
    methods = [
        str(r["m"])
        for r in bundled_copy.select(f"SELECT ?m WHERE {{ ?m a <{SG.Method}> }} ORDER BY ?m")
    ]
    found = validate_nodes(
        bundled_copy, [URIRef(m) for m in methods], rules.queries, rules.shapes, lang="en"
    )
    broken = {str(r.focus_node) for r in found.results if r.blocking}
    warned = sorted({str(r.focus_node) for r in found.results if not r.blocking} - broken)
    assert broken == {LORA} and len(warned) >= 19
    cid, created = saved.save([LORA, *warned[:19]], "v1", lang="fa")
    assert created and saved.methods_of(saved.load(cid), cid) == [LORA, *warned[:19]]


def test_a_shape_for_comparisons_guards_a_save(tmp_path: Path, bundled_copy: OxigraphStore) -> None:
    shape = URIRef("https://w3id.org/scholargate/shapes#TestComparisonShape")
    prop = URIRef("https://w3id.org/scholargate/shapes#TestComparisonShape-note")
    bundled_copy.extend(
        SHAPES_GRAPH,
        [
            (shape, RDF.type, SH.NodeShape),
            (shape, SH.targetClass, SG.Comparison),
            (shape, SH.property, prop),
            (prop, SH.path, URIRef("https://example.org/note")),
            (prop, SH.minCount, Literal(1)),
        ],
    )
    saved = _saved(tmp_path, bundled_copy, rate=0)
    before = digest(bundled_copy)
    with pytest.raises(WriteRefusedError) as refused:
        saved.save([LORA, BERT], "v1")
    assert refused.value.status == 422
    assert digest(bundled_copy) == before and _journal(tmp_path).entries() == []


# ---- the rate, across processes ----------------------------------------------------------


def _take(path: str, results: multiprocessing.Queue) -> None:
    rate = SaveRate(Path(path), 3)
    for _ in range(2):
        try:
            rate.take("10.0.0.9")
            results.put("ok")
        except TooManyQueriesError:
            results.put("refused")


def test_the_rate_is_counted_across_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "rate")
    context = multiprocessing.get_context("fork")  # two processes, as two HTTP workers
    results = context.Queue()
    workers = [context.Process(target=_take, args=(path, results)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    answers = sorted(results.get(timeout=10) for _ in range(4))
    assert answers == ["ok", "ok", "ok", "refused"]


def test_the_rate_file_stays_small(tmp_path: Path) -> None:
    rate = SaveRate(tmp_path / "rate", 1_000_000)
    for n in range(2000):
        rate.take(f"10.1.{n // 250}.{n % 250}")
    assert (tmp_path / "rate").stat().st_size <= 4096 * 12
