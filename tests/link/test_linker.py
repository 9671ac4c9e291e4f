"""Link runs against the project's own server on a Wikidata-shaped fixture graph: what is
linked and why, the provenance graph, the build loading it, conflicts, dry runs, and
every failure of the remote end leaving the previous links byte for byte as they were."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SH, SKOS, VOID

from scholargate.cli import main
from scholargate.errors import InputError
from scholargate.formats import by_name
from scholargate.namespaces import GRAPH, METHOD, PERSON, SG, SKOSXL, WORK
from scholargate.services.link import LinkReport, link, load_mapping
from scholargate.services.link.checkpoint import run_lock
from scholargate.services.link.errors import (
    EndpointTimeoutError,
    LinkError,
    MalformedResponseError,
    RedirectRefusedError,
    ResponseTooLargeError,
)
from scholargate.store.oxigraph import OxigraphStore

from ..http.conftest import LiveServer
from ..http.conftest import _command as scholargate_command
from . import servers
from .conftest import FIXTURES, TEST_CLIENT
from .servers import Scripted, Silent

pytestmark = pytest.mark.slow

WD = "http://www.wikidata.org/entity/"
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
SEED_WORKS = {
    "attention-is-all-you-need": "Q990001",
    "bert-pre-training-of-deep-bidirectional": "Q990002",
    "lora-low-rank-adaptation-of-large": "Q990003",
}


def links_of(report: LinkReport, kind: str) -> dict[str, str]:
    return {link_.subject: link_.item for link_ in report.links if link_.kind == kind}


def copy_previous(report: LinkReport, folder: Path) -> dict[Path, bytes]:
    """Put the first run's files in ``folder``; return their bytes by path."""
    folder.mkdir(parents=True, exist_ok=True)
    assert report.written is not None
    copied = {}
    for path in report.written:
        target = folder / path.name
        shutil.copy(path, target)
        copied[target] = target.read_bytes()
    return copied


def assert_unchanged(previous: dict[Path, bytes]) -> None:
    for path, data in previous.items():
        assert path.read_bytes() == data, f"{path} changed"
    folder = next(iter(previous)).parent
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in previous)


# ---- a complete run ---------------------------------------------------------------------


def test_run_links_the_seed_trios_founding_works(first_run: LinkReport) -> None:
    works = links_of(first_run, "work")
    for slug, qid in SEED_WORKS.items():
        assert works[str(WORK[slug])] == WD + qid
    evidence = {link_.subject: link_.evidence for link_ in first_run.links}
    assert evidence[str(WORK["bert-pre-training-of-deep-bidirectional"])] == (
        "doi 10.18653/V1/N19-1423"  # found by the upper-case DOI alone
    )


def test_run_links_people_by_authorship(first_run: LinkReport) -> None:
    people = links_of(first_run, "person")
    assert people[str(PERSON["ashish-vaswani"])] == WD + "Q990101"  # full name
    assert people[str(PERSON["edward-hu"])] == WD + "Q990104"  # "Edward Hu": family name
    assert people[str(PERSON["lukasz-kaiser"])] == WD + "Q990107"  # a "mul" label, Ł folded
    assert people[str(PERSON["lu-wang"])] == WD + "Q990109"  # two Wangs, each by full name
    assert people[str(PERSON["shean-wang"])] == WD + "Q990108"
    assert WD + "Q990105" not in people.values()  # the ORCID none of ours has


def test_run_links_methods_through_works_and_names(first_run: LinkReport) -> None:
    methods = links_of(first_run, "method")
    assert methods == {
        str(METHOD["transformer"]): WD + "Q990201",  # main subject of the paper
        str(METHOD["bert"]): WD + "Q990202",
        str(METHOD["lora"]): WD + "Q990203",  # by its alias "Low-Rank Adaptation"
        str(METHOD["multi-head-self-attention"]): WD + "Q990204",  # described by source
    }
    assert WD + "Q990205" not in methods.values()  # a subject no method is named after
    assert not first_run.conflicts


def test_run_adds_labels_we_lack(first_run: LinkReport) -> None:
    data = first_run.output
    assert data is not None
    bert = METHOD["bert"]
    assert set(data.objects(bert, SKOS.prefLabel)) == {
        Literal("برت", lang="fa"),
        Literal("BERT", lang="tr"),
    }
    # LoRA has preferred labels in every language: what is new becomes an alias.
    lora = METHOD["lora"]
    assert not set(data.objects(lora, SKOS.prefLabel))
    assert Literal("لورا", lang="fa") in set(data.objects(lora, SKOS.altLabel))
    for alias in data.objects(lora, SKOSXL.altLabel):
        assert (alias, RDF.type, SG.Alias) in data
        assert data.value(alias, DCTERMS.source) == URIRef(WD + "Q990203")
        form = data.value(alias, SKOSXL.literalForm)
        assert (lora, SKOS.altLabel, form) in data
        kind = SG.Synonym if form.language == "en" else SG.Translation
        assert data.value(alias, SG.aliasKind) == kind
    # Names we already have (in any graph) are not repeated.
    assert Literal("Low-Rank Adaptation", lang="en") not in set(data.objects(lora, SKOS.altLabel))
    assert first_run.labels == 2 and first_run.aliases >= 4


def test_run_writes_the_provenance_graph(first_run: LinkReport, remote: LiveServer) -> None:
    assert first_run.written is not None
    data_path, meta_path = first_run.written
    assert data_path.name == "wikidata.ttl" and meta_path.name == "wikidata.meta.ttl"
    meta = Graph().parse(meta_path)
    graph = GRAPH["links-wikidata"]
    assert meta.value(graph, DCTERMS.license) == CC0
    assert meta.value(graph, DCTERMS.source) == URIRef("https://www.wikidata.org/")
    assert meta.value(graph, PROV.wasDerivedFrom) == URIRef(remote.endpoint)
    assert meta.value(graph, PROV.generatedAtTime) is not None
    activity = meta.value(graph, PROV.wasGeneratedBy)
    assert (activity, RDF.type, PROV.Activity) in meta
    assert meta.value(activity, PROV.startedAtTime) <= meta.value(activity, PROV.endedAtTime)
    queries = [q for q in meta.objects(activity, PROV.used) if (q, SH.select, None) in meta]
    texts = [str(meta.value(q, SH.select)) for q in queries]
    assert any("wikidata.org/prop/direct/P818" in t for t in texts)
    assert any("wikidata.org/prop/direct/P356" in t for t in texts)
    linkset = meta.value(graph, VOID.subset)
    assert (linkset, RDF.type, VOID.Linkset) in meta
    assert meta.value(linkset, VOID.linkPredicate) == SKOS.exactMatch
    assert int(meta.value(linkset, VOID.triples)) == len(first_run.added) == 14
    # the checkpoint of a completed run is gone
    assert not (data_path.parent.parent / "var" / "link" / "wikidata").exists()


def test_run_asks_in_batches_with_values(first_run: LinkReport, unnamed_store) -> None:
    query = f"SELECT DISTINCT ?a WHERE {{ ?w <{SG.arxivId}> ?a }}"
    arxiv_ids = {str(row["a"]) for row in unnamed_store.select(query)}
    per_batch = TEST_CLIENT.get("batch_size") or load_mapping("wikidata").client.batch_size
    assert first_run.batches >= len(arxiv_ids) // per_batch
    assert first_run.requests == first_run.batches and first_run.reused == 0


def test_second_run_changes_nothing(
    first_run: LinkReport, remote: LiveServer, unnamed_store, tmp_path: Path, mapping_for
) -> None:
    copy_previous(first_run, tmp_path / "links")
    report = link(
        unnamed_store, mapping_for(remote.endpoint), output=tmp_path / "links", dry_run=True
    )
    assert report.added == [] and report.removed == []
    assert report.statements_added == report.statements_removed == 0


# ---- the build loads it; SPARQL finds it --------------------------------------------------


def test_cli_link_then_build_then_query(
    linked_project: Path, remote: LiveServer, tmp_path: Path
) -> None:
    """The real commands, each in its own process, as a person would run them."""
    mapping = tmp_path / "test-wikidata.toml"
    mapping.write_text(
        'extends = "wikidata"\n[client]\nmin_interval = 0\ntimeout = 10\n', encoding="utf-8"
    )

    def run(*args: str) -> str:
        command = [*scholargate_command(), "--root", str(linked_project), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    output = run("link", str(mapping), "--endpoint", remote.endpoint)
    assert "works linked: 3 new" in output
    assert (linked_project / "data" / "links" / "wikidata.ttl").is_file()

    assert "sgg:links-wikidata" in run("build")

    query = (
        "SELECT ?work ?item WHERE { GRAPH sgg:links-wikidata { ?work skos:exactMatch ?item } "
        "?work a fabio:ScholarlyWork } ORDER BY ?work"
    )
    output = run("query", "--format", "csv", query)
    for slug, qid in SEED_WORKS.items():
        assert f"{WORK[slug]},{WD}{qid}" in output
    licence = "SELECT ?l WHERE { GRAPH sgg:metadata { sgg:links-wikidata dcterms:license ?l } }"
    assert str(CC0) in run("query", "--format", "csv", licence)


# ---- dry run ----------------------------------------------------------------------------


def test_dry_run_writes_nothing(
    remote: LiveServer, unnamed_store, tmp_path: Path, mapping_for
) -> None:
    output = tmp_path / "links"
    output.mkdir()
    stale = output / "wikidata.ttl"
    stale.write_text(
        "<https://w3id.org/scholargate/method/gone> "
        "<http://www.w3.org/2004/02/skos/core#exactMatch> "
        "<http://www.wikidata.org/entity/Q1> .\n",
        encoding="utf-8",
    )
    before = stale.read_bytes()
    state = tmp_path / "var" / "link" / "wikidata"
    report = link(
        unnamed_store, mapping_for(remote.endpoint), output=output, state=state, dry_run=True
    )
    assert report.written is None and report.dry_run
    assert stale.read_bytes() == before and sorted(p.name for p in output.iterdir()) == [
        "wikidata.ttl"
    ]
    assert not (tmp_path / "var").exists()
    assert (str(METHOD["gone"]), WD + "Q1") in report.removed
    assert (str(WORK["attention-is-all-you-need"]), WD + "Q990001") in report.added


def test_cli_dry_run_prints_the_changes(
    linked_project: Path, remote: LiveServer, tmp_path: Path
) -> None:
    mapping = tmp_path / "test-wikidata.toml"
    mapping.write_text('extends = "wikidata"\n[client]\nmin_interval = 0\n', encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["--root", str(linked_project), "--memory", "link", str(mapping), "--dry-run",
         "--endpoint", remote.endpoint],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "would add 14 links" in result.output
    assert f"+ <{WORK['attention-is-all-you-need']}> skos:exactMatch <{WD}Q990001>" in (
        result.output
    )
    assert "nothing written" in result.output
    assert list((linked_project / "data" / "links").iterdir()) == []
    assert not (linked_project / "var").exists()


# ---- failures leave the previous links as they were ------------------------------------


def test_never_answers_fails_and_keeps_previous_links(
    first_run: LinkReport, unnamed_store, tmp_path: Path, mapping_for, silent: Silent
) -> None:
    previous = copy_previous(first_run, tmp_path / "links")
    with pytest.raises(EndpointTimeoutError):
        link(
            unnamed_store,
            mapping_for(silent.url, timeout=1),
            output=tmp_path / "links",
            state=tmp_path / "var" / "link" / "wikidata",
        )
    assert_unchanged(previous)


FAILURES = {
    "malformed_json_midway": (servers.malformed_midway, MalformedResponseError, {}),
    "truncated_body": (servers.truncated, MalformedResponseError, {}),
    "oversized_body": (
        servers.oversized(5_000_000, announce=False),
        ResponseTooLargeError,
        {"max_bytes": 200_000},
    ),
    "html_instead_of_results": (servers.html_page, MalformedResponseError, {}),
    "server_error": (lambda h: h.send(500, b"boom"), LinkError, {}),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_failure_midway_keeps_previous_links(
    case: str,
    first_run: LinkReport,
    remote: LiveServer,
    unnamed_store,
    tmp_path: Path,
    mapping_for,
    scripted: Callable[..., Scripted],
) -> None:
    behaviour, error, settings = FAILURES[case]
    proxy = scripted(upstream=remote.endpoint, script=[servers.forward] * 3 + [behaviour])
    previous = copy_previous(first_run, tmp_path / "links")
    with pytest.raises(error):
        link(
            unnamed_store,
            mapping_for(proxy.url, **settings),
            output=tmp_path / "links",
            state=tmp_path / "var" / "link" / "wikidata",
        )
    assert len(proxy.hits) == 4
    assert_unchanged(previous)


def test_redirect_to_a_disallowed_host_fails_and_keeps_previous_links(
    first_run: LinkReport,
    remote: LiveServer,
    unnamed_store,
    tmp_path: Path,
    mapping_for,
    scripted: Callable[..., Scripted],
) -> None:
    elsewhere = scripted(upstream=remote.endpoint)
    proxy = scripted(
        upstream=remote.endpoint,
        script=[servers.forward, servers.redirect(remote.endpoint + "?query=ASK%7B%7D")],
    )
    # the redirect target is the real fixture server on another port: still refused
    previous = copy_previous(first_run, tmp_path / "links")
    with pytest.raises(RedirectRefusedError):
        link(
            unnamed_store,
            mapping_for(proxy.url),
            output=tmp_path / "links",
            state=tmp_path / "var" / "link" / "wikidata",
        )
    assert_unchanged(previous)
    proxy.script[:] = [servers.redirect(elsewhere.url)]
    with pytest.raises(RedirectRefusedError):
        link(unnamed_store, mapping_for(proxy.url), output=tmp_path / "links")
    assert elsewhere.hits == []
    assert_unchanged(previous)


def test_429_with_retry_after_is_obeyed_then_the_run_succeeds(
    first_run: LinkReport,
    remote: LiveServer,
    unnamed_store,
    tmp_path: Path,
    mapping_for,
    scripted: Callable[..., Scripted],
) -> None:
    proxy = scripted(upstream=remote.endpoint, script=[servers.forward, servers.too_many("2")])
    started = time.monotonic()
    report = link(
        unnamed_store,
        mapping_for(proxy.url),
        output=tmp_path / "links",
        state=tmp_path / "var" / "link" / "wikidata",
    )
    assert time.monotonic() - started >= 2.0
    assert report.waited == 2.0 and report.requests == report.batches + 1
    assert report.added == first_run.added


def test_interrupted_run_resumes_without_asking_finished_batches_again(
    first_run: LinkReport,
    remote: LiveServer,
    unnamed_store,
    tmp_path: Path,
    mapping_for,
    scripted: Callable[..., Scripted],
) -> None:
    output, state = tmp_path / "links", tmp_path / "var" / "link" / "wikidata"
    proxy = scripted(upstream=remote.endpoint, script=[servers.forward] * 5 + [servers.truncated])
    with pytest.raises(MalformedResponseError):
        link(unnamed_store, mapping_for(proxy.url), output=output, state=state)
    assert len(list((state / "batches").glob("*.json"))) == 5
    assert not output.exists() or list(output.iterdir()) == []

    # the same endpoint again (a kept answer is only reused for the endpoint that gave it)
    asked = len(proxy.hits)
    report = link(unnamed_store, mapping_for(proxy.url), output=output, state=state)
    assert report.reused == 5
    assert len(proxy.hits) - asked == report.batches - 5
    assert report.added == first_run.added
    assert not state.exists()

    # --restart asks everything again
    proxy.script[:] = [servers.forward] * 2 + [servers.truncated]
    with pytest.raises(MalformedResponseError):
        link(unnamed_store, mapping_for(proxy.url), output=output, state=state)
    asked = len(proxy.hits)
    report = link(unnamed_store, mapping_for(proxy.url), output=output, state=state, resume=False)
    assert report.reused == 0 and len(proxy.hits) - asked == report.batches


def test_one_run_per_source_at_a_time(tmp_path: Path) -> None:
    lock = tmp_path / "wikidata.lock"
    with run_lock(lock), pytest.raises(InputError), run_lock(lock):
        pass


# ---- conflicts --------------------------------------------------------------------------


@pytest.fixture
def conflict_store() -> OxigraphStore:
    store = OxigraphStore()
    store.load(
        (FIXTURES / "ours-conflicts.ttl").read_bytes(), by_name("ttl"), graph=GRAPH["curated"]
    )
    return store


def test_conflicts_are_reported_not_written(
    conflict_store: OxigraphStore, remote: LiveServer, tmp_path: Path, mapping_for
) -> None:
    report = link(conflict_store, mapping_for(remote.endpoint), output=tmp_path / "links")
    found = {(c.kind, c.reason, c.subjects, c.items) for c in report.conflicts}
    w, m = str(WORK), str(METHOD)
    assert found == {
        ("work", "one-to-many", (w + "one",), (WD + "Q990301", WD + "Q990302")),
        ("work", "identifier-disagrees", (w + "two",), (WD + "Q990303",)),
        ("work", "many-to-one", (w + "four", w + "three"), (WD + "Q990304",)),
        ("work", "contradicts", (w + "five",), (WD + "Q990305",)),
        ("method", "many-to-one", (m + "foo-net", m + "foo-network"), (WD + "Q990307",)),
    }
    disagreement = next(c for c in report.conflicts if c.reason == "identifier-disagrees")
    assert "10.5555/sg-link-two" in disagreement.detail
    assert "10.5555/sg-link-other" in disagreement.detail
    data = report.output
    assert data is not None
    written = {(str(s), str(o)) for s, _, o in data.triples((None, SKOS.exactMatch, None))}
    assert written == {
        (w + "six", WD + "Q990306"),
        (m + "bar", WD + "Q990308"),
        (str(PERSON["grace-tester"]), WD + "Q990309"),  # by ORCID
        (str(PERSON["ada-tester"]), WD + "Q990310"),  # as an author of six
    }
    assert (METHOD["bar"], SKOS.prefLabel, Literal("بار", lang="fa")) in data
    assert report.ignored >= 2  # a property IRI and a non-Wikidata IRI in the answers


# ---- the second mapping -------------------------------------------------------------------


def test_dblp_links_works_and_persons(
    remote: LiveServer, unnamed_store, tmp_path: Path, mapping_for
) -> None:
    report = link(
        unnamed_store, mapping_for(remote.endpoint, name="dblp"), output=tmp_path / "links"
    )
    rec, pid = "https://dblp.org/rec/test/", "https://dblp.org/pid/test/"
    assert links_of(report, "work") == {
        str(WORK["attention-is-all-you-need"]): rec + "aiayn-corr",  # arXiv, as a fallback
        str(WORK["bert-pre-training-of-deep-bidirectional"]): rec + "bert-naacl",  # by DOI
        str(WORK["lora-low-rank-adaptation-of-large"]): rec + "lora-corr",
    }
    people = links_of(report, "person")
    assert people[str(PERSON["lu-wang"])] == pid + "lu-wang"  # "Lu Wang 0001"
    assert people[str(PERSON["edward-hu"])] == pid + "hu"
    assert not links_of(report, "method") and report.labels == report.aliases == 0
    assert not report.conflicts
    assert report.written is not None
    meta = Graph().parse(report.written[1])
    assert meta.value(GRAPH["links-dblp"], DCTERMS.license) == CC0
