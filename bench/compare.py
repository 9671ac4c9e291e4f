"""Benchmark of the comparison view (issue 4): the service and the HTML page.

    .venv/bin/python bench/compare.py --methods 100000
    .venv/bin/python bench/compare.py --methods 10000 --rdflib

Targets (100,000 methods, this 2-core machine): the service p50 under 5 ms; the HTML
page p50 under 15 ms end to end over loopback. Printed next to baselines measured in
the same run: the engine alone (Oxigraph evaluating the service's own generated query,
no Python on top) and, with --rdflib, rdflib's in-memory engine on the same query.

Uses bench/generate.py's synthetic graph and bench/run.py's store and server helpers,
so the store is the one the endpoint benchmark measures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load  # noqa: E402
import run  # noqa: E402


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered), p99


def trios(plan_methods: list[str], n: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    return [rng.sample(plan_methods, 3) for _ in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", type=int, default=100000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--requests", type=int, default=300, help="HTML page requests")
    parser.add_argument("--rdflib", action="store_true", help="also time rdflib (slow)")
    parser.add_argument(
        "--memory",
        action="store_true",
        help="also time the service on an in-memory copy of the store (serve --memory)",
    )
    parser.add_argument("--data", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--allocator", choices=("auto", "jemalloc", "system"), default="auto")
    args = parser.parse_args(argv)
    run.use_allocator(args.allocator)

    from scholargate.services.compare import Comparer, build_query
    from scholargate.store.oxigraph import OxigraphStore

    args.data.mkdir(exist_ok=True)
    nq, plan, gen_s = run.ensure_data(args.methods, args.seed, False, args.data)
    with tempfile.TemporaryDirectory(prefix="sg-bench-compare-") as tmp:
        workdir = Path(tmp)
        root, path, build_s, quads = run.build_store(nq, workdir)
        print(
            f"graph: {args.methods} methods, {quads} quads; built in {build_s:.1f} s; "
            f"{run.allocator_name()}"
        )
        store = OxigraphStore(path, read_only=True)
        methods = [str(m).rsplit("/", 1)[-1] for m in _method_iris(store, 2000)]
        picks = trios(methods, args.iterations)
        service, engine = _service_and_engine(store, picks)
        rows = [
            ["comparison service (3 methods, fa)", *map(run.fmt_ms, percentiles(service))],
            ["engine alone (the same generated query)", *map(run.fmt_ms, percentiles(engine))],
        ]
        if args.memory:
            memory = _in_memory(store, workdir)
            service_m, engine_m = _service_and_engine(memory, picks)
            rows.append(["in memory: comparison service", *map(run.fmt_ms, percentiles(service_m))])
            rows.append(["in memory: engine alone", *map(run.fmt_ms, percentiles(engine_m))])
            del memory
        if args.rdflib:
            comparer = Comparer(store)
            queries = [build_query(comparer.rows, comparer.resolve(t)) for t in picks]
            rows.append(["rdflib in-memory engine (same query)", *_rdflib(nq, queries)])
        store.close()

        args.server, args.workers, args.threads, args.concurrency = "serve", 2, 4, 1
        with run.running_server(root, path, workdir, args) as server:
            paths = [f"/compare?m={quote(','.join(t))}&lang=fa" for t in picks]
            samples: list[float] = []
            conn = load.Connection("127.0.0.1", server.port, 30.0)  # keep-alive, as a browser
            try:
                for timed_pass in (False, True):  # the first pass warms the server's caches
                    for p in paths[: args.requests]:
                        wire = load.Request("GET", p, (("Accept", "text/html"),)).encode(
                            "127.0.0.1", server.port
                        )
                        started = time.perf_counter()
                        response = conn.exchange(wire)
                        if timed_pass:
                            samples.append(time.perf_counter() - started)
                        if response.status != 200:
                            raise SystemExit(f"{p}: HTTP {response.status}")
            finally:
                conn.close()
            rows.append(
                ["HTML page over loopback (one client)", *map(run.fmt_ms, percentiles(samples))]
            )

    print(run.table(["what", "p50", "p99"], rows))
    s50, e50 = percentiles(service)[0], percentiles(engine)[0]
    print(f"service / engine alone: {s50 / e50:.2f}× (Python assembly on top of the query)")
    print("targets: service p50 < 5 ms, page p50 < 15 ms (100,000 methods)")
    print(f"load average: {run.loadavg()}")
    return 0


def _service_and_engine(store, picks: list[list[str]]) -> tuple[list[float], list[float]]:  # noqa: ANN001
    """The comparison service and Oxigraph alone on its generated query, per trio: one
    untimed pass first, then the two alternate, so that neither pays for cold caches the
    other warmed."""
    import pyoxigraph as ox

    from scholargate.services.compare import Comparer, build_query

    comparer = Comparer(store)
    comparer.compare(picks[0], "fa")  # rows, row names and the method index, read once
    queries = [build_query(comparer.rows, comparer.resolve(t)) for t in picks]
    native = store.native
    tsv = ox.QueryResultsFormat.TSV

    def engine_run(query: str) -> None:  # evaluated and written in Rust, as the service reads it
        native.query(query, use_default_graph_as_union=True).serialize(format=tsv)

    for query in queries:
        engine_run(query)
    service: list[float] = []
    engine: list[float] = []
    for i, (trio, query) in enumerate(zip(picks, queries, strict=True)):
        pair = [
            (service, lambda trio=trio: comparer.compare(trio, "fa")),
            (engine, lambda query=query: engine_run(query)),
        ]
        for samples, fn in pair if i % 2 else reversed(pair):  # each goes first half the time
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
    return service, engine


def _in_memory(store, workdir: Path):  # noqa: ANN001, ANN202
    """An in-memory copy of ``store`` (every graph), as ``serve --memory`` would hold."""
    import pyoxigraph as ox

    from scholargate.store.oxigraph import OxigraphStore

    dump = workdir / "all.nq"
    store.native.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    memory = OxigraphStore(None)
    started, before = time.perf_counter(), _rss_mb()
    memory.native.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
    print(
        f"in-memory copy: loaded in {time.perf_counter() - started:.0f} s, "
        f"{_rss_mb() - before:,.0f} MB more resident memory in this process"
    )
    dump.unlink()
    return memory


def _rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def _method_iris(store, n: int) -> list[str]:  # noqa: ANN001
    rows = store.select(
        "SELECT ?m WHERE { ?m a <https://w3id.org/scholargate/ontology#Method> } LIMIT " + str(n)
    )
    return [str(r["m"]) for r in rows]


def _rdflib(nq: Path, queries: list[str]) -> list[str]:
    from rdflib import Dataset

    dataset = Dataset(default_union=True)
    started = time.perf_counter()
    dataset.parse(nq, format="nquads")
    print(f"rdflib parsed {nq.name} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    samples = []
    for q in queries[:5]:
        started = time.perf_counter()
        list(dataset.query(q))
        samples.append(time.perf_counter() - started)
    return list(map(run.fmt_ms, percentiles(samples)))


if __name__ == "__main__":
    sys.exit(main())
