"""Memory of `scholargate serve` (PSS per process) with and without the in-memory copy,
and what pages cost either way (issue 18).

    .venv/bin/python bench/memory.py --methods 10000
    .venv/bin/python bench/memory.py --config copy=:default disk=:0 old=/older/checkout/src:default

Starts one `serve` (2 workers) per configuration ``LABEL=SRC:MEMORY_COPY``, side by side,
each on its own copy of bench/run.py's store: SRC is the ``src`` folder of the code it
runs (empty: this checkout's), MEMORY_COPY ``default`` (the workers answer from a copy
in memory) or a number (``0``: from the store on disk). Each is warmed with comparison
pages and method pages over four keep-alive connections (so that both workers serve
some), then every process's PSS is read from ``/proc/PID/smaps_rollup``; then the same
pages are timed from one connection per server, the servers taking turns request by
request, so that none is timed in a quieter moment of the machine than another.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import compare  # noqa: E402
import load  # noqa: E402
import run  # noqa: E402

SRC = Path(__file__).resolve().parent.parent / "src"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--requests", type=int, default=300, help="timed pages per server")
    parser.add_argument("--warmup", type=int, default=1000, help="pages before the PSS")
    parser.add_argument(
        "--config", nargs="+", default=["copy=:default", "disk=:0"], help="LABEL=SRC:MEMORY_COPY"
    )
    parser.add_argument("--data", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args(argv)

    from scholargate.store.oxigraph import OxigraphStore

    args.data.mkdir(exist_ok=True)
    nq, _plan, _ = run.ensure_data(args.methods, args.seed, False, args.data)
    rows = []
    with (
        tempfile.TemporaryDirectory(prefix="sg-bench-memory-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        servers = []
        for config in args.config:
            label, _, rest = config.partition("=")
            src, _, copy = rest.rpartition(":")
            workdir = Path(tmp) / label
            workdir.mkdir()
            root, path, build_s, quads = run.build_store(nq, workdir)
            print(f"{label}: {args.methods} methods, {quads} quads; built in {build_s:.1f} s")
            server = stack.enter_context(_started(root, path, workdir, src or str(SRC), copy))
            servers.append((label, copy, server))
        store = OxigraphStore(path, read_only=True)
        slugs = [m.rsplit("/", 1)[-1] for m in compare._method_iris(store, 2000)]
        store.close()
        rng = random.Random(args.seed)
        pages = [f"/compare?m={quote(','.join(rng.sample(slugs, 3)))}&lang=fa" for _ in range(800)]
        pages += [f"/method/{rng.choice(slugs)}?lang=en" for _ in range(800)]
        rng.shuffle(pages)
        pss = {}
        for label, _copy, server in servers:
            conns = [load.Connection("127.0.0.1", server.port, 60.0) for _ in range(4)]
            try:
                for i, page in enumerate(pages[: args.warmup]):
                    _get(conns[i % len(conns)], server.port, page)
            finally:
                for conn in conns:
                    conn.close()
            time.sleep(1.0)
            pss[label] = [_pss_kb(pid) for pid in server.pids()]
        samples: dict[str, list[float]] = {label: [] for label, _, _ in servers}
        conns = {label: load.Connection("127.0.0.1", s.port, 60.0) for label, _, s in servers}
        try:
            for i, page in enumerate(pages[: args.requests]):
                order = servers[i % len(servers) :] + servers[: i % len(servers)]
                for label, _copy, server in order:
                    started = time.perf_counter()
                    _get(conns[label], server.port, page)
                    samples[label].append(time.perf_counter() - started)
        finally:
            for conn in conns.values():
                conn.close()
        for label, copy, server in servers:
            p50, p99 = compare.percentiles(samples[label])
            each = " ".join(f"{kb / 1024:.0f}" for kb in pss[label] if kb)
            total = sum(pss[label]) / 1024
            rows.append(
                [label, copy, f"{server.ready_seconds:.1f}", f"{total:.0f}", each]
                + [run.fmt_ms(p50), run.fmt_ms(p99)]
            )
    head = ["config", "MEMORY_COPY", "ready s", "PSS MB", "per process MB (master first)"]
    print(run.table([*head, "page p50", "page p99"], rows))
    print(f"after {args.warmup} warm-up pages; timed: {args.requests} pages a server, in turn")
    print(f"load average: {run.loadavg()}")
    return 0


@contextlib.contextmanager
def _started(root: Path, path: Path, workdir: Path, src: str, copy: str):  # noqa: ANN202
    ns = argparse.Namespace(server="serve", workers=2, threads=4, concurrency=4)
    saved = {k: os.environ.get(k) for k in ("SCHOLARGATE_MEMORY_COPY", "PYTHONPATH")}
    os.environ["PYTHONPATH"] = src
    if copy != "default":
        os.environ["SCHOLARGATE_MEMORY_COPY"] = copy
    else:
        os.environ.pop("SCHOLARGATE_MEMORY_COPY", None)
    try:
        with run.running_server(root, path, workdir, ns) as server:
            for key, value in saved.items():  # the next server chooses its own
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            yield server
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _get(conn: load.Connection, port: int, page: str) -> None:
    wire = load.Request("GET", page, (("Accept", "text/html"),)).encode("127.0.0.1", port)
    try:
        response = conn.exchange(wire)
    except ConnectionError:  # the server closed a keep-alive connection: once more
        conn.close()
        response = conn.exchange(wire)
    if response.status != 200:
        raise SystemExit(f"{page}: HTTP {response.status}")


def _pss_kb(pid: int) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
