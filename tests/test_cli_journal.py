"""The command over the change journal: ``history`` filters and formats its entries,
``export-edits`` gives patches that take the graph before the edits to the graph after
them, and ``build`` says what replaying the journal did (a contradicted entry, a folded
one). Every journal, project and store is a temporary one."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDFS, SKOS

from scholargate.build import build_store
from scholargate.cli import main
from scholargate.namespaces import CONTRIBUTED_GRAPH, CURATED_GRAPH, GRAPH, METHOD, SG
from scholargate.services.writes.delta import Delta, effective
from scholargate.services.writes.journal import Entry, Journal, line_of
from scholargate.store import Store, new_store

ALPHA, BETA, GAMMA = METHOD["alpha"], METHOD["beta"], METHOD["gamma"]
METHODS = """@prefix sg: <https://w3id.org/scholargate/ontology#> .
@prefix sgm: <https://w3id.org/scholargate/method/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

sgm:alpha a sg:Method ; skos:prefLabel "Alpha"@en .
sgm:beta a sg:Method ; skos:prefLabel "Beta"@en .
"""


@pytest.fixture(autouse=True)
def _no_settings_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test gives: no SCHOLARGATE_* variable of the machine running it."""
    for name in [n for n in os.environ if n.startswith("SCHOLARGATE_")]:
        monkeypatch.delenv(name)


@pytest.fixture
def root(tmp_path: Path, project_root: Path) -> Path:
    """A tiny project: the ontology, the shapes and two curated methods."""
    made = tmp_path / "project"
    for folder in ("ontology", "shapes"):
        shutil.copytree(project_root / folder, made / folder)
    (made / "data" / "curated").mkdir(parents=True)
    (made / "data" / "curated" / "methods.ttl").write_text(METHODS, encoding="utf-8")
    return made


def run(runner: CliRunner, *args: str, journal: Path | None = None) -> Result:
    env = {"SCHOLARGATE_JOURNAL": str(journal)} if journal is not None else {}
    return runner.invoke(main, list(args), env=env, catch_exceptions=False)


# ---- history ---------------------------------------------------------------------------


def _entry(seq: int, at: str, by: str, what: str, graph: URIRef, removed: int, added: int):
    quads = [(ALPHA, RDFS.comment, Literal(f"{seq}/{i}"), graph) for i in range(removed + added)]
    delta = Delta(removed=frozenset(quads[:removed]), added=frozenset(quads[removed:]))
    return Entry(seq, at, by, what, delta)


@pytest.fixture
def journal(tmp_path: Path) -> Path:
    """Five entries at known times (written as the journal writes them)."""
    entries = [
        _entry(1, "2025-03-01T09:00:00.000+00:00", "ana", "first note", CURATED_GRAPH, 0, 2),
        _entry(2, "2025-03-01T23:30:00.000+00:00", "bo", "a fix", CONTRIBUTED_GRAPH, 1, 1),
        _entry(3, "2025-03-02T08:15:00.500+00:00", "ana", "more", CONTRIBUTED_GRAPH, 0, 3),
        _entry(4, "2025-03-03T12:00:00.000+00:00", "bo", "drop one", CURATED_GRAPH, 1, 0),
        _entry(5, "2025-03-04T00:00:00.000+00:00", "ana", "two\nlines", GRAPH["x/y"], 0, 1),
    ]
    path = tmp_path / "journal.jsonl"
    path.write_bytes(b"".join(line_of(e) for e in entries))
    return path


def seqs(result: Result) -> list[int]:
    """The numbers in the first column of a history table."""
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:2] == ["seq", "when"] and set(lines[1]) <= {"-", " "}
    return [int(line.split()[0]) for line in lines[2:]]


def test_history_is_an_aligned_table_newest_last(
    runner: CliRunner, root: Path, journal: Path
) -> None:
    result = run(runner, "--root", str(root), "--memory", "history", journal=journal)
    assert seqs(result) == [1, 2, 3, 4, 5]
    lines = result.stdout.splitlines()
    header = lines[0]
    for column in ("when (UTC)", "by", "graphs", "removed", "added", "what"):
        assert column in header
    # every row's cells start where the header's do
    starts = [header.index(c) for c in ("by", "graphs", "what")]
    second = lines[3]
    assert second.startswith("2    2025-03-01 23:30:00  bo")
    assert [second[s - 1] for s in starts] == [" ", " ", " "]
    assert "sgg:contributed" in second and "a fix" in second
    assert lines[-1].endswith("two lines")  # a summary is shown on one line
    assert "<https://w3id.org/scholargate/graph/x/y>" in lines[-1]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--since", "3"], [4, 5]),
        (["--since", "0"], [1, 2, 3, 4, 5]),
        (["--since", "2025-03-02"], [3, 4, 5]),
        (["--since", "2025-03-01T23:30"], [2, 3, 4, 5]),
        (["--since", "2025-03-02T08:15:00Z"], [3, 4, 5]),
        (["--since", "2025-03-02T10:00+02:00"], [3, 4, 5]),  # 08:00 UTC
        (["--since", "2025-03-02T10:16+02:00"], [4, 5]),
        (["--by", "bo"], [2, 4]),
        (["--graph", "curated"], [1, 4]),
        (["--graph", "sgg:contributed"], [2, 3]),
        (["--graph", str(GRAPH["x/y"])], [5]),
        (["--limit", "2"], [4, 5]),
        (["--by", "ana", "--limit", "2"], [3, 5]),
        (["--since", "1", "--by", "ana", "--graph", "contributed"], [3]),
    ],
)
def test_history_filters(
    runner: CliRunner, root: Path, journal: Path, args: list[str], expected: list[int]
) -> None:
    result = run(runner, "--root", str(root), "--memory", "history", *args, journal=journal)
    assert seqs(result) == expected


def test_history_as_json_lines(runner: CliRunner, root: Path, journal: Path) -> None:
    result = run(
        runner, "--root", str(root), "--memory", "history", "--json", "--by", "bo", journal=journal
    )
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [
        {
            "seq": 2,
            "at": "2025-03-01T23:30:00.000+00:00",
            "by": "bo",
            "what": "a fix",
            "graphs": [str(CONTRIBUTED_GRAPH)],
            "removed": 1,
            "added": 1,
        },
        {
            "seq": 4,
            "at": "2025-03-03T12:00:00.000+00:00",
            "by": "bo",
            "what": "drop one",
            "graphs": [str(CURATED_GRAPH)],
            "removed": 1,
            "added": 0,
        },
    ]


def test_history_says_when_nothing_matches(runner: CliRunner, root: Path, journal: Path) -> None:
    result = run(runner, "--root", str(root), "--memory", "history", "--by", "zed", journal=journal)
    assert result.exit_code == 0
    assert result.stdout == f"no entries match (5 in the journal at {journal})\n"
    quiet = run(
        runner, "--root", str(root), "--memory", "history", "--json", "--by", "zed", journal=journal
    )
    assert quiet.stdout == "" and "no entries match" in quiet.stderr


def test_history_of_a_missing_or_empty_journal(
    runner: CliRunner, root: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "none.jsonl"
    result = run(runner, "--root", str(root), "--memory", "history", journal=missing)
    assert result.exit_code == 0
    assert result.stdout == f"no journal at {missing} yet: no write has been accepted\n"
    missing.write_bytes(b"")
    result = run(runner, "--root", str(root), "--memory", "history", journal=missing)
    assert result.stdout == f"the journal at {missing} has no entries\n"


def test_history_with_memory_and_no_journal_says_there_is_none(
    runner: CliRunner, root: Path
) -> None:
    result = run(runner, "--root", str(root), "--memory", "history")
    assert result.exit_code == 0
    assert result.stdout.startswith("no journal: with --memory")
    assert "SCHOLARGATE_JOURNAL" in result.stdout


def test_history_reads_the_journal_beside_the_store_without_opening_it(
    runner: CliRunner, root: Path, journal: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copy(journal, tmp_path / "store.journal.jsonl")
    result = run(runner, "--root", str(root), "--store", str(store), "history", "--limit", "1")
    assert seqs(result) == [5]
    assert not store.exists()


def test_history_refuses_a_since_it_cannot_read(
    runner: CliRunner, root: Path, journal: Path
) -> None:
    result = run(
        runner, "--root", str(root), "--memory", "history", "--since", "lately", journal=journal
    )
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "journal number" in result.stderr


# ---- writing a journal as the write path does -------------------------------------------


def write(store: Store, journal: Journal, by: str, what: str, removed=(), added=()) -> None:
    """One accepted write: its effective delta applied to ``store`` and journaled."""
    delta = effective(store, removed, added)
    store.change(delta.removed, delta.added)
    with journal.locked(5):
        entries, end = journal.read(0)
        journal.append(len(entries) + 1, by, what, delta, end=end)


def graphs_of(store: Store, names: list[URIRef]) -> dict[URIRef, Graph]:
    return {name: store.graph(name) for name in names}


# ---- export-edits -----------------------------------------------------------------------


def test_export_edits_round_trip(runner: CliRunner, root: Path, tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    store = new_store()
    build_store(store, root, saved=root / "var" / "comparisons.nt")
    alpha = (ALPHA, SKOS.prefLabel, Literal("Alpha"), CURATED_GRAPH)
    alpha_en = (ALPHA, SKOS.prefLabel, Literal("Alpha", lang="en"), CURATED_GRAPH)
    write(
        store,
        journal,
        "ana",
        "a note on beta",
        added=[(BETA, RDFS.comment, Literal("note"), CONTRIBUTED_GRAPH)],
    )
    names = [CURATED_GRAPH, CONTRIBUTED_GRAPH]
    middle = graphs_of(store, names)  # after entry 1: where --since 1 starts
    node = BNode()
    write(store, journal, "bo", "rename alpha", removed=[alpha_en], added=[alpha])
    write(
        store,
        journal,
        "bo",
        "gamma, a new method",
        added=[
            (GAMMA, RDF.type, SG.Method, CONTRIBUTED_GRAPH),
            (GAMMA, SKOS.prefLabel, Literal("Gamma", lang="en"), CONTRIBUTED_GRAPH),
            (GAMMA, SG.summary, node, CONTRIBUTED_GRAPH),
            (node, RDFS.label, Literal("a blank node, nested"), CONTRIBUTED_GRAPH),
        ],
    )
    write(
        store,
        journal,
        "ana",
        "drop beta",
        removed=[
            (BETA, RDF.type, SG.Method, CURATED_GRAPH),
            (BETA, SKOS.prefLabel, Literal("Beta", lang="en"), CURATED_GRAPH),
        ],
    )
    write(
        store,
        journal,
        "ana",
        "a passing thought",
        added=[(ALPHA, RDFS.comment, Literal("maybe"), CURATED_GRAPH)],
    )
    write(
        store,
        journal,
        "ana",
        "on second thought",
        removed=[(ALPHA, RDFS.comment, Literal("maybe"), CURATED_GRAPH)],
    )
    after = graphs_of(store, names)
    out = tmp_path / "patches"
    result = run(
        runner,
        "--root",
        str(root),
        "--memory",
        "export-edits",
        "--since",
        "1",
        "--out",
        str(out),
        journal=journal.path,
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "contributed.added.ttl",
        "curated.added.ttl",
        "curated.removed.ttl",
    ]
    summary = result.stdout
    assert "entries 2–6 (5 in all)" in summary and "by ana, bo" in summary
    assert "methods added (1): sgm:gamma" in summary
    assert "methods changed (1): sgm:alpha" in summary
    assert "methods removed (1): sgm:beta" in summary
    for name in names:
        graph = Graph()
        for triple in middle[name]:
            graph.add(triple)
        stem = "curated" if name == CURATED_GRAPH else "contributed"
        removed, added = out / f"{stem}.removed.ttl", out / f"{stem}.added.ttl"
        if removed.exists():
            for triple in Graph().parse(removed, format="turtle"):
                graph.remove(triple)
        if added.exists():
            text = added.read_text(encoding="utf-8")
            assert text.startswith(f"# Edits to sgg:{stem} ")
            graph += Graph().parse(data=text, format="turtle")
        assert isomorphic(graph, after[name]), name
    curated_added = (out / "curated.added.ttl").read_text(encoding="utf-8")
    assert "@prefix sgm: <https://w3id.org/scholargate/method/> ." in curated_added
    assert 'sgm:alpha skos:prefLabel "Alpha" .' in curated_added
    assert "maybe" not in curated_added  # added, then taken back: in neither list
    assert "#   2  " in curated_added and "  bo  rename alpha" in curated_added
    assert "data/curated/methods.ttl" in curated_added


def test_export_edits_prints_every_graph_as_turtle_by_default(
    runner: CliRunner, root: Path, tmp_path: Path
) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    store = new_store()
    build_store(store, root)
    write(
        store,
        journal,
        "ana",
        "rename alpha",
        removed=[(ALPHA, SKOS.prefLabel, Literal("Alpha", lang="en"), CURATED_GRAPH)],
        added=[(ALPHA, SKOS.prefLabel, Literal("Alpha one", lang="en"), CURATED_GRAPH)],
    )
    result = run(runner, "--root", str(root), "--memory", "export-edits", journal=journal.path)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# entry 1 (1 in all) of the change journal")
    assert "# methods changed (1): sgm:alpha" in text
    assert "# ---- removed (1) ----" in text and "# ---- added (1) ----" in text
    removed_part, added_part = text.split("# ---- added (1) ----")
    Graph().parse(data=text, format="turtle")  # all of it is Turtle or comments
    assert '"Alpha"@en' in removed_part.split("# ---- removed (1) ----")[1]
    assert '"Alpha one"@en' in added_part


def test_export_edits_of_nothing_says_so(runner: CliRunner, root: Path, tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    result = run(runner, "--root", str(root), "--memory", "export-edits", journal=journal.path)
    assert result.stdout == f"no journal at {journal.path} yet: no write has been accepted\n"
    store = new_store()
    build_store(store, root)
    write(
        store, journal, "ana", "a note", added=[(ALPHA, RDFS.comment, Literal("x"), CURATED_GRAPH)]
    )
    result = run(
        runner,
        "--root",
        str(root),
        "--memory",
        "export-edits",
        "--since",
        "1",
        journal=journal.path,
    )
    assert result.stdout == f"no entries after 1 (1 in the journal at {journal.path})\n"


# ---- build -------------------------------------------------------------------------------


def test_a_rebuild_reports_the_entries_a_changed_source_contradicts_or_holds(
    runner: CliRunner, root: Path, tmp_path: Path
) -> None:
    store_path = tmp_path / "store"
    journal = Journal(tmp_path / "store.journal.jsonl")
    at = ["--root", str(root), "--store", str(store_path)]
    first = run(runner, *at, "build")
    assert first.exit_code == 0, first.output
    assert first.stdout.endswith(f"journal {journal.path}: no entries\n")

    # two writes, made on a graph built from the same sources
    graph = new_store()
    build_store(graph, root, saved=root / "var" / "comparisons.nt")
    write(
        graph,
        journal,
        "ana",
        "rename alpha",
        removed=[(ALPHA, SKOS.prefLabel, Literal("Alpha", lang="en"), CURATED_GRAPH)],
        added=[(ALPHA, SKOS.prefLabel, Literal("Alpha prime", lang="en"), CURATED_GRAPH)],
    )
    write(
        graph,
        journal,
        "bo",
        "a note on beta",
        added=[(BETA, RDFS.comment, Literal("kept"), CURATED_GRAPH)],
    )

    again = run(runner, *at, "build")
    assert again.exit_code == 0, again.output
    assert "up to date" in again.stdout
    assert f"journal {journal.path}: replayed 2 entries over the store, up to entry 2" in (
        again.stdout
    )
    assert "contradicted" not in again.stdout and "folded" not in again.stdout
    unchanged = run(runner, *at, "build")
    assert f"journal {journal.path}: nothing new (the store holds it up to entry 2)" in (
        unchanged.stdout
    )

    # a maintainer renames alpha otherwise (entry 1's removal no longer applies) and
    # folds entry 2 into the sources
    source = root / "data" / "curated" / "methods.ttl"
    source.write_text(
        METHODS.replace('"Alpha"@en', '"Alpha renamed"@en').replace(
            '"Beta"@en .', '"Beta"@en ; rdfs:comment "kept" .'
        ),
        encoding="utf-8",
    )
    rebuilt = run(runner, *at, "build")
    assert rebuilt.exit_code == 0, rebuilt.output
    out = rebuilt.stdout
    assert "graph" in out and "triples" in out  # the build's own table
    assert f"journal {journal.path}: replayed 2 entries over the rebuilt sources" in out
    contradicted = out.split("contradicted by a changed source (1 entry")[1]
    contradicted = contradicted.split("already folded")[0]
    rows = [line for line in contradicted.splitlines() if line.startswith("1 ")]
    assert len(rows) == 1, out
    [row] = rows
    assert row.split()[3:] == ["ana", "rename", "alpha", "1", "of", "1"]
    assert row.split()[1] == journal.entries()[0].at[:10]
    assert "re-applied by every build as far as it applies" in out
    folded = out.split("already folded into the sources (1 entry")[1]
    assert [line.split()[0] for line in folded.splitlines()[3:]] == ["2"]
    assert "bo" in folded and "a note on beta" in folded

    # the contradicted entry was still applied as far as it applies
    labels = run(
        runner,
        *at,
        "query",
        "--format",
        "tsv",
        f"SELECT ?l WHERE {{ <{ALPHA}> skos:prefLabel ?l }} ORDER BY ?l",
    )
    assert labels.stdout.splitlines()[1:] == ['"Alpha prime"@en', '"Alpha renamed"@en']


def test_edits_exported_and_folded_into_data_are_reported_as_folded(
    runner: CliRunner, root: Path, tmp_path: Path
) -> None:
    store_path = tmp_path / "store"
    journal = Journal(tmp_path / "store.journal.jsonl")
    at = ["--root", str(root), "--store", str(store_path)]
    graph = new_store()
    build_store(graph, root, saved=root / "var" / "comparisons.nt")
    write(
        graph,
        journal,
        "ana",
        "rename alpha",
        removed=[(ALPHA, SKOS.prefLabel, Literal("Alpha", lang="en"), CURATED_GRAPH)],
        added=[(ALPHA, SKOS.prefLabel, Literal("Alpha one", lang="en"), CURATED_GRAPH)],
    )
    out = tmp_path / "patches"
    assert run(runner, *at, "export-edits", "--out", str(out)).exit_code == 0
    # the maintainer folds the patch into the curated file
    source = root / "data" / "curated" / "methods.ttl"
    curated = Graph().parse(source, format="turtle")
    for triple in Graph().parse(out / "curated.removed.ttl", format="turtle"):
        curated.remove(triple)
    curated += Graph().parse(out / "curated.added.ttl", format="turtle")
    source.write_text(curated.serialize(format="turtle"), encoding="utf-8")
    built = run(runner, *at, "build")
    assert built.exit_code == 0, built.output
    assert "contradicted" not in built.stdout
    folded = built.stdout.split("already folded into the sources (1 entry")[1]
    assert folded.splitlines()[3].split()[0] == "1" and "rename alpha" in folded


def test_build_help_says_what_to_do_about_a_contradiction(runner: CliRunner) -> None:
    text = runner.invoke(main, ["build", "--help"]).stdout
    assert "contradiction is reported, not an error" in " ".join(text.split())
    assert "edit data/" in text
