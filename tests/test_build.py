"""Building the store from the sources in git."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rdflib import URIRef

from scholargate.build import StoreBusyError, build_store, discover, open_built, remove_stale
from scholargate.errors import ParseError
from scholargate.namespaces import GRAPH, METADATA_GRAPH, SG
from scholargate.store.oxigraph import OxigraphStore

PREFIXES = """@prefix sg: <https://w3id.org/scholargate/ontology#> .
@prefix sgm: <https://w3id.org/scholargate/method/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


def make_root(tmp_path: Path, methods: str = "") -> Path:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "shapes").mkdir()
    (tmp_path / "data" / "curated").mkdir(parents=True)
    (tmp_path / "data" / "imported").mkdir()
    (tmp_path / "ontology" / "o.ttl").write_text(
        PREFIXES + "sg:Method a <http://www.w3.org/2002/07/owl#Class> .\n"
    )
    (tmp_path / "data" / "curated" / "m.ttl").write_text(
        PREFIXES
        + (
            methods
            or 'sgm:a a sg:Method ; skos:prefLabel "A"@en ; skos:related sgm:b .\n'
            'sgm:b a sg:Method ; skos:prefLabel "B"@en .\n'
        )
    )
    (tmp_path / "data" / "imported" / "x.ttl").write_text(
        PREFIXES + 'sgm:c a sg:Method ; skos:prefLabel "C"@en .\n'
    )
    (tmp_path / "data" / "imported" / "x.meta.ttl").write_text(
        "@prefix sgg: <https://w3id.org/scholargate/graph/> .\n"
        "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
        "sgg:x dcterms:license <https://creativecommons.org/licenses/by-sa/4.0/> .\n"
    )
    return tmp_path


def test_one_named_graph_per_source(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    store = OxigraphStore()
    report = build_store(store, root)
    assert set(store.graph_names()) == {
        GRAPH["ontology"],
        GRAPH["curated"],
        GRAPH["x"],
        METADATA_GRAPH,
    }
    assert report.triples[GRAPH["x"]] == 2
    # every graph is in the report, sgg:metadata included, and they add up to the store
    assert set(report.triples) == set(store.graph_names())
    assert sum(report.triples.values()) == report.quads == store.count()


def test_related_is_made_symmetric_within_its_graph(tmp_path: Path) -> None:
    store = OxigraphStore()
    build_store(store, make_root(tmp_path))
    assert store.ask(
        "ASK { GRAPH <https://w3id.org/scholargate/graph/curated> { "
        "<https://w3id.org/scholargate/method/b> <http://www.w3.org/2004/02/skos/core#related> "
        "<https://w3id.org/scholargate/method/a> } }"
    )


def test_metadata_has_sidecars_sizes_and_policies(tmp_path: Path) -> None:
    store = OxigraphStore()
    build_store(store, make_root(tmp_path))
    meta = store.graph(METADATA_GRAPH)
    assert (
        GRAPH["x"],
        URIRef("http://purl.org/dc/terms/license"),
        URIRef("https://creativecommons.org/licenses/by-sa/4.0/"),
    ) in meta
    assert meta.value(GRAPH["x"], URIRef("http://rdfs.org/ns/void#triples")).toPython() == 2
    assert meta.value(GRAPH["x"], SG.validationPolicy) == SG.Lenient


def test_malformed_source_names_file_line_and_column(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    bad = root / "data" / "curated" / "broken.ttl"
    bad.write_text(PREFIXES + 'sgm:z a sg:Method ;\n  skos:prefLabel "Z"@en ,, .\n')
    with pytest.raises(ParseError) as caught:
        build_store(OxigraphStore(), root)
    assert caught.value.source == str(bad)
    assert caught.value.line == 5


def test_on_disk_store_is_rebuilt_only_when_a_source_changes(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    root = make_root(tmp_path / "root")
    path = tmp_path / "store"
    store, report = open_built(path, root)
    assert report.rebuilt and store.count(GRAPH["curated"]) == 6
    store.close()
    store, report = open_built(path, root)
    assert not report.rebuilt
    store.close()
    (root / "data" / "curated" / "m.ttl").write_text(
        PREFIXES + 'sgm:a a sg:Method ; skos:prefLabel "A"@en .\n'
    )
    store, report = open_built(path, root)
    assert report.rebuilt and store.count(GRAPH["curated"]) == 2
    store.close()


def built(tmp_path: Path) -> tuple[Path, Path]:
    """A project root and the store built from it, closed, under ``tmp_path``."""
    (tmp_path / "root").mkdir()
    root = make_root(tmp_path / "root")
    path = tmp_path / "store"
    store, _ = open_built(path, root)
    store.close()
    return root, path


def test_failed_rebuild_keeps_the_previous_store(tmp_path: Path) -> None:
    root, path = built(tmp_path)
    (root / "data" / "curated" / "m.ttl").write_text(PREFIXES + "sgm:a a .\n")
    with pytest.raises(ParseError):
        open_built(path, root)
    store = OxigraphStore(path)
    assert store.count(GRAPH["curated"]) == 6
    assert not list(path.parent.glob("store.building-*"))


def test_discover_finds_every_source_of_the_repository(project_root: Path) -> None:
    roles = {s.role for s in discover(project_root)}
    assert {"curated", "metadata"} <= roles


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@contextmanager
def _holding(path: Path) -> Iterator[None]:
    """Another process that holds the on-disk store at ``path`` open (its RocksDB lock)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        yield
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


HOLD = (
    "import pyoxigraph, sys, time; s = pyoxigraph.Store(sys.argv[1]); "
    "print('ready', flush=True); time.sleep(120)"
)


def test_folders_of_interrupted_builds_are_removed(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    root = make_root(tmp_path / "root")
    path = tmp_path / "store"
    dead = _dead_pid()
    stale = [tmp_path / f"store.building-{dead}", tmp_path / f"store.old-{dead}"]
    for folder in stale:
        (folder / "data").mkdir(parents=True)
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        busy = tmp_path / f"store.building-{running.pid}"  # a build that is running now
        busy.mkdir()
        unrelated = tmp_path / "store.building-notes"
        unrelated.mkdir()
        store, report = open_built(path, root)
        store.close()
        assert report.rebuilt
        assert not any(folder.exists() for folder in stale)
        assert busy.is_dir() and unrelated.is_dir()
    finally:
        running.kill()
        running.wait()
    assert remove_stale(path) == [busy]


def test_a_store_another_process_holds_is_one_clear_error(tmp_path: Path) -> None:
    root, path = built(tmp_path)
    with _holding(path):
        with pytest.raises(StoreBusyError, match="in use by another process"):
            open_built(path, root)  # up to date: opened as it is
        (root / "data" / "curated" / "n.ttl").write_text(PREFIXES + "sgm:n a sg:Method .\n")
        with pytest.raises(StoreBusyError):
            open_built(path, root)  # out of date: not replaced under the holder
        assert not list(tmp_path.glob("store.*-*"))
    store, report = open_built(path, root)
    assert report.rebuilt
    store.close()
