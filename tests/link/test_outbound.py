"""Outbound links once a run's graph is built in: resource pages and their RDF show the
matches, dumps carry them, VoID lists the linkset, and the shapes still hold."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, VOID

from scholargate.namespaces import DATASET, GRAPH, METHOD, PERSON, WORK
from scholargate.services.link import LinkReport
from scholargate.services.validation import validate_store
from scholargate.web.app import create_app
from scholargate.web.context import get_store

from .conftest import make_linked_project

pytestmark = pytest.mark.slow

WD = "http://www.wikidata.org/entity/"
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, project_root: Path, first_run: LinkReport
) -> Flask:
    root = make_linked_project(tmp_path_factory.mktemp("outbound") / "project", project_root)
    assert first_run.written is not None
    for path in first_run.written:
        shutil.copy(path, root / "data" / "links" / path.name)
    saved = root.parent / "comparisons.nt"
    return create_app({"MEMORY": True, "ROOT": root, "SAVED": saved, "TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize(
    ("path", "item"),
    [
        ("/method/bert", "Q990202"),
        ("/work/attention-is-all-you-need", "Q990001"),
        ("/person/ashish-vaswani", "Q990101"),
    ],
)
def test_resource_page_shows_the_match(client: FlaskClient, path: str, item: str) -> None:
    response = client.get(path, headers=HTML)
    assert response.status_code == 200
    assert f'href="{WD}{item}"' in response.get_data(as_text=True)


def test_resource_rdf_has_the_match_and_the_new_labels(client: FlaskClient) -> None:
    response = client.get("/method/bert.ttl")
    g = Graph().parse(data=response.data, format="turtle")
    assert (METHOD["bert"], SKOS.exactMatch, URIRef(WD + "Q990202")) in g
    assert (METHOD["bert"], SKOS.prefLabel, Literal("برت", lang="fa")) in g


def test_persian_page_uses_the_label_from_wikidata(client: FlaskClient) -> None:
    page = client.get("/method/bert?lang=fa", headers=HTML).get_data(as_text=True)
    assert "برت" in page


def test_dump_of_the_links_graph(client: FlaskClient, first_run: LinkReport) -> None:
    response = client.get("/export/links-wikidata.nt")
    assert response.status_code == 200
    g = Graph().parse(data=response.data, format="nt")
    links = {(str(s), str(o)) for s, _, o in g.triples((None, SKOS.exactMatch, None))}
    assert links == set(first_run.added)


def test_dump_of_everything_keeps_the_links_in_their_graph(client: FlaskClient) -> None:
    data = client.get("/export/all.nq").data
    dataset = Dataset()
    dataset.parse(data=data, format="nquads")
    links = dataset.graph(GRAPH["links-wikidata"])
    assert (WORK["attention-is-all-you-need"], SKOS.exactMatch, URIRef(WD + "Q990001")) in links
    assert (PERSON["edward-hu"], SKOS.exactMatch, URIRef(WD + "Q990104")) in links


def test_void_lists_the_linkset(client: FlaskClient, first_run: LinkReport) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=response.data, format="turtle")
    graph = GRAPH["links-wikidata"]
    (linkset,) = [s for s in g.objects(graph, VOID.subset) if (s, RDF.type, VOID.Linkset) in g]
    assert g.value(linkset, VOID.linkPredicate) == SKOS.exactMatch
    assert g.value(linkset, VOID.subjectsTarget) == DATASET
    assert g.value(linkset, VOID.objectsTarget) == URIRef("https://www.wikidata.org/")
    assert int(g.value(linkset, VOID.triples)) == len(first_run.added)
    licence = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")
    assert g.value(graph, DCTERMS.license) == licence
    assert (DATASET, VOID.subset, graph) in g


def test_links_break_no_shape(app: Flask, unnamed_store) -> None:
    def blocking(store) -> set[tuple[str, str, str]]:
        results = validate_store(store).results
        return {(str(r.focus_node), str(r.source_shape), r.message) for r in results if r.blocking}

    with app.app_context():
        linked = blocking(get_store())
    assert linked <= blocking(unnamed_store)


def test_links_add_no_quality_check_violation(app: Flask, unnamed_store, project_root) -> None:
    with app.app_context():
        linked = get_store()
        for path in sorted((project_root / "qc").glob("*-violation.rq")):
            query = path.read_text(encoding="utf-8")
            found = {tuple(sorted(r.items())) for r in linked.query(query).rows}
            before = {tuple(sorted(r.items())) for r in unnamed_store.query(query).rows}
            assert found <= before, f"{path.name}: {sorted(found - before)[:3]}"
