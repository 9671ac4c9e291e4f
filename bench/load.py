"""A small, bounded HTTP/1.1 load client for loopback: threads and keep-alive sockets.

Each of ``concurrency`` threads holds one keep-alive connection and sends the same
pre-encoded request again and again until the shared request budget is spent or the
time is up, whichever comes first; every socket operation has a timeout, so a run
always ends. Only loopback addresses are accepted.

The client is deliberately light (raw sockets, no header objects, one ``readline`` per
header), because on a 2-core machine it competes with the server for CPU.

    python bench/load.py --port 8000 --path /-/version --duration 5 --concurrency 8
"""

from __future__ import annotations

import argparse
import ipaddress
import itertools
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

MAX_BODY = 64 << 20  # a response larger than this is an error, not something to buffer


@dataclass(frozen=True)
class Request:
    """One HTTP request, encoded once."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""

    def encode(self, host: str, port: int) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {host}:{port}"]
        lines += [f"{k}: {v}" for k, v in self.headers]
        if self.body or self.method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


def sparql_request(query: str, accept: str, *, method: str = "POST") -> Request:
    """A SPARQL 1.1 Protocol query request: POST application/sparql-query, or GET."""
    if method == "GET":
        return Request("GET", "/sparql?" + urlencode({"query": query}), (("Accept", accept),))
    return Request(
        "POST",
        "/sparql",
        (("Accept", accept), ("Content-Type", "application/sparql-query; charset=utf-8")),
        query.encode("utf-8"),
    )


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class LoadResult:
    """What one load run measured. Latencies are in seconds, one per completed request."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    reconnects: int = 0
    bytes: int = 0
    error_samples: list[str] = field(default_factory=list)
    probed: float | None = None  # what ``probe`` measured over the run (server CPU seconds)
    client_cpu: float = 0.0  # CPU seconds this process used over the run

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        """The p-th percentile latency in seconds (nearest rank)."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        rank = max(0, min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1))
        return ordered[rank]


class ProtocolError(Exception):
    pass


def check_loopback(host: str) -> None:
    """Refuse anything that is not a loopback address: this client never leaves the machine."""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise ValueError(f"the load client only talks to loopback addresses, not {host!r}")


class Connection:
    """One keep-alive connection that reads responses with minimal parsing."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.sock: socket.socket | None = None
        self.reader = None

    def open(self) -> None:
        self.close()
        sock = socket.create_connection((self.host, self.port), timeout=self.timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = sock
        self.reader = sock.makefile("rb", buffering=1 << 16)

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()
        if self.sock is not None:
            self.sock.close()
        self.sock = self.reader = None

    def exchange(self, payload: bytes) -> Response:
        if self.sock is None:
            self.open()
        assert self.sock is not None and self.reader is not None
        self.sock.sendall(payload)
        return self._read()

    def _read(self) -> Response:
        reader = self.reader
        assert reader is not None
        status_line = reader.readline(65537)
        if not status_line:
            raise ConnectionResetError("connection closed before a response")
        parts = status_line.split(None, 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
            raise ProtocolError(f"bad status line {status_line[:80]!r}")
        status = int(parts[1])
        headers: dict[str, str] = {}
        for _ in range(200):
            line = reader.readline(65537)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        else:
            raise ProtocolError("too many header lines")
        if "content-length" in headers:
            length = int(headers["content-length"])
            if length > MAX_BODY:
                raise ProtocolError(f"response body of {length} bytes")
            body = reader.read(length)
            if len(body) != length:
                raise ConnectionResetError("connection closed inside a response body")
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = self._read_chunked()
        else:
            body = reader.read(MAX_BODY + 1)  # until the server closes the connection
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            self.close()
        return Response(status, headers, body)

    def _read_chunked(self) -> bytes:
        reader = self.reader
        assert reader is not None
        chunks = []
        total = 0
        while True:
            size_line = reader.readline(1024)
            if not size_line:
                raise ConnectionResetError("connection closed inside a chunked body")
            size = int(size_line.split(b";", 1)[0].strip(), 16)
            if size == 0:
                while reader.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise ProtocolError("chunked response body too large")
            chunks.append(reader.read(size))
            reader.readline(3)


def fetch(host: str, port: int, request: Request, *, timeout: float = 30.0) -> Response:
    """Send one request on a fresh connection and return the response."""
    check_loopback(host)
    conn = Connection(host, port, timeout)
    try:
        return conn.exchange(request.encode(host, port))
    finally:
        conn.close()


def run_load(
    host: str,
    port: int,
    request: Request | Sequence[Request],
    *,
    concurrency: int = 8,
    duration: float = 10.0,
    max_requests: int = 1_000_000,
    warmup: float = 0.5,
    timeout: float = 75.0,
    ok_status: int = 200,
    probe: Callable[[], float] | None = None,
) -> LoadResult:
    """Send ``request`` from ``concurrency`` keep-alive connections; bounded by
    ``max_requests`` and by ``duration`` seconds (after ``warmup`` seconds not counted).

    Given several requests, each connection cycles through them (from its own offset).
    ``probe`` (say, the server's CPU seconds so far) is read when the measurement starts
    and when it ends; the difference is ``LoadResult.probed``. ``timeout`` bounds each
    socket wait; it is longer than the server's own query deadline (30 s by default) plus
    the wait for a free query process, so that the server's 503 arrives first.
    """
    check_loopback(host)
    if concurrency < 1 or duration <= 0 or max_requests < 1:
        raise ValueError("concurrency, duration and max_requests must be positive")
    requests = [request] if isinstance(request, Request) else list(request)
    if not requests:
        raise ValueError("no request to send")
    payloads = [r.encode(host, port) for r in requests]
    budget = itertools.count()  # next() is atomic under the GIL
    lock = threading.Lock()
    result = LoadResult()
    times: dict[str, float] = {}

    def start_clock() -> None:
        if probe is not None:
            times["probe"] = probe()
        times["cpu"] = time.process_time()
        times["start"] = time.perf_counter()
        times["deadline"] = times["start"] + duration

    start_barrier = threading.Barrier(concurrency + 1, action=start_clock)

    def worker(offset: int) -> None:
        cycle = itertools.islice(itertools.cycle(payloads), offset % len(payloads), None)
        conn = Connection(host, port, timeout)
        latencies: list[float] = []
        statuses: Counter = Counter()
        errors = reconnects = size = 0
        samples: list[str] = []
        clock = time.perf_counter
        try:
            # warm up the connection (and the server's caches) outside the measurement
            warm_until = clock() + warmup
            while clock() < warm_until:
                try:
                    conn.exchange(next(cycle))
                except (OSError, ProtocolError, ValueError):
                    conn.close()
                    break
            try:
                start_barrier.wait(timeout=warmup + timeout + 5)
            except threading.BrokenBarrierError:
                return
            deadline = times["deadline"]
            while next(budget) < max_requests:
                payload = next(cycle)
                began = clock()
                if began >= deadline:
                    break
                try:
                    try:
                        response = conn.exchange(payload)
                    except (ConnectionResetError, BrokenPipeError):
                        # a keep-alive connection the server closed: retry once, fresh
                        reconnects += 1
                        conn.open()
                        response = conn.exchange(payload)
                except (OSError, ProtocolError, ValueError) as error:
                    errors += 1
                    if len(samples) < 3:
                        samples.append(f"{type(error).__name__}: {error}")
                    conn.close()
                    continue
                latencies.append(clock() - began)
                statuses[response.status] += 1
                size += len(response.body)
                if response.status != ok_status:
                    errors += 1
                    if len(samples) < 3:
                        samples.append(f"HTTP {response.status}: {response.body[:200]!r}")
        except BaseException:
            start_barrier.abort()  # never leave the others waiting
            raise
        finally:
            conn.close()
            with lock:
                result.latencies.extend(latencies)
                result.statuses.update(statuses)
                result.errors += errors
                result.reconnects += reconnects
                result.bytes += size
                result.error_samples.extend(samples[: max(0, 5 - len(result.error_samples))])

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    # Everyone has warmed up when the barrier opens; its action starts the clock.
    try:
        start_barrier.wait(timeout=warmup + timeout + 5)
    except threading.BrokenBarrierError:
        raise RuntimeError("a load thread failed before the measurement started") from None
    for thread in threads:
        thread.join(timeout=duration + timeout + warmup + 10)
    result.seconds = time.perf_counter() - times["start"]
    result.client_cpu = time.process_time() - times["cpu"]
    if probe is not None:
        result.probed = probe() - times["probe"]
    result.requests = len(result.latencies)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bounded keep-alive load on a loopback server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/-/version")
    parser.add_argument("--query", help="a SPARQL query file to POST to /sparql instead")
    parser.add_argument("--accept", default="application/sparql-results+json")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    if args.query:
        with open(args.query, encoding="utf-8") as handle:
            request = sparql_request(handle.read(), args.accept)
    else:
        request = Request("GET", args.path, (("Accept", args.accept),))
    result = run_load(
        args.host,
        args.port,
        request,
        concurrency=args.concurrency,
        duration=args.duration,
        max_requests=args.max_requests,
    )
    print(
        f"{result.requests} requests in {result.seconds:.2f} s: {result.rate:.0f} req/s, "
        f"p50 {result.percentile(50) * 1000:.2f} ms, p99 {result.percentile(99) * 1000:.2f} ms, "
        f"{result.errors} errors {dict(result.statuses)}"
    )
    for sample in result.error_samples:
        print("  " + sample)
    return 0 if result.errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
