"""Fixtures of the link tests: the project's own ``scholargate serve`` on a small
Wikidata- and dblp-shaped graph (``fixtures/remote.ttl``), scripted misbehaving
endpoints in front of it, and throwaway project folders whose ``data/links/`` a run
may write. Nothing here reaches beyond 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scholargate.services.link import LinkReport, Mapping, link, load_mapping

from ..http.conftest import LiveServer, start_server, stop_server
from .servers import Scripted, Silent

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Quick and impatient, so the failure cases end in seconds; the politeness itself
# (rate, Retry-After, one request at a time) is what the tests check.
TEST_CLIENT: dict[str, Any] = {
    "min_interval": 0,
    "connect_timeout": 2,
    "timeout": 5,
    "retries": 2,
    "max_wait": 10,
    "default_retry_after": 1,
}


def make_fixture_project(folder: Path, *graphs: Path) -> Path:
    """A project folder the build accepts, whose only data is ``graphs``."""
    (folder / "ontology").mkdir(parents=True)
    curated = folder / "data" / "curated"
    curated.mkdir(parents=True)
    for graph in graphs:
        shutil.copy(graph, curated / graph.name)
    return folder


def make_linked_project(folder: Path, project_root: Path) -> Path:
    """A project folder with the repository's ontology, shapes and data (linked, not
    copied) and an empty ``data/links/`` of its own."""
    (folder / "data" / "links").mkdir(parents=True)
    for name in ("ontology", "shapes"):
        (folder / name).symlink_to(project_root / name)
    for entry in (project_root / "data").iterdir():
        if entry.name != "links":
            (folder / "data" / entry.name).symlink_to(entry)
    return folder


@pytest.fixture(scope="session")
def remote(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Iterator[LiveServer]:
    """``scholargate serve`` on the fixture graph: the stand-in for Wikidata and dblp."""
    folder = tmp_path_factory.mktemp("remote")
    root = make_fixture_project(folder / "project", FIXTURES / "remote.ttl")
    settings = {"WORKERS": "1", "QUERY_WORKERS": "2"}
    live = start_server(folder, settings, root)
    yield live
    stop_server(live)


@pytest.fixture
def linked_project(tmp_path: Path, project_root: Path) -> Path:
    return make_linked_project(tmp_path / "project", project_root)


@pytest.fixture
def mapping_for() -> Callable[..., Mapping]:
    """The shipped mapping ``name`` pointed at ``endpoint``, with the test client settings
    (and ``client`` overrides)."""

    def make(endpoint: str, name: str = "wikidata", **client: Any) -> Mapping:
        overrides = {"client": {**TEST_CLIENT, **client}}
        return load_mapping(name, overrides=overrides).with_endpoint(endpoint)

    return make


@pytest.fixture
def scripted() -> Iterator[Callable[..., Scripted]]:
    """Make scripted endpoints (closed at the end of the test)."""
    made: list[Scripted] = []

    def make(upstream: str | None = None, script: list | None = None) -> Scripted:
        server = Scripted(upstream=upstream, script=list(script or []))
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


@pytest.fixture
def silent() -> Iterator[Silent]:
    listener = Silent()
    yield listener
    listener.close()


@pytest.fixture(scope="session")
def first_run(
    tmp_path_factory: pytest.TempPathFactory, remote: LiveServer, bundled_store
) -> LinkReport:
    """One complete Wikidata run over the repository's graph against ``remote``; its
    files are in ``report.written`` (a session folder: copy them, never change them)."""
    folder = tmp_path_factory.mktemp("first-run")
    mapping = load_mapping("wikidata", overrides={"client": TEST_CLIENT})
    return link(
        bundled_store,
        mapping.with_endpoint(remote.endpoint),
        output=folder / "links",
        state=folder / "var" / "link" / "wikidata",
    )
