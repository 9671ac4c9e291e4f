"""A bounded cache of serialised SPARQL answers, per HTTP worker.

The graph a server process reads changes only through writes (a rebuild means a
restart), so the same request (method, media type, URL parameters, body and
``Accept``) always gives the same bytes until the next write. Answers that may change
without the store changing are never cached: SERVICE calls (another server's data) and
NOW(), RAND(), UUID(), STRUUID() and BNODE() (new values each time). Every key holds the
store's ``generation`` (writes applied to it) and the journal entry it holds (a worker
on disk reads a new store, a new snapshot, after each write).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Protocol


class HasBody(Protocol):
    body: bytes


@dataclass(frozen=True)
class Reply:
    """An answer as the endpoint sends it."""

    body: bytes
    content_type: str
    truncated: bool = False


# a call: the name, then blanks or comments, then "(" (SPARQL allows a comment there)
_VOLATILE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE)(?:\s|#[^\n]*(?:\n|$))*\(", re.I)


def cacheable(text: str, services: tuple) -> bool:
    if services:
        return False
    upper = text.upper()  # substring tests first: the regex alone costs 0.3 ms on 4 kB
    if not any(name in upper for name in ("NOW", "RAND", "UUID", "BNODE")):
        return True
    return _VOLATILE.search(text) is None


# What an entry costs beyond its bytes: the key tuple, the reply object, the objects of
# its strings and the dict's node (measured with tracemalloc: ~420 bytes an entry), so
# that a million tiny answers count as the memory they take.
ENTRY_OVERHEAD = 512


def _size(key: Hashable, answer: HasBody) -> int:
    """Bytes an entry holds: the answer, the key's strings (a query may be 1 MiB) and the
    objects around them."""
    parts = key if isinstance(key, tuple) else (key,)
    strings = sum(len(p) for p in parts if isinstance(p, str | bytes))
    return ENTRY_OVERHEAD + len(answer.body) + strings


class AnswerCache:
    """Least-recently-used answers, bounded by their total size in bytes (keys included)."""

    def __init__(self, max_bytes: int, *, max_entry: int | None = None) -> None:
        self.max_bytes = max_bytes
        self.max_entry = max_entry if max_entry is not None else max(max_bytes // 16, 1)
        self._entries: OrderedDict[Hashable, tuple[HasBody, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> HasBody | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: Hashable, answer: HasBody) -> None:
        size = _size(key, answer)
        if size > self.max_entry or self.max_bytes <= 0:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._entries[key] = (answer, size)
            self._size += size
            while self._size > self.max_bytes and self._entries:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._size -= dropped

    def __len__(self) -> int:
        return len(self._entries)
