"""``scholargate push`` and ``pull`` against a real Oxigraph server of each test's own:
the bundled graph pushed with equal counts per graph (Graph Store Protocol and SPARQL
Update), blank nodes kept whole when pieces are small, a push interrupted by a killed
server taken up where it stopped without a triple twice, a server that is down named in
one line, and a pull that gives the same counts and the same comparison."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from rdflib import BNode, Graph, Literal, Namespace, URIRef

from scholargate.build import pulled_from
from scholargate.cli import main
from scholargate.formats import by_name
from scholargate.namespaces import GRAPH
from scholargate.render.comparison import to_json
from scholargate.render.text import term_text
from scholargate.services.compare import comparer_for
from scholargate.services.writes.delta import Delta
from scholargate.services.writes.journal import Journal
from scholargate.store import Store, new_store, remote_store
from scholargate.store.remote.bulk import pieces

from .conftest import ROOT, OxigraphServer, free_port, require

pytestmark = pytest.mark.slow
SEEDS = ["multi-head-self-attention", "bert-fine-tuning", "lora"]
EXAMPLE = Namespace("https://example.org/")


@pytest.fixture(scope="module", autouse=True)
def _own_saved_comparisons(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Builds here read saved comparisons of the module's own, never the checkout's var/
    (the CLI and the subprocesses it starts both read the variable)."""
    with pytest.MonkeyPatch.context() as patch:
        saved = tmp_path_factory.mktemp("saved") / "comparisons.nt"
        patch.setenv("SCHOLARGATE_SAVED", str(saved))
        yield


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled graph built on disk (closed) in a folder of the module's own."""
    path = tmp_path_factory.mktemp("built") / "store"
    result = CliRunner().invoke(main, ["--root", str(ROOT), "--store", str(path), "build"])
    assert result.exit_code == 0, result.output
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["--root", str(ROOT), *args])


def doors(server: OxigraphServer) -> list[str]:
    return ["--to", f"{server.url}/query", "--gsp", f"{server.url}/store"]


def remote(server: OxigraphServer) -> Store:
    url = server.url
    return remote_store(f"{url}/query", update_url=f"{url}/update", gsp_url=f"{url}/store")


def counts(store: Store) -> dict[URIRef, int]:
    return {g: store.count(g) for g in store.graph_names()}


def local_counts(path: Path) -> dict[URIRef, int]:
    store = new_store(path, read_only=True)
    try:
        return counts(store)
    finally:
        store.close()


def canonical(store: Store, name: URIRef) -> set[ox.Quad]:
    """One graph's triples with its blank nodes named canonically (Oxigraph's
    canonicalization), so that two stores' copies compare as sets."""
    out = io.BytesIO()
    store.dump(by_name("nt"), out, graph=name)
    dataset = ox.Dataset(ox.parse(out.getvalue(), ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def same_graphs(path: Path, server: OxigraphServer, names: list[URIRef] | None = None) -> None:
    """Every graph of the store at ``path`` (or ``names``) is on the server, the same
    triples, blank nodes matched canonically (a blank node split or sent twice would
    show)."""
    local, there = new_store(path, read_only=True), remote(server)
    try:
        if names is None:
            assert there.graph_names() == local.graph_names()
        for name in names or local.graph_names():
            mine = canonical(local, name)
            assert len(mine) == local.count(name) and canonical(there, name) == mine, name
    finally:
        local.close()
        there.close()


def test_pieces_never_split_a_blank_node(built: Path) -> None:
    store = new_store(built, read_only=True)
    out = io.BytesIO()
    store.dump(by_name("nt"), out, graph=GRAPH["shapes"])
    store.close()
    cut = list(pieces(io.BytesIO(out.getvalue()), 5))
    assert sum(p.triples for p in cut) == len(out.getvalue().splitlines())
    home: dict[str, int] = {}
    for index, piece in enumerate(cut):
        g = Graph().parse(data=piece.body, format="nt")
        assert len(g) == piece.triples
        nodes = {t for triple in g for t in triple if isinstance(t, BNode)}
        if not nodes:
            assert piece.triples <= 5
        for node in nodes:
            assert home.setdefault(str(node), index) == index, "a blank node in two pieces"
    assert home, "the shapes graph has blank nodes (SHACL lists)"


@pytest.mark.parametrize("method", ["gsp", "update"])
def test_push_gives_every_graph_with_equal_counts(
    built: Path, fresh_oxigraph_server: OxigraphServer, method: str
) -> None:
    server = fresh_oxigraph_server
    url = server.url
    args = ["--to", f"{url}/query", "--update", f"{url}/update", "--gsp", f"{url}/store"]
    result = run("--store", str(built), "push", *args, "--method", method)
    assert result.exit_code == 0, result.output
    there = remote(server)
    assert counts(there) == local_counts(built)
    there.close()
    lines = result.stdout.splitlines()
    assert len(lines) == len(local_counts(built)) + 1
    assert all(", sent, " in line for line in lines[:-1]), lines
    assert f"pushed to 127.0.0.1:{server.port}" in lines[-1]
    # Not a terminal: plain lines, no bar, no carriage returns or escapes.
    assert "\r" not in result.output and "\x1b" not in result.output
    assert "#" not in result.stderr and result.stderr == ""

    again = run("--store", str(built), "push", *args, "--method", method)
    assert again.exit_code == 0, again.output
    assert all("already there, skipped" in line for line in again.stdout.splitlines()[:-1])


def test_small_pieces_keep_blank_nodes_whole(
    built: Path, fresh_oxigraph_server: OxigraphServer
) -> None:
    server = fresh_oxigraph_server
    graphs = ["--graph", "shapes", "--graph", "ontology", "--graph", "curated"]
    result = run("--store", str(built), "push", *doors(server), *graphs, "--piece", "7")
    assert result.exit_code == 0, result.output
    same_graphs(built, server, [GRAPH["shapes"], GRAPH["ontology"], GRAPH["curated"]])


def test_an_interrupted_push_is_taken_up_where_it_stopped(
    built: Path, fresh_oxigraph_server: OxigraphServer
) -> None:
    server = fresh_oxigraph_server
    states = list(built.parent.glob("store.push-*.json"))
    for state in states:
        state.unlink()
    command = [sys.executable, "-m", "scholargate.cli", "--root", str(ROOT)]
    command += ["--store", str(built), "push", *doors(server), "--piece", "100"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    pushing = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    ends = time.monotonic() + 60
    while time.monotonic() < ends and pushing.poll() is None:
        if list(built.parent.glob("store.push-*.json")):
            break  # the first piece of a graph has arrived
        time.sleep(0.002)
    server.process.kill()  # the server stops in the middle of the push
    server.process.wait()
    out, err = pushing.communicate(timeout=60)
    assert pushing.returncode is not None and pushing.returncode != 0, "the push ended first"
    assert pushing.returncode == 2, out
    message = err.decode().strip()
    assert message.startswith("error: ") and f"127.0.0.1:{server.port}" in message
    assert "\n" not in message and "Traceback" not in message
    state = next(built.parent.glob("store.push-*.json"))
    begun = json.loads(state.read_text())["graphs"]
    assert begun, "the state file says which graph was half sent"

    server.start()
    result = run("--store", str(built), "push", *doors(server), "--piece", "100")
    assert result.exit_code == 0, result.output
    lines = {line.split(": ", 1)[0]: line for line in result.stdout.splitlines()}
    for name, mark in begun.items():  # taken up after the pieces that had arrived
        line = lines[term_text(URIRef(name))]
        assert ", resumed, " in line, line
        assert int(line.rsplit("from piece ", 1)[1]) > mark["pieces"], line
    assert not state.exists(), "the state file goes once every graph is there"
    there = remote(server)
    assert counts(there) == local_counts(built)
    there.close()
    same_graphs(built, server)


def test_a_push_to_a_server_that_is_down_says_so_in_one_line(built: Path) -> None:
    port = free_port()
    result = run(
        "--store", str(built), "push", "--to", f"http://127.0.0.1:{port}/query",
        "--gsp", f"http://127.0.0.1:{port}/store",
    )  # fmt: skip
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: the SPARQL server at 127.0.0.1:")
    assert f"127.0.0.1:{port}" in result.stderr and "cannot be reached" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_a_push_needs_a_way_to_write(built: Path, fresh_oxigraph_server: OxigraphServer) -> None:
    url = fresh_oxigraph_server.url
    result = run("--store", str(built), "push", "--to", f"{url}/query", "--method", "gsp")
    assert result.exit_code == 2
    assert "Graph Store URL" in result.stderr and "--gsp" in result.stderr


def test_pull_gives_the_servers_graphs_and_the_same_comparison(
    built: Path,
    fresh_oxigraph_server: OxigraphServer,
    bundled_store: Store,
    tmp_path: Path,
) -> None:
    server = fresh_oxigraph_server
    assert run("--store", str(built), "push", *doors(server)).exit_code == 0
    # A graph only the server has: what is pulled is the server's, not the sources'.
    there = remote(server)
    extra = GRAPH["contributed"]
    there.load(
        '<https://example.org/a> <https://example.org/b> "c" .\n', by_name("nt"), graph=extra
    )
    wanted = counts(there)
    there.close()

    pulled = tmp_path / "pulled"
    note(pulled, 1)  # a write to the store the pull replaces: not replayed over the copy
    result = run(
        "--store", str(pulled), "pull", "--from", f"{server.url}/query",
        "--gsp", f"{server.url}/store", "--piece", "1000",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"pulled from 127.0.0.1:{server.port}" in result.stdout
    assert local_counts(pulled) == wanted and wanted[extra] == 1
    record = pulled_from(pulled)
    assert record is not None and record["url"] == f"{server.url}/query"

    store = new_store(pulled, read_only=True)
    try:
        mine = to_json(comparer_for(store).compare(SEEDS, "fa"))
        theirs = to_json(comparer_for(bundled_store).compare(SEEDS, "fa"))
        assert mine == theirs
    finally:
        store.close()

    # Other commands use the pulled store as it is; `build` builds it from the sources.
    shown = run("--store", str(pulled), "stats", "--format", "json")
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["graphs"][str(extra)] == 1
    note(pulled, 2)  # a write after the pull is replayed over the copy
    shown = run("--store", str(pulled), "stats", "--format", "json")
    assert json.loads(shown.stdout)["graphs"][str(extra)] == 2
    assert pulled_from(pulled) is not None
    assert run("--store", str(pulled), "build").exit_code == 0
    rebuilt = local_counts(pulled)  # the sources, and the whole journal replayed over them
    assert pulled_from(pulled) is None and rebuilt.pop(extra) == 2
    assert rebuilt == counts(bundled_store)


def note(store: Path, seq: int) -> None:
    """Append entry ``seq`` to the change journal beside ``store``: one triple added to
    sgg:contributed."""
    journal = Journal(store.with_name(store.name + ".journal.jsonl"))
    quad = (EXAMPLE["note"], EXAMPLE["seq"], Literal(seq), GRAPH["contributed"])
    with journal.locked(5):
        journal.append(seq, "ana", "a note", Delta(added=frozenset({quad})), end=journal.size())


def test_a_pull_that_fails_leaves_the_store_as_it_was(built: Path, tmp_path: Path) -> None:
    port = free_port()
    result = run("--store", str(built), "pull", "--from", f"http://127.0.0.1:{port}/query")
    assert result.exit_code == 2 and f"127.0.0.1:{port}" in result.stderr
    assert local_counts(built)[GRAPH["curated"]] > 0
    assert not list(built.parent.glob("store.building-*"))


def test_on_a_terminal_a_bar_shows_on_stderr(
    built: Path, fresh_oxigraph_server: OxigraphServer
) -> None:
    import pty

    command = [sys.executable, "-m", "scholargate.cli", "--root", str(ROOT)]
    command += ["--store", str(built), "push", *doors(fresh_oxigraph_server)]
    command += ["--graph", "ontology", "--piece", "100"]
    main_end, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    pushing = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=terminal)
    os.close(terminal)
    shown = b""
    while True:
        try:
            data = os.read(main_end, 4096)
        except OSError:  # the terminal's other end closed
            break
        if not data:
            break
        shown += data
    out, _ = pushing.communicate(timeout=60)
    os.close(main_end)
    assert pushing.returncode == 0, out
    assert b"pushing sgg:ontology" in shown and b"100%" in shown and b"[####" in shown
    triples = local_counts(built)[GRAPH["ontology"]]
    assert out.decode().startswith(f"sgg:ontology: {triples} triples, sent, ")
    assert b"\x1b" not in out and b"#" not in out  # the bar goes to the terminal only


def test_a_count_that_differs_is_an_error_naming_the_graph() -> None:
    from scholargate.cli.moving import line
    from scholargate.store.moving import CountMismatchError, Moved, Outcome

    fine = Outcome(GRAPH["curated"], 10, 10, "sent", 1)
    short = Outcome(GRAPH["shapes"], 10, 7, "resumed", 2, 3)
    Moved([fine]).check("there")
    with pytest.raises(CountMismatchError) as caught:
        Moved([fine, short]).check("the server at 127.0.0.1:1 differs")
    assert caught.value.exit_code == 2
    assert (
        str(GRAPH["shapes"]) in caught.value.message and "7 triples, not 10" in caught.value.message
    )
    assert str(GRAPH["curated"]) not in caught.value.message
    assert (
        line(short) == "sgg:shapes: 10 triples, resumed, 2 pieces from piece 4; MISMATCH: 7 there"
    )


def test_the_benchmark_runs() -> None:
    """``bench/push_pull.py`` measures push and pull once each and prints its table (no
    timing is asserted: bench/README.md)."""
    program = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    require(Path(program).is_file(), "the Oxigraph server is not installed (oxigraph on PyPI)")
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "push_pull.py"), "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = done.stdout.splitlines()
    assert rows[0].startswith("bundled graph: ") and len(rows) == 10, rows
    assert rows[2].startswith("build into the server (baseline)") and rows[2].endswith(" 1.00")
