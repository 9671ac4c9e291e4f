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


# ---- hermetic: no test touches the checkout's var/ ------------------------------------
#
# The checkout's var/ belongs to whoever runs `scholargate serve` or `build` there (its
# store, journal, saved comparisons, tokens, releases, link state), and may change while
# the suite runs. Every Python-level file call a test makes under it — opening, listing,
# creating, renaming, removing (the interpreter's audit events) — fails that test, in
# this process and in its threads (the in-process test servers). What a test starts in
# another process (a live `serve`) is given paths of its own; tests/test_hermetic.py
# runs tests beside a live server that saves comparisons into a copy's var/.

CHECKOUT_VAR = ROOT / "var"
# audit event → how many of its first arguments are paths
_VAR_EVENTS = {
    "open": 1,
    "os.listdir": 1,
    "os.scandir": 1,
    "os.mkdir": 1,
    "os.remove": 1,
    "os.rmdir": 1,
    "os.truncate": 1,
    "os.chmod": 1,
    "os.utime": 1,
    "shutil.rmtree": 1,
    "os.rename": 2,
    "os.link": 2,
    "os.symlink": 2,
    "shutil.copyfile": 2,
    "shutil.copytree": 2,
    "shutil.move": 2,
}
_var_touches: list[str] = []


def _under_checkout_var(path: object) -> str | None:
    if isinstance(path, os.PathLike):
        path = os.fspath(path)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str):  # a file descriptor
        return None
    if not os.path.isabs(path):
        try:
            path = os.path.join(os.getcwd(), path)
        except OSError:  # the working directory is gone: nothing relative to it is var/
            return None
    path = os.path.normpath(path)
    var = str(CHECKOUT_VAR)
    return path if path == var or path.startswith(var + os.sep) else None


def _var_audit(event: str, args: tuple) -> None:
    paths = _VAR_EVENTS.get(event)
    if paths:
        for arg in args[:paths]:
            touched = _under_checkout_var(arg)
            if touched is not None:
                _var_touches.append(f"{event} {touched}")


sys.addaudithook(_var_audit)  # audit hooks cannot be removed: it only records


@pytest.fixture(autouse=True)
def _checkout_var_untouched() -> Iterator[None]:
    """Fail a test that opened, listed or changed anything under the checkout's var/."""
    _var_touches.clear()
    yield
    touched, _var_touches[:] = list(dict.fromkeys(_var_touches)), []
    if touched:
        pytest.fail(
            "the test touched the checkout's var/ (tests must use tmp_path): "
            + "; ".join(touched[:5]),
            pytrace=False,
        )


def hermetic_settings(folder: Path, **settings: object) -> dict[str, object]:
    """App settings whose every file lives under ``folder``: the graph in memory, saved
    comparisons, releases and tokens of the test's own (none of the checkout's var/)."""
    return {
        "MEMORY": True,
        "SAVED": folder / "comparisons.nt",
        "RELEASES": folder / "releases",
        "TOKENS": folder / "tokens.json",
        "TESTING": True,
        **settings,
    }


def require(condition: bool, reason: str) -> None:
    """Skip when a component is missing on a developer machine; fail under CI."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"missing under CI: {reason}")
    pytest.skip(reason)


def differs_on(request: pytest.FixtureRequest, server: str, reason: str) -> None:
    """Mark the running test a strict xfail when its parameters name ``server`` (a
    known difference of that server that the store cannot paper over): it must fail
    there, for ``reason``."""
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None and server in callspec.id.split("-"):
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def data_candidates() -> Path:
    """The openly licensed source data beside the checkout (../shared/data-candidates):
    not in the repository, so a plain clone lacks it and the import tests on the real
    dumps skip, saying where it should be; under CI they fail, since CI runs in a
    checkout with ../shared beside it (.ci/run) and a green run must prove they ran."""
    path = ROOT.parent / "shared" / "data-candidates"
    require(
        path.is_dir(),
        f"the import tests' source data is not at {path} (../shared/data-candidates beside "
        "the checkout: the Papers with Code dump and the fa and tr glossaries; a plain clone "
        "lacks it, CI has it)",
    )
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
    comparisons, releases and tokens in a folder of the module's own."""
    return create_app(hermetic_settings(tmp_path_factory.mktemp("app")))


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


class SparqlServer:
    """A SPARQL server a test started: its query, update and Graph Store URLs, and the
    credentials the store sends it (``store_options``, ``settings``)."""

    name = ""
    url = ""
    query_url = update_url = gsp_url = ""
    user: str | None = None
    password: str | None = None
    auth = "basic"
    process: subprocess.Popen

    def store_options(self) -> dict[str, object]:
        """RemoteStore's keyword arguments (beside the query URL) for this server."""
        options: dict[str, object] = {"update_url": self.update_url, "gsp_url": self.gsp_url}
        if self.user is not None:
            options.update(user=self.user, password=self.password, auth=self.auth)
        return options

    def settings(self) -> dict[str, object]:
        """The STORE… settings for this server."""
        found: dict[str, object] = {
            "STORE": self.query_url,
            "STORE_UPDATE": self.update_url,
            "STORE_GSP": self.gsp_url,
        }
        if self.user is not None:
            found.update(STORE_USER=self.user, STORE_PASSWORD=self.password, STORE_AUTH=self.auth)
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class OxigraphServer(SparqlServer):
    """The Oxigraph server (``oxigraph serve``, the ``oxigraph`` package on PyPI) on a
    free loopback port with a throwaway database; ``url`` is its base URL."""

    name = "oxigraph"

    def __init__(self, folder: Path) -> None:
        program = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        require(Path(program).is_file(), "the Oxigraph server is not installed (oxigraph on PyPI)")
        self.program, self.folder = program, folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.query_url, self.update_url = f"{self.url}/query", f"{self.url}/update"
        self.gsp_url = f"{self.url}/store"
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


VIRTUOSO = "/usr/bin/virtuoso-t"  # Debian's virtuoso-opensource (7.2)
_VIRTUOSO_INI = """[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 0
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = .
CaseMode = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
ServerThreads = 10
MaxClientConnections = 10
Charset = UTF-8

[SPARQL]
ResultSetMaxRows = 10000000
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""


class VirtuosoServer(SparqlServer):
    """Virtuoso 7 (Debian's ``virtuoso-opensource``) in the foreground on two free
    loopback ports (SQL and HTTP) with a throwaway database in ``folder``, written by
    its own virtuoso.ini. Queries go to ``/sparql``; updates to ``/sparql-auth`` and
    the Graph Store to ``/sparql-graph-crud-auth``, both as ``dba`` by HTTP digest (the
    anonymous ``/sparql`` user may not write). ``ResultSetMaxRows`` is raised past any
    answer the tests ask for: Virtuoso's default (10,000) cuts answers without a word."""

    name = "virtuoso"

    def __init__(self, folder: Path) -> None:
        require(Path(VIRTUOSO).is_file(), "Virtuoso is not installed (virtuoso-opensource)")
        self.port, sql_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.query_url = f"{self.url}/sparql"
        self.update_url = f"{self.url}/sparql-auth"
        self.gsp_url = f"{self.url}/sparql-graph-crud-auth"
        self.user, self.password, self.auth = "dba", "dba", "digest"
        ini = folder / "virtuoso.ini"
        ini.write_text(_VIRTUOSO_INI.format(db=folder, sql_port=sql_port, http_port=self.port))
        self.log = folder / "virtuoso.log"
        with (folder / "stdout.log").open("wb") as out:
            self.process = subprocess.Popen(
                [VIRTUOSO, "+configfile", str(ini), "+foreground"],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=folder,
            )
        ends = time.monotonic() + 90  # a new database is made on the first start
        while True:
            try:
                with urllib.request.urlopen(f"{self.query_url}?query=ASK%7B%7D", timeout=5):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > ends:
                    self.stop()
                    said = self.log.read_text() if self.log.exists() else ""
                    pytest.fail(f"Virtuoso did not start: {said[-600:]}")
                time.sleep(0.1)


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


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """One Virtuoso for the session; a test empties it before use (``clear``)."""
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"))
    yield server
    server.stop()


SERVERS = ["oxigraph", "virtuoso"]


@pytest.fixture(scope="session", params=SERVERS)
def sparql_server(request: pytest.FixtureRequest) -> SparqlServer:
    """Each SPARQL server the remote store is tested on, the session's own."""
    return request.getfixturevalue(f"{request.param}_server")
