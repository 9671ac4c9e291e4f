"""`scholargate link` with no network: one short line naming the endpoint, the cause and
what to do, with nothing (no rdflib warning, no progress line) before it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on: "no network" for the linker."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("scholargate")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "scholargate.cli"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGATE_")}


def test_link_without_network_is_one_short_line(linked_project: Path, tmp_path: Path) -> None:
    port = _closed_port()
    endpoint = f"http://127.0.0.1:{port}/sparql"
    mapping = tmp_path / "offline.toml"
    mapping.write_text(
        'extends = "wikidata"\nname = "offline"\n'
        f'endpoint = "{endpoint}"\n'
        "[client]\nretries = 0\nmin_interval = 0\nconnect_timeout = 2\ntimeout = 5\n"
    )
    done = subprocess.run(
        [*_command(), "--root", str(linked_project), "--memory", "link", str(mapping), "--dry-run"],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # no rdflib warning before it
    line = lines[0]
    assert line.startswith("error: ") and endpoint in line and "refused" in line.lower()
    assert line.endswith("; check the network, or give another endpoint with --endpoint URL")
    assert len(line) < 200 and "query=" not in line and "SELECT" not in line


def test_link_to_a_host_that_does_not_resolve_says_so_in_one_line(linked_project: Path) -> None:
    """The bundled wikidata mapping with --endpoint: a name under .invalid (RFC 6761)
    never resolves, online or not, and is not retried."""
    endpoint = "http://scholargate-offline.invalid/sparql"
    done = subprocess.run(
        [
            *_command(),
            "--root",
            str(linked_project),
            "--memory",
            "link",
            "wikidata",
            "--endpoint",
            endpoint,
            "--dry-run",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
        check=False,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr  # no rdflib warning, no progress line before it
    line = lines[0]
    assert line.startswith(f"error: {endpoint}: cannot connect: unknown host (")
    assert line.endswith("; check the network, or give another endpoint with --endpoint URL")
    assert len(line) < 200 and "query=" not in line
