"""The difference between two releases: a streaming merge of their sorted dumps.

Both dumps are sorted N-Quads lines (``sorting.py``), so one pass over both, a line of
each in hand, says of every line whether only the previous release holds it (removed),
only the new one (added), or both: memory holds two lines, never a dump. What the merge
sees is also handed to an observer (``methods.py`` counts the methods that changed).
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ...errors import InputError

OLD, NEW, BOTH = 1, 2, 3  # which side holds a line


def merge(old: Iterable[bytes], new: Iterable[bytes]) -> Iterator[tuple[bytes, int]]:
    """Every line of two sorted streams once, with the side that holds it (OLD, NEW or
    BOTH), in order. A stream that is not sorted is an error: a damaged dump."""
    olds, news = _checked(old, "previous"), _checked(new, "new")
    a, b = next(olds, None), next(news, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a < b):
            yield a, OLD  # type: ignore[misc]
            a = next(olds, None)
        elif a is None or b < a:
            yield b, NEW
            b = next(news, None)
        else:
            yield a, BOTH
            a, b = next(olds, None), next(news, None)


def _checked(lines: Iterable[bytes], name: str) -> Iterator[bytes]:
    last = None
    for line in lines:
        if last is not None and line <= last:
            raise InputError(f"the {name} dump is not sorted (or repeats a line): {line[:120]!r}")
        yield line
        last = line


def gzip_lines(path: Path) -> Iterator[bytes]:
    """The lines of a gzipped dump, without line ends."""
    with gzip.open(path, "rb") as f:
        for raw in f:
            yield raw.rstrip(b"\n")


@contextmanager
def gzip_writer(path: Path) -> Iterator[IO[bytes]]:
    """A gzip file at ``path`` whose bytes depend only on what is written to it (no
    name, no time in its header), made durable (``fsync``) when the block ends."""
    with path.open("wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as packed:
            yield packed
        raw.flush()
        os.fsync(raw.fileno())


@dataclass
class Counts:
    """How many lines the merge found on each side."""

    quads: int = 0  # lines of the new dump
    added: int = 0
    removed: int = 0


def write_delta(
    events: Iterable[tuple[bytes, int]],
    dump: IO[bytes],
    added: IO[bytes],
    removed: IO[bytes],
    observe: Callable[[bytes, int], None] | None = None,
) -> Counts:
    """Write the new dump's lines to ``dump``, the lines only it holds to ``added`` and
    those only the previous one held to ``removed``; ``observe`` sees every event."""
    counts = Counts()
    for line, side in events:
        if side & NEW:
            dump.write(line + b"\n")
            counts.quads += 1
            if side == NEW:
                added.write(line + b"\n")
                counts.added += 1
        else:
            removed.write(line + b"\n")
            counts.removed += 1
        if observe is not None:
            observe(line, side)
    return counts
