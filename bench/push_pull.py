"""``scholargate push`` and ``pull`` of the bundled graph with the Oxigraph server.

Builds the bundled graph on disk in a temporary folder, starts ``oxigraph serve`` on a
free loopback port with a throwaway database, and times, the median of ``--repeat``
runs each, on an emptied server:

- the baseline: what ``scholargate build`` with a URL as the store does, every source
  loaded into the server (``build_store`` over the remote store);
- ``push`` by the Graph Store Protocol and by SPARQL Update (pieces of ``--piece``);
- ``push`` again onto a server that has everything (every graph skipped by its count);
- ``pull`` into a new on-disk store, by Graph Store GETs and by CONSTRUCT;
- and, once each, the ``scholargate push`` and ``pull`` commands as a person runs them
  (a new process: start-up and opening the store included).

Prints one table with the ratio of each to the baseline.

    .venv/bin/python bench/push_pull.py --repeat 5
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from scholargate.build import build_store, open_built, replace_store  # noqa: E402
from scholargate.store import Store, new_store, remote_store  # noqa: E402
from scholargate.store.moving import pull, push  # noqa: E402


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    program = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [program, "serve", "--location", str(folder / "db"), "--bind", url[7:]],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ends = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=2):
                return process, url
        except OSError:
            if process.poll() is not None or time.monotonic() > ends:
                raise SystemExit("the Oxigraph server did not start") from None
            time.sleep(0.05)


def timed(run: Callable[[], object], before: Callable[[], object], repeat: int) -> list[float]:
    seconds = []
    for _ in range(repeat):
        before()
        began = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - began)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--piece", type=int, default=20000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="scholargate-bench-push-"))
    process, url = start_server(work)
    try:
        path = work / "store"
        local, _ = open_built(path, ROOT)
        quads = local.count()
        remote = remote_store(f"{url}/query", update_url=f"{url}/update", gsp_url=f"{url}/store")
        by_update = remote_store(f"{url}/query", update_url=f"{url}/update")
        by_construct = remote_store(f"{url}/query")

        def empty() -> None:
            remote.clear()

        def pulled(source: Store) -> Callable[[], object]:
            graphs = remote.graph_names()

            def run() -> object:
                return replace_store(
                    work / "copy", lambda store: pull(source, store, graphs), pulled=url
                )

            return run

        rows: list[tuple[str, list[float]]] = []
        rows.append(
            (
                "build into the server (baseline)",
                timed(lambda: build_store(remote, ROOT, own_graphs_only=True), empty, args.repeat),
            )
        )
        for name, target in (("push, Graph Store Protocol", remote), ("push, Update", by_update)):
            rows.append(
                (name, timed(lambda t=target: push(local, t, piece=args.piece), empty, args.repeat))
            )
        rows.append(
            ("push again (all skipped)", timed(lambda: push(local, remote), lambda: None, 3))
        )
        rows.append(("pull, Graph Store GET", timed(pulled(remote), lambda: None, args.repeat)))
        rows.append(("pull, CONSTRUCT", timed(pulled(by_construct), lambda: None, args.repeat)))
        local.close()
        command = [sys.executable, "-m", "scholargate.cli", "--root", str(ROOT)]
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        doors = ["--gsp", f"{url}/store"]
        for name, more in (
            ("`scholargate push` (a new process)", ["push", "--to", f"{url}/query", *doors]),
            (
                "`scholargate pull` (a new process)",
                ["pull", "--from", f"{url}/query", *doors],
            ),
        ):
            if "push" in more:
                empty()
            store = str(path if "push" in more else work / "copy2")
            began = time.perf_counter()
            subprocess.run([*command, "--store", store, *more], env=env, check=True, stdout=-3)
            rows.append((name, [time.perf_counter() - began]))
        check = new_store(work / "copy2", read_only=True)
        assert check.count() == quads, (check.count(), quads)
        check.close()
        for store in (remote, by_update, by_construct):
            store.close()
    finally:
        process.terminate()
        process.wait()
        shutil.rmtree(work, ignore_errors=True)

    base = statistics.median(rows[0][1])
    print(f"bundled graph: {quads} quads; Oxigraph server on loopback; piece {args.piece}")
    print(f"{'what':<38} {'median s':>9} {'min s':>7} {'× baseline':>10}")
    for name, seconds in rows:
        median = statistics.median(seconds)
        print(f"{name:<38} {median:>9.3f} {min(seconds):>7.3f} {median / base:>10.2f}")


if __name__ == "__main__":
    main()
