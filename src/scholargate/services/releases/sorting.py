"""The store as sorted N-Quads lines: a release's dump, the same bytes for the same quads.

The store writes N-Quads (one quad a line, blank nodes as the store labels them) into a
file; the lines are then sorted bytewise, as ``LC_ALL=C sort -u`` would, in runs of at
most ``budget`` bytes merged from disk, so memory stays bounded whatever the size of the
dataset. Sorted, every line of one subject is next to the others, and two releases'
dumps can be compared by a streaming merge (``diff.py``).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path

from ...formats import by_name
from ...store import Store

BUDGET = 64 << 20  # bytes of lines sorted in memory at once


def dump_unsorted(store: Store, path: Path) -> None:
    """Write every quad of ``store`` to ``path`` as N-Quads, in the store's order."""
    with path.open("wb") as out:
        store.dump(by_name("nq"), out)


def sorted_lines(path: Path, workdir: Path, *, budget: int = BUDGET) -> Iterator[bytes]:
    """The lines of ``path`` (no line ends), sorted bytewise, each once. Runs longer than
    ``budget`` are sorted into files under ``workdir`` and merged; they are removed when
    the iterator ends."""
    runs: list[Path] = []
    try:
        with path.open("rb") as f:
            batch: list[bytes] = []
            size = 0
            for raw in f:
                line = raw.rstrip(b"\r\n")
                if not line:
                    continue
                batch.append(line)
                size += len(line) + 48  # a bytes object's own overhead, roughly
                if size >= budget:
                    runs.append(_write_run(sorted(batch), workdir, len(runs)))
                    batch, size = [], 0
        if not runs:
            yield from unique(sorted(batch))
            return
        if batch:
            runs.append(_write_run(sorted(batch), workdir, len(runs)))
        del batch
        with ExitStack() as files:
            readers = [_lines(files.enter_context(run.open("rb"))) for run in runs]
            yield from unique(heapq.merge(*readers))
    finally:
        for run in runs:
            run.unlink(missing_ok=True)


def _write_run(lines: list[bytes], workdir: Path, n: int) -> Path:
    run = workdir / f"run-{n}.nq"
    with run.open("wb") as out:
        for line in lines:
            out.write(line + b"\n")
    return run


def _lines(f: Iterable[bytes]) -> Iterator[bytes]:
    for raw in f:
        yield raw.rstrip(b"\n")


def unique(lines: Iterable[bytes]) -> Iterator[bytes]:
    """Sorted ``lines`` with repeats dropped."""
    last = None
    for line in lines:
        if line != last:
            yield line
            last = line
