"""Connections are spread across the HTTP workers: each worker listens on a socket of
its own (``SO_REUSEPORT``) and the kernel picks one by a hash of the connection's
addresses, instead of the worker that last waited taking nearly every connection.

A live ``serve`` with 2 workers; 40 connections held open at once, each asking
``/-/health`` (which names the answering worker). With a fair hash the chance that a
worker gets fewer than 5 of 40 is about 2 in 10 million, so the test is not flaky; a
shared socket gave one worker 7–8 of 8 keep-alive clients.
"""

from __future__ import annotations

import http.client
import json
from collections import Counter
from pathlib import Path

from .conftest import LiveServer

CONNECTIONS = 40
AT_LEAST = 5  # of CONNECTIONS, for each worker


def _worker_of(connection: http.client.HTTPConnection) -> int:
    connection.request("GET", "/-/health")
    response = connection.getresponse()
    body = response.read()
    assert response.status == 200, body
    return int(json.loads(body)["worker"])


def test_new_connections_reach_every_worker(server: LiveServer) -> None:
    workers = server.workers()
    assert len(workers) == 2
    opened = [
        http.client.HTTPConnection(server.host, server.port, timeout=30) for _ in range(CONNECTIONS)
    ]
    try:
        for connection in opened:
            connection.connect()  # all held open at once: none is closed and reused
        answered = Counter(_worker_of(connection) for connection in opened)
        # a keep-alive connection stays with the worker that accepted it
        again = Counter(_worker_of(connection) for connection in opened)
    finally:
        for connection in opened:
            connection.close()
    assert set(answered) == set(workers), (answered, workers)
    assert min(answered.values()) >= AT_LEAST, answered
    assert again == answered


def test_the_master_listens_on_nothing(server: LiveServer) -> None:
    """Only the workers accept: a socket the master listened on would take a share of
    the connections that no worker accepts."""
    master = _listening_inodes(server.process.pid)
    assert not master
    for worker in server.workers():
        assert len(_listening_inodes(worker)) == 1


def _listening_inodes(pid: int) -> set[str]:
    """The inodes of the TCP sockets in LISTEN state that ``pid`` holds."""
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A":  # TCP_LISTEN
                listening.add(fields[9])
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:["):
            held.add(target[len("socket:[") : -1])
    return held & listening
