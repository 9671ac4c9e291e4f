"""What one write costs when ``serve`` reads its store from disk (build/snapshots.py).

    python bench/disk_writes.py                     # the bundled graph
    python bench/disk_writes.py --methods 10000     # bench/data/synth-10k.nq (run.py makes it)

For each of ``--writes`` writes (a comment added to a method in the contributed graph),
the phases of ``Writer.write`` on disk are timed apart: opening the primary store
read-write, applying the delta and checking it against the shapes, appending the
journal, publishing the snapshot (a RocksDB checkpoint), recording the entry and
pruning, closing the primary, and a reader opening the new snapshot (with its first
query). Prints the median and the slowest of each, in milliseconds, then how many SST
files the primary and the snapshots hold after all the writes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT / "src"))
sys.path.insert(0, str(HERE))

from rdflib import Literal, URIRef  # noqa: E402
from rdflib.namespace import RDFS  # noqa: E402

from scholargate.build import DiskWrites, Snapshots, open_configured  # noqa: E402
from scholargate.namespaces import CONTRIBUTED_GRAPH  # noqa: E402
from scholargate.services.writes.delta import effective  # noqa: E402
from scholargate.services.writes.guard import Guard  # noqa: E402
from scholargate.services.writes.journal import Journal  # noqa: E402


def bundled(workdir: Path) -> tuple[Path, Path, URIRef]:
    path = workdir / "store"
    settings = {"ROOT": PROJECT, "STORE": path, "SAVED": workdir / "c.nt"}
    opened = open_configured(settings)
    opened.store.close()
    return path, PROJECT, URIRef("https://w3id.org/scholargate/method/lora")


def synthetic(workdir: Path, methods: int) -> tuple[Path, Path, URIRef]:
    import run  # bench/run.py: the data and the store the benchmark uses

    nq, plan, _ = run.ensure_data(methods, 42, False, HERE / "data")
    root, path, *_ = run.build_store(nq, workdir)
    return path, root, URIRef(plan["compare"][0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", type=int, default=0, help="0: the bundled graph")
    parser.add_argument("--writes", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="scholargate-disk-writes-") as folder:
        workdir = Path(folder)
        made = time.perf_counter()
        if args.methods:
            path, root, method = synthetic(workdir, args.methods)
        else:
            path, root, method = bundled(workdir)
        print(f"store built in {time.perf_counter() - made:.1f} s")
        journal = Journal(workdir / "journal.jsonl")
        disk = DiskWrites(path)
        with disk.primary() as primary:
            quads = primary.store.count()
            started = time.perf_counter()
            primary.commit(0)
            first = time.perf_counter() - started
        print(f"{quads} quads; first snapshot published in {first * 1000:.0f} ms")
        phases: dict[str, list[float]] = {}
        reader, seq, end = None, 0, 0
        guard = None  # the writer's: the shapes compiled once, then kept
        for n in range(1, args.writes + 1):
            clock = [time.perf_counter()]

            def lap(name: str, clock: list[float] = clock) -> None:
                clock.append(time.perf_counter())
                phases.setdefault(name, []).append((clock[-1] - clock[-2]) * 1000)

            with journal.locked(10), disk.primary() as primary:
                lap("open the primary read-write")
                store = primary.store
                note = (method, RDFS.comment, Literal(f"note {n}", lang="en"), CONTRIBUTED_GRAPH)
                delta = effective(store, [], [note])
                store.change(delta.removed, delta.added)
                guard = guard or Guard(store)
                report = guard.check(delta, lang="en", store=store)
                assert report.conforms, report
                lap("apply and check the shapes")
                entry, end = journal.append(seq + 1, "bench", "a note", delta, end=end)
                seq = entry.seq
                lap("append the journal (fsync)")
                primary.commit(seq)
                lap("snapshot, record, prune")
            lap("close the primary")
            found = disk.reopen(seq - 1)
            assert found is not None and found[1] == seq
            reader = found[0]
            lap("a reader opens the snapshot")
            assert reader.ask(f'ASK {{ <{method}> <{RDFS.comment}> "note {n}"@en }}')
            lap("  its first query")
            phases.setdefault("the whole write", []).append((clock[-2] - clock[0]) * 1000)
        print(f"{args.writes} writes, milliseconds:        median   slowest")
        for name, values in phases.items():
            print(f"  {name:<32} {statistics.median(values):8.1f} {max(values):9.1f}")
        snapshots = Snapshots(path).published(every_build=True)
        print(f"primary: {len(list(path.glob('*.sst')))} SST files; {len(snapshots)} snapshots")
        del reader
    return 0


if __name__ == "__main__":
    sys.exit(main())
