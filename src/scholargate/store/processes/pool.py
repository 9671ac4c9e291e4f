"""The pool of query processes of one server process: where a query waits for a
process (a short queue, the slow lane), where it runs under one deadline taken when
the request began, and where a runaway query is killed (:meth:`QueryPool.run`: SIGKILL
at the deadline, a 503) and its process replaced in the background."""

from __future__ import annotations

import logging
import math
import os
import threading
import time
from collections.abc import Mapping

from ...errors import LimitExceededError
from ..answers import Answer
from .failures import (
    QueryProcessError,
    crashed,
    failure,
    seconds,
    waited_too_long,
)
from .process import Job, QueryProcess, StoreSource, child_argv, default_memory_limit

log = logging.getLogger("scholargate.query")


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
        self._limited: set[QueryProcess] = set()  # busy with a slow-lane job
        self.pid = os.getpid()
        self._idle: list[QueryProcess] = []
        self._busy: set[QueryProcess] = set()
        self._alive = 0  # idle + busy + starting
        self._starting = 0
        self._waiting = 0
        self._closed = False
        self._cond = threading.Condition()

    # -- lifecycle --

    def _argv(self) -> list[str]:
        return child_argv(self.source, self.memory_limit)

    def _start(self, deadline: float | None = None) -> QueryProcess:
        """A new query process, ready for jobs; by ``deadline`` if given, else within
        ``start_timeout`` seconds."""
        with self._cond:
            self._starting += 1
        try:
            child = QueryProcess(self._argv())
            until = time.monotonic() + self.start_timeout
            try:
                child.send_settings(self.prefixes)
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

    def retire(self) -> None:
        """Take no new work: stop the idle processes now and each busy one when its
        query ends (a newer pool answers from now on)."""
        with self._cond:
            self._closed = True
            idle = list(self._idle)
            self._idle.clear()
            self._cond.notify_all()
        if os.getpid() != self.pid:
            return
        for child in idle:
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

    def _acquire(self, deadline: float, *, limited: bool = False) -> QueryProcess:
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
                            raise waited_too_long()
                        raise self._busy_error(f"(waited {seconds(round(self.queue_wait, 1))} s)")
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

    def _release(self, child: QueryProcess, *, healthy: bool) -> None:
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
                raise waited_too_long()
            healthy = False
            try:
                child.send(job.encode(cpu_seconds=int(deadline - began) + 5))
                frame = child.receive(deadline)
            except (EOFError, BrokenPipeError, ConnectionError):
                raise self._crashed(child) from None
            if frame is None:
                log.warning(
                    "query process %s killed: the query ran past its deadline (%s s)",
                    child.pid,
                    seconds(timeout),
                )
                raise LimitExceededError(
                    f"the query took longer than {seconds(timeout)} s (the time limit, waiting "
                    f"for a query process included; it ran {time.monotonic() - began:.1f} s) "
                    "and was stopped: narrow it (LIMIT, fewer variables left unbound)",
                    limit_seconds=timeout,
                )
            header, body = frame
            healthy = True
            if not header.get("ok"):
                raise failure(header)
            return Answer(
                kind=header["kind"],
                body=body,
                count=int(header.get("count", 0)),
                truncated=bool(header.get("truncated")),
                seconds=time.monotonic() - began,
            )
        finally:
            self._release(child, healthy=healthy)

    def _crashed(self, child: QueryProcess) -> Exception:
        with self._cond:
            closing = self._closed
        return crashed(child, memory_limit=self.memory_limit, closing=closing)
