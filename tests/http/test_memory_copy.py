"""`serve` answers from an in-memory copy of the on-disk store when the store is small
enough (``MEMORY_COPY`` quads), and from the disk otherwise; both give the same answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import SERVER_ROWS, LiveServer, start_server, stop_server

pytestmark = pytest.mark.slow

SEED = "/compare.json?m=multi-head-self-attention,bert-fine-tuning,lora&lang=fa"
LISTING = "/methods.json?lang=fa"  # the first 50 methods, and facet counts over all
QUERY = "SELECT ?m ?label WHERE { ?m a sg:Method ; skos:prefLabel ?label } ORDER BY ?m ?label"


def test_a_small_store_is_copied_to_memory_and_a_larger_one_read_from_disk(
    server: LiveServer, tmp_path: Path, project_root: Path
) -> None:
    settings = {"MEMORY_COPY": "0", "WORKERS": "1", "MAX_ROWS": str(SERVER_ROWS)}
    on_disk = start_server(tmp_path, settings, project_root)
    try:
        # the shared server has the default MEMORY_COPY, far above the bundled graph
        assert server.request("GET", "/-/health").json()["store"] == "memory"
        health = on_disk.request("GET", "/-/health").json()
        assert health["store"] == "disk"
        assert health["quads"] == server.request("GET", "/-/health").json()["quads"]
        for path in (SEED, LISTING):  # read in the worker: from the copy, or from disk
            from_copy, from_disk = server.request("GET", path), on_disk.request("GET", path)
            assert from_copy.status == from_disk.status == 200
            assert from_copy.json() == from_disk.json()
        # SPARQL runs in the query processes, which read the disk store either way
        answer = server.query(QUERY, accept="text/csv").text
        assert answer == on_disk.query(QUERY, accept="text/csv").text
        assert len(answer.splitlines()) == 1 + SERVER_ROWS  # the same first rows
    finally:
        assert not stop_server(on_disk)
