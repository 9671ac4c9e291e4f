"""The routes under /releases and the latest release in VoID, on an app whose releases
folder is a temporary one: two releases made from the app's own store, an edit through
the app's write path between them. Malformed names and paths are 404s before the file
system is touched; nothing is served through a symbolic link."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, SKOS, VOID

from scholargate.namespaces import CURATED_GRAPH, DATASET, METHOD
from scholargate.services.description import void_description
from scholargate.services.releases import (
    ADDED,
    DESCRIPTION,
    REMOVED,
    SUMMARY_JSON,
    SUMMARY_MD,
    dump_name,
    folder,
    make_release,
    release_files,
    release_iri,
)
from scholargate.services.writes.delta import effective
from scholargate.web.app import create_app
from scholargate.web.context import get_store, get_writer

V1, V2 = "2026.12.1", "2026.12.2"
MHSA = METHOD["multi-head-self-attention"]
OLD_LABEL = (MHSA, SKOS.prefLabel, Literal("Multi-head self-attention", lang="en"), CURATED_GRAPH)
NEW_LABEL = (
    MHSA,
    SKOS.prefLabel,
    Literal("Multi-head self-attention (MHSA)", lang="en"),
    CURATED_GRAPH,
)
DCAT_VERSION = URIRef(str(DCAT) + "version")
DCAT_CURRENT = URIRef(str(DCAT) + "hasCurrentVersion")


@pytest.fixture(scope="module")
def releases_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("releases")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, releases_folder: Path) -> Flask:
    made = tmp_path_factory.mktemp("app")
    app = create_app(
        {
            "MEMORY": True,
            "SAVED": made / "comparisons.nt",
            "JOURNAL": made / "journal.jsonl",
            "RELEASES": releases_folder,
            "TESTING": True,
        }
    )
    with app.app_context():
        store, writer = get_store(), get_writer()
        make_release(store, releases_folder, V1, notes="First.", journal_seq=writer.seq)
        writer.write(
            [lambda s: effective(s, [OLD_LABEL], [NEW_LABEL])],
            by="ana",
            role="writer",
            what="a clearer name",
        )
        make_release(store, releases_folder, V2, notes="Renamed.", journal_seq=writer.seq)
    return app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# ---- the list and one release -----------------------------------------------------------


def test_the_list_is_newest_first_with_counts_and_links(client: FlaskClient) -> None:
    data = client.get("/releases", headers={"Accept": "application/json"}).get_json()
    assert data["latest"] == V2
    second, first = data["releases"]
    assert (first["version"], second["version"]) == (V1, V2)
    assert second["previous"] == V1 and first["previous"] is None
    assert (second["added"], second["removed"]) == (1, 1)
    assert second["methods"] == {
        "total": first["methods"]["total"],
        "added": 0,
        "changed": 1,
        "removed": 0,
    }
    assert first["methods"]["added"] == first["methods"]["total"] > 1000
    assert second["journal_seq"] == {"from": 0, "to": 1}
    assert second["page"] == f"http://localhost/releases/{V2}"
    dump = second["files"][dump_name(V2)]
    assert dump["url"] == f"http://localhost/releases/{V2}/{dump_name(V2)}"
    assert dump["bytes"] > 100_000 and len(dump["sha256"]) == 64
    assert client.get("/releases.json").get_json() == data


def test_the_list_page_is_html_in_the_sites_frame(client: FlaskClient) -> None:
    response = client.get("/releases?lang=fa")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert 'dir="rtl"' in page and "نسخه‌های منتشرشده" in page
    assert f'href="http://localhost/releases/{V2}"' in page
    assert page.index(V2) < page.index(V1)
    assert client.get("/releases.csv").status_code == 406


def test_one_release_as_json_and_html(client: FlaskClient) -> None:
    data = client.get(f"/releases/{V2}", headers={"Accept": "application/json"}).get_json()
    assert data["version"] == V2 and data["notes"] == "Renamed."
    [changed] = data["methods"]["changed"]
    assert changed["label"] == "Multi-head self-attention (MHSA)"
    assert changed["page"] == "/method/multi-head-self-attention"
    assert set(data["files"]) == set(release_files(V2))
    page = client.get(f"/releases/{V2}").get_data(as_text=True)
    assert "Multi-head self-attention (MHSA)" in page
    assert 'href="/method/multi-head-self-attention"' in page
    assert f'href="http://localhost/releases/{V1}"' in page  # the previous release


@pytest.mark.parametrize("name", release_files(V2))
def test_each_file_is_served_as_it_is_on_disk(
    client: FlaskClient, releases_folder: Path, name: str
) -> None:
    media = {
        dump_name(V2): "application/gzip",
        ADDED: "application/n-quads",
        REMOVED: "application/n-quads",
        SUMMARY_MD: "text/markdown; charset=utf-8",
        SUMMARY_JSON: "application/json; charset=utf-8",
        DESCRIPTION: "text/turtle; charset=utf-8",
    }
    on_disk = (releases_folder / V2 / name).read_bytes()
    with client.get(f"/releases/{V2}/{name}") as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == media[name]
        assert response.headers["Content-Length"] == str(len(on_disk))
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment" if name.endswith((".nq", ".gz")) else "inline")
        assert f'filename="scholargate-{V2}' in disposition
        assert response.get_data() == on_disk
        etag = response.headers["ETag"]
    with client.get(f"/releases/{V2}/{name}", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304 and again.get_data() == b""
    with client.head(f"/releases/{V2}/{name}") as head:
        assert head.status_code == 200 and head.get_data() == b""


def test_the_served_delta_is_the_edit_and_the_dump_is_the_store(client: FlaskClient) -> None:
    added = client.get(f"/releases/{V2}/{ADDED}").get_data()
    assert added.count(b"\n") == 1 and b'"Multi-head self-attention (MHSA)"@en' in added
    dump = gzip.decompress(client.get(f"/releases/{V2}/{dump_name(V2)}").get_data())
    summary = client.get(f"/releases/{V2}/{SUMMARY_JSON}").get_json()
    packed = client.get(f"/releases/{V2}/{dump_name(V2)}").get_data()
    assert hashlib.sha256(packed).hexdigest() == summary["files"][dump_name(V2)]["sha256"]
    assert dump.count(b"\n") == summary["quads"]


# ---- what is not a release is a 404, before the file system -------------------------------


ATTACKS = [
    "/releases/..",
    "/releases/%2e%2e",
    "/releases/%2e%2e/summary.json",
    "/releases/../etc/passwd",
    f"/releases/{V2}/..",
    f"/releases/{V2}/%2e%2e",
    f"/releases/{V2}/..%2f..%2f..%2fetc%2fpasswd",
    f"/releases/{V2}/%2fetc%2fpasswd",
    "/releases/%2fetc/passwd",
    "/releases/v2026.12.2/summary.json",
    f"/releases/{V2}/summary.json%00",
    f"/releases/{V2}/summary.json.bak",
    f"/releases/{V2}/scholargate-{V1}.nq.gz",  # another release's dump name
    f"/releases/{V2}/.lock",
    "/releases/.lock",
    "/releases/.building-2026.12.3-1/summary.json",
    "/releases/١.٢.٣/summary.json",
]


@pytest.mark.parametrize("url", ATTACKS)
def test_a_malformed_version_or_name_is_a_404_before_any_file_system_call(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    class NoFileSystem:
        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"os.{name} was called for {url}")

    monkeypatch.setattr(folder, "os", NoFileSystem())
    response = client.get(url, headers={"Accept": "application/json"})
    final = response
    if response.status_code in (301, 308):  # werkzeug merges double slashes first
        final = client.get(response.headers["Location"], headers={"Accept": "application/json"})
    assert final.status_code == 404, (url, final.status_code)
    assert response.get_json() is None or response.get_json()["status"] == 404


def test_a_missing_release_or_file_is_a_404(client: FlaskClient) -> None:
    assert client.get("/releases/9.9.9").status_code == 404
    assert client.get("/releases/9.9.9/summary.json").status_code == 404
    response = client.get(f"/releases/{V2}/notes.txt", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert SUMMARY_MD in response.get_json()["details"]["files"]


@pytest.fixture
def planted(releases_folder: Path, tmp_path: Path) -> Iterator[Path]:
    """An older release folder whose summary.md is a link to a secret outside, and a
    version folder that is a link to a real release."""
    secret = tmp_path / "secret.txt"
    secret.write_text("the database password")
    fake = releases_folder / "0.0.1"
    fake.mkdir()
    summary = json.loads((releases_folder / V1 / SUMMARY_JSON).read_text())
    (fake / SUMMARY_JSON).write_text(json.dumps({**summary, "version": "0.0.1"}))
    (fake / SUMMARY_MD).symlink_to(secret)
    (releases_folder / "9.9.9").symlink_to(releases_folder / V2, target_is_directory=True)
    yield fake
    (releases_folder / "9.9.9").unlink()
    shutil.rmtree(fake)


def test_nothing_is_served_through_a_symbolic_link(client: FlaskClient, planted: Path) -> None:
    assert client.get("/releases/0.0.1/summary.json").status_code == 200
    linked = client.get("/releases/0.0.1/summary.md")
    assert linked.status_code == 404 and b"password" not in linked.get_data()
    assert client.get("/releases/9.9.9/summary.json").status_code == 404
    assert client.get("/releases/9.9.9").status_code == 404
    listed = client.get("/releases.json").get_json()
    assert [r["version"] for r in listed["releases"]] == [V2, V1, "0.0.1"]  # no 9.9.9


# ---- VoID names the latest release ---------------------------------------------------------


def test_void_names_the_latest_release(client: FlaskClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    g = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    latest = release_iri(V2)
    assert (DATASET, DCAT_CURRENT, latest) in g
    assert (latest, DCAT_VERSION, Literal(V2)) in g
    dump = URIRef(f"http://localhost/releases/{V2}/{dump_name(V2)}")
    assert dump in set(g.objects(DATASET, VOID.dataDump))
    downloads = {g.value(d, DCAT.downloadURL) for d in g.objects(latest, DCAT.distribution)}
    assert dump in downloads
    assert (None, DCAT_VERSION, Literal(V1)) not in g  # only the latest


def test_void_follows_a_new_release(app: Flask, client: FlaskClient, releases_folder: Path) -> None:
    before = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data()
    with app.app_context():
        make_release(get_store(), releases_folder, "2026.12.3")
    try:
        after = client.get("/.well-known/void", headers={"Accept": "text/turtle"}).get_data()
        assert b"2026.12.3" not in before and b"2026.12.3" in after
    finally:
        shutil.rmtree(releases_folder / "2026.12.3")


def test_void_without_a_release_names_none(bundled_store) -> None:
    g = void_description(bundled_store, "http://localhost/")
    assert (DATASET, DCAT_CURRENT, None) not in g
