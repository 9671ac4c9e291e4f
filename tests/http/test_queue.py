"""Waiting for a query process, against a live server with one HTTP worker and one query
process (``queue_server``): the wait is a short queue, the request's deadline covers
waiting and running, and a query process that crashes is a 503 and is replaced."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import QUEUE_TIMEOUT, LiveServer, Reply

pytestmark = pytest.mark.slow

SLACK = 2.0  # seconds past a deadline an answer may take on a busy machine
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} # {}"


@pytest.fixture(autouse=True)
def stays_alive(queue_server: LiveServer) -> object:
    queue_server.wait_for_query_processes(1)
    yield
    assert queue_server.healthy(), "the server stopped answering /-/health"


def error(reply: Reply, status: int, kind: str) -> dict:
    assert reply.status == status, reply.body[:400]
    body = reply.json()
    assert body["error"] == kind and body["status"] == status and body["message"]
    assert b"Traceback" not in reply.body
    return body


def wait_busy(live: LiveServer) -> None:
    started = time.monotonic()
    while not live.busy_query_processes():
        assert time.monotonic() - started < QUEUE_TIMEOUT, "the runaway query did not start"


def test_full_queue_is_a_503_at_once(queue_server: LiveServer) -> None:
    """One query runs, two wait (twice the pool's size): a fourth is refused at once
    with Retry-After and a message that says what to do; none waits past its deadline."""
    with ThreadPoolExecutor(3) as pool:
        running = pool.submit(queue_server.query, RUNAWAY.format("running"))
        wait_busy(queue_server)
        waiting = [pool.submit(queue_server.query, RUNAWAY.format(f"waiting {i}")) for i in (1, 2)]
        time.sleep(0.5)  # both are queued now
        refused = queue_server.query("ASK { FILTER(1 = 1) } # the fourth")
        assert refused.seconds < 1.0
        body = error(refused, 503, "limit-exceeded")
        assert int(refused.header("retry-after")) >= 1
        assert "busy" in body["message"] and "already waiting" in body["message"]
        assert "try again" in body["message"]
        for future in (running, *waiting):
            reply = future.result()
            error(reply, 503, "limit-exceeded")
            assert reply.seconds < QUEUE_TIMEOUT + SLACK
    assert queue_server.query("ASK {} # after the queue").status == 200


def test_deadline_covers_waiting_and_running(queue_server: LiveServer) -> None:
    """A query that waited for a busy process does not get a fresh QUERY_TIMEOUT once it
    runs: its answer (a 503) comes QUERY_TIMEOUT after it was sent, not later."""
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(queue_server.query, RUNAWAY.format("first"))
        wait_busy(queue_server)
        time.sleep(1.0)
        second = queue_server.query(RUNAWAY.format("second"))  # waits ~3 s, then runs
        body = error(second, 503, "limit-exceeded")
        assert QUEUE_TIMEOUT - 0.5 < second.seconds < QUEUE_TIMEOUT + SLACK, second.seconds
        assert f"{QUEUE_TIMEOUT:g} s" in body["message"] or "waited" in body["message"]
        error(first.result(), 503, "limit-exceeded")


def test_engine_crash_is_a_503_and_the_process_is_replaced(queue_server: LiveServer) -> None:
    """With the chain limit off, 30,000 '+' reach a query process and overflow Oxigraph's
    stack: the client gets a 503 that says so, the process is replaced, the next query
    answers."""
    before = queue_server.wait_for_query_processes(1)
    sparql = "SELECT * WHERE { BIND(" + "+".join(["1"] * 30000) + " AS ?x) }"
    reply = queue_server.query(sparql, method="POST")
    body = error(reply, 503, "query-failed")
    assert "query process stopped" in body["message"] and "SIGSEGV" in body["message"]
    assert "simplify" in body["message"]
    assert queue_server.query("ASK { ?s ?p ?o } # after the crash").status == 200
    after = queue_server.wait_for_query_processes(1)
    assert len(after) == 1 and after != before
