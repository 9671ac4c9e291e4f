"""The benchmark scripts work: the generator writes a well-formed graph, the runner
measures a real server for a second and agrees with rdflib. No timing is asserted here;
speed is judged by ``bench/run.py`` itself (bench/README.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from .conftest import OxigraphServer, require

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
PREFIXES = """PREFIX sg: <https://w3id.org/scholargate/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX skosxl: <http://www.w3.org/2008/05/skos-xl#>
"""


def generate(out: Path, methods: int = 60, seed: int = 7) -> dict:
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "generate.py"),
            "--methods",
            str(methods),
            "--seed",
            str(seed),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return json.loads(out.with_name(out.name + ".json").read_text())


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, ox.Store]:
    out = tmp_path_factory.mktemp("bench") / "tiny.nq"
    plan = generate(out)
    store = ox.Store()
    store.bulk_load(path=str(out), format=ox.RdfFormat.N_QUADS)
    return out, plan, store


def ask(store: ox.Store, query: str) -> bool:
    return bool(store.query(PREFIXES + query, use_default_graph_as_union=True))


def test_generator_writes_the_methods_it_was_asked_for(tiny) -> None:
    _, plan, store = tiny
    count = store.query(
        PREFIXES + "SELECT (COUNT(?m) AS ?n) WHERE { ?m a sg:Method }",
        use_default_graph_as_union=True,
    )
    assert int(next(iter(count))["n"].value) == plan["methods"] == 60
    assert len(store) > 0 and plan["quads"] >= len(store)


def test_generator_is_deterministic(tmp_path: Path, tiny) -> None:
    out, _, _ = tiny
    generate(tmp_path / "again.nq")
    assert (tmp_path / "again.nq").read_bytes() == out.read_bytes()


@pytest.mark.parametrize(
    "violation",
    [
        # every method has an English preferred label, and at most one per language
        "ASK { ?m a sg:Method FILTER NOT EXISTS { ?m skos:prefLabel ?l FILTER(lang(?l) = 'en') } }",
        "ASK { ?m skos:prefLabel ?a , ?b FILTER(?a != ?b && lang(?a) = lang(?b)) }",
        # every plain alias has its SKOS-XL label and the other way round
        "ASK { ?m skos:altLabel ?t "
        "FILTER NOT EXISTS { ?m skosxl:altLabel ?x . ?x skosxl:literalForm ?t } }",
        "ASK { ?m skosxl:altLabel ?x . ?x skosxl:literalForm ?t "
        "FILTER NOT EXISTS { ?m skos:altLabel ?t } }",
        # no alias repeats the preferred label of its language
        "ASK { ?m skos:altLabel ?t ; skos:prefLabel ?t }",
        # related is symmetric
        "ASK { ?a skos:related ?b FILTER NOT EXISTS { ?b skos:related ?a } }",
        # builds on only earlier years, hence no cycle
        "ASK { ?a sg:buildsOn ?b . ?a sg:yearIntroduced ?ya . ?b sg:yearIntroduced ?yb "
        "FILTER(xsd:integer(str(?yb)) >= xsd:integer(str(?ya))) }",
        "ASK { ?a sg:buildsOn+ ?a }",
    ],
)
def test_generated_graph_keeps_the_modelling_rules(tiny, violation: str) -> None:
    _, _, store = tiny
    query = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n" + violation
    assert not ask(store, query), violation


def test_plan_names_things_that_exist(tiny) -> None:
    _, plan, store = tiny
    alias = plan["alias"]
    text = alias["text"].replace('"', '\\"')
    assert ask(store, f'ASK {{ <{alias["method"]}> skos:altLabel "{text}"@{alias["lang"]} }}')
    for iri in [*plan["compare"], plan["path_root"], plan["construct"]]:
        assert ask(store, f"ASK {{ <{iri}> a sg:Method }}"), iri


@pytest.mark.slow
def test_runner_measures_a_live_server_and_agrees_with_rdflib(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    run = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--methods",
            "60",
            "--duration",
            "1",
            "--warmup",
            "0.2",
            "--concurrency",
            "2",
            "--rdflib-iterations",
            "1",
            "--vary",
            "2",
            "--data",
            str(tmp_path / "data"),
            "--workdir",
            str(tmp_path / "work"),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert out.is_file(), run.stderr[-3000:]
    result = json.loads(out.read_text())
    assert [c["errors"] for c in result["ceiling"]] == [0, 0]
    assert all(c["requests"] > 0 for c in result["ceiling"])
    statuses = {s for q in result["queries"] for s in q["statuses"]} | {
        q["note"][:8] for q in result["queries"] if q["note"]
    }
    require(statuses != {"HTTP 404"}, "the /sparql route is not in this checkout yet")
    names = {q["name"] for q in result["queries"]}
    files = {path.stem for path in (BENCH / "queries").glob("*.rq")}
    assert files <= names and names - files <= {"comparison-service"}
    for query in result["queries"]:
        assert query["errors"] == 0 and query["requests"] > 0, query
    rdflib_rows = {q["name"]: q["rows"] for q in result["rdflib"]["queries"]}
    for query in result["queries"]:
        if query["name"] == "comparison-service":
            # Its related-count branch starts with VALUES then OPTIONAL, where rdflib drops
            # the methods without a match (RDFLib/rdflib#2332); Oxigraph is right there.
            continue
        assert query["rows"] == rdflib_rows[query["name"]], query["name"]
    assert run.returncode == 0, run.stderr[-3000:]
    assert "targets (issue 3)" in result["table"]


@pytest.mark.slow
def test_runner_runs_each_line_against_the_oxigraph_server_too(tmp_path: Path) -> None:
    """``--peer oxigraph``: the Oxigraph server on the same store answers every line
    with as many rows, and the table gives the ratio and both servers' memory."""
    import shutil

    oxigraph = Path(sys.executable).with_name("oxigraph")
    require(oxigraph.exists() or bool(shutil.which("oxigraph")), "the oxigraph server")
    out = tmp_path / "result.json"
    command = [sys.executable, str(BENCH / "run.py"), "--methods", "60", "--duration", "1"]
    command += ["--warmup", "0.2", "--concurrency", "2", "--rdflib-iterations", "0"]
    command += ["--queries", "ask-floor", "comparison", "comparison-service"]
    command += ["--peer", "oxigraph", "--data", str(tmp_path / "data")]
    command += ["--workdir", str(tmp_path / "work"), "--json", str(out)]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert out.is_file(), run.stderr[-3000:]
    result = json.loads(out.read_text())
    assert result["peer"] == "oxigraph serve-read-only"
    assert result["peer_pss_mb"] > 0
    assert {q["name"] for q in result["queries"]} == {
        "ask-floor",
        "comparison",
        "comparison-service",
    }
    for query in result["queries"]:
        peer = query["peer"]
        assert peer["errors"] == 0 and peer["requests"] > 0, peer
        assert peer["rows"] == query["rows"] and not peer["note"], (query["name"], peer)
        # the side-by-side line's ratio, as req/s ÷ the peer's (the JSON's rates are
        # rounded, so within a hundredth and a half)
        ratio = query["rate"] / peer["rate"]
        shown = [
            float(word.removesuffix("×").replace(",", ""))
            for line in result["table"].split("side by side", 1)[-1].splitlines()
            if line.split()[:1] == [query["name"]]
            for word in line.split()
            if word.endswith("×") and word != "-"
        ]
        assert any(abs(value - ratio) <= 0.015 for value in shown), (ratio, result["table"])
    assert "memory (peak PSS" in result["table"]
    assert run.returncode == 0, run.stderr[-3000:]


@pytest.mark.slow
def test_write_benchmark_inserts_through_the_write_path(
    tmp_path: Path, oxigraph_server: OxigraphServer
) -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(BENCH / "writes.py"),
            "--methods",
            "60",
            "120",
            "--inserts",
            "3",
            "--memory",
            "--data",
            str(tmp_path / "data"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for line in ("insert one method, guarded", "raw: store.change", "in-memory copy"):
        assert line in run.stdout
    assert "one full validation" in run.stdout and "within 1.5x of 60" in run.stdout
    # on a SPARQL server too (emptied by the benchmark, as other tests empty it before use)
    run = subprocess.run(
        [
            sys.executable,
            str(BENCH / "writes.py"),
            *("--methods", "60", "--inserts", "2", "--no-validate"),
            *("--store", f"{oxigraph_server.url}/query", "--data", str(tmp_path / "data")),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "guarded, on the SPARQL server" in run.stdout
    assert "guarded on the server / on disk p50" in run.stdout


def test_curators_pages_benchmark_runs(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(BENCH / "changes_pages.py"), "--entries", "3", "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for line in ("GET /changes (3 entries)", "POST /method/lora/edit (preview)", "faster than"):
        assert line in run.stdout


def test_memory_benchmark_measures_serve_with_and_without_the_copy(tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            str(BENCH / "memory.py"),
            *("--methods", "60", "--warmup", "12", "--requests", "6"),
            *("--config", "copy=:1000000", "disk=:0", "--data", str(tmp_path / "data")),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    rows = {line.split()[0]: line.split() for line in run.stdout.splitlines() if line}
    for label, setting in (("copy", "1000000"), ("disk", "0")):
        row = rows[label]
        assert row[1] == setting
        assert float(row[3]) > 0  # the PSS summed over the server's processes, in MB
    assert "after 12 warm-up pages" in run.stdout
