"""/sparql on an app whose graph lives in memory (MEMORY=true, as in tests and demos):
its query processes load a dump of the graph, and end with the app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scholargate.web import sparql
from scholargate.web.app import create_app
from scholargate.web.context import get_store

from ..conftest import hermetic_settings

pytestmark = pytest.mark.slow


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    application = create_app(hermetic_settings(tmp_path, QUERY_WORKERS=1, MAX_ROWS=7))
    yield application
    sparql.close(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_memory_graph_answers_through_a_query_process(app: Flask, client: FlaskClient) -> None:
    reply = client.get(
        "/sparql",
        query_string={"query": "SELECT ?m WHERE { ?m a sg:Method }"},
        headers={"Accept": "text/csv"},
    )
    assert reply.status_code == 200
    assert reply.headers["SPARQL-Results-Truncated"] == "true"
    assert len(reply.get_data(as_text=True).splitlines()) == 1 + 7
    with app.app_context():
        pids = get_store().query_processes  # the embedded store's own
    assert pids and os.getpid() not in pids
    sparql.close(app)
    assert not [pid for pid in pids if os.path.exists(f"/proc/{pid}")]
