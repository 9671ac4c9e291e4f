"""The pool of query processes on its own (real processes over a small graph): one
deadline covers waiting and running, the wait is a short queue, a process that dies is
a 503 and is replaced, and all of it works under gevent's monkey-patching too."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scholargate.errors import LimitExceededError
from scholargate.store.processes import Job, QueryFailedError, QueryPool, StoreSource

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = "ASK { ?s ?p ?o }"
SLACK = 2.0  # seconds past a deadline an answer may take on a busy machine


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> StoreSource:
    """300 triples: a four-way cartesian product of them runs for hours."""
    dump = tmp_path_factory.mktemp("graph") / "graph.nq"
    lines = [f"<urn:s{i}> <urn:p> <urn:o{i}> .\n" for i in range(300)]
    dump.write_text("".join(lines))
    return StoreSource(dump=dump)


@pytest.fixture
def pool(graph: StoreSource) -> Iterator[QueryPool]:
    pool = QueryPool(graph, size=1, queue=1, queue_wait=0.5)
    pool.warm()
    assert pool.run(Job(CHEAP, "json"), timeout=60).kind == "ask"  # started and ready
    yield pool
    pool.close()


def in_background(pool: QueryPool, sparql: str, timeout: float) -> dict:
    """Run ``sparql`` in a thread; the dict gets its error (or answer) and seconds."""
    outcome: dict = {}

    def run() -> None:
        started = time.monotonic()
        try:
            outcome["answer"] = pool.run(Job(sparql, "json"), timeout=timeout)
        except Exception as error:  # the test looks at what it was
            outcome["error"] = error
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    outcome["thread"] = thread
    return outcome


def wait_busy(pool: QueryPool) -> None:
    started = time.monotonic()
    while not pool.busy:
        assert time.monotonic() - started < 10, "the runaway query did not start"
        time.sleep(0.02)


def test_queue_wait_bounds_waiting(pool: QueryPool) -> None:
    runaway = in_background(pool, RUNAWAY, timeout=4)
    wait_busy(pool)
    started = time.monotonic()
    with pytest.raises(LimitExceededError) as caught:
        pool.run(Job(CHEAP, "json"), timeout=30)
    assert 0.4 < time.monotonic() - started < 0.5 + SLACK  # QUEUE_WAIT, not QUERY_TIMEOUT
    assert caught.value.status == 503 and caught.value.details["retry_after"] >= 1
    assert "busy" in caught.value.message and "try again" in caught.value.message
    runaway["thread"].join(30)
    assert isinstance(runaway["error"], LimitExceededError)


def test_queue_length_is_bounded(pool: QueryPool) -> None:
    runaway = in_background(pool, RUNAWAY, timeout=4)
    wait_busy(pool)
    waiter = in_background(pool, CHEAP, timeout=30)  # the one place in the queue
    while pool.waiting < 1:
        time.sleep(0.01)
    started = time.monotonic()
    with pytest.raises(LimitExceededError) as caught:
        pool.run(Job(CHEAP, "json"), timeout=30)
    assert time.monotonic() - started < 0.3  # refused at once, not after waiting
    assert "already waiting" in caught.value.message
    waiter["thread"].join(30)
    runaway["thread"].join(30)
    assert pool.waiting == 0


def test_deadline_covers_waiting(graph: StoreSource) -> None:
    """A query that waited 1.5 s for the only process has 1.5 s less to run."""
    pool = QueryPool(graph, size=1, queue_wait=30)
    try:
        pool.run(Job(CHEAP, "json"), timeout=60)
        first = in_background(pool, RUNAWAY, timeout=1.5)
        wait_busy(pool)
        second = in_background(pool, RUNAWAY, timeout=3)
        second["thread"].join(30)
        first["thread"].join(30)
        assert isinstance(second["error"], LimitExceededError)
        assert 2.5 < second["seconds"] < 3 + SLACK  # not 1.5 of waiting + 3 of running
    finally:
        pool.close()


def test_started_counts_from_the_request(pool: QueryPool) -> None:
    """``started`` in the past (the request began earlier): the time left is what remains."""
    began = time.monotonic()
    with pytest.raises(LimitExceededError):
        pool.run(Job(RUNAWAY, "json"), timeout=3, started=began - 2)
    assert time.monotonic() - began < 1 + SLACK


def test_process_killed_mid_query_is_a_503(pool: QueryPool) -> None:
    runaway = in_background(pool, RUNAWAY, timeout=30)
    wait_busy(pool)
    (pid,) = pool.pids
    os.kill(pid, signal.SIGSEGV)
    runaway["thread"].join(30)
    error = runaway["error"]
    assert isinstance(error, QueryFailedError)
    assert error.status == 503 and "SIGSEGV" in error.message and "simplify" in error.message
    assert pool.run(Job(CHEAP, "json"), timeout=60).kind == "ask"
    assert pool.pids and pool.pids != [pid]


def test_process_that_died_idle_is_replaced(pool: QueryPool) -> None:
    """A process killed while idle costs the next query nothing: it gets a new one."""
    (pid,) = pool.pids
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    assert pool.run(Job(CHEAP, "json"), timeout=60).kind == "ask"
    assert pool.pids != [pid]


GEVENT_SCRIPT = """
from gevent import monkey
monkey.patch_all()
import json, sys, time
import gevent
from scholargate.errors import LimitExceededError
from scholargate.store.processes import Job, QueryPool, StoreSource

pool = QueryPool(StoreSource(dump=sys.argv[1]), size=1, queue=1, queue_wait=0.5)
out = {"first": pool.run(Job("ASK {}", "json"), timeout=60).kind}

def run(sparql, timeout):
    started = time.monotonic()
    try:
        result = pool.run(Job(sparql, "json"), timeout=timeout).kind
    except LimitExceededError as error:
        result = "503 " + error.message
    return result, round(time.monotonic() - started, 2)

runaway = gevent.spawn(run, sys.argv[2], 2)
gevent.sleep(0.3)
ticks = []
ticker = gevent.spawn(lambda: [ticks.append(gevent.sleep(0.05)) for _ in range(10)])
waiter = gevent.spawn(run, "ASK {}", 30)
gevent.sleep(0.05)
out["full"] = run("ASK {}", 30)
out["waiter"] = waiter.get()
out["runaway"] = runaway.get()
ticker.join()
out["ticks"] = len(ticks)
out["after"] = run("ASK {}", 60)
pool.close()
print(json.dumps(out))
"""


def test_pool_under_gevent(graph: StoreSource, tmp_path: Path) -> None:
    """Under gevent's monkey-patching (the HTTP front's worker) the pool waits without
    blocking the other greenlets: the queue and the deadline behave as with threads."""
    script = tmp_path / "gevent_pool.py"
    script.write_text(GEVENT_SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), str(graph.dump), RUNAWAY],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["first"] == "ask"
    assert out["full"][0].startswith("503") and "already waiting" in out["full"][0]
    assert out["full"][1] < 0.3
    assert out["waiter"][0].startswith("503") and 0.4 < out["waiter"][1] < 0.5 + SLACK
    assert out["runaway"][0].startswith("503") and out["runaway"][1] < 2 + SLACK
    assert out["ticks"] == 10  # other greenlets ran while the pool waited
    assert out["after"][0] == "ask"


def test_slow_lane_keeps_a_process_for_the_others(graph: StoreSource) -> None:
    """A limited job takes at most size - 1 processes and never waits; a job in good
    standing still finds the reserved process."""
    pool = QueryPool(graph, size=2, queue=2, queue_wait=5.0)
    pool.warm()
    try:
        assert pool.run(Job(CHEAP, "json"), timeout=60, limited=True).kind == "ask"
        running = in_background_limited(pool, RUNAWAY, timeout=30)
        started = time.monotonic()
        while pool.busy < 1:
            assert time.monotonic() - started < 10, "the limited job did not start"
            time.sleep(0.02)
        before = time.monotonic()
        with pytest.raises(LimitExceededError) as refused:
            pool.run(Job(RUNAWAY, "json"), timeout=30, limited=True)
        assert time.monotonic() - before < 1.0  # refused at once, not queued
        assert refused.value.details["retry_after"] and refused.value.details["slow_lane"] == 1
        assert pool.run(Job(CHEAP, "json"), timeout=30).kind == "ask"
    finally:
        pool.close()
    running["thread"].join(timeout=10)


def in_background_limited(pool: QueryPool, sparql: str, timeout: float) -> dict:
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["answer"] = pool.run(Job(sparql, "json"), timeout=timeout, limited=True)
        except Exception as error:  # the test looks at what it was
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    outcome["thread"] = thread
    return outcome


def test_an_engine_error_never_quotes_what_another_server_answered() -> None:
    from scholargate.store.processes.child import _first_words

    error = OSError(
        "Error 403 Forbidden returned by http://127.0.0.1:9/x with payload:\nroot:x:0:0:secret"
    )
    text = _first_words(error)
    assert "secret" not in text and "payload" not in text and "403 Forbidden" in text
    assert len(_first_words(ValueError("y" * 5000))) <= 301


def test_an_answer_over_the_byte_cap_becomes_a_refusal() -> None:
    from scholargate.store.processes.results import capped

    ok = {"ok": True, "kind": "select"}
    assert capped(ok, b"x" * 10, 10) == (ok, b"x" * 10)
    header, body = capped(ok, b"x" * 11, 10)
    assert header["ok"] is False and "MAX_ANSWER_BYTES" in header["message"] and body == b""
    assert capped(ok, b"x" * 11, None) == (ok, b"x" * 11)


@pytest.mark.parametrize("name", ["csv", "tsv", "xml", "json"])
def test_an_answer_cut_at_the_row_cap_is_the_engines_own_bytes(name: str) -> None:
    """CSV, TSV and XML are written once, by Oxigraph, and cut after the last row the cap
    allows: the same bytes as the engine's answer to the query with that LIMIT (values
    with quotes, commas, line breaks and markup included)."""
    import pyoxigraph as ox

    from scholargate.store.processes.results import write_solutions

    store = ox.Store()
    values = ['a"b', "c,d", "e\r\nf", "g\nh", "</result>", "<i>&", "plain", "tab\tx"]
    for index, value in enumerate(values * 5):
        subject = ox.NamedNode(f"urn:s{index:03}")
        store.add(ox.Quad(subject, ox.NamedNode("urn:p"), ox.Literal(value)))
    fmt = {
        "csv": ox.QueryResultsFormat.CSV,
        "tsv": ox.QueryResultsFormat.TSV,
        "xml": ox.QueryResultsFormat.XML,
        "json": ox.QueryResultsFormat.JSON,
    }[name]
    query = "SELECT ?s ?o WHERE { ?s <urn:p> ?o } ORDER BY ?s"
    for cap in (0, 1, 7, 39, 40, 41, None):
        body, count, truncated = write_solutions(store.query(query), fmt, name, cap)
        assert truncated == (cap is not None and cap < 40)
        assert count == (40 if cap is None else min(cap, 40))
        if name == "json":
            parsed = json.loads(body)
            assert len(parsed["results"]["bindings"]) == count
            assert parsed.get("truncated", False) == truncated
            continue
        limited = query if cap is None else f"{query} LIMIT {cap}"
        assert body == store.query(limited).serialize(format=fmt)


@pytest.mark.parametrize("query", [
    "SELECT ?s ?o ?u WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?u } } ORDER BY ?s ?o",
    "SELECT ?u WHERE { ?s ?p ?o OPTIONAL { ?s <urn:none> ?u } }",  # empty rows: {}
    "SELECT ?o WHERE { ?s ?p ?o } ORDER BY DESC(?o)",
    "SELECT ?t WHERE { ?s ?p ?o BIND(<<( ?s ?p <<( ?s ?p ?o )>> )>> AS ?t) } ORDER BY ?o",
    "SELECT * WHERE {}",
    "SELECT ?x WHERE { FILTER(false) }",
])  # fmt: skip
@pytest.mark.parametrize("braces", [False, True])
def test_a_json_answer_written_by_the_engine_is_the_term_by_term_bytes(
    query: str, braces: bool
) -> None:
    """SPARQL JSON written by Oxigraph (rows found in its bytes, cut at the cap, with
    "truncated" put in) is byte for byte what select_json writes term by term, with the
    same row count, for values that look like the answer's own syntax, long values
    that cross the serialiser's writes, blank nodes, datatypes, languages, quoted
    triples, empty rows, and a literal with a base direction (written term by term).
    ``braces``: with values holding "{}", which make the rows be counted otherwise."""
    import pyoxigraph as ox

    from scholargate.store.processes.results import write_solutions

    store = ox.Store()
    values = ['a"b\\c\nd\x01\x7f é 😀 \u2028', "\\", '\\"', "{", "}", '"}', '}},{"', ",{"]
    values += ['"bindings":[]}}', "x" * 20000, "[{", ""] + (["{}", "},{}"] if braces else [])
    for index, value in enumerate(values * 4):
        subject = ox.NamedNode(f"urn:s{index:03}") if index % 4 else ox.BlankNode(f"b{index}")
        term = ox.Literal(value, language="en") if index % 3 == 0 else ox.Literal(value)
        store.add(ox.Quad(subject, ox.NamedNode("urn:p"), term))
    typed = ox.Literal("1", datatype=ox.NamedNode("urn:t"))
    store.add(ox.Quad(ox.NamedNode("urn:n"), ox.NamedNode("urn:q"), typed))
    fmt = ox.QueryResultsFormat.JSON

    def both(cap: int | None) -> tuple:
        engine = write_solutions(
            store.query(query), fmt, "json", cap, again=lambda: store.query(query)
        )
        return engine, write_solutions(store.query(query), fmt, "json", cap)

    total = len(list(store.query(query)))
    for cap in (None, 0, 1, 2, 7, 15, 16, 17, total - 1, total, total + 1, 500):
        if cap is not None and cap < 0:
            continue
        engine, by_terms = both(cap)
        assert engine == by_terms
        assert engine[1] == (total if cap is None else min(cap, total))
    directed = ox.Literal("x", language="ar", direction=ox.BaseDirection.RTL)
    store.add(ox.Quad(ox.NamedNode("urn:d"), ox.NamedNode("urn:p"), directed))
    engine, by_terms = both(None)
    assert engine == by_terms
    assert b"its:dir" not in engine[0]  # what the engine alone would have written


def test_the_query_program_imports_neither_the_package_nor_rdflib() -> None:
    """A query process runs store/processes/child.py as a file (``python -P``): it loads
    results.py and store/functions.py from their files, so a replacement starts fast."""
    from scholargate.store.processes import child

    code = (
        "import runpy, sys\n"
        f"program = runpy.run_path({child.__file__!r}, run_name='probe')\n"
        "assert program['_project_functions']()[0] is not None\n"
        "assert program['results'].select_json(['x'], [], truncated=False)\n"
        "loaded = [m for m in sys.modules if m.startswith(('rdflib', 'scholargate'))]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-P", "-c", code], check=True, timeout=60, cwd="/")
