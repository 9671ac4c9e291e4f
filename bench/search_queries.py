"""How often search finds what people type: tests/search_queries.tsv on the bundled graph.

    python bench/search_queries.py [--misses] [--json]

Each row of the table is a query as a Persian, Turkish or English reader types it and the
method it should find (issue 19). The script builds the bundled graph in memory, searches
each query as /search does for methods (20 results), and prints per language how often
the expected method comes first (top-1) and among the first five (top-5); ``--misses``
lists the queries that miss, with what came first instead. Targets: top-1 ≥ 90 %,
top-5 ≥ 97 %. tests/test_search_queries.py keeps the numbers from falling.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "src"))

from scholargate.services.search import SearchIndex  # noqa: E402

TABLE = PROJECT / "tests" / "search_queries.tsv"
LANGS = ("fa", "tr", "en")
TARGET_TOP1, TARGET_TOP5 = 0.90, 0.97


@dataclass(frozen=True)
class Query:
    lang: str
    text: str
    slug: str
    source: str


@dataclass(frozen=True)
class Outcome:
    query: Query
    rank: int | None  # 1-based place of the expected method, None when not in the results
    first: str  # the slug that came first ("" when nothing was found)
    match: str  # how the expected method matched ("" when not found)


def read_table(path: Path = TABLE) -> list[Query]:
    """The table's rows: language, query, method slug, source; # starts a comment."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, text, slug, source = line.split("\t")
        rows.append(Query(lang, text, slug, source))
    return rows


def evaluate(index: SearchIndex, queries: list[Query]) -> list[Outcome]:
    outcomes = []
    for query in queries:
        hits = index.search(query.text, lang=query.lang, limit=20, kinds=["method"]).hits
        slugs = [hit.slug for hit in hits]
        rank = slugs.index(query.slug) + 1 if query.slug in slugs else None
        match = hits[rank - 1].match if rank else ""
        outcomes.append(Outcome(query, rank, slugs[0] if slugs else "", match))
    return outcomes


def summary(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """Per language (and "all"): how many queries, the share found first and in the top 5."""
    by_lang: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_lang[outcome.query.lang].append(outcome)
        by_lang["all"].append(outcome)
    return {
        lang: {
            "n": len(rows),
            "top1": sum(o.rank == 1 for o in rows) / len(rows),
            "top5": sum(o.rank is not None and o.rank <= 5 for o in rows) / len(rows),
        }
        for lang, rows in by_lang.items()
    }


def bundled_store():
    """The bundled graph in memory. The caller holds it while the index is used: a
    SearchIndex refers to its store weakly (services/store_ref.py)."""
    from scholargate.build.loading import build_store
    from scholargate.store.oxigraph import OxigraphStore

    store = OxigraphStore()
    build_store(store, PROJECT)
    return store


def report(numbers: dict[str, dict[str, float]]) -> str:
    lines = [f"{'':6}{'n':>5}{'top-1':>9}{'top-5':>9}"]
    for lang in (*LANGS, "all"):
        row = numbers.get(lang)
        if row:
            lines.append(f"{lang:6}{row['n']:>5}{row['top1']:>9.1%}{row['top5']:>9.1%}")
    lines.append(f"(targets: top-1 ≥ {TARGET_TOP1:.0%}, top-5 ≥ {TARGET_TOP5:.0%})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--misses", action="store_true", help="list the queries that miss")
    parser.add_argument("--json", action="store_true", help="the numbers as JSON")
    args = parser.parse_args(argv)
    store = bundled_store()
    outcomes = evaluate(SearchIndex(store, background=False), read_table())
    numbers = summary(outcomes)
    print(json.dumps(numbers, indent=2) if args.json else report(numbers))
    if args.misses:
        for o in outcomes:
            if o.rank != 1:
                q, rank, first = o.query, o.rank or "-", o.first or "-"
                print(f"{q.lang}\t{q.text}\t→ {q.slug}: rank {rank}, first {first}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
