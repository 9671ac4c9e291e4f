"""Kept-alive connections to one server, each reused only by the OS thread that made it.

Under gevent a socket belongs to its thread's hub: an export's dump runs in an OS thread
of its own (``web/export/streaming.py``), and a connection the worker's thread made
cannot be waited on there ("Cannot switch to a different thread"). At most ``most``
are kept; past that the oldest goes (it may belong to a thread that has ended).
"""

from __future__ import annotations

import http.client
import threading


class Pool:
    def __init__(self, most: int = 8) -> None:
        self.most = most
        self._idle: list[tuple[int, http.client.HTTPConnection]] = []  # (thread, connection)
        self._lock = threading.Lock()

    def take(self) -> http.client.HTTPConnection | None:
        """A kept connection this thread made, if there is one."""
        here = threading.get_native_id()
        with self._lock:
            for at in range(len(self._idle) - 1, -1, -1):
                if self._idle[at][0] == here:
                    return self._idle.pop(at)[1]
        return None

    def give_back(self, connection: http.client.HTTPConnection) -> None:
        with self._lock:
            self._idle.append((threading.get_native_id(), connection))
            oldest = self._idle.pop(0)[1] if len(self._idle) > self.most else None
        if oldest is not None:
            oldest.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for _, connection in idle:
            connection.close()
