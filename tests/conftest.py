"""Fixtures shared by the whole suite.

Under CI (``CI=true``) a component a test needs — the shared data candidates, Chromium,
a SPARQL server — must be present: ``require`` fails instead of skipping, so a green
run proves the test ran.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from scholargate.build import build_store
from scholargate.store.oxigraph import OxigraphStore
from scholargate.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip when a component is missing on a developer machine; fail under CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"missing under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def data_candidates() -> Path:
    """The openly licensed source data beside the checkout (../shared/data-candidates)."""
    path = ROOT.parent / "shared" / "data-candidates"
    require(path.is_dir(), f"{path} is not there")
    return path


@pytest.fixture(scope="session")
def bundled_store() -> OxigraphStore:
    """The whole repository's graph, built once in memory. Read it, never write it."""
    store = OxigraphStore()
    build_store(store, ROOT)
    return store


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """The web app on the bundled graph built in memory, one per test module; saved
    comparisons go to a file of the module's own, releases to a folder of its own."""
    saved = tmp_path_factory.mktemp("saved") / "comparisons.nt"
    releases = tmp_path_factory.mktemp("releases")
    return create_app({"MEMORY": True, "SAVED": saved, "RELEASES": releases, "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OxigraphServer:
    """The Oxigraph server (``oxigraph serve``, the ``oxigraph`` package on PyPI) on a
    free loopback port with a throwaway database; ``url`` is its base URL."""

    def __init__(self, folder: Path) -> None:
        program = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        require(Path(program).is_file(), "the Oxigraph server is not installed (oxigraph on PyPI)")
        self.program, self.folder = program, folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "oxigraph.log"
        self.start()

    def start(self) -> None:
        """Start the server (again, after ``stop``: the same port and database)."""
        program, folder = self.program, self.folder
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [program, "serve", "--location", str(folder / "db"), "--bind", self.url[7:]],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        ends = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=2):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > ends:
                    self.stop()
                    pytest.fail(f"the Oxigraph server did not start: {self.log.read_text()[-400:]}")
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """One Oxigraph server for the session; a test empties it before use (``clear``)."""
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph"))
    yield server
    server.stop()


@pytest.fixture
def fresh_oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """An Oxigraph server of the test's own, with an empty database (``start`` after
    ``stop`` brings it back on the same port and database)."""
    folder = tmp_path / "oxigraph"
    folder.mkdir()
    server = OxigraphServer(folder)
    yield server
    server.stop()
