"""Benchmark of ``sg:label`` on a SPARQL server (issue 13): the same label query on the
embedded store (the function evaluated by pyoxigraph) and on the Oxigraph server (each
call written out in standard SPARQL, ``store/remote/labels.py``), beside the label
lookup written by hand with OPTIONAL/COALESCE (no sort key: the first label found per
language, so not the same rule) on both.

    .venv/bin/python bench/remote_label.py --repeat 30

Prints p50 and p90 over ``--repeat`` runs after two warm-ups, and the ratio of p50s to
the embedded store's sg:label query, and whether the server's sg:label answer equals the
embedded store's.
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
from scholargate.namespaces import sparql_prefixes  # noqa: E402
from scholargate.store import Store  # noqa: E402
from scholargate.store.oxigraph import OxigraphStore  # noqa: E402
from scholargate.store.remote import RemoteStore  # noqa: E402
from tests.conftest import OxigraphServer  # noqa: E402

LABEL = "SELECT ?m (sg:label(?m, 'fa,en') AS ?name) WHERE { ?m a sg:Method } ORDER BY ?m"
BY_HAND = (
    "SELECT ?m (COALESCE(?fa, ?en) AS ?name) WHERE { ?m a sg:Method "
    "OPTIONAL { ?m skos:prefLabel ?fa FILTER(LANG(?fa) = 'fa') } "
    "OPTIONAL { ?m skos:prefLabel ?en FILTER(LANG(?en) = 'en') } } ORDER BY ?m"
)


def measure(store: Store, query: str, repeat: int) -> tuple[float, float, list]:
    text = sparql_prefixes() + query
    rows = store.query(text).rows
    store.query(text)
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        store.query(text)
        times.append(time.perf_counter() - began)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.9) - 1], rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    embedded = OxigraphStore()
    build_store(embedded, ROOT)
    base50, base90, expected = measure(embedded, LABEL, args.repeat)
    lines = [("embedded", "sg:label", base50, base90, "-")]
    hand50, hand90, _ = measure(embedded, BY_HAND, args.repeat)
    lines.append(("embedded", "by hand", hand50, hand90, "-"))
    with tempfile.TemporaryDirectory() as folder:
        server = OxigraphServer(Path(folder))
        try:
            store = RemoteStore(server.query_url, **server.store_options())  # type: ignore[arg-type]
            store.clear()
            build_store(store, ROOT)
            there50, there90, rows = measure(store, LABEL, args.repeat)
            lines.append(("oxigraph server", "sg:label", there50, there90, str(rows == expected)))
            hand50, hand90, _ = measure(store, BY_HAND, args.repeat)
            lines.append(("oxigraph server", "by hand", hand50, hand90, "-"))
            store.close()
        finally:
            server.stop()
    print(f"{len(expected)} methods labelled 'fa,en'; x{args.repeat}")
    print(f"{'store':<16} {'query':<9} {'p50 ms':>8} {'p90 ms':>8} {'ratio':>6}  same answer")
    for store_name, query, m50, m90, same in lines:
        ratio = m50 / base50
        print(f"{store_name:<16} {query:<9} {m50 * 1e3:8.2f} {m90 * 1e3:8.2f} {ratio:6.2f}  {same}")


if __name__ == "__main__":
    main()
