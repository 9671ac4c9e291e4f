"""Hostile queries against live servers: none may take the server down, read a file or
reach the network.

A canary (a real TCP listener on 127.0.0.1 that records every connection) stands in for
"the network": SERVICE, FROM and LOAD pointed at it or at ``file:///etc/passwd`` must be
refused with no connection and no file content in the answer. Runaway queries meet the
strict server's 2-second deadline: 503 in time, their process killed and replaced, the
next query answered at once. Chains and nesting that would crash the engine
(engine_limits.toml) are refused before any query process sees them; a query process
that dies anyway is a 503 and is replaced. After every test here, /-/health answers.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

from scholargate.namespaces import METHOD

from ..conftest import ROOT
from .conftest import STRICT_ROWS, STRICT_TIMEOUT, Canary, LiveServer, Reply, curl_path

pytestmark = pytest.mark.slow

PASSWD = "file:///etc/passwd"
SLACK = 4.0  # seconds past the deadline a 503 may take (kill, reply) on a busy machine
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(autouse=True)
def stays_alive(request: pytest.FixtureRequest) -> object:
    yield
    for name in ("server", "strict_server"):
        if name in request.fixturenames:
            live: LiveServer = request.getfixturevalue(name)
            assert live.healthy(), f"{name} stopped answering /-/health"


def no_file_content(reply: Reply) -> None:
    assert b"root:" not in reply.body and b"/bin/" not in reply.body


def refused(reply: Reply, status: int, kind: str) -> dict:
    assert reply.status == status, reply.body[:400]
    body = reply.json()
    assert body["error"] == kind and body["status"] == status
    assert b"Traceback" not in reply.body
    no_file_content(reply)
    return body


# ---- SERVICE, FROM, LOAD: no connection, no file --------------------------------------------

SERVICE_QUERIES = {
    "service": "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "service_silent": "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "service_lower_case": "select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
    "service_prefixed_name": "PREFIX c: <{base}> SELECT * WHERE {{ SERVICE c:sparql {{ }} }}",
    "service_relative_iri": "BASE <{base}> SELECT * WHERE {{ SERVICE <sparql> {{ ?s ?p ?o }} }}",
    "service_after_comment": "SELECT * WHERE {{ SERVICE # the network\n <{url}> {{ ?s ?p ?o }} }}",
    "service_in_subquery": "SELECT * WHERE {{ {{ SELECT * WHERE {{ OPTIONAL {{ SERVICE <{url}> "
    "{{ ?s ?p ?o }} }} }} }} }}",
    "service_variable": "SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    "service_after_string": 'SELECT * WHERE {{ BIND("SERVICE <x>" AS ?x) SERVICE <{url}> {{ }} }}',
    "service_file": "SELECT * WHERE {{ SERVICE <" + PASSWD + "> {{ ?s ?p ?o }} }}",
}


@pytest.mark.parametrize("name", sorted(SERVICE_QUERIES))
def test_service_refused(server: LiveServer, canary_clean: Canary, name: str) -> None:
    base = canary_clean.url.rsplit("/", 1)[0] + "/"
    sparql = SERVICE_QUERIES[name].format(url=canary_clean.url, base=base)
    for method in ("GET", "POST"):
        body = refused(server.query(sparql, method=method), 403, "forbidden")
        assert "SERVICE" in body["message"]
    time.sleep(0.2)
    assert canary_clean.hits == []


FROM_QUERIES = {
    "from": "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
    "from_named": "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "from_file": "SELECT * FROM <" + PASSWD + "> WHERE {{ ?s ?p ?o }}",
    "from_named_file": "SELECT * FROM NAMED <" + PASSWD + "> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "from_relative_file": "BASE <file:///etc/> SELECT * FROM <passwd> WHERE {{ ?s ?p ?o }}",
    "from_lower_case": "select * from <{url}> where {{ ?s ?p ?o }}",
}


@pytest.mark.parametrize("name", sorted(FROM_QUERIES))
def test_from_refused(server: LiveServer, canary_clean: Canary, name: str) -> None:
    sparql = FROM_QUERIES[name].format(url=canary_clean.url)
    body = refused(server.query(sparql), 400, "bad-input")
    assert "no such graph" in body["message"]
    time.sleep(0.2)
    assert canary_clean.hits == []


@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("target", ["canary", "file"])
def test_dataset_parameters_refused(
    server: LiveServer, canary_clean: Canary, parameter: str, target: str
) -> None:
    graph = canary_clean.url if target == "canary" else PASSWD
    reply = server.query("SELECT * WHERE { ?s ?p ?o }", params={parameter: graph})
    body = refused(reply, 400, "bad-input")
    assert graph in body["message"]
    time.sleep(0.2)
    assert canary_clean.hits == []


def test_from_is_never_fetched_by_the_engine(server: LiveServer, canary_clean: Canary) -> None:
    """Even past the check, Oxigraph would not fetch: a FROM of a graph the store lacks
    gives no connection (proved on the engine itself, in a query process of our own)."""
    from scholargate.store.processes import Job, QueryPool, StoreSource

    store = Path(server.log).parent / "store"
    pool = QueryPool(StoreSource(path=store), size=1)
    try:
        for graph in (canary_clean.url, PASSWD):
            sparql = f"SELECT * FROM <{graph}> FROM NAMED <{graph}> WHERE {{ ?s ?p ?o }}"
            job = Job(sparql, "json", union_default_graph=False)
            assert pool.run(job, timeout=30).count == 0
    finally:
        pool.close()
    time.sleep(0.2)
    assert canary_clean.hits == []


def test_load_refused(server: LiveServer, canary_clean: Canary) -> None:
    for load in (f"LOAD <{canary_clean.url}>", f"LOAD SILENT <{PASSWD}> INTO GRAPH <urn:x>"):
        body = refused(server.query(load), 403, "forbidden")
        assert "LOAD" in body["message"]
        # as an update, it needs a token first (tests/http/test_writes.py sends one: 400)
        form = urlencode({"update": load}).encode()
        refused(
            server.request(
                "POST",
                "/sparql",
                body=form,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            ),
            401,
            "unauthorized",
        )
        refused(
            server.request(
                "POST",
                "/sparql",
                body=load.encode(),
                headers={"Content-Type": "application/sparql-update"},
            ),
            401,
            "unauthorized",
        )
    time.sleep(0.2)
    assert canary_clean.hits == []


def test_allow_list_lets_service_through(strict_server: LiveServer, canary_clean: Canary) -> None:
    """The canary is real: SERVICE to an allow-listed endpoint does reach it, so the
    refusals above are refusals, not a listener that cannot be reached."""
    reply = strict_server.query(
        f"SELECT ?x WHERE {{ SERVICE <{canary_clean.url}> {{ ?x ?y ?z }} }}"
    )
    assert reply.status == 200, reply.body[:300]
    assert canary_clean.hits, "the allow-listed SERVICE call did not arrive"
    other = canary_clean.url + "/other"
    refused(strict_server.query(f"SELECT * WHERE {{ SERVICE <{other}> {{ }} }}"), 403, "forbidden")


# ---- input that crashes or exhausts the engine -----------------------------------------------


@pytest.mark.parametrize(
    ("name", "sparql"),
    [
        ("groups", "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000),
        ("parentheses", "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"),
        ("negations", "SELECT * WHERE { FILTER(" + "!" * 5000 + "true) }"),
        ("blank_nodes", "SELECT * WHERE { ?s ?p " + "[ ?p " * 5000 + "?o" + " ]" * 5000 + " }"),
    ],
)
def test_deep_nesting_refused_before_evaluation(server: LiveServer, name: str, sparql: str) -> None:
    before = server.query_processes()
    reply = server.query(sparql, method="POST")
    body = refused(reply, 400, "query-refused")
    assert "the limit is" in body["message"] and body["details"]["depth"] > 5000 - 1
    assert reply.seconds < 2.0
    assert server.query_processes() == before  # nothing reached a query process


ENGINE_LIMITS = tomllib.loads((Path(__file__).with_name("engine_limits.toml")).read_text())


def engine_case(case: dict) -> str:
    """The query text of a row of engine_limits.toml."""
    count = case["count"]
    middle, close = case.get("middle", ""), case.get("close", "")
    return case["head"] + case["repeat"] * count + middle + close * count + case["tail"]


@pytest.mark.parametrize("case", ENGINE_LIMITS["case"], ids=lambda case: case["name"])
def test_engine_limits(server: LiveServer, case: dict) -> None:
    """Chains and nesting that crash Oxigraph are refused at once, before any query
    process sees them (the pool's processes are the same after); long queries far from
    the crash are answered."""
    before = server.wait_for_query_processes(4)
    reply = server.query(engine_case(case), method="POST")
    if case["status"] == 400:
        body = refused(reply, 400, "query-refused")
        assert "the limit is" in body["message"]
        assert reply.seconds < 2.0
    else:
        assert reply.status == 200, reply.body[:400]
    assert server.query_processes() == before  # nothing crashed, nothing was killed


@pytest.mark.parametrize(
    "path", sorted((ROOT / "bench" / "queries").glob("*.rq")), ids=lambda path: path.name
)
def test_bench_queries_pass_the_checks(server: LiveServer, path: Path) -> None:
    """The longest queries the project itself writes are far inside the limits."""
    lora = f"<{METHOD['lora']}>"
    fills = {"alias": '"LoRA"@en', "methods": f"{lora} <{METHOD['transformer']}>"}
    sparql = re.sub(r"\{\{(\w+)\}\}", lambda m: fills.get(m.group(1), lora), path.read_text())
    reply = server.query(sparql, method="POST", accept="*/*")
    assert reply.status == 200, reply.body[:400]


def test_killed_query_process_is_a_503(strict_server: LiveServer) -> None:
    """A query process that dies mid-query (here killed from outside, as the kernel's
    out-of-memory killer would) is a 503 with a message, and it is replaced: the next
    query answers and the pool is whole again."""
    strict_server.wait_for_query_processes(4)
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(strict_server.query, CARTESIAN + " # killed")
        started = time.monotonic()
        while not (busy := strict_server.busy_query_processes()):
            assert time.monotonic() - started < STRICT_TIMEOUT, "the query did not start"
        os.kill(busy[0], signal.SIGKILL)
        reply = slow.result()
    body = refused(reply, 503, "query-failed")
    assert "query process stopped" in body["message"] and "SIGKILL" in body["message"]
    assert strict_server.query("ASK { ?s ?p ?o } # after the kill").status == 200
    after = strict_server.wait_for_query_processes(4)
    assert len(after) == 4 and busy[0] not in after


def test_cartesian_product_meets_the_deadline(strict_server: LiveServer) -> None:
    processes = strict_server.wait_for_query_processes(4)
    reply = strict_server.query(CARTESIAN)
    body = refused(reply, 503, "limit-exceeded")
    assert f"longer than {STRICT_TIMEOUT:g} s" in body["message"]
    assert STRICT_TIMEOUT - 0.5 < reply.seconds < STRICT_TIMEOUT + SLACK
    started = time.monotonic()
    assert strict_server.query("ASK { ?s ?p ?o }").status == 200
    assert time.monotonic() - started < 1.5, "the next query must not wait for the killed one"
    after = strict_server.wait_for_query_processes(4)
    killed = set(processes) - set(after)
    assert killed, "the process that ran the query should have been replaced"
    assert not any(Path(f"/proc/{pid}").exists() for pid in killed)


def test_regex_backtracking_meets_the_deadline(strict_server: LiveServer) -> None:
    sparql = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f "
        'FILTER(REGEX(CONCAT(STR(?c), STR(?f), "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!"), "^(a+)+$")) }'
    )
    reply = strict_server.query(sparql)
    refused(reply, 503, "limit-exceeded")
    assert reply.seconds < STRICT_TIMEOUT + SLACK


def test_concat_doubling_stops(strict_server: LiveServer) -> None:
    binds = ['BIND("0123456789" AS ?x0)']
    binds += [f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(40)]
    sparql = f"SELECT (STRLEN(?x40) AS ?n) WHERE {{ {' '.join(binds)} }}"
    reply = strict_server.query(sparql, method="POST")
    body = refused(reply, 503, "limit-exceeded")
    assert "stopped" in body["message"]
    assert reply.seconds < STRICT_TIMEOUT + SLACK


def test_other_queries_answer_while_one_runs_away(strict_server: LiveServer) -> None:
    """Another client's query answers at once while a runaway one runs (this client's
    earlier runaway queries put it in the slow lane, whose process the runaway holds)."""
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(strict_server.query, CARTESIAN)
        time.sleep(0.5)
        fast = strict_server.query(
            "SELECT ?m WHERE { ?m a sg:Method } LIMIT 1", source="127.0.0.77"
        )
        assert fast.status == 200 and fast.seconds < 1.5
        assert slow.result().status == 503


def test_unbounded_select_is_cut(strict_server: LiveServer) -> None:
    """A SELECT over a cartesian product of the whole store, without LIMIT: the first
    MAX_ROWS rows come back at once, marked truncated (evaluation is lazy)."""
    reply = strict_server.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    assert reply.status == 200 and reply.seconds < STRICT_TIMEOUT
    assert reply.header("sparql-results-truncated") == "true"
    assert len(reply.json()["results"]["bindings"]) == STRICT_ROWS


def test_too_many_queries_from_one_client(strict_server: LiveServer) -> None:
    """CLIENT_CONCURRENCY is 2: a third query while two run gets 429 with Retry-After,
    whichever HTTP worker it reaches."""
    strict_server.wait_for_query_processes(4)
    with ThreadPoolExecutor(2) as pool:
        started = time.monotonic()
        running = [pool.submit(strict_server.query, CARTESIAN) for _ in range(2)]
        while len(strict_server.busy_query_processes()) < 2:  # both evaluating: slots held
            assert time.monotonic() - started < STRICT_TIMEOUT, "the slow queries did not start"
        refusals = []
        probe = 0
        while len(refusals) < 3 and time.monotonic() - started < STRICT_TIMEOUT - 0.3:
            probe += 1  # a new text each time: a repeated one may come from the answer cache
            reply = strict_server.query(f"ASK {{ FILTER({probe} = {probe}) }}")
            if reply.status == 429:
                refusals.append(reply)
            else:
                assert not refusals, "a slot freed while both slow queries were running"
                time.sleep(0.05)  # the slow ones are not both running yet
        assert len(refusals) == 3
        for reply in refusals:
            body = refused(reply, 429, "too-many-requests")
            assert int(reply.header("retry-after")) >= 1
            assert "2 queries" in body["message"]
        assert [r.result().status for r in running] == [503, 503]
    assert strict_server.query("ASK {}").status == 200  # slots free again


# ---- oversized requests -----------------------------------------------------------------------


def _raw_post(live: LiveServer, length: int) -> bytes:
    """POST ``length`` bytes the way a client that does not wait would; return the answer."""
    head = (
        f"POST /sparql HTTP/1.1\r\nHost: {live.host}:{live.port}\r\n"
        "Content-Type: application/sparql-query\r\nAccept: application/json\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ).encode()
    connection = socket.create_connection((live.host, live.port), timeout=30)

    def send() -> None:
        try:
            connection.sendall(head)
            chunk = b"#" * 65536
            for _ in range(length // len(chunk)):
                connection.sendall(chunk)
        except OSError:
            pass  # the server answered and closed before taking the whole body

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answer = b""
    try:
        while chunk := connection.recv(65536):
            answer += chunk
    except OSError:
        pass
    sender.join(timeout=30)
    connection.close()
    return answer


def test_ten_megabyte_body_413(server: LiveServer) -> None:
    answer = _raw_post(server, 10 << 20)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"error":"request-entity-too-large"' in answer.replace(b" ", b"")


def test_ten_megabyte_body_413_curl(server: LiveServer, tmp_path: Path) -> None:
    big = tmp_path / "big.rq"
    big.write_bytes(b"ASK {} #" + b"x" * (10 << 20))
    result = subprocess.run(
        [curl_path(), "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
         "-H", "Content-Type: application/sparql-query", "--data-binary", f"@{big}",
         server.endpoint],
        capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.stdout == b"413"


def test_body_just_under_the_limit_is_read(server: LiveServer) -> None:
    limit = 1048576
    sparql = "ASK {} #" + "x" * (limit - 100)
    reply = server.request(
        "POST",
        "/sparql",
        body=sparql.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert reply.status == 200


def test_an_answer_over_max_answer_bytes_is_refused(strict_server: LiveServer) -> None:
    """A short query that makes a long answer (one row of a 400 kB string): refused with a
    400 that names the cap, instead of being built and sent."""
    sparql = (
        'SELECT ?s WHERE { BIND(STRLEN("x") AS ?n) '
        "BIND(CONCAT(" + ", ".join(['"' + "x" * 4000 + '"'] * 100) + ") AS ?s) }"
    )
    reply = strict_server.query(sparql, method="POST")
    body = refused(reply, 400, "query-failed")
    assert "MAX_ANSWER_BYTES" in body["message"] and "200000" in body["message"]
    assert strict_server.query("ASK { ?s ?p ?o } # after a long answer").status == 200
