"""Releases (services/releases/, ``scholargate release``) on the bundled graph: a first
release holds everything; an edit through the one write path gives a second release
whose delta is exactly that edit and whose summary names the changed method; the
deltas applied to the first dump give the second; a release is written whole or not at
all. Every release goes to a temporary folder, every store is built in memory."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, SKOS, VOID

from scholargate.build import build_store
from scholargate.cli import main
from scholargate.errors import ConflictError, InputError
from scholargate.formats import by_name
from scholargate.namespaces import CURATED_GRAPH, DATASET, METHOD, SG
from scholargate.services.releases import (
    ADDED,
    DESCRIPTION,
    REMOVED,
    SUMMARY_JSON,
    SUMMARY_MD,
    Releases,
    check_version,
    dump_name,
    is_version,
    make_release,
    making,
    release_files,
    release_iri,
    version_key,
)
from scholargate.services.releases.diff import BOTH, NEW, OLD, merge
from scholargate.services.releases.methods import MethodWatch, english
from scholargate.services.writes.delta import effective
from scholargate.services.writes.journal import Journal
from scholargate.services.writes.writer import Writer
from scholargate.store import Store, new_store

from .conftest import ROOT

MHSA = METHOD["multi-head-self-attention"]
OLD_LABEL = (MHSA, SKOS.prefLabel, Literal("Multi-head self-attention", lang="en"), CURATED_GRAPH)
NEW_LABEL = (
    MHSA,
    SKOS.prefLabel,
    Literal("Multi-head self-attention (MHSA)", lang="en"),
    CURATED_GRAPH,
)
V1, V2 = "2026.12.1", "2026.12.2"
SPDX = "http://spdx.org/rdf/terms#"


def nq_line(quad: tuple) -> bytes:
    """One quad as the store writes it in N-Quads."""
    store = new_store()
    store.change([], [quad])
    out = io.BytesIO()
    store.dump(by_name("nq"), out)
    return out.getvalue().strip()


def store_lines(store: Store) -> list[bytes]:
    out = io.BytesIO()
    store.dump(by_name("nq"), out)
    return sorted(set(out.getvalue().splitlines()))


def dump_lines(folder: Path, version: str) -> list[bytes]:
    return gzip.decompress((folder / version / dump_name(version)).read_bytes()).splitlines()


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines()


class Made:
    """Two releases of one store, an edit through the Writer between them."""

    def __init__(self, folder: Path, store: Store, first: dict, second: dict, lines_at_1: list):
        self.folder, self.store, self.first, self.second = folder, store, first, second
        self.lines_at_1 = lines_at_1


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    folder = tmp_path_factory.mktemp("releases")
    store = new_store()
    build_store(store, ROOT)
    writer = Writer(store, Journal(tmp_path_factory.mktemp("journal") / "journal.jsonl"))
    first = make_release(store, folder, V1, notes="The first one.", journal_seq=writer.seq)
    at_1 = store_lines(store)
    receipt = writer.write(
        [lambda s: effective(s, [OLD_LABEL], [NEW_LABEL])],
        by="ana",
        role="writer",
        what="a clearer English name",
    )
    assert receipt.entry is not None and writer.seq == 1
    second = make_release(store, folder, V2, notes="A new name.", journal_seq=writer.seq)
    return Made(folder, store, first, second, at_1)


# ---- versions ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026.12.1", "1.4.0", "2027.1", "1.5.0-rc.1", "2026.01.3"])
def test_a_version_looks_like_one(text: str) -> None:
    assert is_version(text) and check_version(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "1",
        "v1.0.0",
        "1.0.0+build.5",
        "..",
        "1.0/..",
        "1.0.0\n",
        "١.٢.٣",
        "1..0",
        "1.0.0-",
        "/etc/passwd",
        "1.0.0-" + "a" * 70,
        "latest",
    ],
)
def test_anything_else_is_refused_with_what_a_version_looks_like(text: str) -> None:
    assert not is_version(text)
    with pytest.raises(InputError, match="like 2026.12.1"):
        check_version(text)


def test_versions_are_ordered_as_semver_orders_them() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-beta",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.2",
        "1.10.0",
        "2026.1.1",
        "2026.12.1",
    ]
    assert sorted(reversed(ordered), key=version_key) == ordered
    assert version_key("2026.12") == version_key("2026.12.0")


# ---- the first release --------------------------------------------------------------------


def test_the_first_release_holds_the_whole_store_sorted(made: Made) -> None:
    folder, summary = made.folder, made.first
    assert sorted(p.name for p in (folder / V1).iterdir()) == sorted(release_files(V1))
    dumped = dump_lines(folder, V1)
    assert dumped == made.lines_at_1  # sorted, each line once, blank nodes as the store has them
    assert lines(folder / V1 / ADDED) == dumped  # the first release adds everything
    assert lines(folder / V1 / REMOVED) == []
    assert summary["previous"] is None
    assert (summary["quads"], summary["added"], summary["removed"]) == (len(dumped), len(dumped), 0)
    assert summary["journal_seq"] == {"from": 0, "to": 0}
    methods = made.store.select(f"SELECT DISTINCT ?m WHERE {{ ?m a <{SG.Method}> }}")
    assert summary["methods"]["total"] == len(methods) == len(summary["methods"]["added"])
    assert summary["methods"]["changed"] == summary["methods"]["removed"] == []


def test_the_dump_is_deterministic_and_gzip_carries_no_time(made: Made, tmp_path: Path) -> None:
    again = make_release(made.store, tmp_path, V2, budget=1 << 16)  # sorted from many runs
    ours = (made.folder / V2 / dump_name(V2)).read_bytes()
    assert (tmp_path / V2 / dump_name(V2)).read_bytes() == ours
    assert again["files"][dump_name(V2)]["sha256"] == made.second["files"][dump_name(V2)]["sha256"]
    assert ours[4:8] == b"\0\0\0\0"  # gzip's MTIME


def test_summary_json_lists_every_other_file_with_its_size_and_sha256(made: Made) -> None:
    import hashlib

    summary = json.loads((made.folder / V2 / SUMMARY_JSON).read_text())
    assert summary == made.second
    assert set(summary["files"]) == set(release_files(V2)) - {SUMMARY_JSON}
    for name, about in summary["files"].items():
        data = (made.folder / V2 / name).read_bytes()
        assert about["bytes"] == len(data)
        assert about["sha256"] == hashlib.sha256(data).hexdigest()


# ---- an edit, and the second release ------------------------------------------------------


def test_the_second_delta_is_exactly_the_edit(made: Made) -> None:
    assert lines(made.folder / V2 / ADDED) == [nq_line(NEW_LABEL)]
    assert lines(made.folder / V2 / REMOVED) == [nq_line(OLD_LABEL)]
    summary = made.second
    assert (summary["added"], summary["removed"]) == (1, 1)
    assert summary["previous"] == V1
    assert summary["journal_seq"] == {"from": 0, "to": 1}
    assert summary["notes"] == "A new name."


def test_the_summary_names_the_changed_method(made: Made) -> None:
    methods = made.second["methods"]
    assert methods["added"] == methods["removed"] == []
    assert methods["changed"] == [
        {"iri": str(MHSA), "label": "Multi-head self-attention (MHSA)", "added": 1, "removed": 1}
    ]
    assert methods["total"] == made.first["methods"]["total"]
    text = (made.folder / V2 / SUMMARY_MD).read_text()
    assert "## Methods changed (1)" in text
    assert f"| Multi-head self-attention (MHSA) | <{MHSA}> | 1 | 1 |" in text
    assert "Previous release: 2026.12.1" in text and "entries 1 to 1" in text


def test_the_deltas_applied_to_the_first_dump_give_the_second(made: Made) -> None:
    first = set(dump_lines(made.folder, V1))
    added = set(lines(made.folder / V2 / ADDED))
    removed = set(lines(made.folder / V2 / REMOVED))
    assert removed <= first and not (added & first)
    assert sorted((first - removed) | added) == dump_lines(made.folder, V2)
    assert dump_lines(made.folder, V2) == store_lines(made.store)


def test_release_ttl_describes_the_version_and_its_files(made: Made) -> None:
    base = f"http://localhost/releases/{V2}/{DESCRIPTION}"
    g = Graph().parse(made.folder / V2 / DESCRIPTION, format="turtle", publicID=base)
    me = release_iri(V2)
    assert (me, URIRef(str(DCAT) + "version"), Literal(V2)) in g
    assert (me, PROV.wasRevisionOf, release_iri(V1)) in g
    assert (me, DCTERMS.isVersionOf, DATASET) in g
    assert g.value(me, DCTERMS.issued).toPython().year >= 2024
    assert int(g.value(me, VOID.triples)) == made.second["triples"]
    downloads = {}
    for dist in g.objects(me, DCAT.distribution):
        url = str(g.value(dist, DCAT.downloadURL))
        checksum = g.value(dist, URIRef(SPDX + "checksum"))
        downloads[url] = (
            int(g.value(dist, DCAT.byteSize)),
            str(g.value(checksum, URIRef(SPDX + "checksumValue"))),
        )
    files = made.second["files"]
    assert downloads == {
        f"http://localhost/releases/{V2}/{name}": (files[name]["bytes"], files[name]["sha256"])
        for name in (dump_name(V2), ADDED, REMOVED)
    }
    raw = (made.folder / V2 / DESCRIPTION).read_text()
    assert f"</releases/{V2}/{dump_name(V2)}>" in raw  # relative to the server, in the file


# ---- refusals, and written whole or not at all ------------------------------------------


def test_an_existing_or_older_or_malformed_version_is_refused(made: Made) -> None:
    with pytest.raises(ConflictError, match="exists already"):
        make_release(made.store, made.folder, V2)
    with pytest.raises(ConflictError, match="exists already"):
        make_release(made.store, made.folder, "2026.12.2.0")  # the same version
    with pytest.raises(InputError, match="comes before the latest release"):
        make_release(made.store, made.folder, "2026.1.0")
    with pytest.raises(InputError, match="not a version"):
        make_release(made.store, made.folder, "../escape")
    assert Releases(made.folder).versions() == [V2, V1]


def test_a_failed_release_leaves_nothing_behind(
    made: Made, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "releases"
    make_release(made.store, folder, V1)
    stale = folder / ".building-2026.12.9-1"  # what a killed release leaves
    stale.mkdir()
    (stale / "half.nq").write_bytes(b"<a> <b> <c> .\n")
    assert Releases(folder).versions() == [V1]

    def crash(*args: object) -> None:
        raise RuntimeError("the disk filled up")

    monkeypatch.setattr(making, "_describe", crash)
    with pytest.raises(RuntimeError, match="disk filled"):
        make_release(made.store, folder, V2)
    assert sorted(p.name for p in folder.iterdir()) == [".lock", V1]  # the stale one went too
    monkeypatch.undo()
    make_release(made.store, folder, V2)
    assert Releases(folder).versions() == [V2, V1]


def test_a_damaged_previous_dump_refuses_the_next_release(made: Made, tmp_path: Path) -> None:
    folder = tmp_path / "releases"
    make_release(made.store, folder, V1)
    dump = folder / V1 / dump_name(V1)
    data = gzip.decompress(dump.read_bytes()).replace(b"Transformer", b"Transformar", 1)
    dump.write_bytes(gzip.compress(data, mtime=0))
    with pytest.raises(InputError, match="does not match the SHA-256"):
        make_release(made.store, folder, V2)
    assert Releases(folder).versions() == [V1]
    assert [p.name for p in folder.iterdir() if p.name.startswith(".building")] == []


# ---- the merge and the method watch --------------------------------------------------------


def test_merge_says_which_side_holds_each_line() -> None:
    old, new = [b"a", b"c", b"d"], [b"b", b"c", b"e"]
    assert list(merge(old, new)) == [
        (b"a", OLD),
        (b"b", NEW),
        (b"c", BOTH),
        (b"d", OLD),
        (b"e", NEW),
    ]
    with pytest.raises(InputError, match="not sorted"):
        list(merge([b"b", b"a"], []))


def test_the_method_watch_finds_added_changed_and_removed_methods() -> None:
    t = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/scholargate/ontology#Method>"
    pref = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
    g = "<https://w3id.org/scholargate/graph/curated> ."
    events = [
        (f'<{METHOD}a> {pref} "A \\"quoted\\" \\u00e9"@en {g}', NEW),
        (f"<{METHOD}a> {t} {g}", NEW),
        (f'<{METHOD}b> {pref} "B"@en {g}', BOTH),
        (f'<{METHOD}b> {pref} "B fa"@fa {g}', OLD),
        (f"<{METHOD}b> {t} {g}", BOTH),
        (f'<{METHOD}c> {pref} "Old C"@en {g}', OLD),
        (f"<{METHOD}c> {t} {g}", OLD),
        (f'<{METHOD}d> {pref} "Same"@en {g}', BOTH),
        (f"<{METHOD}d> {t} {g}", BOTH),
        (f'<https://w3id.org/scholargate/work/w> {pref} "A work"@en {g}', NEW),
    ]
    watch = MethodWatch()
    for line, side in sorted((line.encode(), side) for line, side in events):
        watch(line, side)
    found = watch.finish()
    assert [(m.iri, m.label, m.added, m.removed) for m in found.added] == [
        (f"{METHOD}a", 'A "quoted" é', 2, 0)
    ]
    assert [(m.iri, m.label, m.added, m.removed) for m in found.changed] == [
        (f"{METHOD}b", "B", 0, 1)
    ]
    assert [(m.iri, m.label) for m in found.removed] == [(f"{METHOD}c", "Old C")]
    assert found.total == 3  # a, b, d


@pytest.mark.parametrize(
    ("obj", "text"),
    [
        (b'"x"@en <g> .', "x"),
        (b'"x"@en-GB <g> .', "x"),
        (b'"x"@fa <g> .', None),
        (b'"a\\\\"@en <g> .', "a\\"),
        (b"<iri> <g> .", None),
        (b'"x" <g> .', None),
    ],
)
def test_english_reads_an_n_quads_literal(obj: bytes, text: str | None) -> None:
    assert english(obj) == text


# ---- the command ------------------------------------------------------------------------


def test_the_command_makes_a_release_and_refuses_a_bad_or_taken_version(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {
        "SCHOLARGATE_RELEASES": str(tmp_path / "releases"),
        "SCHOLARGATE_ROOT": str(ROOT),
        "SCHOLARGATE_SAVED": str(tmp_path / "comparisons.nt"),  # not the checkout's var/
    }
    done = runner.invoke(main, ["--memory", "release", "1.0.0", "--notes", "hello"], env=env)
    assert done.exit_code == 0, done.output
    assert "release 1.0.0 in " in done.output and "(the first release)" in done.output
    summary = json.loads((tmp_path / "releases" / "1.0.0" / SUMMARY_JSON).read_text())
    assert summary["notes"] == "hello" and summary["quads"] > 40000
    done = runner.invoke(main, ["--memory", "release", "1.0.0"], env=env)
    assert done.exit_code == 2 and "exists already" in done.output
    done = runner.invoke(main, ["--memory", "release", "../../etc"], env=env)
    assert done.exit_code == 2 and "is not a version" in done.output
    assert sorted(p.name for p in (tmp_path / "releases").iterdir()) == [".lock", "1.0.0"]
