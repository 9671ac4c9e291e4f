"""The scholargate command: exit codes, formats, and one-line errors."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scholargate.cli import main


@pytest.fixture(scope="module")
def small_root(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    """A copy of the ontology, shapes and concepts only: a tiny, fast project."""
    root = tmp_path_factory.mktemp("root")
    for folder in ("ontology", "shapes"):
        shutil.copytree(project_root / folder, root / folder)
    (root / "data" / "curated").mkdir(parents=True)
    shutil.copy(project_root / "data" / "curated" / "concepts.ttl", root / "data" / "curated")
    return root


def run(runner: CliRunner, root: Path, *args: str):
    return runner.invoke(main, ["--root", str(root), "--memory", *args], catch_exceptions=False)


def test_query_prints_a_table(runner: CliRunner, small_root: Path) -> None:
    result = run(
        runner,
        small_root,
        "query",
        "SELECT ?f ?l WHERE { ?f a sg:Field ; skos:prefLabel ?l FILTER(lang(?l)='fa') }",
    )
    assert result.exit_code == 0
    assert "sgf:deep-learning" in result.stdout
    assert "یادگیری عمیق@fa" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "csv", "tsv", "xml"])
def test_query_writes_each_results_format(runner: CliRunner, small_root: Path, fmt: str) -> None:
    query = "SELECT ?f WHERE { ?f a sg:Field } ORDER BY ?f"
    result = run(runner, small_root, "query", "--format", fmt, query)
    assert result.exit_code == 0
    if fmt == "json":
        rows = json.loads(result.stdout)["results"]["bindings"]
        assert rows[0]["f"]["value"].endswith("/field/computer-vision")
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert rows[0] == ["f"] and len(rows) > 1
    else:
        assert "computer-vision" in result.stdout


def test_query_syntax_error_is_one_line_with_position(runner: CliRunner, small_root: Path) -> None:
    result = run(runner, small_root, "query", "SELECT * WHERE {\n ?s ?p }")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: 2:")


def test_malformed_turtle_exits_2_with_path_line_column(
    runner: CliRunner, small_root: Path, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    shutil.copytree(small_root, root)
    bad = root / "data" / "curated" / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "unclosed .\n')
    result = run(runner, root, "stats")
    assert result.exit_code == 2
    assert f"{bad}:2:" in result.stderr


def test_unknown_export_format_is_refused(runner: CliRunner, small_root: Path) -> None:
    result = run(runner, small_root, "export", "--format", "docx")
    assert result.exit_code == 2
    assert "docx" in result.stderr


def test_export_unknown_graph_lists_the_graphs(runner: CliRunner, small_root: Path) -> None:
    result = run(runner, small_root, "export", "--graph", "nope")
    assert result.exit_code == 2
    assert "sgg:curated" in result.stderr


def test_export_to_a_file(runner: CliRunner, small_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "curated.ttl"
    result = run(
        runner, small_root, "export", "--format", "ttl", "--graph", "curated", "-o", str(out)
    )
    assert result.exit_code == 0
    assert "sgf:deep-learning" in out.read_text()


def test_stats_counts_classes_and_languages(runner: CliRunner, small_root: Path) -> None:
    result = run(runner, small_root, "stats", "--format", "json")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert stats["classes"]["https://w3id.org/scholargate/ontology#Field"] == 5
    languages = {(row["language"], row["property"]) for row in stats["languages"]}
    assert ("fa", "http://www.w3.org/2004/02/skos/core#prefLabel") in languages


def test_missing_root_is_a_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, tmp_path, "stats")
    assert result.exit_code == 2
    assert "no ScholarGate data found" in result.stderr


def test_on_disk_store_is_reused(runner: CliRunner, small_root: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    args = ["--root", str(small_root), "--store", str(store), "build"]
    first = runner.invoke(main, args, catch_exceptions=False)
    assert first.exit_code == 0 and "quads in" in first.stdout
    second = runner.invoke(main, args, catch_exceptions=False)
    assert second.exit_code == 0 and "up to date" in second.stdout
