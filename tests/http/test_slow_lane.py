"""The slow lane, against a live server with one HTTP worker and two query processes:
clients whose queries ran past the deadline share one query process and never wait, so
runaway clients from several addresses cannot take every query process from the others.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .conftest import LiveServer, running

pytestmark = pytest.mark.slow

TIMEOUT = 2.0  # QUERY_TIMEOUT of this server
SLACK = 3.0  # seconds past a deadline an answer may take on a busy machine
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} # {}"
ATTACKERS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")


@pytest.fixture(scope="module")
def lane_server(
    tmp_path_factory: pytest.TempPathFactory, project_root: Path
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("lane")
    settings = {
        "WORKERS": "1",
        "QUERY_WORKERS": "2",
        "QUERY_TIMEOUT": str(TIMEOUT),
        "SLOW_CLIENT_SECONDS": "600",
    }
    for live in running(folder, settings, project_root):
        live.wait_for_query_processes(2)
        yield live


def test_runaway_clients_leave_a_query_process_to_the_others(lane_server: LiveServer) -> None:
    # each attacker's first runaway query runs to the deadline and marks the client
    for batch in (ATTACKERS[:2], ATTACKERS[2:]):
        lane_server.wait_for_query_processes(2)
        with ThreadPoolExecutor(len(batch)) as pool:
            first = [
                pool.submit(lane_server.query, RUNAWAY.format(f"first {a}"), source=a)
                for a in batch
            ]
            for future in first:
                reply = future.result()
                assert reply.status == 503 and "took longer than" in reply.json()["message"]
    lane_server.wait_for_query_processes(2)
    # now all of them at once: one runs in the slow lane, the others are refused at once
    with ThreadPoolExecutor(len(ATTACKERS)) as pool:
        again = [
            pool.submit(lane_server.query, RUNAWAY.format(f"again {a} {n}"), source=a)
            for n in range(2)
            for a in ATTACKERS
        ]
        time.sleep(0.5)
        assert len(lane_server.busy_query_processes()) == 1
        # a client in good standing gets the other process at once, with a new query
        good = lane_server.query(f"ASK {{ ?s ?p ?o }} # good {time.time()}")
        assert good.status == 200 and good.json()["boolean"] is True
        assert good.seconds < 1.5
        replies = [future.result() for future in again]
    ran = [r for r in replies if r.seconds > TIMEOUT - 0.5]
    refused = [r for r in replies if r.seconds <= TIMEOUT - 0.5]
    assert ran and refused
    for reply in replies:
        assert reply.status == 503 and reply.seconds < TIMEOUT + SLACK
    for reply in refused:
        body = reply.json()
        assert body["error"] == "limit-exceeded"
        assert "ran past the time limit recently" in body["message"]
        assert reply.header("retry-after")
    assert lane_server.healthy()
