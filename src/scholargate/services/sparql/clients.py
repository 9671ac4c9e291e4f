"""Per-client limits: at most so many queries at once per client, counted across the
HTTP workers (:class:`ClientSlots`), and the clients whose queries ran past the
deadline lately, whose queries run in the slow lane (:class:`SlowClients`)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ...errors import TooManyQueriesError


class ClientSlots:
    """At most ``limit`` queries at once per client, counted across processes.

    Each client (remote address) hashes to one of ``buckets`` buckets; a running query
    holds an exclusive ``flock`` on one of the bucket's ``limit`` slot files. The lock
    files live in ``directory``, which ``serve`` creates before the HTTP workers fork,
    so the count is shared by every worker, and the kernel drops a lock when its holder
    dies, so a crashed worker never leaks a slot. Two clients that share a bucket share
    a budget (one chance in ``buckets`` for any two clients at the same moment).
    """

    def __init__(self, directory: Path, limit: int, *, buckets: int = 4096) -> None:
        self.directory = directory
        self.limit = limit
        self.buckets = buckets
        directory.mkdir(parents=True, exist_ok=True)

    def _bucket(self, client: str) -> int:
        digest = hashlib.blake2b(client.encode("utf-8", "replace"), digest_size=4).digest()
        return int.from_bytes(digest, "big") % self.buckets

    @contextmanager
    def hold(self, client: str) -> Iterator[None]:
        """Hold one of ``client``'s slots for the ``with`` block, or raise 429."""
        if self.limit <= 0:
            yield
            return
        bucket = self._bucket(client)
        for slot in range(self.limit):
            path = self.directory / f"{bucket:04x}-{slot}"
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield
            finally:
                os.close(fd)  # closing the descriptor releases the lock
            return
        raise TooManyQueriesError(
            f"this client already has {self.limit} queries running, the most one client may "
            "have at once; wait for one to finish",
            limit=self.limit,
            retry_after=1,
        )


class SlowClients:
    """Clients whose queries ran past the deadline lately, for the pool's slow lane.

    A client (remote address) whose query was stopped at ``QUERY_TIMEOUT`` is marked
    for ``seconds``; each further stopped query marks it again. The memory is per HTTP
    worker and bounded (``size`` clients, the least recently marked forgotten first).
    """

    def __init__(self, seconds: float, *, size: int = 4096) -> None:
        self.seconds = seconds
        self.size = size
        self._until: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def mark(self, client: str) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._until.pop(client, None)
            self._until[client] = time.monotonic() + self.seconds
            while len(self._until) > self.size:
                self._until.popitem(last=False)

    def marked(self, client: str) -> bool:
        until = self._until.get(client)
        return until is not None and until > time.monotonic()
