"""deploy/: the systemd units parse and name only settings and commands that exist."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scholargate.config import SETTINGS

from .conftest import require

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
PROJECT = DEPLOY.parent
UNITS = sorted(p.name for p in DEPLOY.glob("scholargate*.service")) + sorted(
    p.name for p in DEPLOY.glob("*.timer")
)


def _installed(folder: Path) -> list[Path]:
    """The units as they would be installed for this checkout: /srv/scholargate is here."""
    venv = Path(sys.executable).parent.parent
    paths = []
    for name in UNITS:
        text = (DEPLOY / name).read_text()
        text = text.replace("/srv/scholargate/.venv", str(venv)).replace(
            "/srv/scholargate", str(PROJECT)
        )
        (folder / name).write_text(text)
        paths.append(folder / name)
    return paths


def test_the_units_are_there() -> None:
    expected = ["scholargate-health.service", "scholargate.service", "scholargate-health.timer"]
    assert UNITS == expected


def test_systemd_verifies_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    require(analyze is not None, "systemd-analyze is not installed")
    assert analyze is not None
    units = _installed(tmp_path)
    result = subprocess.run(
        [analyze, "verify", *map(str, units)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    ours = [line for line in result.stderr.splitlines() if str(tmp_path) in line]
    assert result.returncode == 0 and ours == [], result.stderr


def _unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string((DEPLOY / name).read_text())
    return parser


def test_the_service_restarts_runs_unprivileged_and_serves() -> None:
    service = _unit("scholargate.service")["Service"]
    assert service["Restart"] == "on-failure"
    assert service["User"] not in ("", "root")
    assert re.search(r"/scholargate serve\b", service["ExecStart"])
    assert "/-/health" in service["ExecStartPost"]


@pytest.mark.parametrize("name", ["scholargate.service", "scholargate.env"])
def test_every_setting_named_exists(name: str) -> None:
    text = (DEPLOY / name).read_text()
    named = set(re.findall(r"SCHOLARGATE_([A-Z_]+)", text))
    assert named and named <= set(SETTINGS), named - set(SETTINGS)


def test_the_nginx_example_matches_the_settings() -> None:
    text = (DEPLOY / "nginx.conf").read_text()
    assert "proxy_request_buffering on" in text and "X-Forwarded-For" in text
    assert "client_body_timeout" in text and "send_timeout" in text
