"""The parent's end of one query process: what it runs on (:class:`StoreSource`), the
job it is sent (:class:`Job`), and :class:`QueryProcess`, which starts the process,
writes a job to its stdin, reads the answer from its stdout until a deadline, and kills
it (SIGKILL: the work ends now)."""

from __future__ import annotations

import json
import logging
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...formats import by_name
from . import child

log = logging.getLogger("scholargate.query")

CHILD_PROGRAM = Path(child.__file__).resolve()


@dataclass(frozen=True)
class StoreSource:
    """Where a query process finds the graph: an on-disk store or an N-Quads dump."""

    path: Path | None = None
    dump: Path | None = None

    def argv(self) -> list[str]:
        if self.path is not None:
            return ["--store", str(self.path)]
        if self.dump is not None:
            return ["--nquads", str(self.dump)]
        raise ValueError("a StoreSource needs a path or a dump")


@cache
def _media_type(fmt: str) -> str:
    try:
        return by_name(fmt).media_type
    except InputError:  # not a format name: the child answers that it cannot use it
        return ""


@dataclass(frozen=True)
class Job:
    """One query to evaluate. ``fmt`` is a format name of ``scholargate.formats``."""

    sparql: str
    fmt: str
    max_rows: int | None = None
    max_bytes: int | None = None
    default_graphs: Sequence[str] | None = None
    named_graphs: Sequence[str] | None = None
    union_default_graph: bool = True

    def encode(self, *, cpu_seconds: int = 0) -> bytes:
        """The message the child reads; ``cpu_seconds`` its CPU budget (0: none)."""
        return json.dumps(
            {
                "sparql": self.sparql,
                "format": self.fmt,
                "media_type": _media_type(self.fmt),
                "max_rows": self.max_rows,
                "max_bytes": self.max_bytes,
                "default_graphs": None
                if self.default_graphs is None
                else list(self.default_graphs),
                "named_graphs": None if self.named_graphs is None else list(self.named_graphs),
                "union": self.union_default_graph,
                "cpu_seconds": cpu_seconds,
            }
        ).encode("utf-8")


def default_memory_limit() -> int:
    """Bytes of data segment a query process may use: an eighth of the RAM, at least 1 GiB."""
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 4 << 30
    return max(1 << 30, ram // 8)


def child_argv(source: StoreSource, memory_limit: int) -> list[str]:
    """The command line of a query process over ``source``."""
    return [
        sys.executable,
        "-P",  # do not put the program's folder first on sys.path
        str(CHILD_PROGRAM),
        *source.argv(),
        "--memory-limit",
        str(memory_limit),
        "--parent",
        str(os.getpid()),
    ]


class QueryProcess:
    """One running query process and its pipes."""

    def __init__(self, argv: list[str]) -> None:
        self.stderr = tempfile.TemporaryFile(prefix="scholargate-query-")
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            close_fds=True,
            start_new_session=True,  # a terminal's Ctrl-C reaches the server, not us
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin = self.process.stdin.fileno()
        self.stdout = self.process.stdout.fileno()

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, payload: bytes) -> None:
        data = memoryview(len(payload).to_bytes(4, "big") + payload)
        while data:
            written = os.write(self.stdin, data)
            data = data[written:]

    def send_settings(self, prefixes: Mapping[str, str]) -> None:
        """The first message: what every job shares."""
        self.send(json.dumps({"prefixes": dict(prefixes)}).encode("utf-8"))

    def receive(self, deadline: float) -> tuple[dict[str, Any], bytes] | None:
        """The next frame, or None when the deadline passed first. EOF raises."""
        head = self._read(child.FRAME.size, deadline)
        if head is None:
            return None
        header_size, body_size = child.FRAME.unpack(head)
        rest = self._read(header_size + body_size, deadline)
        if rest is None:
            return None
        return json.loads(rest[:header_size]), bytes(rest[header_size:])

    def _read(self, size: int, deadline: float) -> bytearray | None:
        buffer = bytearray()
        poller = select.poll()
        poller.register(self.stdout, select.POLLIN | select.POLLHUP | select.POLLERR)
        while len(buffer) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if not poller.poll(max(1, int(left * 1000))):
                continue
            chunk = os.read(self.stdout, min(size - len(buffer), 1 << 20))
            if not chunk:
                raise EOFError("the query process closed its pipe")
            buffer += chunk
        return buffer

    def stop(self) -> None:
        """Kill the process (SIGKILL: the work ends now) and release its pipes."""
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a kill -9 that did not land
            log.error("query process %s did not die after SIGKILL", self.pid)
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()  # type: ignore[union-attr]
            except OSError:
                pass
        self.stderr.close()

    def last_words(self) -> str:
        """The end of what the process wrote on stderr (a Rust panic, an abort)."""
        try:
            self.stderr.seek(0, os.SEEK_END)
            size = self.stderr.tell()
            self.stderr.seek(max(0, size - (64 << 10)))
            return self.stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""
