"""The suite does not depend on the checkout's state (issue 17).

A copy of the checkout (its sources, tests and manual) gets a var/ of its own the way a
developer's does: a live ``scholargate serve`` on the copy (its default store,
``var/store``, and journal), a token (``var/tokens.json``), and a legacy saved
comparison (``var/comparisons.nt``). While that server keeps
saving comparisons into the copy's journal, tests that once read the checkout's var/
run in the copy and must pass. A canary test in the copy opens the copy's var/: the
guard in tests/conftest.py must fail it, so the guard is shown to work, not assumed.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import scholargate

from .conftest import CHECKOUT_VAR, _var_touches

# Tests that read the checkout's var/ before it was kept out of the suite (validating the
# bundled data read var/comparisons.nt; the allow-list and route tests opened apps on the
# default paths), and others that open the app or the CLI on the checkout's root.
HERMETIC = (
    "tests/test_cli_validate.py::test_bundled_data_conforms",
    "tests/test_description.py",
    "tests/test_docs.py",
    "tests/test_tokens.py",
    "tests/test_resources.py",
)
CANARY = """
from .conftest import ROOT


def test_reads_the_checkouts_var():
    (ROOT / "var" / "comparisons.nt").read_bytes()
"""
SLUGS = ("multi-head-self-attention", "bert-fine-tuning", "lora", "transformer", "qlora")
# a saved comparison in the legacy file (where servers saved before the journal): a test
# that built the checkout's graph with it would find an sgg:comparisons graph and a
# comparison that the bundled data does not have
LEGACY = (
    "<https://w3id.org/scholargate/comparison/0123456789ab> "
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/scholargate/ontology#Comparison> .\n"
)


def _command() -> list[str]:
    script = Path(sys.executable).with_name("scholargate")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "scholargate.cli"]


def _env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGATE_")}
    env["PYTHONPATH"] = str(Path(scholargate.__file__).resolve().parents[1])
    env.update({f"SCHOLARGATE_{k}": v for k, v in settings.items()})
    return env


def _copy_checkout(source: Path, target: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")
    for folder in ("ontology", "shapes", "data", "tests", "docs"):  # the code: PYTHONPATH
        shutil.copytree(source / folder, target / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(source / name, target / name)
    (target / "tests" / "test_zz_canary.py").write_text(CANARY, encoding="utf-8")
    return target


class _Saver:
    """Saves comparisons on the live server until stopped; counts the new ones."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.saved = 0
        self.failures: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        pairs = itertools.cycle(itertools.permutations(SLUGS, 2))
        while not self.stop.is_set():
            body = urllib.parse.urlencode({"m": ",".join(next(pairs))}).encode()
            request = urllib.request.Request(
                f"{self.url}/compare/save", data=body, headers={"Accept": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    self.saved += answer.status == 201
            except OSError as error:
                self.failures.append(str(error))
            self.stop.wait(0.5)


@pytest.fixture
def live_copy(tmp_path: Path, project_root: Path) -> Iterator[tuple[Path, _Saver]]:
    copy = _copy_checkout(project_root, tmp_path / "checkout")
    env = _env(ROOT=str(copy), WORKERS="1", QUERY_WORKERS="1", ALLOCATOR="system", SAVE_RATE="0")
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [*_command(), "serve", "--host", "127.0.0.1", "--port", "0"],
        cwd=copy,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    try:
        url = None
        ends = time.monotonic() + 180
        while url is None and time.monotonic() < ends and server.poll() is None:
            line = server.stdout.readline() if server.stdout else ""
            found = re.search(r"is serving (http://\S+?)/?\s", line)
            url = found.group(1) if found else None
        assert url, (tmp_path / "serve.log").read_text()[-2000:]
        saver = _Saver(url)
        saver.thread.start()
        token = subprocess.run(
            [*_command(), "token", "add", "canary", "--role", "writer"],
            cwd=copy,
            env=_env(ROOT=str(copy)),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        assert token.stdout.strip()
        (copy / "var" / "comparisons.nt").write_text(LEGACY, encoding="utf-8")
        yield copy, saver
        saver.stop.set()
        saver.thread.join(60)
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stdout is not None:
            server.stdout.close()
        log.close()


@pytest.mark.slow
def test_the_suite_passes_while_a_server_on_the_same_checkout_saves_comparisons(
    live_copy: tuple[Path, _Saver],
) -> None:
    copy, saver = live_copy
    journal = copy / "var" / "store.journal.jsonl"
    before = journal.stat().st_size if journal.exists() else 0
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            *HERMETIC,
            "tests/test_zz_canary.py",
        ],
        cwd=copy,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    out = run.stdout + run.stderr
    assert not saver.failures, saver.failures[:3]
    assert saver.saved >= 2 and journal.stat().st_size > before, "the server saved meanwhile"
    # everything passed but the canary, which the guard failed
    assert "test_zz_canary.py::test_reads_the_checkouts_var" in out, out[-3000:]
    assert "the test touched the checkout's var/" in out and "comparisons.nt" in out
    summary = out.strip().splitlines()[-1]
    assert re.search(r"\b1 error\b", summary) and "failed" not in summary, out[-3000:]
    assert re.search(r"\b\d+ passed\b", summary), summary


def test_the_guard_sees_a_file_call_under_the_checkouts_var(tmp_path: Path) -> None:
    """An open under the checkout's var/ is recorded (this one finds no file: nothing is
    read); the same call elsewhere is not."""
    missing = CHECKOUT_VAR / "no-such-file-the-guard-test-asks-for"
    with pytest.raises(FileNotFoundError):
        open(missing, "rb")  # noqa: SIM115 - the call is what is tested
    with pytest.raises(FileNotFoundError):
        os.listdir(CHECKOUT_VAR / "no-such-folder-the-guard-test-asks-for")
    (tmp_path / "elsewhere").write_text("x")
    seen = list(_var_touches)
    _var_touches.clear()  # seen: the guard would fail this test for it
    assert seen == [
        f"open {missing}",
        f"os.listdir {CHECKOUT_VAR / 'no-such-folder-the-guard-test-asks-for'}",
    ]
