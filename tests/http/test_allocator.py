"""``serve`` runs on jemalloc when it is installed (ALLOCATOR=auto): the master, its
HTTP workers and their query processes all map it. ``.ci/run`` installs libjemalloc2."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scholargate.allocator import find_jemalloc

from ..conftest import require
from .conftest import LiveServer, _command


def _maps_jemalloc(pid: int) -> bool:
    return "libjemalloc" in Path(f"/proc/{pid}/maps").read_text()


def test_every_server_process_runs_on_jemalloc(server: LiveServer) -> None:
    require(find_jemalloc() is not None, "jemalloc is not installed (apt install libjemalloc2)")
    processes = [server.process.pid, *server.workers(), *server.query_processes()]
    assert len(processes) >= 1 + 2 + 2  # the master, two workers, their query processes
    assert [pid for pid in processes if not _maps_jemalloc(pid)] == []
    assert server.query("ASK {}").json()["boolean"] is True


def test_an_unknown_allocator_is_refused_with_the_choices(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGATE_")}
    env["SCHOLARGATE_ALLOCATOR"] = "tcmalloc"
    result = subprocess.run(
        [*_command(), "serve", "--port", "0", "--store", str(tmp_path / "store")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "ALLOCATOR is 'tcmalloc'; use one of auto, jemalloc, system" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "store").exists()  # refused before anything was built
