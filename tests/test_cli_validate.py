"""`scholargate validate`: exit 0 on the bundled data, 1 with the shape's message, 2 on errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from scholargate.cli import main


@pytest.fixture(scope="module")
def curated_root(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    """The ontology, shapes and curated data (no imports: quicker, same strict rules)."""
    root = tmp_path_factory.mktemp("curated")
    for folder in ("ontology", "shapes", "data/curated"):
        shutil.copytree(project_root / folder, root / folder)
    shutil.copy(project_root / "data" / "curated.meta.ttl", root / "data")
    return root


def validate(root: Path, *args: str, saved: Path | None = None):
    """``validate`` on ``root``; ``saved``: the saved comparisons file (a checkout's own,
    ``ROOT/var/comparisons.nt``, is not the bundled data's and may change any time)."""
    env = {"SCHOLARGATE_SAVED": str(saved)} if saved is not None else {}
    return CliRunner().invoke(
        main, ["--root", str(root), "--memory", "validate", *args], catch_exceptions=False, env=env
    )


def test_bundled_data_conforms(project_root: Path, tmp_path: Path) -> None:
    result = validate(project_root, saved=tmp_path / "comparisons.nt")
    assert result.exit_code == 0, result.stdout[-2000:]
    assert result.stdout.splitlines()[0].startswith("Conforms")


def test_a_curated_method_without_its_year_fails_with_the_shape_message(
    curated_root: Path, tmp_path: Path
) -> None:
    root = tmp_path / "root"
    shutil.copytree(curated_root, root)
    seed = root / "data" / "curated" / "seed.ttl"
    text = seed.read_text(encoding="utf-8")
    without = re.sub(r'\s*sg:yearIntroduced "2022"\^\^xsd:gYear\s*;', "", text, count=1)
    assert without != text
    seed.write_text(without, encoding="utf-8")
    result = validate(root, "--lang", "fa")
    assert result.exit_code == 1
    blocking = [line for line in result.stdout.splitlines() if "sgm:lora" in line]
    assert blocking and "سال پیدایش" in blocking[0]
    assert "MethodShape-yearIntroduced-required" in blocking[0]


def test_a_new_file_is_checked_as_curated_data(curated_root: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.ttl"
    new.write_text(
        "@prefix sg: <https://w3id.org/scholargate/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/scholargate/method/nameless> a sg:Method ;\n"
        '    skos:prefLabel "بی‌نام"@fa ;\n'
        "    skos:related <https://w3id.org/scholargate/method/lora> .\n",
        encoding="utf-8",
    )
    result = validate(curated_root, str(new), "--format", "json")
    assert result.exit_code == 1
    assert '"conforms": false' in result.stdout
    assert "MethodShape-prefLabel-en" in result.stdout


def test_a_malformed_file_is_exit_2_with_path_line_column(
    curated_root: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\n\nex:a ex:b "open .\n', encoding="utf-8")
    result = validate(curated_root, str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad}:3:")


def test_a_missing_file_is_a_one_line_error(curated_root: Path, tmp_path: Path) -> None:
    result = validate(curated_root, str(tmp_path / "nope.ttl"))
    assert result.exit_code == 2
    assert "nope.ttl" in result.stderr and result.stderr.count("\n") == 1
