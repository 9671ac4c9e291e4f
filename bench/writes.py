"""Benchmark of a write (issue 14): one new method through the service's write path.

    .venv/bin/python bench/writes.py                      # 10,000 and 100,000 methods
    .venv/bin/python bench/writes.py --methods 10000 --inserts 50 --no-validate

Each insert is one valid method of ~30 triples, made the way bench/generate.py makes
one (labels in en/fa/tr, aliases as literals and SKOS-XL resources, summaries, year,
field, family, type), pointing at people, works and methods the synthetic graph already
holds, written into the contributed graph by ``Writer.write`` — the code ``/sparql``
and ``/store`` run: the journal's lock, following the journal, the delta made effective,
the SHACL guard on the nodes it touches, the journal line with its ``fsync``, the
store's record of the last entry — on an on-disk store in a temporary folder (built as
bench/run.py builds it, from bench/data/synth-<size>.nq).

Printed beside it, measured in the same run and alternating with it insert by insert
(this machine's speed changes from process to process, see bench/README.md), and with
the stores of every size given open at once, so that their inserts alternate too:

* the writer with the guard off (the same path, no shapes checked);
* the raw write: ``store.change`` and a journal append under the lock, no delta lookup,
  no guard: the baseline of the ratio;
* with ``--memory``, the guarded insert on an in-memory copy of the store (what a
  ``serve`` worker writes when the store holds at most ``MEMORY_COPY`` quads);
* with ``--store URL``, the guarded insert on a SPARQL server (``scholargate serve
  --store URL``: the steps, the guard and the journal on the server, its claim of the
  entry number first): the server is EMPTIED (``DROP ALL``) and loaded with the same
  graph (one ``--methods`` size only), so give it one of its own, e.g. a throwaway
  ``oxigraph serve``;
* one validation of the whole graph (``services.validation.run.validate_store``), what
  the guard saves a write from doing.

Wall-clock p50 and p95, and the p50 of the CPU time the writing thread used (steadier
when other work shares the machine; the guarded path's wait is the journal's fsync).

Targets (issue 14): p50 under 50 ms at 100,000 methods, and 100,000 within 1.5× of
10,000.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402

BASE = "https://w3id.org/scholargate/"
SG = BASE + "ontology#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SKOSXL = "http://www.w3.org/2008/05/skos-xl#"
DCT = "http://purl.org/dc/terms/"
TARGET_P50, TARGET_GROWTH = 0.050, 1.5


@dataclass
class Neighbours:
    """What a new method points at: IRIs the synthetic graph holds."""

    fields: list[str]
    families: list[str]
    types: list[str]
    works: list[tuple[str, str]]  # (work, its first author)
    methods: list[tuple[str, str]]  # (method, its year)


def neighbours(store: Any, rng: random.Random, n: int = 400) -> Neighbours:
    def column(sparql: str, *names: str) -> list:
        rows = store.select(sparql)
        return [
            tuple(str(r[k]) for k in names) if len(names) > 1 else str(r[names[0]]) for r in rows
        ]

    def of_class(cls: str) -> list[str]:
        return column(f"SELECT ?x WHERE {{ ?x a <{SG}{cls}> }} LIMIT {n}", "x")

    works = column(
        f"SELECT ?w ?p WHERE {{ ?m <{SG}foundationalWork> ?w . ?m <{SG}introducedBy> ?p }} "
        f"LIMIT {n}",
        "w",
        "p",
    )
    methods = column(
        f"SELECT ?m ?y WHERE {{ ?m a <{SG}Method> ; <{SG}yearIntroduced> ?y }} LIMIT {n}",
        "m",
        "y",
    )
    found = Neighbours(
        of_class("Field"), of_class("Family"), of_class("MethodType"), works, methods
    )
    for name, values in vars(found).items():
        if not values:
            raise SystemExit(f"the graph has no {name} to point a new method at")
        rng.shuffle(values)
    return found


def new_method(number: int, kind: str, around: Neighbours, rng: random.Random) -> frozenset:
    """The quads of one new method in the contributed graph (~30), as rdflib terms."""
    from rdflib import Literal, URIRef

    from scholargate.namespaces import CONTRIBUTED_GRAPH

    slug = f"bench-write-{kind}-{number}"
    m = URIRef(f"{BASE}method/{slug}")
    quads: list[tuple] = []

    def q(s: URIRef, p: str, o: Any) -> None:
        quads.append((s, URIRef(p), o, CONTRIBUTED_GRAPH))

    def lit(text: str, lang: str | None = None) -> Literal:
        return Literal(text, lang=lang)

    work, author = around.works[number % len(around.works)]
    builds_on, since = around.methods[number % len(around.methods)]
    year = rng.randint(int(since), 2024)  # a method builds on earlier ones only
    q(m, RDF + "type", URIRef(SG + "Method"))
    q(m, SKOS + "inScheme", URIRef(BASE + "scheme/methods"))
    q(m, SKOS + "prefLabel", lit(f"Benchmark write {kind} {number}", "en"))
    q(m, SKOS + "prefLabel", lit(f"روش نوشتن {number}", "fa"))
    q(m, SKOS + "prefLabel", lit(f"Yazma yöntemi {number}", "tr"))
    q(m, SG + "summary", lit(f"A method written by bench/writes.py ({kind}, {number}).", "en"))
    q(m, SG + "summary", lit(f"روشی که bench/writes.py نوشت ({number}).", "fa"))
    q(m, SG + "yearIntroduced", Literal(str(year), datatype=URIRef(XSD + "gYear")))
    q(m, SG + "field", URIRef(around.fields[number % len(around.fields)]))
    q(m, SG + "family", URIRef(around.families[number % len(around.families)]))
    q(m, SG + "methodType", URIRef(around.types[number % len(around.types)]))
    q(m, SG + "foundationalWork", URIRef(work))
    q(m, SG + "introducedBy", URIRef(author))
    q(m, SG + "buildsOn", URIRef(builds_on))
    q(m, SKOS + "related", URIRef(around.methods[(number + 1) % len(around.methods)][0]))
    for k, (text, lang, alias_kind) in enumerate(
        (
            (f"BW-{kind}-{number}", "en", "Abbreviation"),
            (f"benchmark write model {number}", "en", "Synonym"),
            (f"Yazma {number} (Benchmark write)", "tr", "Translation"),
        )
    ):
        alias = URIRef(f"{BASE}alias/{slug}-{lang}-{k + 1}")
        q(m, SKOS + "altLabel", lit(text, lang))
        q(m, SKOSXL + "altLabel", alias)
        q(alias, RDF + "type", URIRef(SG + "Alias"))
        q(alias, SKOSXL + "literalForm", lit(text, lang))
        q(alias, SG + "aliasKind", URIRef(SG + alias_kind))
        q(alias, DCT + "source", URIRef(BASE + "graph/contributed"))
    return frozenset(quads)


KINDS = {
    "guarded": "insert one method, guarded (Writer.write)",
    "unguarded": "the same, guard off",
    "raw": "raw: store.change + journal append",
    "memory": "guarded, on an in-memory copy",
    "server": "guarded, on the SPARQL server (--store)",
}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    if share == 0.5:
        return statistics.median(ordered)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


class Size:
    """One synthetic graph on disk, its write path, and what its inserts took."""

    def __init__(self, methods: int, args: argparse.Namespace, workdir: Path) -> None:
        from scholargate.build import open_configured, record_seq
        from scholargate.services.writes.journal import Journal
        from scholargate.services.writes.writer import Writer

        self.methods = methods
        nq, _plan, _ = run.ensure_data(methods, args.seed, False, args.data)
        folder = workdir / str(methods)
        folder.mkdir()
        root, self.path, build_s, quads = run.build_store(nq, folder)
        self.quads = quads
        journal_path = folder / "store.journal.jsonl"
        opened = open_configured({"ROOT": root, "STORE": self.path, "JOURNAL": journal_path})
        if opened.report is not None and opened.report.rebuilt:
            raise SystemExit("the store was rebuilt from its sources; bench/run.py needs updating")
        self.store = opened.store
        self.journal = Journal(journal_path)
        path = self.path
        self.record = lambda seq: record_seq(path, seq)
        self.writer = Writer(self.store, self.journal, seq=opened.seq, record=self.record)
        self.guard = self.writer.guard
        self.memory = None
        if args.memory:
            copy = self.store.in_memory()
            self.memory = Writer(copy, Journal(folder / "memory.journal.jsonl"))
        self.server = None
        if args.store:
            self.server = self._server(args.store, folder)
        self.rng = random.Random(args.seed)
        self.around = neighbours(self.store, self.rng)
        self.wall: dict[str, list[float]] = {k: [] for k in KINDS}
        self.cpu: dict[str, list[float]] = {k: [] for k in KINDS}
        self.first = 0.0
        self.validated: float | None = None
        self.results = 0
        print(f"graph: {methods:,} methods, {quads:,} quads; built in {build_s:.1f} s")

    def _server(self, url: str, folder: Path) -> Any:
        """A Writer on the server at ``url``, emptied and loaded with this graph."""
        import io
        import urllib.request

        from scholargate.formats import by_name
        from scholargate.services.writes.server_journal import ServerJournal
        from scholargate.services.writes.writer import Writer
        from scholargate.store import remote_store

        base = url.rsplit("/", 1)[0]
        remote = remote_store(url, update_url=f"{base}/update", gsp_url=f"{base}/store")
        remote.clear()
        out = io.BytesIO()
        self.store.dump(by_name("nq"), out)
        request = urllib.request.Request(
            f"{base}/store", data=out.getvalue(), headers={"Content-Type": "application/n-quads"}
        )
        with urllib.request.urlopen(request, timeout=600):
            pass
        return Writer(remote, ServerJournal(remote, folder / "server.journal"))

    def write(self, writer: Any, quads: frozenset, *, guarded: bool = True) -> None:
        from scholargate.services.writes.delta import effective

        if writer is self.writer:  # the copy in memory keeps its own guard
            writer.guard = self.guard if guarded else NoGuard()
        receipt = writer.write(
            [lambda s: effective(s, (), quads)], by="bench", role="writer", what="a method"
        )
        assert receipt.entry is not None and len(receipt.delta.added) == len(quads)
        assert receipt.report is None or receipt.report.conforms, receipt.report

    def raw(self, quads: frozenset) -> None:
        from scholargate.services.writes.delta import Delta

        writer = self.writer
        with self.journal.locked(10.0):
            self.store.change((), quads)
            entry, writer.offset = self.journal.append(
                writer.seq + 1, "bench", "a method", Delta(added=quads), end=writer.offset
            )
            self.record(entry.seq)
        # the writer holds this entry already (its next write is numbered after it)
        writer.seq = entry.seq
        if hasattr(writer, "_last"):
            writer._last = entry.seq

    def warm(self) -> None:
        """The guard compiles the shapes on its first write."""
        if self.memory is not None:
            self.write(self.memory, new_method(0, "warm-memory", self.around, self.rng))
        if self.server is not None:
            self.write(self.server, new_method(0, "warm-server", self.around, self.rng))
        started = time.perf_counter()
        self.write(self.writer, new_method(0, "warm", self.around, self.rng))
        self.first = time.perf_counter() - started
        self.write(self.writer, new_method(1, "warm", self.around, self.rng), guarded=False)

    def insert(self, number: int, kind: str, profiler: Any) -> None:
        quads = new_method(number, kind, self.around, self.rng)
        wall, cpu = time.perf_counter(), time.thread_time()
        if kind == "guarded":
            if profiler is not None:
                profiler.enable()
            self.write(self.writer, quads)
            if profiler is not None:
                profiler.disable()
        elif kind == "unguarded":
            self.write(self.writer, quads, guarded=False)
        elif kind == "raw":
            self.raw(quads)
        elif kind == "server":
            self.write(self.server, quads)
        else:
            self.write(self.memory, quads)
        self.cpu[kind].append(time.thread_time() - cpu)
        self.wall[kind].append(time.perf_counter() - wall)

    def validate(self) -> None:
        from scholargate.services.validation.run import validate_store

        started = time.perf_counter()
        self.results = len(validate_store(self.store).results)
        self.validated = time.perf_counter() - started

    def close(self) -> None:
        entries = self.journal.entries()
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        if self.server is not None:
            entries = self.server.journal.entries()
            assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
            self.server.store.close()
        self.store.close()


class NoGuard:
    """The guard off: every delta conforms."""

    def check(self, delta: Any, *, lang: str, store: Any = None) -> Any:
        from scholargate.services.validation.report import ValidationReport

        return ValidationReport(conforms=True, results=[])

    def forget(self) -> None:
        pass


def table(sizes: list[Size]) -> None:
    kinds = [k for k in KINDS if sizes[0].wall[k]]
    n = len(sizes[0].wall["guarded"])
    print()
    print(
        f"{n} inserts of a {len(new_method(0, 'x', sizes[0].around, random.Random()))}-triple "
        f"method each per line and size, all alternating; on disk unless said"
    )
    headers = ["what"] + [
        f"{run.size_label(s.methods)} {h}" for s in sizes for h in ("p50", "p95", "CPU p50")
    ]
    rows = []
    for kind in kinds:
        row = [KINDS[kind]]
        for size in sizes:
            wall, cpu = size.wall[kind], size.cpu[kind]
            row += [ms(percentile(wall, 0.5)), ms(percentile(wall, 0.95)), ms(percentile(cpu, 0.5))]
        rows.append(row)
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    print(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w)
            for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    )
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print("(ms; CPU: the writing thread's CPU time)")
    for size in sizes:
        p50 = percentile(size.wall["guarded"], 0.5)
        ratios = (
            f"guarded / raw p50 {p50 / percentile(size.wall['raw'], 0.5):.1f}x, "
            f"guarded / guard off {p50 / percentile(size.wall['unguarded'], 0.5):.1f}x"
        )
        line = f"{size.methods:,} methods: {ratios}; first guarded insert {ms(size.first)} ms"
        if size.validated is not None:
            line += (
                f"; one full validation {size.validated:.1f} s ({size.results:,} results) "
                f"= {size.validated / p50:,.0f} guarded inserts"
            )
        if size.wall["server"]:
            server = percentile(size.wall["server"], 0.5)
            print(
                f"{size.methods:,} methods: guarded on the server / on disk p50 {server / p50:.1f}x"
            )
        print(line)
    big = max(sizes, key=lambda s: s.methods)
    p50 = percentile(big.wall["guarded"], 0.5)
    verdict = "met" if p50 < TARGET_P50 else "NOT met"
    print(
        f"target p50 < {TARGET_P50 * 1000:.0f} ms at {big.methods:,} methods: {verdict} "
        f"({ms(p50)} ms)"
    )
    if len(sizes) > 1:
        small = min(sizes, key=lambda s: s.methods)
        growth = p50 / percentile(small.wall["guarded"], 0.5)
        cpu = percentile(big.cpu["guarded"], 0.5) / percentile(small.cpu["guarded"], 0.5)
        verdict = "met" if growth <= TARGET_GROWTH else "NOT met"
        print(
            f"target {big.methods:,} within {TARGET_GROWTH}x of {small.methods:,}: {verdict} "
            f"({growth:.2f}x wall, {cpu:.2f}x CPU)"
        )
    print(f"load average: {run.loadavg()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--methods", type=int, nargs="+", default=[10000, 100000])
    parser.add_argument("--inserts", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data", type=Path, default=Path(__file__).parent / "data")
    parser.add_argument("--allocator", choices=("auto", "jemalloc", "system"), default="auto")
    parser.add_argument("--memory", action="store_true", help="also on an in-memory copy")
    parser.add_argument("--store", help="also on this SPARQL server's query URL (EMPTIED)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the guarded inserts")
    parser.add_argument("--no-validate", action="store_true", help="skip the full validation")
    args = parser.parse_args(argv)
    if args.store and len(args.methods) > 1:
        parser.error("--store takes one --methods size: the server holds one graph at a time")
    run.use_allocator(args.allocator)
    args.data.mkdir(exist_ok=True)
    print(f"ScholarGate write benchmark; {run.allocator_name()}; load average {run.loadavg()}")
    with tempfile.TemporaryDirectory(prefix="sg-bench-writes-") as tmp:
        sizes = [Size(m, args, Path(tmp)) for m in sorted(args.methods)]
        try:
            for size in sizes:
                size.warm()
            kinds = [k for k in KINDS if (k != "memory" or args.memory)]
            kinds = [k for k in kinds if k != "server" or args.store]
            profiler = None
            if args.profile:
                import cProfile

                profiler = cProfile.Profile()
            for number in range(args.inserts):
                for size in sizes:
                    for kind in kinds:
                        size.insert(number, kind, profiler)
            if profiler is not None:
                profiler.dump_stats(str(args.profile))
            if not args.no_validate:
                for size in sizes:
                    size.validate()
        finally:
            for size in sizes:
                size.close()
    table(sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
