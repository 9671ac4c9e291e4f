"""Streaming a dump: the store writes to a file-like object; here an OS thread runs the
dump into a pipe in 64 KiB chunks and the response reads the pipe, so a dump never sits
whole in memory and a client that goes away stops the dump.
"""

from __future__ import annotations

import logging
import os
import select
import sys
import threading
from collections.abc import Callable, Iterator
from typing import IO

log = logging.getLogger("scholargate.export")

CHUNK = 1 << 16  # bytes per streamed chunk
DEPTH = 3  # chunks the dumping thread may run ahead of the client (its buffer, the pipe)


class ClientGoneError(OSError):
    """The response was closed before the dump finished."""


class ChunkPipe:
    """A write-only binary file the dumping thread writes to; the response reads chunks.

    Writes are gathered into ``chunk`` bytes and written to an OS pipe, so the writer
    blocks when the client is slow: memory stays at a few chunks whatever the size of
    the dump. The reader waits with ``select.poll``, which under ``serve``'s gevent
    workers lets the other connections run while it waits.
    """

    def __init__(self, chunk: int = CHUNK) -> None:
        self._chunk = chunk
        self._buffer = bytearray()
        self._read_end, self._write_end = os.pipe()
        self._closed = False
        self.error: BaseException | None = None

    # writer side (the dumping thread)
    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= self._chunk:
            self._send(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        pass

    def finish(self, error: BaseException | None = None) -> None:
        """The end of the dump (``error``: it failed); the reader sees end of file."""
        try:
            if error is None and self._buffer:
                self._send(bytes(self._buffer))
                self._buffer.clear()
        finally:
            self.error = error
            os.close(self._write_end)

    def _send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._closed:
                raise ClientGoneError("the client closed the response")
            try:
                written = os.write(self._write_end, view)
            except BrokenPipeError:
                raise ClientGoneError("the client closed the response") from None
            view = view[written:]

    # reader side (the response)
    def chunks(self) -> Iterator[bytes]:
        poller = select.poll()
        poller.register(self._read_end, select.POLLIN | select.POLLHUP | select.POLLERR)
        buffer = bytearray()
        while True:
            poller.poll()
            data = os.read(self._read_end, self._chunk - len(buffer))
            if not data:
                break
            buffer += data
            if len(buffer) >= self._chunk:
                yield bytes(buffer)
                buffer.clear()
        if self.error is not None:
            raise self.error
        if buffer:
            yield bytes(buffer)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            os.close(self._read_end)  # a writer blocked on the pipe gets EPIPE


def stream(write: Callable[[IO[bytes]], None], *, name: str = "dump") -> Iterator[bytes]:
    """Chunks of what ``write(out)`` writes, produced by a thread while they are read.

    The thread starts on the first ``next()``, so a HEAD request or a 304 never dumps.
    Closing the iterator (the client went away) stops the writer at its next write.
    """
    pipe = ChunkPipe()

    def run() -> None:
        try:
            write(pipe)  # type: ignore[arg-type]
        except ClientGoneError:
            pipe.finish(ClientGoneError("the client closed the response"))
            return
        except BaseException as error:  # noqa: BLE001 - handed to the reading side
            pipe.finish(error)
            return
        try:
            pipe.finish()
        except ClientGoneError:
            pass

    thread = start_thread(run, name=f"scholargate-{name}")
    try:
        yield from pipe.chunks()
    except Exception:
        # Headers are gone already; all that is left is to cut the response short.
        log.exception("dump of %s failed while streaming", name)
        raise
    finally:
        pipe.close()
        if thread is not None:
            thread.join(timeout=5)


def start_thread(target: Callable[[], None], *, name: str) -> threading.Thread | None:
    """Run ``target`` in an OS thread, also under gevent's monkey-patching (which makes
    ``threading.Thread`` a greenlet): the store calls ``write`` back from its own code,
    and a greenlet switch inside such a call breaks pyo3's bookkeeping (the process
    aborts). Returns the thread when it is a ``threading.Thread`` (not under gevent)."""
    gevent_monkey = sys.modules.get("gevent.monkey")
    if gevent_monkey is not None and gevent_monkey.is_module_patched("threading"):
        start_new_thread = gevent_monkey.get_original("_thread", "start_new_thread")
        start_new_thread(target, ())
        return None
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread
