"""The README is the manual: every setting, route and command must be in it."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import click
import pytest

from scholargate.cli import main
from scholargate.config import SETTINGS
from scholargate.web.app import create_app

from .conftest import hermetic_settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_setting_is_documented(name: str) -> None:
    assert f"`SCHOLARGATE_{name}`" in README


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix}{name} ")
        else:
            names.append(prefix + name)
    return names


@pytest.mark.parametrize("command", sorted(_commands(main)))
def test_command_is_documented(command: str) -> None:
    assert re.search(rf"`{re.escape(command)}\b", README), command


def _routes() -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(hermetic_settings(Path(folder)))
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint != "static"}
    return sorted(rules)


@pytest.mark.parametrize("rule", _routes())
def test_route_is_documented(rule: str) -> None:
    # <converter:name> in Flask rules is written {name} in the README
    readable = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)
    assert readable in README, f"route {readable} is not in the README"


_TEXT_FOLDERS = ("src", "tests", "data", "docs", "bench", "ontology", "shapes", "qc", "scripts")
_MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.MULTILINE)


def test_no_file_holds_a_merge_conflict_marker() -> None:
    root = Path(__file__).resolve().parents[1]
    files = [root / "README.md", root / "pyproject.toml"]
    for folder in _TEXT_FOLDERS:
        files += [p for p in (root / folder).rglob("*") if p.is_file()]
    marked = []
    for path in files:
        if "__pycache__" in path.parts or path.suffix in {".png", ".pyc", ".gz", ".zip"}:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if _MARKER.search(text):
            marked.append(str(path.relative_to(root)))
    assert marked == []
