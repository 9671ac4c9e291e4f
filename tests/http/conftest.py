"""Live servers for the HTTP tests: the real ``scholargate serve`` in a subprocess.

``server`` is the one most tests share (default limits, except a small MAX_ROWS so
truncation is quick to see). ``strict_server`` has a 2-second QUERY_TIMEOUT, two
queries per client and a canary endpoint on its SERVICE allow-list, for the deadline,
429 and federation tests. ``front_server`` has 2-second header, body and send deadlines,
a small MAX_BODY and a PUBLIC_URL, for the slow-client tests. Each builds its own
on-disk store under a session temporary folder, listens on a free port (``--port 0``;
the URL is read from what ``serve`` prints) and is stopped with SIGINT at the end of
the session, which must also end every query process it started.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from ..conftest import require

START_TIMEOUT = 180.0  # a first build of the bundled data takes a few seconds
STRICT_TIMEOUT = 2.0  # QUERY_TIMEOUT of the strict server
SERVER_ROWS = 500  # MAX_ROWS of the shared server
STRICT_ROWS = 50


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    @property
    def media_type(self) -> str:
        return self.header("content-type").split(";")[0].strip()

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class LiveServer:
    """A running ``scholargate serve`` and a small HTTP client for it."""

    url: str
    process: subprocess.Popen
    settings: dict[str, str]
    log: Path
    reader: threading.Thread | None = None
    output: list[str] = field(default_factory=list)  # what ``serve`` printed
    host: str = field(init=False)
    port: int = field(init=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    @property
    def endpoint(self) -> str:
        return self.url + "/sparql"

    def setting(self, name: str) -> str:
        return self.settings[name]

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60.0,
        source: str | None = None,
    ) -> Reply:
        """One request on a new connection; ``source``: the loopback address to send
        from (another client, for the per-client limits)."""
        bind = (source, 0) if source else None
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=timeout, source_address=bind
        )
        started = time.monotonic()
        try:
            connection.request(method, path, body=body, headers=dict(headers or {}))
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        headers_ = {k.lower(): v for k, v in response.getheaders()}
        return Reply(response.status, headers_, data, time.monotonic() - started)

    def query(
        self,
        sparql: str,
        *,
        accept: str | None = "application/sparql-results+json",
        method: str = "GET",
        params: Mapping[str, Any] | None = None,
        timeout: float = 60.0,
        source: str | None = None,
    ) -> Reply:
        """Send ``sparql`` by GET (``?query=``) or by POST of a form."""
        headers = {"Accept": accept} if accept else {}
        fields = [("query", sparql), *_pairs(params)]
        if method == "GET":
            path = "/sparql?" + urlencode(fields)
            return self.request("GET", path, headers=headers, timeout=timeout, source=source)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = urlencode(fields).encode()
        return self.request(
            "POST", "/sparql", body=body, headers=headers, timeout=timeout, source=source
        )

    def healthy(self) -> bool:
        try:
            reply = self.request("GET", "/-/health", timeout=30)
        except OSError:
            return False
        return reply.status == 200 and reply.json()["status"] == "ok"

    def workers(self) -> list[int]:
        return _children(self.process.pid)

    def query_processes(self) -> list[int]:
        """The query processes of every HTTP worker of this server."""
        found = []
        for worker in self.workers():
            found += [p for p in _children(worker) if b"processes/child.py" in _cmdline(p)]
        return sorted(found)

    def busy_query_processes(self, interval: float = 0.1) -> list[int]:
        """The query processes that used CPU during ``interval`` seconds (evaluating)."""
        before = {pid: _cpu_ticks(pid) for pid in self.query_processes()}
        time.sleep(interval)
        return sorted(pid for pid, ticks in before.items() if _cpu_ticks(pid) > ticks)

    def wait_for_query_processes(self, count: int, timeout: float = 30.0) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.query_processes()
            if len(pids) == count:
                return pids
            time.sleep(0.1)
        return self.query_processes()


def _pairs(params: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, value in (params or {}).items():
        values = value if isinstance(value, list | tuple) else [value]
        pairs += [(name, str(v)) for v in values]
    return pairs


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid …": comm may hold spaces, so split after the last ')'
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def _cpu_ticks(pid: int) -> int:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return -1
    fields = stat[stat.rfind(")") + 2 :].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _command() -> list[str]:
    script = Path(sys.executable).with_name("scholargate")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "scholargate.cli"]


_SERVING = re.compile(r"is serving (http://\S+?)/?\s")


def serve_process(
    folder: Path,
    settings: Mapping[str, str],
    project_root: Path,
    *,
    store: str | None = None,
    session: bool = False,
) -> subprocess.Popen:
    """``scholargate serve --port 0`` started on a store under ``folder`` (or ``store``:
    a SPARQL server's URL), its stdout a text pipe, its stderr ``folder/serve.log``.
    ``session``: in a session (and process group) of its own, so that a test can kill
    the master and its workers at once (``os.killpg``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGATE_")}
    env.update({f"SCHOLARGATE_{k}": str(v) for k, v in settings.items()})
    env["SCHOLARGATE_ROOT"] = str(project_root)
    # saved comparisons and tokens in the test's own folder, never the checkout's var/
    env.setdefault("SCHOLARGATE_SAVED", str(folder / "comparisons.nt"))
    env.setdefault("SCHOLARGATE_TOKENS", str(folder / "tokens.json"))
    command = [*_command(), "serve", "--host", "127.0.0.1", "--port", "0"]
    command += ["--store", store or str(folder / "store")]
    with (folder / "serve.log").open("wb") as errors:
        return subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
            cwd=folder,
            text=True,
            start_new_session=session,
        )


def start_server(
    folder: Path,
    settings: Mapping[str, str],
    project_root: Path,
    *,
    store: str | None = None,
    session: bool = False,
) -> LiveServer:
    """Start ``scholargate serve`` (:func:`serve_process`); wait until it answers. The
    process prints its URL once it listens."""
    require(Path("/proc/self/stat").exists(), "the HTTP tests read /proc to find processes")
    log = folder / "serve.log"
    process = serve_process(folder, settings, project_root, store=store, session=session)
    assert process.stdout is not None
    url: list[str] = []
    output: list[str] = []

    def read_stdout() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line.rstrip("\n"))
            match = _SERVING.search(line + " ")
            if match and not url:
                url.append(match.group(1))

    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()
    deadline = time.monotonic() + START_TIMEOUT
    while not url:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"scholargate serve did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)
    server = LiveServer(url[0].rstrip("/"), process, dict(settings), log, output=output)
    server.reader = reader
    while not _answers(server):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(server)
            pytest.fail(f"scholargate serve did not answer:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)
    return server


def _answers(server: LiveServer) -> bool:
    try:
        return server.request("GET", "/-/version", timeout=5).status == 200
    except OSError:
        return False


def stop_server(server: LiveServer) -> list[int]:
    """Ctrl-C the server; return the query processes still alive afterwards."""
    processes = server.query_processes()
    server.process.send_signal(signal.SIGINT)
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    if server.reader is not None:
        server.reader.join(timeout=5)
    if server.process.stdout is not None:
        server.process.stdout.close()
    deadline = time.monotonic() + 10
    alive = processes
    while alive and time.monotonic() < deadline:
        alive = [p for p in processes if Path(f"/proc/{p}").exists() and _cmdline(p)]
        time.sleep(0.1)
    return alive


def running(
    folder: Path, settings: Mapping[str, str], project_root: Path, *, store: str | None = None
) -> Iterator[LiveServer]:
    """A server for a fixture to yield; once stopped, none of its query processes may
    outlive it."""
    live = start_server(folder, settings, project_root, store=store)
    yield live
    leftovers = stop_server(live)
    assert not leftovers, f"query processes outlived the server: {leftovers}"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("server")
    yield from running(folder, {"MAX_ROWS": str(SERVER_ROWS), "WORKERS": "2"}, project_root)


class Canary:
    """A TCP listener that records every connection (and answers like a SPARQL endpoint,
    so that a query reaching it would succeed and be noticed)."""

    EMPTY = json.dumps(
        {
            "head": {"vars": ["x"]},
            "results": {"bindings": [{"x": {"type": "literal", "value": "canary"}}]},
        }
    ).encode()

    def __init__(self) -> None:
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.hits: list[bytes] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(2)
                try:
                    data = connection.recv(65536)
                except OSError:
                    data = b""
                with self._lock:
                    self.hits.append(data)
                body = self.EMPTY
                head = (
                    "HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                    f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
                )
                try:
                    connection.sendall(head.encode() + body)
                except OSError:
                    pass

    def reset(self) -> None:
        with self._lock:
            self.hits.clear()

    def close(self) -> None:
        self.socket.close()


@pytest.fixture(scope="session")
def canary() -> Iterator[Canary]:
    listener = Canary()
    yield listener
    listener.close()


@pytest.fixture(scope="session")
def strict_server(
    tmp_path_factory: pytest.TempPathFactory, project_root: Path, canary: Canary
) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("strict")
    settings = {
        "QUERY_TIMEOUT": str(STRICT_TIMEOUT),
        "CLIENT_CONCURRENCY": "2",
        "QUERY_WORKERS": "2",
        "WORKERS": "2",
        "MAX_ROWS": str(STRICT_ROWS),
        "SERVICE_ALLOWLIST": canary.url,
        # its tests run many runaway queries from one address; the slow lane they would
        # put it in has tests of its own (test_slow_lane.py)
        "SLOW_CLIENT_SECONDS": "0",
        "MAX_ANSWER_BYTES": "200000",
    }
    yield from running(folder, settings, project_root)


FRONT_TIMEOUT = 2.0  # HEADER_TIMEOUT, BODY_TIMEOUT and SEND_TIMEOUT of the front server
FRONT_MAX_BODY = 100_000
FRONT_PUBLIC_URL = "https://scholargate.example.org"


@pytest.fixture(scope="session")
def front_server(
    tmp_path_factory: pytest.TempPathFactory, project_root: Path
) -> Iterator[LiveServer]:
    """Short header, body and send deadlines, a small MAX_BODY and a PUBLIC_URL, for the
    slow- and hostile-client tests (tests/http/test_slow_clients.py)."""
    folder = tmp_path_factory.mktemp("front")
    settings = {
        "HEADER_TIMEOUT": str(FRONT_TIMEOUT),
        "BODY_TIMEOUT": str(FRONT_TIMEOUT),
        "SEND_TIMEOUT": str(FRONT_TIMEOUT),
        "MAX_BODY": str(FRONT_MAX_BODY),
        "PUBLIC_URL": FRONT_PUBLIC_URL,
        "WORKERS": "2",
        "QUERY_WORKERS": "1",
    }
    yield from running(folder, settings, project_root)


@pytest.fixture
def canary_clean(canary: Canary) -> Iterator[Canary]:
    canary.reset()
    yield canary


def curl_path() -> str:
    path = shutil.which("curl")
    require(path is not None, "curl is not installed")
    assert path is not None
    return path


QUEUE_TIMEOUT = 4.0  # QUERY_TIMEOUT (and QUEUE_WAIT) of the queue server


@pytest.fixture(scope="session")
def queue_server(
    tmp_path_factory: pytest.TempPathFactory, project_root: Path
) -> Iterator[LiveServer]:
    """One HTTP worker with one query process, so its queue is easy to fill: waiting
    for it is bounded by the deadline (QUEUE_WAIT = QUERY_TIMEOUT), at most 2 queries
    wait, no per-client cap, no slow lane and no chain limit, so that a query that really crashes
    the engine reaches a query process (tests/http/test_queue.py)."""
    folder = tmp_path_factory.mktemp("queue")
    settings = {
        "WORKERS": "1",
        "QUERY_WORKERS": "1",
        "QUERY_TIMEOUT": str(QUEUE_TIMEOUT),
        "QUEUE_WAIT": str(QUEUE_TIMEOUT),
        "CLIENT_CONCURRENCY": "0",
        "MAX_CHAIN": "1000000",
        "SLOW_CLIENT_SECONDS": "0",  # the queue, not the slow lane (test_slow_lane.py)
    }
    yield from running(folder, settings, project_root)
