"""Benchmark the SPARQL endpoint on a synthetic graph, next to the HTTP ceiling and rdflib.

    python bench/run.py --methods 10000 [--duration 10] [--concurrency 8]

1. generate (or reuse) ``bench/data/synth-<size>.nq`` with bench/generate.py;
2. build an on-disk Oxigraph store from it in a temporary folder (the project's build for
   the project root layout, pyoxigraph's bulk loader for the synthetic graph);
3. start the real server on a free loopback port (``scholargate serve`` when the command
   exists, otherwise gunicorn on ``scholargate.web.app:create_app()``);
4. measure, in the same run, a constant-response route (the ceiling of the HTTP stack)
   and each query of bench/queries/ through ``/sparql`` with a bounded keep-alive client;
5. evaluate the same queries with rdflib's in-memory engine for comparison;
6. print one table (and write it as JSON under bench/results/).

See bench/README.md for what each query is and the targets.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import load  # noqa: E402
import peer as peers  # noqa: E402

QUERIES = BENCH / "queries"
# The order of the table; the file stems of bench/queries/*.rq.
QUERY_ORDER = (
    "ask-floor",
    "alias-lookup",
    "comparison",
    "per-year-family",
    "builds-on-path",
    "construct-method",
)
ACCEPT = {"construct-method": "text/turtle"}
SERVICE_QUERY = "comparison-service"  # the comparison service's own generated query
JSON_RESULTS = "application/sparql-results+json"
TARGET_SHARE, TARGET_P99 = 0.35, 0.020  # issue 3: comparison ≥ 35 % of the ceiling, p99 < 20 ms


def size_label(methods: int) -> str:
    if methods % 1000 == 0:
        return f"{methods // 1000}k"
    return str(methods)


# ---- the queries ------------------------------------------------------------------------


def load_queries(
    plan: dict[str, Any], only: list[str] | None = None, vary: int = 1
) -> dict[str, list[str]]:
    """The benchmark queries with the plan's methods, alias and path filled in: for each
    query, ``vary`` texts, one per variant of the plan (the first is the plan's own)."""
    variants = plan.get("variants") or {}
    picks = [
        {
            "compare": variants["compare"][k % len(variants["compare"])],
            "alias": variants["alias"][k % len(variants["alias"])],
            "path_root": variants["path_root"][k % len(variants["path_root"])],
            "construct": variants["construct"][k % len(variants["construct"])],
        }
        if k
        else plan
        for k in range(vary)
    ]
    found = {p.stem: p for p in QUERIES.glob("*.rq")}
    names = [n for n in QUERY_ORDER if n in found] + sorted(set(found) - set(QUERY_ORDER))
    rows = service_rows()
    queries: dict[str, list[str]] = {}
    for name in names:
        if only and name not in only:
            continue
        template = found[name].read_text(encoding="utf-8")
        queries[name] = [fill(template, pick, found[name]) for pick in picks]
        if name == "comparison" and rows is not None and (not only or SERVICE_QUERY in only):
            from scholargate.services.compare import build_query

            queries[SERVICE_QUERY] = [build_query(rows, pick["compare"]) for pick in picks]
    return queries


def fill(template: str, pick: dict[str, Any], path: Path) -> str:
    alias = pick["alias"]
    text = alias["text"].replace("\\", "\\\\").replace('"', '\\"')
    values = {
        "{{alias}}": f'"{text}"@{alias["lang"]}',
        "{{methods}}": " ".join(f"<{m}>" for m in pick["compare"]),
        "{{root}}": f"<{pick['path_root']}>",
        "{{method}}": f"<{pick['construct']}>",
    }
    for key, value in values.items():
        template = template.replace(key, value)
    if "{{" in template:
        raise SystemExit(f"{path}: unknown placeholder left in the query")
    return template


def service_rows() -> Any:
    """The rows of the comparison view as the comparison service reads them from this
    checkout's shapes, or None when the checkout has no such service (then the
    ``comparison-service`` line is left out)."""
    try:
        from scholargate.formats import by_name
        from scholargate.namespaces import SHAPES_GRAPH
        from scholargate.services.compare import build_query, read_rows
        from scholargate.store.oxigraph import OxigraphStore

        shapes = OxigraphStore()
        for path in sorted((PROJECT / "shapes").glob("*.ttl")):
            shapes.load(path.read_bytes(), by_name("ttl"), graph=SHAPES_GRAPH, source=str(path))
        rows = read_rows(shapes)
        build_query(rows, ["https://w3id.org/scholargate/method/x"])  # it works
        return rows
    except Exception as error:  # an optional line: say why it is missing and go on
        print(f"(no {SERVICE_QUERY} line: {type(error).__name__}: {error})", file=sys.stderr)
        return None


# ---- data and store ---------------------------------------------------------------------


def ensure_data(
    methods: int, seed: int, regenerate: bool, data: Path
) -> tuple[Path, dict[str, Any], float]:
    """The generated N-Quads file and its plan; generated when missing or stale."""
    nq = data / f"synth-{size_label(methods)}.nq"
    sidecar = nq.with_name(nq.name + ".json")
    if not regenerate and nq.is_file() and sidecar.is_file():
        plan = json.loads(sidecar.read_text())
        if plan.get("methods") == methods and plan.get("seed") == seed:
            return nq, plan, 0.0
    started = time.perf_counter()
    generate.main(["--methods", str(methods), "--seed", str(seed), "--out", str(nq)])
    return nq, json.loads(sidecar.read_text()), time.perf_counter() - started


def build_store(nq: Path, workdir: Path) -> tuple[Path, Path, float, int]:
    """An on-disk store holding the synthetic graph, laid out so the server opens it as is.

    The server opens ``STORE`` through ``scholargate.build.open_built``, which rebuilds the
    store unless its fingerprint matches the sources under ``ROOT``. So the run makes a
    small project root (empty ontology/, one curated file naming the synthetic graph),
    builds it with the project's own ``build_store``, bulk-loads the N-Quads on top, and
    leaves the fingerprint marker that ``open_built`` writes after a build.
    """
    from scholargate.build import build_store as project_build
    from scholargate.build import discover, fingerprint, open_built
    from scholargate.store.oxigraph import OxigraphStore

    root = workdir / "root"
    for folder in ("ontology", "shapes"):  # the project's own, as in a real store
        (root / folder).mkdir(parents=True)
        for source in sorted((PROJECT / folder).glob("*.ttl")):
            shutil.copy2(source, root / folder / source.name)
    (root / "data" / "curated").mkdir(parents=True)
    stat = nq.stat()
    (root / "data" / "curated" / "synthetic.ttl").write_text(
        f"# The benchmark graph is bulk-loaded from {nq.name} "
        f"({stat.st_size} bytes, modified {stat.st_mtime_ns}).\n",
        encoding="utf-8",
    )
    path = workdir / "store"
    started = time.perf_counter()
    store = OxigraphStore(path)
    project_build(store, root)
    store.native.bulk_load(path=str(nq), format=_nquads())
    store.optimize()
    quads = store.count()
    store.close()
    del store
    seconds = time.perf_counter() - started
    marker = path.with_name(path.name + ".fingerprint")
    marker.write_text(fingerprint(root, discover(root)) + "\n")
    opened, report = open_built(path, root)  # the server's own check: must not rebuild
    opened.close()
    if report.rebuilt:
        raise SystemExit("open_built rebuilt the benchmark store; bench/run.py needs updating")
    return root, path, seconds, quads


def _nquads() -> Any:
    import pyoxigraph as ox

    return ox.RdfFormat.N_QUADS


# ---- the server -------------------------------------------------------------------------


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _venv_script(name: str) -> Path:
    return Path(sys.executable).parent / name


def server_command(kind: str, port: int, workers: int, threads: int) -> tuple[str, list[str]]:
    """The command that starts the server: ``scholargate serve`` if it exists, else gunicorn."""
    scholargate = _venv_script("scholargate")
    base = [str(scholargate)] if scholargate.exists() else [sys.executable, "-m", "scholargate.cli"]
    if kind in ("auto", "serve"):
        probe = subprocess.run(
            [*base, "serve", "--help"], capture_output=True, text=True, timeout=120, cwd=PROJECT
        )
        if probe.returncode == 0:
            command = [*base, "serve"]
            for option, value in (
                ("--host", "127.0.0.1"),
                ("--port", str(port)),
                ("--workers", str(workers)),
                ("--threads", str(threads)),
            ):
                if option in probe.stdout:
                    command += [option, value]
            return "scholargate serve", command
        if kind == "serve":
            raise SystemExit("`scholargate serve` is not available in this checkout")
    gunicorn = _venv_script("gunicorn")
    command = [
        str(gunicorn) if gunicorn.exists() else "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "5",
        "--no-control-socket",
        "--preload",  # open the store once, before forking: two writers cannot share it
        "--log-level",
        "warning",
        "scholargate.web.app:create_app()",
    ]
    return "gunicorn (gthread, preloaded app)", command


@dataclass
class Server:
    kind: str
    command: list[str]
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None
    ready_seconds: float = 0.0
    peak_pss: int = 0  # bytes, the largest sum over the server's processes
    peak_hwm: int = 0  # bytes, the largest VmHWM of one server process
    processes: int = 0
    ready_path: str = "/-/version"  # a GET that answers 200 once the server is ready
    _stop: threading.Event = field(default_factory=threading.Event)
    _sampler: threading.Thread | None = None

    def start(self, timeout: float = 300.0) -> None:
        started = time.perf_counter()
        handle = self.log.open("wb")
        self.process = subprocess.Popen(
            self.command,
            cwd=self.log.parent,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one below
        )
        deadline = started + timeout
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"the server exited with {self.process.returncode}:\n{self.tail()}"
                )
            with contextlib.suppress(OSError, load.ProtocolError):
                response = load.fetch(
                    "127.0.0.1", self.port, load.Request("GET", self.ready_path), timeout=5
                )
                if response.status == 200:
                    self.ready_seconds = time.perf_counter() - started
                    if re.search(r"^Store .*: built", self.tail(200), re.M):
                        self.stop()
                        raise SystemExit(
                            "the server rebuilt the benchmark store from its sources instead "
                            "of opening it; bench/run.py needs updating"
                        )
                    self._sampler = threading.Thread(target=self._sample, daemon=True)
                    self._sampler.start()
                    return
            time.sleep(0.1)
        self.stop()
        raise SystemExit(f"the server did not answer within {timeout:.0f} s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        """CPU time (user + system) used so far by the server's processes and the children
        they have reaped, such as replaced query processes."""
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
        return total / _CLOCK_TICKS

    def pids(self) -> list[int]:
        """The server process and all its descendants."""
        if self.process is None:
            return []
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
        found, frontier = [self.process.pid], [self.process.pid]
        while frontier:
            frontier = [c for p in frontier for c in children.get(p, [])]
            found += frontier
        return found

    def _sample(self) -> None:
        while not self._stop.wait(0.5):
            self.sample_memory()

    def sample_memory(self) -> None:
        total, pids = 0, self.pids()
        for pid in pids:
            with contextlib.suppress(OSError, ValueError):
                for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) * 1024
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_hwm = max(self.peak_hwm, int(line.split()[1]) * 1024)
        self.peak_pss = max(self.peak_pss, total)
        self.processes = max(self.processes, len(pids))

    def stop(self) -> None:
        self._stop.set()
        if self.process is None or self.process.poll() is not None:
            return
        self.sample_memory()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)


@contextlib.contextmanager
def running_server(
    root: Path, store: Path, workdir: Path, args: argparse.Namespace
) -> Iterator[Server]:
    port = free_port()
    kind, command = server_command(args.server, port, args.workers, args.threads)
    env = dict(os.environ)
    env.update(
        {
            "SCHOLARGATE_ROOT": str(root),
            "SCHOLARGATE_STORE": str(store),
            "SCHOLARGATE_HOST": "127.0.0.1",
            "SCHOLARGATE_PORT": str(port),
            "SCHOLARGATE_WORKERS": str(args.workers),
            "SCHOLARGATE_THREADS": str(args.threads),
            # One client opens `concurrency` connections: let it, or the per-client cap
            # would answer 429 and the run would measure the cap.
            "SCHOLARGATE_CLIENT_CONCURRENCY": str(max(args.concurrency, 4)),
        }
    )
    server = Server(kind, command, port, env, workdir / "server.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def running_peer(store: Path, workdir: Path, kind: str | None) -> Iterator[Server | None]:
    """The ``--peer`` server on the benchmark's store (None without ``--peer``)."""
    if kind is None:
        yield None
        return
    port = free_port()
    name, command = peers.peer_command(kind, store, port)
    server = Server(name, command, port, dict(os.environ), workdir / "peer.log")
    server.ready_path = peers.READY_PATH
    server.start()
    try:
        yield server
    finally:
        server.stop()


# ---- measuring --------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    rows: int | None
    result: load.LoadResult
    note: str = ""
    engine_cpu: float | None = None  # seconds per query, evaluated in-process (measure_engine)
    memory_cpu: float | None = None  # the same on an in-memory store
    peer: Row | None = None  # the same line against the --peer server

    @property
    def server_cpu(self) -> float | None:
        """Server CPU seconds per answered request."""
        r = self.result
        return r.probed / r.requests if r.probed is not None and r.requests else None

    @property
    def client_cpu(self) -> float | None:
        r = self.result
        return r.client_cpu / r.requests if r.requests else None

    def as_json(self, ceiling: float) -> dict[str, Any]:
        r = self.result
        return {
            "name": self.name,
            "rows": self.rows,
            "requests": r.requests,
            "rate": round(r.rate, 1),
            "p50_ms": round(r.percentile(50) * 1000, 3),
            "p99_ms": round(r.percentile(99) * 1000, 3),
            "max_ms": round(max(r.latencies, default=0) * 1000, 3),
            "errors": r.errors,
            "statuses": {str(k): v for k, v in r.statuses.items()},
            "share_of_ceiling": round(r.rate / ceiling, 4) if ceiling else None,
            "engine_cpu_ms": None if self.engine_cpu is None else round(self.engine_cpu * 1000, 3),
            "memory_cpu_ms": None if self.memory_cpu is None else round(self.memory_cpu * 1000, 3),
            "server_cpu_ms": None if self.server_cpu is None else round(self.server_cpu * 1000, 3),
            "client_cpu_ms": None if self.client_cpu is None else round(self.client_cpu * 1000, 3),
            "note": self.note,
            "error_samples": r.error_samples,
            "peer": None if self.peer is None else self.peer.as_json(0),
        }


def count_answer(name: str, response: load.Response) -> int:
    """Rows of a SPARQL JSON answer (ASK: 1 when true), or triples of a Turtle one."""
    if response.headers.get("content-type", "").startswith("text/turtle"):
        from rdflib import Graph

        return len(Graph().parse(data=response.body, format="turtle"))
    answer = json.loads(response.body)
    if "boolean" in answer:  # ASK: one row when true
        return int(bool(answer["boolean"]))
    return len(answer["results"]["bindings"])


def measure_http(
    server: Server,
    queries: dict[str, list[str]],
    args: argparse.Namespace,
    peer: Server | None = None,
) -> tuple[list[Row], list[Row]]:
    """The ceiling (before and after the queries) and one row per query; with a ``peer``,
    each query line is run against it right after ScholarGate (``Row.peer``)."""
    host, port = "127.0.0.1", server.port
    bounds = dict(
        concurrency=args.concurrency,
        duration=args.duration,
        max_requests=args.max_requests,
        warmup=args.warmup,
        probe=server.cpu_seconds,
    )
    ceiling_request = load.Request("GET", args.ceiling_path, (("Accept", "application/json"),))
    ceilings = [
        Row(
            f"ceiling {args.ceiling_path}",
            None,
            load.run_load(host, port, ceiling_request, **bounds),
        )
    ]
    rows = []
    for name, texts in queries.items():
        accept = ACCEPT.get(name, JSON_RESULTS)
        requests = [load.sparql_request(t, accept, method=args.http_method) for t in texts]
        check = load.fetch(host, port, requests[0], timeout=60)
        if check.status != 200:
            note = f"HTTP {check.status}: {check.body[:300].decode('utf-8', 'replace')}"
            print(f"  {name}: {note}", file=sys.stderr)
            rows.append(Row(name, None, load.LoadResult(errors=1), note))
            continue
        answer = count_answer(name, check)
        rows.append(Row(name, answer, load.run_load(host, port, requests, **bounds)))
        print(f"  {name}: {rows[-1].result.rate:.0f} req/s", file=sys.stderr)
        if peer is not None:
            rows[-1].peer = measure_peer(peer, name, texts, accept, answer, args)
    ceilings.append(
        Row(
            f"ceiling {args.ceiling_path} (again)",
            None,
            load.run_load(host, port, ceiling_request, **bounds),
        )
    )
    return ceilings, rows


def measure_peer(
    peer: Server, name: str, texts: list[str], accept: str, rows: int, args: argparse.Namespace
) -> Row:
    """One query line against the ``--peer`` server, checked to give as many rows."""
    requests = [peers.sparql_request(t, accept, method=args.http_method) for t in texts]
    check = load.fetch("127.0.0.1", peer.port, requests[0], timeout=60)
    if check.status != 200:
        note = f"HTTP {check.status}: {check.body[:300].decode('utf-8', 'replace')}"
        print(f"  {name} ({peer.kind}): {note}", file=sys.stderr)
        return Row(name, None, load.LoadResult(errors=1), note)
    answer = count_answer(name, check)
    note = "" if answer == rows else f"{answer} rows, not {rows}"
    bounds = dict(
        concurrency=args.concurrency,
        duration=args.duration,
        max_requests=args.max_requests,
        warmup=args.warmup,
        probe=peer.cpu_seconds,
    )
    row = Row(name, answer, load.run_load("127.0.0.1", peer.port, requests, **bounds), note)
    print(f"  {name} ({peer.kind}): {row.result.rate:.0f} req/s", file=sys.stderr)
    return row


@dataclass
class RdflibRow:
    name: str
    rows: int | None
    latencies: list[float]
    timed_out: float | None = None  # the seconds a first run did not finish within
    cpu: float | None = None  # CPU seconds per run

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")


def _rdflib_runs(dataset: Any, sparql: str, iterations: int, budget: float, pipe: Any) -> None:
    """In a forked child: run one query up to ``iterations`` times; send the row count, the
    latencies and the CPU seconds per run."""
    from rdflib.plugins.sparql import prepareQuery

    prepared = prepareQuery(sparql)
    latencies: list[float] = []
    count = 0
    spent = time.perf_counter()
    cpu = time.process_time()
    for _ in range(iterations):
        began = time.perf_counter()
        result = dataset.query(prepared)
        kind = result.type
        if kind in ("CONSTRUCT", "DESCRIBE"):
            count = len(result.graph)
        elif kind == "ASK":
            count = int(bool(result.askAnswer))
        else:
            count = len(list(result))
        latencies.append(time.perf_counter() - began)
        if time.perf_counter() - spent > budget:
            break
    pipe.send((count, latencies, (time.process_time() - cpu) / len(latencies)))
    pipe.close()


def measure_engine(
    store_path: Path, nq: Path, queries: dict[str, str], rows: list[Row], budget: float = 5.0
) -> None:
    """Each query evaluated in this process by pyoxigraph, answer serialised by Oxigraph:
    the CPU time of evaluation alone, without HTTP, checks or the query process hop. Once
    on the same on-disk store (read only, as the server's query processes open it), once
    on an in-memory store loaded from the same file."""
    import pyoxigraph as ox

    def cpu_per_query(store: ox.Store, sparql: str) -> float:
        def once() -> None:
            answer = store.query(sparql, use_default_graph_as_union=True)
            if isinstance(answer, ox.QueryTriples):
                answer.serialize(format=ox.RdfFormat.TURTLE)
            else:
                answer.serialize(format=ox.QueryResultsFormat.JSON)

        once()  # warm the caches, as the HTTP warm-up does
        runs, cpu = 0, time.process_time()
        wall_end = time.perf_counter() + budget
        while runs < 200 and (runs < 3 or time.perf_counter() < wall_end):
            once()
            runs += 1
        return (time.process_time() - cpu) / runs

    by_name = {r.name: r for r in rows if r.rows is not None}
    disk = ox.Store.read_only(str(store_path))
    for name, sparql in queries.items():
        if name in by_name:
            by_name[name].engine_cpu = cpu_per_query(disk, sparql)
    memory = ox.Store()
    memory.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    for name, sparql in queries.items():
        if name in by_name:
            by_name[name].memory_cpu = cpu_per_query(memory, sparql)


def measure_rdflib(
    nq: Path, queries: dict[str, str], iterations: int, budget: float
) -> tuple[float, list[RdflibRow]]:
    """Parse the graph into rdflib's memory store and time each query ``iterations`` times,
    prepared once, stopping a query once it has used ``budget`` seconds.

    rdflib cannot be interrupted, so each query runs in a child forked after parsing (the
    parsed graph is shared, not copied); a child still busy after ``budget`` seconds plus a
    grace period is killed and the query reported as slower than that.
    """
    import multiprocessing

    from rdflib import Dataset

    started = time.perf_counter()
    dataset = Dataset(default_union=True)
    dataset.parse(str(nq), format="nquads")
    parse_seconds = time.perf_counter() - started
    fork = multiprocessing.get_context("fork")
    limit = budget * 1.5 + 5
    rows = []
    for name, sparql in queries.items():
        receiver, sender = fork.Pipe(duplex=False)
        child = fork.Process(
            target=_rdflib_runs, args=(dataset, sparql, iterations, budget, sender), daemon=True
        )
        child.start()
        sender.close()
        if receiver.poll(limit):
            count, latencies, cpu = receiver.recv()
            rows.append(RdflibRow(name, count, latencies, cpu=cpu))
            note = f"{statistics.median(latencies) * 1000:.1f} ms"
        else:
            child.kill()
            rows.append(RdflibRow(name, None, [], timed_out=limit))
            note = f"stopped after {limit:.0f} s"
        child.join(timeout=30)
        receiver.close()
        print(f"  rdflib {name}: {note}", file=sys.stderr)
    return parse_seconds, rows


# ---- reporting --------------------------------------------------------------------------


def times(ratio: float) -> str:
    return f"{ratio:,.1f}×" if ratio < 10 else f"{ratio:,.0f}×"


def fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}" if seconds == seconds else "-"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    right = [i > 0 for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def report(summary: dict[str, Any], ceilings: list[Row], rows: list[Row], rdflib: Any) -> str:
    out = io.StringIO()
    p = out.write
    ceiling = max(c.result.rate for c in ceilings)
    s = summary
    p(f"ScholarGate SPARQL benchmark, {s['date']} on {s['machine']}\n")
    p(
        f"graph: {s['methods']:,} methods, {s['quads']:,} quads (generated in "
        f"{s['generate_s']:.1f} s; store built in {s['build_s']:.1f} s)\n"
    )
    p(
        f"server: {s['server']} ({s.get('allocator', '?')}), {s['workers']} workers"
        # serve's gevent workers have no thread pool; the gunicorn fallback's gthread has
        + ("" if s["server"] == "scholargate serve" else f" x {s['threads']} threads")
        + ", ready in "
        f"{s['ready_s']:.1f} s; peak memory {s['peak_pss_mb']:.0f} MB (PSS summed over "
        f"{s['processes']} processes; largest process {s['peak_hwm_mb']:.0f} MB)\n"
    )
    p(
        f"client: {s['concurrency']} keep-alive connections, {s['duration']:.0f} s per line "
        f"after {s['warmup']:.1f} s warm-up, {s['http_method']} /sparql"
        + (f", each query in {s['vary']} variants" if s.get("vary", 1) > 1 else "")
        + "; load average "
        f"{s['load_before']} before, {s['load_after']} after\n\n"
    )
    body = []
    cheapest = min((c.server_cpu for c in ceilings if c.server_cpu), default=None)
    for row in [*ceilings, *rows]:
        r = row.result
        ceiling_line = row.name.startswith("ceiling")
        share = f"{r.rate / ceiling:.0%}" if ceiling and not ceiling_line else ""
        cpu_share = (
            f"{cheapest / row.server_cpu:.0%}"
            if cheapest and row.server_cpu and not ceiling_line
            else ""
        )
        body.append(
            [
                row.name,
                "" if row.rows is None else str(row.rows),
                f"{r.rate:,.0f}",
                fmt_ms(r.percentile(50)),
                fmt_ms(r.percentile(99)),
                fmt_ms(max(r.latencies, default=float("nan"))),
                str(r.errors),
                share,
                "" if row.memory_cpu is None else f"{row.memory_cpu * 1000:.2f}",
                "" if row.engine_cpu is None else f"{row.engine_cpu * 1000:.2f}",
                "-" if row.server_cpu is None else f"{row.server_cpu * 1000:.2f}",
                "-" if row.client_cpu is None else f"{row.client_cpu * 1000:.2f}",
                cpu_share,
            ]
        )
    headers = ["HTTP", "rows", "req/s", "p50 ms", "p99 ms", "max ms", "errors", "of ceiling"]
    extra = ["memory CPU ms", "engine CPU ms", "server CPU ms", "client CPU ms"]
    extra.append("of ceiling by CPU")
    p(table([*headers, *extra], body))
    p("\n")
    p(
        "(engine CPU ms: pyoxigraph alone on the same store, in-process, per query; memory CPU "
        "ms: the same on an in-memory store; server and "
        "client CPU ms: CPU time per request of all the server's processes and of this client; "
        "'of ceiling by CPU': ceiling CPU per request / this line's, which a busy machine "
        "disturbs less than req/s)\n"
    )
    for row in rows:
        if row.note:
            p(f"  {row.name}: {row.note}\n")
        for sample in row.result.error_samples:
            p(f"  {row.name}: {sample}\n")
        if row.peer is not None:
            if row.peer.note:
                p(f"  {row.name} ({s.get('peer')}): {row.peer.note}\n")
            for sample in row.peer.result.error_samples:
                p(f"  {row.name} ({s.get('peer')}): {sample}\n")
    if s.get("peer"):
        p(peers.side_by_side(rows, s["peak_pss_mb"], s["peer_pss_mb"], s["peer"]))
    if rdflib is not None:
        parse_seconds, rdf_rows = rdflib
        by_name = {r.name: r for r in rows}
        body = []
        for rr in rdf_rows:
            server = by_name.get(rr.name)
            ok = server is not None and bool(server.result.latencies)
            server_p50 = server.result.percentile(50) if ok else None
            server_cpu = server.server_cpu if ok else None
            same = server is not None and server.rows == rr.rows
            if rr.timed_out is not None:  # lower bounds
                rdf_p50 = rdf_cpu = f"> {rr.timed_out * 1000:,.0f}"
                rr_p50 = rr_cpu = rr.timed_out
                more = "> "
            else:
                rdf_p50, rr_p50, more = fmt_ms(rr.p50), rr.p50, ""
                rr_cpu = rr.cpu or float("nan")
                rdf_cpu = fmt_ms(rr_cpu)
            body.append(
                [
                    rr.name,
                    "-" if rr.rows is None else str(rr.rows) + ("" if same else " (≠)"),
                    str(len(rr.latencies)),
                    rdf_p50,
                    rdf_cpu,
                    fmt_ms(server_p50) if server_p50 else "-",
                    fmt_ms(server_cpu) if server_cpu else "-",
                    more + times(rr_p50 / server_p50) if server_p50 else "-",
                    more + times(rr_cpu / server_cpu) if server_cpu else "-",
                ]
            )
        p(
            f"\nrdflib {summary['rdflib_version']} in memory (Dataset, default graph = union; "
            f"parsed in {parse_seconds:.1f} s; prepared queries, one thread), against the "
            "server's HTTP answers above (latency under load; CPU per request)\n"
        )
        headers = ["rdflib", "rows", "runs", "p50 ms", "CPU ms", "server p50 ms"]
        p(table([*headers, "server CPU ms", "× by latency", "× by CPU"], body))
        p("\n")
    for comparison in (r for r in rows if r.name in ("comparison", SERVICE_QUERY)):
        r = comparison.result
        checks = [
            (
                f"comparison ≥ {TARGET_SHARE:.0%} of the ceiling",
                bool(ceiling) and r.rate / ceiling >= TARGET_SHARE,
            ),
            (f"comparison p99 < {TARGET_P99 * 1000:.0f} ms", r.percentile(99) < TARGET_P99),
            ("no errors under load", all(x.result.errors == 0 for x in [*rows, *ceilings])),
        ]
        p(
            f"\ntargets (issue 3), {comparison.name}: "
            + "; ".join(f"{t}: {'met' if ok else 'NOT met'}" for t, ok in checks)
            + "\n"
        )
    return out.getvalue()


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def use_allocator(choice: str) -> None:
    """Run this script (in-process engine numbers) and the server it starts on the same
    allocator as ``scholargate serve`` would: jemalloc when installed, unless told."""
    os.environ["SCHOLARGATE_ALLOCATOR"] = choice
    try:
        from scholargate.allocator import restart_with
    except ImportError:  # a checkout from before the allocator setting
        return
    restart_with(choice, script=True)


def allocator_name() -> str:
    return "jemalloc" if "jemalloc" in os.environ.get("LD_PRELOAD", "") else "system allocator"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per line")
    parser.add_argument("--concurrency", type=int, default=8, help="keep-alive connections")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per line, a bound")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before measuring")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--server", choices=("auto", "serve", "gunicorn"), default="auto")
    parser.add_argument("--http-method", choices=("POST", "GET"), default="POST")
    parser.add_argument("--ceiling-path", default="/-/version")
    parser.add_argument("--queries", nargs="*", help="only these (file stems of bench/queries)")
    parser.add_argument(
        "--vary",
        type=int,
        default=1,
        help="send each query with this many different methods/aliases/paths (at most 64), "
        "so that no answer cache can serve the run",
    )
    parser.add_argument("--rdflib-iterations", type=int, default=5, help="0 skips rdflib")
    parser.add_argument("--rdflib-budget", type=float, default=30.0, help="seconds per query")
    parser.add_argument("--regenerate", action="store_true", help="write the graph again")
    parser.add_argument(
        "--data", type=Path, default=BENCH / "data", help="where generated graphs are kept"
    )
    parser.add_argument("--workdir", type=Path, help="keep the store and server log here")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument(
        "--peer",
        choices=peers.PEERS,
        help="also run each line against this server on the same store (bench/peer.py)",
    )
    parser.add_argument(
        "--allocator",
        choices=("auto", "jemalloc", "system"),
        default="auto",
        help="for this script and the server (SCHOLARGATE_ALLOCATOR), as `serve` chooses it",
    )
    args = parser.parse_args(argv)
    use_allocator(args.allocator)

    import rdflib

    load_before = loadavg()
    nq, plan, generate_seconds = ensure_data(args.methods, args.seed, args.regenerate, args.data)
    if not 1 <= args.vary <= 64:
        parser.error("--vary must be between 1 and 64")
    if args.vary > 1 and "variants" not in plan:  # a graph from before variants existed
        nq, plan, generate_seconds = ensure_data(args.methods, args.seed, True, args.data)
    queries = load_queries(plan, args.queries, args.vary)
    first = {name: texts[0] for name, texts in queries.items()}
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="scholargate-bench-"))
    if args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        print(f"building the store in {workdir} …", file=sys.stderr)
        root, store, build_seconds, quads = build_store(nq, workdir)
        with (
            running_server(root, store, workdir, args) as server,
            running_peer(store, workdir, args.peer) as peer,
        ):
            print(f"{server.kind} on port {server.port}; measuring …", file=sys.stderr)
            ceilings, rows = measure_http(server, queries, args, peer)
            server.sample_memory()
            if peer is not None:
                peer.sample_memory()
        load_after = loadavg()
        print("pyoxigraph in-process …", file=sys.stderr)
        measure_engine(store, nq, first, rows)
        rdflib_result = None
        if args.rdflib_iterations > 0:
            print("rdflib: parsing the graph …", file=sys.stderr)
            rdflib_result = measure_rdflib(nq, first, args.rdflib_iterations, args.rdflib_budget)
        summary = {
            "date": dt.datetime.now().astimezone().isoformat(timespec="minutes"),
            "machine": f"{os.cpu_count()} CPUs, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}",
            "methods": args.methods,
            "quads": quads,
            "generate_s": generate_seconds,
            "build_s": build_seconds,
            "server": server.kind,
            "allocator": allocator_name(),
            "workers": args.workers,
            "threads": args.threads,
            "ready_s": server.ready_seconds,
            "peak_pss_mb": server.peak_pss / 2**20,
            "peak_hwm_mb": server.peak_hwm / 2**20,
            "processes": server.processes,
            "concurrency": args.concurrency,
            "duration": args.duration,
            "warmup": args.warmup,
            "http_method": args.http_method,
            "vary": args.vary,
            "load_before": load_before,
            "load_after": load_after,
            "rdflib_version": rdflib.__version__,
            "peer": None if peer is None else peer.kind,
            "peer_pss_mb": 0.0 if peer is None else peer.peak_pss / 2**20,
        }
        text = report(summary, ceilings, rows, rdflib_result)
        print(text)
        ceiling = max(c.result.rate for c in ceilings)
        document = {
            **summary,
            "ceiling": [c.as_json(ceiling) for c in ceilings],
            "queries": [r.as_json(ceiling) for r in rows],
            "rdflib": None
            if rdflib_result is None
            else {
                "parse_s": rdflib_result[0],
                "queries": [
                    {
                        "name": r.name,
                        "rows": r.rows,
                        "p50_ms": None if r.timed_out else r.p50 * 1000,
                        "cpu_ms": None if r.cpu is None else r.cpu * 1000,
                        "timed_out_s": r.timed_out,
                        "runs": len(r.latencies),
                    }
                    for r in rdflib_result[1]
                ],
            },
            "table": text,
        }
        results = args.json or (
            BENCH / "results" / f"{dt.datetime.now():%Y%m%d-%H%M%S}-{size_label(args.methods)}.json"
        )
        results.parent.mkdir(parents=True, exist_ok=True)
        results.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        print(f"(results written to {results})", file=sys.stderr)
        failed = any(r.result.errors for r in rows) or any(c.result.errors for c in ceilings)
        return 1 if failed else 0
    finally:
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
