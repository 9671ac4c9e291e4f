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

from scholargate.build import build_store
from scholargate.services.link import LinkReport, Mapping, link, load_mapping
from scholargate.store.oxigraph import OxigraphStore

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


# Our own translated names and hand-written aliases: without them the seed methods have
# only the English names Wikidata (the fixture) has Persian and Turkish ones beside, so
# the names a run brings are ones the graph lacks.
UNNAMED = ("translations", "translations.meta.ttl", "aliases")


def make_linked_project(
    folder: Path, project_root: Path, leave_out: tuple[str, ...] = UNNAMED
) -> Path:
    """A project folder with the repository's ontology, shapes and data (linked, not
    copied; but for ``leave_out`` under ``data/``) and an empty ``data/links/`` of its
    own."""
    (folder / "data" / "links").mkdir(parents=True)
    for name in ("ontology", "shapes", "qc"):
        (folder / name).symlink_to(project_root / name)
    for entry in (project_root / "data").iterdir():
        if entry.name != "links" and entry.name not in leave_out:
            (folder / "data" / entry.name).symlink_to(entry)
    return folder


@pytest.fixture(scope="session")
def unnamed_root(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Path:
    """The repository's project without our translated names and aliases (``UNNAMED``)."""
    return make_linked_project(tmp_path_factory.mktemp("unnamed") / "project", project_root)


@pytest.fixture(scope="session")
def unnamed_store(unnamed_root: Path) -> OxigraphStore:
    """The graph of ``unnamed_root``, built once in memory. Read it, never write it."""
    store = OxigraphStore()
    build_store(store, unnamed_root)
    return store


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
    tmp_path_factory: pytest.TempPathFactory, remote: LiveServer, unnamed_store
) -> LinkReport:
    """One complete Wikidata run over the repository's graph (without our translated
    names and aliases: ``unnamed_store``) against ``remote``; its
    files are in ``report.written`` (a session folder: copy them, never change them)."""
    folder = tmp_path_factory.mktemp("first-run")
    mapping = load_mapping("wikidata", overrides={"client": TEST_CLIENT})
    return link(
        unnamed_store,
        mapping.with_endpoint(remote.endpoint),
        output=folder / "links",
        state=folder / "var" / "link" / "wikidata",
    )
