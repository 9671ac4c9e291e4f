"""Fixtures shared by the whole suite.

Under CI (``CI=true``) a component a test needs — the shared data candidates, Chromium,
a SPARQL server — must be present: ``require`` fails instead of skipping, so a green
run proves the test ran.
"""

from __future__ import annotations

import os
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
    comparisons go to a file of the module's own."""
    saved = tmp_path_factory.mktemp("saved") / "comparisons.nt"
    return create_app({"MEMORY": True, "SAVED": saved, "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
