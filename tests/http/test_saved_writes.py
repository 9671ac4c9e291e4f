"""Saved comparisons are writes, against a live ``scholargate serve`` (two workers, the
store on disk under a temporary copy of the project): a comparison saved on one worker
is seen by SPARQL, ``/-/stats``, ``/export/comparisons.nt`` and ``/comparison/{id}`` on
every worker from its next request, and is still there after the server is stopped, a
source is changed, ``scholargate build`` rebuilds the store and the server starts again.
A comparison in the legacy saved-comparisons file loads all along."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import pytest

from scholargate.namespaces import COMPARISON, METHOD, SG
from scholargate.services.saved import comparison_id, describe

from .conftest import LiveServer, _command, start_server, stop_server

LEGACY = [str(METHOD["lora"]), str(METHOD["bert-fine-tuning"])]
LEGACY_ID = comparison_id(LEGACY, "legacy")
SAVED_SLUGS = ["multi-head-self-attention", "lora", "bert-fine-tuning"]


@dataclass
class Project:
    """A copy of the project's sources, and where the server keeps its state."""

    root: Path  # ontology/, shapes/, data/: the sources, edited freely
    folder: Path  # the store, its journal, the saved-comparisons file, the logs

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCHOLARGATE_")}
        env["SCHOLARGATE_ROOT"] = str(self.root)
        env["SCHOLARGATE_SAVED"] = str(self.folder / "comparisons.nt")
        return env


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Project:
    root = tmp_path_factory.mktemp("project")
    for name in ("ontology", "shapes", "data"):
        shutil.copytree(project_root / name, root / name)
    folder = tmp_path_factory.mktemp("saved-writes")
    legacy = describe(LEGACY_ID, LEGACY, "legacy", datetime(2024, 1, 1, tzinfo=UTC))
    (folder / "comparisons.nt").write_bytes(legacy.serialize(format="nt", encoding="utf-8"))
    return Project(root, folder)


def serve(project: Project) -> LiveServer:
    settings = {"WORKERS": "2", "SAVED": str(project.folder / "comparisons.nt")}
    return start_server(project.folder, settings, project.root)


@pytest.fixture(scope="module")
def saved(project: Project) -> Iterator[tuple[LiveServer, str]]:
    """The server, and the id of the comparison saved on it."""
    live = serve(project)
    try:
        body = urlencode({"m": ",".join(SAVED_SLUGS)}).encode()
        reply = live.request(
            "POST",
            "/compare/save",
            body=body,
            headers={
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        assert reply.status == 201, reply.text
        answer = reply.json()
        cid = answer["comparison"].rsplit("/", 1)[-1]
        assert answer["created"] is True and answer["url"].startswith(f"/comparison/{cid}")
        yield live, cid
    finally:
        if live.process.poll() is None:
            stop_server(live)


def seen_on_one_worker(live: LiveServer, cid: str) -> tuple[int, dict[str, object]]:
    """On one kept-alive connection (one worker): its id, and what it says of ``cid``."""
    connection = http.client.HTTPConnection(live.host, live.port, timeout=60)

    def get(path: str, accept: str = "application/json") -> tuple[int, bytes]:
        connection.request("GET", path, headers={"Accept": accept})
        response = connection.getresponse()
        return response.status, response.read()

    try:
        status, body = get("/-/health")
        assert status == 200
        worker = json.loads(body)["worker"]
        iri = f"{COMPARISON}{cid}"
        ask = f"ASK {{ <{iri}> a <{SG.Comparison}> }}"
        status, body = get(
            "/sparql?" + urlencode({"query": ask}), "application/sparql-results+json"
        )
        assert status == 200, body
        found: dict[str, object] = {"sparql": json.loads(body)["boolean"]}
        status, body = get("/-/stats.json")
        assert status == 200, body
        classes = {c["class"]: c["count"] for c in json.loads(body)["classes"]}
        found["stats"] = classes.get(str(SG.Comparison), 0)
        status, body = get("/export/comparisons.nt", "application/n-triples")
        found["export"] = status == 200 and f"<{iri}> <{SG.shapesVersion}>".encode() in body
        status, body = get(f"/comparison/{cid}.json")
        found["page"] = status
        if status == 200:
            found["columns"] = [c["slug"] for c in json.loads(body)["columns"]]
        assert json.loads(get("/-/health")[1])["worker"] == worker  # the same worker all along
        return worker, found
    finally:
        connection.close()


def check_every_worker(live: LiveServer, cid: str, comparisons: int) -> None:
    """Whichever worker answers, the comparison is there; both workers are asked."""
    expected = {"sparql": True, "stats": comparisons, "export": True, "page": 200}
    workers: dict[int, int] = {}
    deadline = time.monotonic() + 30  # new connections: the kernel spreads them, not evenly
    while time.monotonic() < deadline:
        worker, found = seen_on_one_worker(live, cid)
        assert {k: found[k] for k in expected} == expected, (worker, found)
        assert found["columns"] == (
            SAVED_SLUGS if cid != LEGACY_ID else ["lora", "bert-fine-tuning"]
        )
        workers[worker] = workers.get(worker, 0) + 1
        if len(workers) == 2 and min(workers.values()) >= 2:
            break
    assert len(workers) == 2, workers


def test_a_saved_comparison_is_seen_at_once_by_every_worker(
    saved: tuple[LiveServer, str],
) -> None:
    live, cid = saved
    check_every_worker(live, cid, comparisons=2)  # the legacy one and this one
    check_every_worker(live, LEGACY_ID, comparisons=2)


def test_saving_it_again_writes_nothing(saved: tuple[LiveServer, str]) -> None:
    live, cid = saved
    journal = live_journal(live)
    before = journal.read_bytes()
    for _ in range(4):  # on either worker
        reply = live.request(
            "POST",
            "/compare/save",
            body=urlencode({"m": ",".join(SAVED_SLUGS)}).encode(),
            headers={
                "Accept": "application/json",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        assert reply.status == 200 and reply.json()["created"] is False, reply.text
    assert journal.read_bytes() == before
    (entry,) = [json.loads(line) for line in before.splitlines()]
    assert entry["by"] == "compare/save" and cid in entry["what"]


def live_journal(live: LiveServer) -> Path:
    return Path(live.log).parent / "store.journal.jsonl"


def test_it_outlives_a_rebuild_and_a_restart(
    saved: tuple[LiveServer, str], project: Project
) -> None:
    live, cid = saved
    stop_server(live)
    legacy = (project.folder / "comparisons.nt").read_bytes()
    source = sorted((project.root / "data" / "curated").glob("*.ttl"))[0]
    with source.open("a") as out:
        out.write("\n# changed by a test: the store must be rebuilt\n")
    done = subprocess.run(
        [*_command(), "--store", str(project.folder / "store"), "build"],
        env=project.env,
        cwd=project.folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "up to date" not in done.stdout and "quads in" in done.stdout  # rebuilt
    again = serve(project)
    try:
        check_every_worker(again, cid, comparisons=2)
        check_every_worker(again, LEGACY_ID, comparisons=2)
    finally:
        stop_server(again)
    assert (project.folder / "comparisons.nt").read_bytes() == legacy  # never written
