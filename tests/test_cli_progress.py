"""Progress of long commands: a bar when stderr is a terminal (a real pseudo-terminal
here), plain lines when it is a pipe; the result alone on stdout either way. And
``build``'s per-graph table lists every graph, ``sgg:metadata`` included."""

from __future__ import annotations

import io
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scholargate.build import discover
from scholargate.cli.progress import Progress


@pytest.fixture
def small_root(tmp_path: Path, project_root: Path) -> Path:
    root = tmp_path / "root"
    for folder in ("ontology", "shapes"):
        shutil.copytree(project_root / folder, root / folder)
    (root / "data" / "curated").mkdir(parents=True)
    for name in ("concepts.ttl", "seed.ttl"):
        shutil.copy(project_root / "data" / "curated" / name, root / "data" / "curated")
    for meta in project_root.glob("data/*.meta.ttl"):
        shutil.copy(meta, root / "data")
    return root


def _command() -> list[str]:
    script = Path(sys.executable).with_name("scholargate")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "scholargate.cli"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGATE_")}


def test_build_writes_plain_lines_to_a_pipe_and_lists_the_metadata_graph(
    small_root: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    done = subprocess.run(
        [*_command(), "--root", str(small_root), "--store", str(store), "build"],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
        check=False,
    )
    assert done.returncode == 0, done.stderr
    total = len(discover(small_root, None))
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith(f"Building {store}: ") for line in lines), lines
    assert "\r" not in done.stderr and "\x1b" not in done.stderr
    assert lines[-1] == f"Building {store}: {total}/{total}"
    assert len(lines) == total  # at most 20 files: a line each
    graphs = [line.split()[0] for line in done.stdout.splitlines() if line.startswith("sgg:")]
    assert "sgg:metadata" in graphs and "sgg:ontology" in graphs and "sgg:curated" in graphs


def test_build_draws_a_bar_on_a_terminal(small_root: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen(
            [*_command(), "--root", str(small_root), "--store", str(store), "build"],
            stdout=subprocess.PIPE,
            stderr=follower,
            env=_env(),
        )
        os.close(follower)
        drawn = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            drawn += chunk
        stdout = process.communicate(timeout=300)[0].decode()
    finally:
        os.close(leader)
    assert process.returncode == 0
    total = len(discover(small_root, None))
    screen = drawn.decode()
    assert "\r" in screen and f"[{'#' * 36}]  {total}/{total}" in screen, screen[-300:]
    assert "quads in" in stdout and "Building" not in stdout


def test_plain_progress_writes_a_line_per_tenth_of_a_long_job() -> None:
    out = io.StringIO()
    with Progress(file=out, tty=False) as shown:
        for done in range(0, 1001):
            shown.update("Importing methods.json", done, 1000)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Importing methods.json: 100/1000"
    assert lines[-1] == "Importing methods.json: 1000/1000"
    assert len(lines) == 10


def test_quiet_progress_writes_nothing_off_a_terminal() -> None:
    out = io.StringIO()
    with Progress(file=out, tty=False, plain=False) as shown:
        shown.update("Building", 3, 5, "x.ttl")
    assert out.getvalue() == ""
