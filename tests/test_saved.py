"""Saved comparisons: deduplicated, found by id without reading the whole file, capped
in number, rate-limited per client across processes, and tolerant of a bad line."""

from __future__ import annotations

import logging
import multiprocessing
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scholargate.build import build_store
from scholargate.errors import TooManyQueriesError
from scholargate.namespaces import METHOD
from scholargate.services.saved import (
    COMPARISONS_GRAPH,
    SavedComparisons,
    SavedFullError,
    SaveRate,
    comparison_id,
    describe,
    readable_triples,
)
from scholargate.store.oxigraph import OxigraphStore

LORA, BERT, MHSA = (
    str(METHOD[s]) for s in ("lora", "bert-fine-tuning", "multi-head-self-attention")
)


def _saved(tmp_path: Path, **options: int) -> SavedComparisons:
    return SavedComparisons(tmp_path / "comparisons.nt", OxigraphStore(), writable=True, **options)


def _record(methods: list[str], version: str = "v1") -> tuple[str, bytes]:
    cid = comparison_id(methods, version)
    created = datetime(2024, 1, 1, tzinfo=UTC)
    return cid, describe(cid, methods, version, created).serialize(format="nt", encoding="utf-8")


def test_saving_the_same_methods_twice_gives_the_same_id_and_writes_once(tmp_path: Path) -> None:
    saved = _saved(tmp_path)
    first = saved.save([LORA, BERT], "v1", client="a")
    size = saved.path.stat().st_size
    again = saved.save([LORA, BERT], "v1", client="a")
    assert first == (first[0], True) and again == (first[0], False)
    assert saved.path.stat().st_size == size
    assert saved.methods_of(saved.load(first[0]), first[0]) == [LORA, BERT]
    assert saved.save([BERT, LORA], "v1", client="a")[0] != first[0]  # another order


def test_a_save_reaches_the_writable_store(tmp_path: Path) -> None:
    saved = _saved(tmp_path)
    saved.save([LORA, MHSA], "v1", client="a")
    assert saved.store.count(COMPARISONS_GRAPH) > 0


def test_another_process_sees_a_save_and_does_not_repeat_it(tmp_path: Path) -> None:
    one, two = _saved(tmp_path), _saved(tmp_path)  # two workers on one file
    assert two.load(comparison_id([LORA], "v1")) is None  # two has indexed the empty file
    cid, _ = one.save([LORA], "v1", client="a")
    assert two.load(cid) is not None  # two reads what was appended since
    assert two.save([LORA], "v1", client="b") == (cid, False)
    assert saved_lines(one.path, cid) == _record([LORA])[1].count(b"\n")  # written once


def saved_lines(path: Path, cid: str) -> int:
    return sum(1 for line in path.read_text().splitlines() if f"/comparison/{cid}" in line)


def test_a_lookup_reads_only_what_was_appended(tmp_path: Path) -> None:
    path = tmp_path / "comparisons.nt"
    cid, data = _record([LORA, BERT])
    path.write_bytes(data)
    saved = _saved(tmp_path)
    assert saved.load(cid) is not None
    # rewrite every byte the index has read: a lookup that read the file again would fail
    path.write_bytes(b"#" * len(data))
    other, more = _record([MHSA])
    with path.open("ab") as out:
        out.write(more)
    assert saved.load(other) is not None
    assert saved._scanned == path.stat().st_size


def test_malformed_lines_are_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "comparisons.nt"
    first, one = _record([LORA, BERT])
    second, two = _record([MHSA, LORA])
    broken = one.replace(b" .\n", b"\n", 1)  # the record's first line loses its dot
    path.write_bytes(b"this is not N-Triples\n" + broken + b"<x> <y> \n" + two)
    saved = _saved(tmp_path)
    with caplog.at_level(logging.WARNING, logger="scholargate"):
        assert saved.load(second) is not None
        record = saved.load(first)
    assert record is not None and len(record) == one.count(b"\n") - 1
    assert sum("skipped" in r.getMessage() for r in caplog.records) == 3
    assert len(saved) == 2


def test_the_build_skips_malformed_saved_lines(tmp_path: Path, project_root: Path) -> None:
    path = tmp_path / "comparisons.nt"
    cid, data = _record([LORA, BERT])
    path.write_bytes(b"<broken\n" + data + b'<https://w3id.org/scholargate/comparison/x> "\n')
    assert readable_triples(path) == data
    store = OxigraphStore()
    build_store(store, project_root, saved=path)  # does not raise
    assert store.count(COMPARISONS_GRAPH) == data.count(b"\n")


def test_a_line_cut_off_by_a_crash_does_not_spoil_the_next_save(tmp_path: Path) -> None:
    path = tmp_path / "comparisons.nt"
    cid, data = _record([LORA, BERT])
    path.write_bytes(data + data[:30])  # a save that died half-way
    saved = _saved(tmp_path)
    new, created = saved.save([MHSA], "v1", client="a")
    assert created and saved.load(new) is not None and saved.load(cid) is not None
    assert _saved(tmp_path).load(new) is not None  # a fresh index agrees


@pytest.mark.parametrize("cid", ["", "ABCDEF123456", "d551e14234b", "d551e14234bc>", "x" * 12])
def test_a_malformed_id_is_not_found(tmp_path: Path, cid: str) -> None:
    saved = _saved(tmp_path)
    saved.save([LORA], "v1", client="a")
    assert saved.load(cid) is None


def test_saved_comparisons_are_capped(tmp_path: Path) -> None:
    saved = _saved(tmp_path, limit=2, rate=0)
    kept = [saved.save([m], "v1", client="a")[0] for m in (LORA, BERT)]
    with pytest.raises(SavedFullError) as refused:
        saved.save([MHSA], "v1", client="a")
    assert refused.value.status == 507 and "at most 2" in refused.value.message
    assert saved.save([LORA], "v1", client="a") == (kept[0], False)  # found, not refused
    assert len(saved) == 2


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
