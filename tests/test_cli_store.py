"""The command on a store another process holds: one line on stderr, exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .test_build import PREFIXES, _holding, built


def _scholargate(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("scholargate")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "scholargate.cli"]
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGATE_")}
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=120, env=clean, check=False
    )


def test_a_second_command_on_a_held_store_says_so_in_one_line(tmp_path: Path) -> None:
    root, path = built(tmp_path)
    with _holding(path):
        for args in (["query", "ASK { ?s ?p ?o }"], ["build"], ["stats"]):
            done = _scholargate("--root", str(root), "--store", str(path), *args)
            assert done.returncode == 2, done.stderr
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1, done.stderr
            assert lines[0].startswith("error: the store at ") and "in use" in lines[0]
            assert "Traceback" not in done.stderr
    done = _scholargate("--root", str(root), "--store", str(path), "query", "ASK { ?s ?p ?o }")
    assert done.returncode == 0, done.stderr


def test_a_source_change_while_the_store_is_held_leaves_it_in_place(tmp_path: Path) -> None:
    root, path = built(tmp_path)
    (root / "data" / "curated" / "n.ttl").write_text(PREFIXES + "sgm:n a sg:Method .\n")
    with _holding(path):
        done = _scholargate("--root", str(root), "--store", str(path), "build")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    assert path.is_dir() and not list(tmp_path.glob("store.*-*"))
