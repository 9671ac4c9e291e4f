"""A good client beside hostile ones: does the site stay up? (loopback only, bounded)

Starts its own ``scholargate serve`` on a temporary store (a copy of ``--store``, or one
built from the project's sources), then measures a good client — the comparison page
and a cheap SELECT, one keep-alive connection each (bench/load.py) — first alone
("quiet"), then for ``--duration`` seconds beside, all at once:

* 200 slow-loris sockets sending a request's headers one byte a second,
* 20 slow-body clients sending a POST body one byte a second,
* 20 clients that ask for ``/export/all.nq`` and never read,
* 8 runaway-query clients (a cartesian product), each from its own loopback address
  (127.0.0.2 … 127.0.0.9), one query at a time.

A hostile socket the server closes is opened again. Every loop is bounded by the clock
and every socket has a timeout; the script stops the server and exits by itself.
Prints the good client's success rate, p50 and p99 quiet vs hostile, the p99 ratio, the
500s seen (good and runaway clients), and whether /-/health answers afterwards.

    .venv/bin/python bench/hostile.py --duration 60
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path.insert(0, str(BENCH))

import load  # noqa: E402

COMPARE = "/compare?m=multi-head-self-attention,bert-fine-tuning,lora"
SELECT = "SELECT ?m WHERE { ?m a sg:Method } LIMIT 10"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RUNAWAY_ADDRESSES = [f"127.0.0.{n}" for n in range(2, 10)]
_SERVING = re.compile(r"is serving (http://\S+?)/?\s")


# ---- the server ------------------------------------------------------------------------------


def start_server(folder: Path, store: Path | None, settings: dict[str, str]) -> tuple:
    """``scholargate serve --port 0`` on a store under ``folder``; (process, host, port)."""
    target = folder / "store"
    if store is not None:
        shutil.copytree(store, target)
    script = Path(sys.executable).with_name("scholargate")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "scholargate.cli"]
    command += ["serve", "--host", "127.0.0.1", "--port", "0", "--store", str(target)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGATE_")}
    env.update({f"SCHOLARGATE_{k}": v for k, v in settings.items()})
    env["SCHOLARGATE_ROOT"] = str(PROJECT)
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen(
        command, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=log, text=True,
        start_new_session=True,
    )  # fmt: skip
    assert process.stdout is not None
    deadline = time.monotonic() + 300
    url = None
    while url is None and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        if ready:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            match = _SERVING.search(line + " ")
            url = match.group(1) if match else None
    if url is None:
        stop_server(process)
        raise SystemExit(f"the server did not start; see {folder / 'serve.log'}")
    threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()
    host, port = url.split("//")[1].rsplit(":", 1)
    return process, host, int(port)


def stop_server(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# ---- hostile clients --------------------------------------------------------------------------


def in_own_process(hostiles: Hostiles) -> Callable[[], tuple[Counter, Counter]]:
    """Run the hostile clients in a process of their own (forked), so that their threads
    do not compete with the good client for this process's interpreter lock: the good
    client's times are then the server's. Returns a function that waits for the crowd
    and gives its counts (connections opened, runaway answers)."""
    results = multiprocessing.get_context("fork").SimpleQueue()

    def run() -> None:
        hostiles.start()
        hostiles.join()
        results.put((hostiles.opened, hostiles.statuses))

    process = multiprocessing.get_context("fork").Process(target=run, daemon=True)
    process.start()

    def finish() -> tuple[Counter, Counter]:
        process.join(timeout=max(0.0, hostiles.deadline - time.monotonic()) + 120)
        if process.is_alive():
            process.kill()
            return Counter(), Counter()
        return results.get() if not results.empty() else (Counter(), Counter())

    return finish


class Hostiles:
    """The hostile clients, each kind in one thread, until ``deadline``."""

    def __init__(self, host: str, port: int, deadline: float, args: argparse.Namespace) -> None:
        self.host, self.port, self.deadline, self.args = host, port, deadline, args
        self.opened: Counter = Counter()  # connections opened, by kind
        self.statuses: Counter = Counter()  # answers the runaway clients got
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        kinds = [
            (self._trickle, ("loris", self.args.loris, self._loris_head())),
            (self._trickle, ("body", self.args.slow_bodies, self._body_head())),
            (self._non_readers, ()),
        ]
        kinds += [(self._runaway, (address,)) for address in RUNAWAY_ADDRESSES[: self.args.runaway]]
        for target, extra in kinds:
            thread = threading.Thread(target=target, args=extra, daemon=True)
            thread.start()
            self.threads.append(thread)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=max(0.0, self.deadline - time.monotonic()) + 90)

    def _open(self, kind: str, *, source: str | None = None, rcvbuf: int = 0) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(10)
        if rcvbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if source:
            sock.bind((source, 0))
        sock.connect((self.host, self.port))
        self.opened[kind] += 1
        return sock

    def _loris_head(self) -> bytes:
        return f"GET /-/health HTTP/1.1\r\nHost: {self.host}\r\nX-Slow: ".encode()

    def _body_head(self) -> bytes:
        return (
            f"POST /sparql HTTP/1.1\r\nHost: {self.host}\r\n"
            "Content-Type: application/sparql-query\r\nContent-Length: 100000\r\n\r\nASK {} #"
        ).encode()

    def _trickle(self, kind: str, count: int, head: bytes) -> None:
        """``count`` sockets sending ``head``, then a byte a second; reopened when closed."""
        sockets: list[socket.socket | None] = [None] * count
        while time.monotonic() < self.deadline:
            for i in range(count):
                sock = sockets[i]
                try:
                    if sock is None:
                        sock = sockets[i] = self._open(kind)
                        sock.setblocking(False)
                        sock.send(head)
                    else:
                        sock.send(b"x")
                except OSError:
                    if sock is not None:
                        sock.close()
                    sockets[i] = None
            time.sleep(max(0.0, min(1.0, self.deadline - time.monotonic())))
        for sock in sockets:
            if sock is not None:
                sock.close()

    def _non_readers(self) -> None:
        """Clients asking for a dump and reading nothing; reopened when the server drops
        them (seen as a hang-up, without reading)."""
        count = self.args.non_readers
        request = f"GET /export/all.nq HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode()
        sockets: list[socket.socket | None] = [None] * count
        hangup = select.POLLHUP | select.POLLERR | getattr(select, "POLLRDHUP", 0x2000)
        while time.monotonic() < self.deadline:
            for i in range(count):
                sock = sockets[i]
                if sock is not None:
                    poller = select.poll()
                    poller.register(sock, hangup)
                    if not poller.poll(0):
                        continue
                    sock.close()
                try:
                    sock = sockets[i] = self._open("non-reader", rcvbuf=4096)
                    sock.sendall(request)
                except OSError:
                    sockets[i] = None
            time.sleep(max(0.0, min(1.0, self.deadline - time.monotonic())))
        for sock in sockets:
            if sock is not None:
                sock.close()

    def _runaway(self, address: str) -> None:
        path = "/sparql?" + urlencode({"query": CARTESIAN})
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n"
            "Accept: application/sparql-results+json\r\nConnection: close\r\n\r\n"
        ).encode()
        while time.monotonic() < self.deadline:
            try:
                sock = self._open("runaway", source=address)
            except OSError:
                time.sleep(0.5)
                continue
            try:
                sock.settimeout(self.args.query_timeout + 60)
                sock.sendall(request)
                line = sock.makefile("rb").readline()
                status = int(line.split()[1]) if line.startswith(b"HTTP/") else 0
            except (OSError, ValueError, IndexError):
                status = 0
            finally:
                sock.close()
            self.statuses[status] += 1


# ---- the good client -------------------------------------------------------------------------


def good_requests(fresh: int) -> list[load.Request]:
    """The comparison page and the SELECT, in turn. With ``fresh`` > 0 the SELECT comes
    in that many spellings (a numbered comment), so that most of them miss the server's
    answer cache and need a query process, as a new query would."""
    page = load.Request("GET", COMPARE, (("Accept", "text/html"),))
    accept = "application/sparql-results+json"
    spellings = [SELECT] if fresh <= 0 else [f"{SELECT} # {n}" for n in range(fresh)]
    requests = []
    for sparql in spellings:
        requests += [page, load.sparql_request(sparql, accept, method="GET")]
    return requests


def measure(host: str, port: int, duration: float, fresh: int) -> load.LoadResult:
    return load.run_load(
        host, port, good_requests(fresh), concurrency=2, duration=duration, warmup=0.5,
        timeout=75,
    )  # fmt: skip


def healthy(host: str, port: int) -> bool:
    try:
        return load.fetch(host, port, load.Request("GET", "/-/health"), timeout=30).status == 200
    except (OSError, load.ProtocolError, ValueError):
        return False


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def report(
    quiet: load.LoadResult, hostile: load.LoadResult, hostiles: Hostiles, after: bool
) -> int:
    def success(r: load.LoadResult) -> float:
        ok = r.statuses.get(200, 0)  # errors: answers other than 200, and socket errors
        return 100.0 * ok / (ok + r.errors) if ok + r.errors else 0.0

    rows = [("quiet", quiet), ("hostile", hostile)]
    print(f"{'run':<8} {'requests':>9} {'success %':>10} {'p50 ms':>9} {'p99 ms':>9} {'500s':>5}")
    for name, r in rows:
        print(
            f"{name:<8} {r.requests:>9} {success(r):>10.2f} {_ms(r.percentile(50)):>9} "
            f"{_ms(r.percentile(99)):>9} {r.statuses.get(500, 0):>5}"
        )
    ratio = hostile.percentile(99) / quiet.percentile(99) if quiet.latencies else float("nan")
    five_hundreds = quiet.statuses.get(500, 0) + hostile.statuses.get(500, 0)
    five_hundreds += hostiles.statuses.get(500, 0)
    print(f"p99 hostile / quiet: {ratio:.2f}x  (target: at most 3x)")
    print(f"success beside hostile clients: {success(hostile):.2f} %  (target: at least 99 %)")
    print(f"500s (good and runaway clients): {five_hundreds}")
    print(f"/-/health answers after: {'yes' if after else 'NO'}")
    opened = ", ".join(f"{k} {v}" for k, v in sorted(hostiles.opened.items()))
    print(f"hostile connections opened: {opened}")
    answers = ", ".join(f"{k or 'none'}: {v}" for k, v in sorted(hostiles.statuses.items()))
    print(f"runaway queries answered: {answers}")
    for sample in hostile.error_samples[:3]:
        print(f"  good-client error: {sample}")
    met = success(hostile) >= 99.0 and ratio <= 3.0 and five_hundreds == 0 and after
    return 0 if met else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of hostility")
    parser.add_argument("--quiet", type=float, default=20.0, help="seconds of the quiet run")
    parser.add_argument("--store", type=Path, help="an on-disk store to copy (default: build)")
    parser.add_argument("--loris", type=int, default=200)
    parser.add_argument("--slow-bodies", type=int, default=20)
    parser.add_argument("--non-readers", type=int, default=20)
    parser.add_argument("--runaway", type=int, default=8, choices=range(0, 9))
    parser.add_argument("--query-timeout", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--fresh-selects",
        type=int,
        default=0,
        help="spell the SELECT this many ways, so it misses the answer cache (0: one way)",
    )
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 600 or not 0 < args.quiet <= 600:
        parser.error("--duration and --quiet must be between 0 and 600 seconds")
    settings = {
        "WORKERS": str(args.workers),
        "QUERY_TIMEOUT": str(args.query_timeout),
    }
    with tempfile.TemporaryDirectory(prefix="scholargate-hostile-") as folder:
        process, host, port = start_server(Path(folder), args.store, settings)
        try:
            load.check_loopback(host)
            print(f"server: scholargate serve on {host}:{port}, {args.workers} workers, "
                  f"QUERY_TIMEOUT {args.query_timeout:g} s")  # fmt: skip
            quiet = measure(host, port, args.quiet, args.fresh_selects)
            deadline = time.monotonic() + args.duration + 2
            hostiles = Hostiles(host, port, deadline, args)
            crowd = in_own_process(hostiles)
            time.sleep(2)  # let the hostile clients take their places
            hostile = measure(host, port, args.duration, args.fresh_selects)
            hostiles.opened, hostiles.statuses = crowd()
            time.sleep(1)
            after = healthy(host, port)
        finally:
            stop_server(process)
    return report(quiet, hostile, hostiles, after)


if __name__ == "__main__":
    sys.exit(main())
