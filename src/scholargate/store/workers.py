"""Supervised query processes: a query runs where it can be stopped.

Oxigraph's Python API has no timeout and crashes the process on pathological input
(a few thousand nested groups overflow its parser's stack). So the SPARQL endpoint
does not evaluate user queries in the HTTP worker: each HTTP worker keeps a small
:class:`QueryPool` of query processes, each of which opens the store itself:

* an on-disk store read-only (``Store.read_only(path)``; RocksDB allows one writer);
* an in-memory store (``MEMORY=true``) from an N-Quads dump the pool writes once to a
  temporary file, loaded by every query process at its start.

The HTTP thread sends a job (query, dataset, answer format, row cap) over the child's
stdin and waits for the answer on its stdout, both as length-prefixed frames: a small
JSON header and the answer already serialised, so the only per-row work in the HTTP
worker is copying bytes. One deadline, taken when the request began, covers waiting
for a free child and running on it; at the deadline the thread kills the child (the
work really ends), a replacement starts in the background, and the caller gets a 503.
Waiting is a short queue (at most ``queue`` requests, each at most ``queue_wait``
seconds), so requests never pile up behind runaway queries: beyond it, a 503 with
``Retry-After``. A child that dies on its own (stack overflow, out of memory) or is
killed is a 503 too, and is replaced the same way; the server stays up.

A child also limits itself: its data segment (``RLIMIT_DATA``: an allocation beyond it
fails and the process aborts instead of swapping the machine to death), its CPU time
per query (``RLIMIT_CPU``, a backstop if its parent were gone), and a watchdog thread
that exits when the parent process disappears. Children run in their own session, so
a terminal's Ctrl-C reaches the server, which then stops them.

Queries run with the project's prefixes predeclared and its SPARQL functions
(``sg:label``, store/functions.py), as they do on the store in the HTTP worker.

This module is also the child's program (``python -P workers.py``). The child side
imports only the standard library, pyoxigraph and store/functions.py (loaded from its
file, so not rdflib), so a replacement starts in ~0.1 s.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import math
import os
import re
import resource
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import pyoxigraph as ox

# Absolute, not relative: this file also runs as the child's script, outside the package.
# scholargate.errors imports nothing heavy (no rdflib), so the child still starts fast.
from scholargate.errors import LimitExceededError, ParseError, ScholarGateError

log = logging.getLogger("scholargate.query")

_FRAME = struct.Struct("!II")  # header length, body length


# ---- what goes over the pipe ------------------------------------------------------------


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

    def encode(self) -> bytes:
        return json.dumps(
            {
                "sparql": self.sparql,
                "format": self.fmt,
                "max_rows": self.max_rows,
                "max_bytes": self.max_bytes,
                "default_graphs": None
                if self.default_graphs is None
                else list(self.default_graphs),
                "named_graphs": None if self.named_graphs is None else list(self.named_graphs),
                "union": self.union_default_graph,
            }
        ).encode("utf-8")


@dataclass
class Answer:
    """A serialised answer: ``kind`` is select, ask or graph; ``count`` rows or triples."""

    kind: str
    body: bytes
    count: int = 0
    truncated: bool = False
    seconds: float = 0.0


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


# ---- the parent side --------------------------------------------------------------------


def default_memory_limit() -> int:
    """Bytes of data segment a query process may use: an eighth of the RAM, at least 1 GiB."""
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return 4 << 30
    return max(1 << 30, ram // 8)


class QueryProcessError(Exception):
    """A query process failed to start, crashed, or broke the protocol."""


class _Child:
    """One running query process and its pipes."""

    def __init__(self, argv: list[str]) -> None:
        self.stderr = tempfile.TemporaryFile(prefix="scholargate-query-")
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            close_fds=True,
            start_new_session=True,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.stdin = self.process.stdin.fileno()
        self.stdout = self.process.stdout.fileno()
        self.jobs = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, payload: bytes) -> None:
        data = memoryview(struct.pack("!I", len(payload)) + payload)
        while data:
            written = os.write(self.stdin, data)
            data = data[written:]

    def receive(self, deadline: float) -> tuple[dict[str, Any], bytes] | None:
        """The next frame, or None when the deadline passed first. EOF raises."""
        head = self._read(_FRAME.size, deadline)
        if head is None:
            return None
        header_size, body_size = _FRAME.unpack(head)
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


class QueryPool:
    """``size`` query processes over one store, used by the threads of one HTTP worker.

    ``run`` takes an idle process (starting one if fewer than ``size`` are alive), gives
    it the job, and kills it at the request's deadline: one deadline covers waiting for
    a process and running on it. Waiting is a short queue: at most ``queue`` requests
    wait, each at most ``queue_wait`` seconds (longer only while a process is starting,
    never past its deadline); beyond either, a 503 with ``Retry-After``. Errors are the
    project's (``scholargate.errors``): ``LimitExceededError`` (503) on the deadline,
    a full queue or a process that died, ``ParseError`` (400, with line and column) on
    a syntax error, and ``QueryFailedError`` (400) for an evaluation error.

    The slow lane: a job marked ``limited`` (its client's recent queries ran past their
    deadline) may use at most ``size - reserve`` processes and never waits; the
    ``reserve`` processes stay for clients in good standing, so a few runaway clients
    (from as many addresses as they like) cannot take every query process.

    It works under plain threads and under gevent's monkey-patching alike: it waits
    only on ``threading.Condition``, ``select.poll`` (before every ``os.read``) and
    ``subprocess``, all of which gevent patches.
    """

    def __init__(
        self,
        source: StoreSource,
        *,
        size: int = 2,
        prefixes: Mapping[str, str] | None = None,
        memory_limit: int | None = None,
        start_timeout: float = 120.0,
        queue: int | None = None,
        queue_wait: float = 2.0,
        reserve: int | None = None,
    ) -> None:
        self.source = source
        self.size = max(1, size)
        self.prefixes = dict(prefixes or {})
        self.memory_limit = memory_limit or default_memory_limit()
        self.start_timeout = start_timeout
        self.queue = 2 * self.size if queue is None else max(0, queue)
        self.queue_wait = max(0.0, queue_wait)
        # processes the slow lane may not take: one, when there are two or more
        self.reserve = min(self.size - 1, 1 if reserve is None else max(0, reserve))
        self._limited: set[_Child] = set()  # busy with a slow-lane job
        self.pid = os.getpid()
        self._idle: list[_Child] = []
        self._busy: set[_Child] = set()
        self._alive = 0  # idle + busy + starting
        self._starting = 0
        self._waiting = 0
        self._closed = False
        self._cond = threading.Condition()

    # -- lifecycle --

    def _argv(self) -> list[str]:
        return [
            sys.executable,
            "-P",  # do not put this file's folder first on sys.path
            str(Path(__file__).resolve()),
            *self.source.argv(),
            "--memory-limit",
            str(self.memory_limit),
            "--parent",
            str(os.getpid()),
        ]

    def _start(self, deadline: float | None = None) -> _Child:
        """A new query process, ready for jobs; by ``deadline`` if given, else within
        ``start_timeout`` seconds."""
        with self._cond:
            self._starting += 1
        try:
            child = _Child(self._argv())
            until = time.monotonic() + self.start_timeout
            try:
                child.send(json.dumps({"prefixes": self.prefixes}).encode("utf-8"))
                frame = child.receive(until if deadline is None else min(until, deadline))
            except (EOFError, OSError, ValueError):
                frame = None
            if frame is None or not frame[0].get("ready"):
                words = child.last_words().strip()
                child.stop()
                raise QueryProcessError(
                    f"a query process failed to start: {words[-500:] or 'no output'}"
                )
            return child
        finally:
            with self._cond:
                self._starting -= 1
                self._cond.notify_all()

    def warm(self) -> None:
        """Start every query process now, in the background, so the first query is fast."""
        with self._cond:
            missing = self.size - self._alive
            self._alive += max(0, missing)
        for _ in range(max(0, missing)):
            self._replace_in_background()

    def _replace_in_background(self) -> None:
        def start() -> None:
            try:
                child = self._start()
            except QueryProcessError as error:
                log.error("%s", error)
                with self._cond:
                    self._alive -= 1
                    self._cond.notify()
                return
            with self._cond:
                if self._closed:
                    child.stop()
                    self._alive -= 1
                    return
                self._idle.append(child)
                self._cond.notify()

        threading.Thread(target=start, name="scholargate-query-start", daemon=True).start()

    def close(self) -> None:
        """Stop every query process (busy ones too) and refuse further work."""
        with self._cond:
            self._closed = True
            children = [*self._idle, *self._busy]
            self._idle.clear()
            self._cond.notify_all()
        if os.getpid() != self.pid:
            return  # a forked copy: the processes belong to the parent
        for child in children:
            child.stop()

    @property
    def pids(self) -> list[int]:
        with self._cond:
            return sorted(c.pid for c in (*self._idle, *self._busy))

    @property
    def busy(self) -> int:
        """Query processes running a query now."""
        with self._cond:
            return len(self._busy)

    @property
    def waiting(self) -> int:
        """Requests waiting for a query process now."""
        with self._cond:
            return self._waiting

    # -- work --

    def _busy_error(self, why: str) -> LimitExceededError:
        retry = max(1, math.ceil(self.queue_wait))
        return LimitExceededError(
            f"all {self.size} query processes of this server process are busy {why}; "
            f"try again in {retry} s, or ask a cheaper query",
            retry_after=retry,
            query_processes=self.size,
        )

    def _acquire(self, deadline: float, *, limited: bool = False) -> _Child:
        """An idle query process, a new one, or one freed within the queue's bounds;
        a ``limited`` job gets one of the slow lane's processes at once, or a 503."""
        queued = False
        until = deadline
        with self._cond:
            try:
                while True:
                    if self._closed:
                        raise LimitExceededError(
                            "the server is shutting down; try again shortly", retry_after=2
                        )
                    if limited and len(self._limited) >= self.size - self.reserve:
                        raise self._slow_lane_error()
                    while self._idle:
                        child = self._idle.pop()
                        if child.process.poll() is None:
                            self._busy.add(child)
                            if limited:
                                self._limited.add(child)
                            return child
                        # it died while idle (killed from outside): its place is free
                        log.warning(
                            "query process %s died while idle (exit %s); replacing it",
                            child.pid,
                            child.process.returncode,
                        )
                        self._alive -= 1
                        child.stop()
                    if self._alive < self.size:
                        self._alive += 1
                        break
                    if limited and self._alive > self._starting:
                        # the slow lane waits for no one (but for a pool still starting)
                        raise self._slow_lane_error()
                    if not queued:
                        if self._waiting >= self.queue:
                            raise self._busy_error(
                                f"and {self._waiting} queries are already waiting"
                            )
                        self._waiting += 1
                        queued = True
                        until = min(deadline, time.monotonic() + self.queue_wait)
                    # a process that is starting will be ready soon: wait for it up to
                    # the deadline; a busy one, only as long as the queue allows
                    now = time.monotonic()
                    left = (deadline if self._starting else until) - now
                    if left <= 0:
                        if deadline <= now:
                            raise _waited_too_long()
                        raise self._busy_error(f"(waited {_s(round(self.queue_wait, 1))} s)")
                    self._cond.wait(left)
            finally:
                if queued:
                    self._waiting -= 1
        try:
            child = self._start(deadline)
        except BaseException as error:
            with self._cond:
                self._alive -= 1
                self._cond.notify()
            if isinstance(error, QueryProcessError):
                log.error("%s", error)
                raise LimitExceededError(
                    "no query process could be started in time; try again shortly",
                    retry_after=2,
                ) from None
            raise
        with self._cond:
            self._busy.add(child)
            if limited:
                self._limited.add(child)
        return child

    def _slow_lane_error(self) -> LimitExceededError:
        lane = self.size - self.reserve
        return LimitExceededError(
            "queries from this client ran past the time limit recently, so its queries "
            f"share {lane} of this server process's {self.size} query processes, and "
            f"{'it is' if lane == 1 else 'they are'} busy: try again shortly, and narrow "
            "the query (LIMIT, fewer variables left unbound)",
            retry_after=2,
            slow_lane=lane,
        )

    def _release(self, child: _Child, *, healthy: bool) -> None:
        with self._cond:
            self._busy.discard(child)
            self._limited.discard(child)
            if healthy and not self._closed:
                self._idle.append(child)
                self._cond.notify()
                return
        child.stop()
        with self._cond:
            if self._closed:
                self._alive -= 1
                return
        self._replace_in_background()  # keeps its place in _alive

    def run(
        self, job: Job, *, timeout: float, started: float | None = None, limited: bool = False
    ) -> Answer:
        """Evaluate ``job`` in a query process; ``timeout`` seconds from ``started`` (a
        ``time.monotonic()`` taken when the request began; now if not given) cover
        waiting for a process and running. A process still running then is killed.
        ``limited``: the job runs in the slow lane (see the class)."""
        if os.getpid() != self.pid:
            raise QueryProcessError("this query pool belongs to another process")
        deadline = (time.monotonic() if started is None else started) + timeout
        child = self._acquire(deadline, limited=limited)
        began = time.monotonic()
        healthy = True
        try:
            if deadline - began <= 0:
                raise _waited_too_long()
            healthy = False
            try:
                child.send(_job_payload(job, deadline - began))
                frame = child.receive(deadline)
            except (EOFError, BrokenPipeError, ConnectionError) as error:
                raise self._crashed(child, error) from None
            if frame is None:
                log.warning(
                    "query process %s killed: the query ran past its deadline (%s s)",
                    child.pid,
                    _s(timeout),
                )
                raise LimitExceededError(
                    f"the query took longer than {_s(timeout)} s (the time limit, waiting "
                    f"for a query process included; it ran {time.monotonic() - began:.1f} s) "
                    "and was stopped: narrow it (LIMIT, fewer variables left unbound)",
                    limit_seconds=timeout,
                )
            header, body = frame
            healthy = True
            child.jobs += 1
            if not header.get("ok"):
                raise _failure(header)
            return Answer(
                kind=header["kind"],
                body=body,
                count=int(header.get("count", 0)),
                truncated=bool(header.get("truncated")),
                seconds=time.monotonic() - began,
            )
        finally:
            self._release(child, healthy=healthy)

    def _crashed(self, child: _Child, error: BaseException) -> Exception:
        child.process.poll()
        try:
            child.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        code = child.process.returncode
        words = child.last_words()
        with self._cond:
            closing = self._closed
        if closing:
            return LimitExceededError("the server is shutting down; try again shortly")
        log.error("query process %s died (exit %s): %s", child.pid, code, words[-2000:])
        if "memory allocation" in words or "MemoryError" in words:
            return LimitExceededError(
                "the query needed more memory than a query process may use "
                f"({self.memory_limit >> 20} MiB) and was stopped",
                limit_bytes=self.memory_limit,
            )
        how = f"signal {-code} ({_signal_name(-code)})" if code and code < 0 else f"exit {code}"
        return QueryFailedError(
            f"the query process stopped ({how}) while evaluating this query; a new one is "
            "starting and the server is fine, but this query cannot be answered: simplify "
            "it (long chains of operators, UNIONs or OPTIONALs, or deep nesting overflow "
            "the evaluator)",
            status=503,
            signal=-code if code and code < 0 else None,
        )


def _waited_too_long() -> LimitExceededError:
    return LimitExceededError(
        "the time limit passed while the query waited for a query process; try again in "
        "a few seconds",
        retry_after=2,
    )


def _job_payload(job: Job, timeout: float) -> bytes:
    payload = json.loads(job.encode())
    payload["cpu_seconds"] = int(timeout) + 5
    return json.dumps(payload).encode("utf-8")


def _s(seconds: float) -> str:
    return f"{seconds:g}"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return "unknown"


def _failure(header: dict[str, Any]) -> Exception:
    if header.get("error") == "syntax":
        error = ParseError(header.get("message", "SPARQL syntax error"))
        line, column = header.get("line"), header.get("column")
        if line is not None:
            error.line, error.column = line, column
            error.details = {"line": line, "column": column}
        return error
    return QueryFailedError(header.get("message", "the query failed"), status=400)


class QueryFailedError(ScholarGateError):
    """The query was accepted but could not be evaluated (or crashed its process)."""

    status = 400
    kind = "query-failed"


# ---- the child side ----------------------------------------------------------------------

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdf": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}
_DATASET_FORMATS = {"trig", "nq"}
_SYNTAX_POSITION = re.compile(r"error at (\d+):(\d+)(?:-\d+:\d+)?: ?(.*)", re.S)


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (_XSD_STRING, _LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def select_json(variables: list[str], rows: list[Any], *, truncated: bool) -> bytes:
    """SPARQL 1.1 JSON results for ``rows``; ``"truncated": true`` (after ``head``) when
    the row cap cut the answer (SPARQLWrapper, rdflib and Oxigraph read it)."""
    bindings = []
    for solution in rows:
        binding = {}
        for index, name in enumerate(variables):
            value = solution[index]
            if value is not None:
                binding[name] = _term_json(value)
        bindings.append(binding)
    doc: dict[str, Any] = {"head": {"vars": variables}}
    if truncated:
        doc["truncated"] = True
    doc["results"] = {"bindings": bindings}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _project_functions() -> Any:
    """``custom_functions`` of store/functions.py (``sg:label``), loaded from its file so
    that the child does not import the store package (and rdflib with it)."""
    path = Path(__file__).with_name("functions.py")
    if not path.is_file():
        return None, None
    spec = importlib.util.spec_from_file_location("scholargate_query_functions", path)
    if spec is None or spec.loader is None:
        return None, None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, "custom_functions", None), getattr(module, "may_call", None)


_FUNCTIONS: Any = None  # set in the child by child_main
_MAY_CALL: Any = None


def evaluate(store: ox.Store, job: dict[str, Any], prefixes: Mapping[str, str]) -> tuple:
    """Run one job with the project's ``prefixes`` predeclared and its SPARQL functions;
    return ``(header, body)``. Never raises for a bad query."""
    options: dict[str, Any] = {}
    if job.get("default_graphs") is not None:
        options["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
    if job.get("named_graphs") is not None:
        options["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    if job.get("union") and "default_graph" not in options:
        options["use_default_graph_as_union"] = True
    if prefixes:
        options["prefixes"] = dict(prefixes)
    if _FUNCTIONS is not None and (_MAY_CALL is None or _MAY_CALL(job["sparql"])):
        options["custom_functions"] = _FUNCTIONS(store)
    fmt = job["format"]
    cap = job.get("max_rows")
    try:
        answer = store.query(job["sparql"], **options)
        if isinstance(answer, ox.QueryBoolean):
            if fmt not in _RESULT_FORMATS:
                return _mismatch("an ASK", fmt)
            return {"ok": True, "kind": "ask", "count": 1}, answer.serialize(
                format=_RESULT_FORMATS[fmt]
            )
        if isinstance(answer, ox.QuerySolutions):
            if fmt not in _RESULT_FORMATS:
                return _mismatch("a SELECT", fmt)
            variables = [v.value for v in answer.variables]
            rows = list(answer if cap is None else islice(answer, cap + 1))
            truncated = cap is not None and len(rows) > cap
            if truncated:
                rows = rows[:cap]
            header = {"ok": True, "kind": "select", "count": len(rows), "truncated": truncated}
            if fmt == "json":
                return header, select_json(variables, rows, truncated=truncated)
            plain = select_json(variables, rows, truncated=False)
            parsed = ox.parse_query_results(plain, ox.QueryResultsFormat.JSON)
            return header, parsed.serialize(format=_RESULT_FORMATS[fmt])
        if fmt not in _RDF_FORMATS:
            return _mismatch("a CONSTRUCT or DESCRIBE", fmt)
        triples = list(answer if cap is None else islice(answer, cap + 1))
        truncated = cap is not None and len(triples) > cap
        if truncated:
            triples = triples[:cap]
        header = {"ok": True, "kind": "graph", "count": len(triples), "truncated": truncated}
        items: list[Any] = triples
        if fmt in _DATASET_FORMATS:  # the answer is the default graph of a dataset
            items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        body = ox.serialize(items, format=_RDF_FORMATS[fmt], prefixes=dict(prefixes))
        return header, body
    except SyntaxError as error:
        return _syntax(str(error)), b""
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        message = f"the query failed: {_first_words(error)}"
        return {"ok": False, "error": "evaluation", "message": message}, b""


def _first_words(error: BaseException) -> str:
    """The engine's error in a line a client may read: never what another server
    answered (a failed SERVICE call quotes its payload), never more than 300 characters."""
    text = str(error).split("\n", 1)[0]
    text = text.split(" with payload", 1)[0]
    return text if len(text) <= 300 else text[:300] + "…"


def capped(header: dict[str, Any], body: bytes, max_bytes: int | None) -> tuple:
    """``(header, body)``, or a refusal when the answer is longer than ``max_bytes``."""
    if max_bytes and header.get("ok") and len(body) > max_bytes:
        message = (
            f"the answer is {len(body)} bytes; this endpoint sends at most {max_bytes} "
            "(MAX_ANSWER_BYTES): ask for fewer rows (LIMIT) or shorter values"
        )
        return {"ok": False, "error": "too-large", "message": message}, b""
    return header, body


def _mismatch(form: str, fmt: str) -> tuple[dict[str, Any], bytes]:
    message = f"{form} query cannot be answered as {fmt}"
    return {"ok": False, "error": "format", "message": message}, b""


def _syntax(text: str) -> dict[str, Any]:
    """The header for Oxigraph's syntax error ("error at 3:14: expected …")."""
    match = _SYNTAX_POSITION.search(text)
    if match is None:
        return {"ok": False, "error": "syntax", "message": f"SPARQL syntax error: {text}"}
    return {
        "ok": False,
        "error": "syntax",
        "line": int(match.group(1)),
        "column": int(match.group(2)),
        "message": f"SPARQL syntax error: {match.group(3).strip()}",
    }


def _write_frame(fd: int, header: Mapping[str, Any], body: bytes) -> None:
    head = json.dumps(header).encode("utf-8")
    data = memoryview(_FRAME.pack(len(head), len(body)) + head + body)
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _read_exact(fd: int, size: int) -> bytes | None:
    buffer = bytearray()
    while len(buffer) < size:
        chunk = os.read(fd, size - len(buffer))
        if not chunk:
            return None
        buffer += chunk
    return bytes(buffer)


def _read_message(fd: int) -> dict[str, Any] | None:
    """One length-prefixed JSON message from ``fd``, or None at end of input."""
    head = _read_exact(fd, 4)
    if head is None:
        return None
    (size,) = struct.unpack("!I", head)
    payload = _read_exact(fd, size)
    return None if payload is None else json.loads(payload)


def _watch_parent(parent: int) -> None:
    """Exit when the process that started us is gone (even mid-query)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(3)


def child_main(argv: list[str]) -> int:
    """The query process: open the store, say ready, answer jobs until stdin closes."""
    import argparse

    parser = argparse.ArgumentParser(prog="scholargate-query")
    parser.add_argument("--store")
    parser.add_argument("--nquads")
    parser.add_argument("--memory-limit", type=int, default=0)
    parser.add_argument("--parent", type=int, default=0)
    args = parser.parse_args(argv)

    global _FUNCTIONS, _MAY_CALL
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when we stop
    _FUNCTIONS, _MAY_CALL = _project_functions()
    if args.parent:
        threading.Thread(target=_watch_parent, args=(args.parent,), daemon=True).start()
    if args.memory_limit:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = (
            args.memory_limit if hard == resource.RLIM_INFINITY else min(hard, args.memory_limit)
        )
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    # Frames go to a private copy of stdout; anything printed goes to stderr instead.
    out = os.dup(1)
    os.dup2(2, 1)
    if args.store:
        store = ox.Store.read_only(args.store)
    else:
        store = ox.Store()
        if args.nquads:
            store.bulk_load(path=args.nquads, format=ox.RdfFormat.N_QUADS)
    settings = _read_message(0)  # the first message: what every job shares
    if settings is None:
        return 0
    prefixes = settings.get("prefixes") or {}
    _write_frame(out, {"ready": True, "pid": os.getpid()}, b"")
    while True:
        job = _read_message(0)
        if job is None:
            return 0
        _cpu_budget(int(job.get("cpu_seconds") or 0))
        header, body = capped(*evaluate(store, job, prefixes), job.get("max_bytes"))
        _cpu_budget(0)
        _write_frame(out, header, body)


def _cpu_budget(seconds: int) -> None:
    """Let the coming query use ``seconds`` more CPU seconds (0: no limit)."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if seconds <= 0:
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime) + seconds + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
