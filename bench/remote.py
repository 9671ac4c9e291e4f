"""Benchmark of the remote store (issue 13): the bundled graph on the embedded store, the
Oxigraph server and Virtuoso, side by side in one run.

    .venv/bin/python bench/remote.py                 # both servers, 50 comparisons each
    .venv/bin/python bench/remote.py --servers virtuoso --repeat 200

For each store: the time to load the bundled graph (the project's ``build_store``: the
Graph Store Protocol for each source, then the build's own updates and counts), whether
every named graph holds as many triples as on the embedded store, and the latency of
the seed comparison (``multi-head-self-attention, bert-fine-tuning, lora`` in Persian:
the comparison service in-process, its one SPARQL query sent to the server) — p50 and
p90 over ``--repeat`` runs after two warm-ups, and the ratio of p50s to the embedded
store's. Each server is started as the tests start it (``tests/conftest.py``: loopback,
a throwaway database in a temporary folder), and stopped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scholargate.build import build_store  # noqa: E402
from scholargate.render.comparison import to_json  # noqa: E402
from scholargate.services.compare import comparer_for  # noqa: E402
from scholargate.store import Store  # noqa: E402
from scholargate.store.oxigraph import OxigraphStore  # noqa: E402
from scholargate.store.remote import RemoteStore  # noqa: E402
from tests.conftest import OxigraphServer, SparqlServer, VirtuosoServer  # noqa: E402

SEEDS = ["multi-head-self-attention", "bert-fine-tuning", "lora"]
KINDS = {"oxigraph": OxigraphServer, "virtuoso": VirtuosoServer}


def measure(store: Store, repeat: int) -> tuple[float, float, dict]:
    """p50 and p90 (seconds) of the seed comparison on ``store``, and its JSON."""
    comparer = comparer_for(store)
    for _ in range(2):
        found = to_json(comparer.compare(SEEDS, "fa"))
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        comparer.compare(SEEDS, "fa")
        times.append(time.perf_counter() - began)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))], found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", default="oxigraph,virtuoso", help="comma-separated")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    began = time.perf_counter()
    embedded = OxigraphStore()
    build_store(embedded, ROOT)
    loaded = time.perf_counter() - began
    expected = {g: embedded.count(g) for g in embedded.graph_names()}
    p50, p90, seed = measure(embedded, args.repeat)
    lines = [("embedded (in memory)", loaded, "yes", p50, p90, 1.0)]

    for name in filter(None, args.servers.split(",")):
        with tempfile.TemporaryDirectory() as folder:
            server: SparqlServer = KINDS[name](Path(folder))
            try:
                store = RemoteStore(server.query_url, **server.store_options())  # type: ignore[arg-type]
                store.clear()
                began = time.perf_counter()
                build_store(store, ROOT)
                loaded = time.perf_counter() - began
                counts = {g: store.count(g) for g in store.graph_names()}
                equal = "yes" if counts == expected else f"NO: {counts}"
                there50, there90, answer = measure(store, args.repeat)
                if answer != seed:
                    equal += ", seed comparison DIFFERS"
                lines.append((f"{name} server", loaded, equal, there50, there90, there50 / p50))
                store.close()
            finally:
                server.stop()

    print(
        f"bundled graph: {sum(expected.values())} triples in {len(expected)} graphs; "
        f"seed comparison x{args.repeat}"
    )
    head = ("store", "load s", "counts equal", "p50 ms", "p90 ms", "p50 ratio")
    print("{:<22} {:>7}  {:<14} {:>7} {:>7} {:>9}".format(*head))
    for store_name, load_s, equal, m50, m90, ratio in lines:
        print(
            f"{store_name:<22} {load_s:7.2f}  {equal:<14} {m50 * 1000:7.2f} {m90 * 1000:7.2f} "
            f"{ratio:9.2f}"
        )


if __name__ == "__main__":
    main()
