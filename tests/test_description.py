"""The endpoint's self-description: Service Description, VoID, and the example queries.

Numbers are compared with the store, never hard-coded; the example queries are found by
glob over data/examples/ and each one must run on the real graph and return rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SH, SKOS, VOID
from rdflib.plugins.sparql import prepareQuery

from scholargate.formats import GRAPH_FORMATS, RDF_FORMATS, RESULT_FORMATS, Format
from scholargate.namespaces import BASE, DATASET, METADATA_GRAPH, SCHEMA, SD, SG
from scholargate.services import description
from scholargate.services.description import (
    EXAMPLES_GRAPH,
    example_queries,
    format_iri,
    list_examples,
    measured,
    media_type_iri,
    service_description,
    statistics,
    void_description,
)
from scholargate.store.oxigraph import OxigraphStore
from scholargate.web.app import create_app
from scholargate.web.context import get_store

from .conftest import ROOT, hermetic_settings, require

ENDPOINT = "http://localhost/sparql"
EXAMPLE_FILES = sorted(
    p for p in (ROOT / "data" / "examples").glob("*.ttl") if not p.name.endswith(".meta.ttl")
)
LANGUAGES = ("en", "fa", "tr")


@pytest.fixture(scope="module")
def app_store(app: Flask) -> OxigraphStore:
    with app.app_context():
        return get_store()  # type: ignore[return-value]


def distinct_triples(store: OxigraphStore) -> int:
    """Triples of the union default graph, counted without SPARQL."""
    return len({(q.subject, q.predicate, q.object) for q in store.native})


def parse(body: bytes, fmt: Format) -> Graph:
    return Graph().parse(data=body, format=fmt.rdflib)


def has_rule(app: Flask, rule: str) -> bool:
    return any(r.rule == rule for r in app.url_map.iter_rules())


# ---- Service Description ----------------------------------------------------------


def service_node(g: Graph):
    services = list(g.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    return services[0]


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_service_description_round_trips_in_each_format(bundled_store, fmt: Format) -> None:
    g = service_description(bundled_store, ENDPOINT, service_allowlist=[])
    again = parse(g.serialize(format=fmt.rdflib), fmt)
    assert isomorphic(g, again)


def test_service_description_names_endpoint_language_and_formats(bundled_store) -> None:
    g = service_description(bundled_store, ENDPOINT, service_allowlist=[])
    service = service_node(g)
    assert g.value(service, SD.endpoint) == URIRef(ENDPOINT)
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in g
    offered = set(g.objects(service, SD.resultFormat))
    expected = {format_iri(f) for f in (*RESULT_FORMATS, *RDF_FORMATS)}
    assert None not in expected, "every result and RDF format needs a W3C format IRI"
    assert offered == expected
    assert all(str(f).startswith("http://www.w3.org/ns/formats/") for f in offered)


@pytest.mark.parametrize(
    ("allowlist", "federated"),
    [([], False), (["https://query.wikidata.org/sparql"], True)],
    ids=["no-allowlist", "allowlist"],
)
def test_service_description_features(bundled_store, allowlist, federated: bool) -> None:
    g = service_description(bundled_store, ENDPOINT, service_allowlist=allowlist)
    features = set(g.objects(service_node(g), SD.feature))
    assert SD.UnionDefaultGraph in features
    assert (SD.BasicFederatedQuery in features) is federated


def test_service_description_reads_the_allowlist_setting(tmp_path: Path) -> None:
    """GET /sparql describes the app's SERVICE_ALLOWLIST (the view passes it in)."""
    app = create_app(hermetic_settings(tmp_path, SERVICE_ALLOWLIST="https://example.org/sparql"))
    response = app.test_client().get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    g = Graph().parse(data=response.data, format="turtle")
    assert SD.BasicFederatedQuery in set(g.objects(service_node(g), SD.feature))


def test_service_description_dataset_matches_the_store(bundled_store) -> None:
    g = service_description(bundled_store, ENDPOINT, service_allowlist=[])
    dataset = g.value(service_node(g), SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in g
    default = g.value(dataset, SD.defaultGraph)
    assert int(g.value(default, VOID.triples)) == distinct_triples(bundled_store)
    sizes = {}
    for named in g.objects(dataset, SD.namedGraph):
        assert (named, RDF.type, SD.NamedGraph) in g
        sizes[g.value(named, SD.name)] = int(g.value(g.value(named, SD.graph), VOID.triples))
    assert sizes == {name: bundled_store.count(name) for name in bundled_store.graph_names()}
    assert EXAMPLES_GRAPH in sizes and METADATA_GRAPH in sizes


def test_service_description_lists_extension_functions(bundled_store, monkeypatch) -> None:
    g = service_description(bundled_store, ENDPOINT, service_allowlist=[])
    functions = set(g.objects(service_node(g), SD.extensionFunction))
    assert functions == set(bundled_store.extension_functions())
    assert SG.label in functions  # store/functions.py evaluates sg:label
    for function in functions:
        assert (function, RDF.type, SD.Function) in g
        comments = {c.language for c in g.objects(function, RDFS.comment)}
        assert comments == set(LANGUAGES), "the ontology describes it in en, fa and tr"
    monkeypatch.setattr(bundled_store, "extension_functions", lambda: ())
    g = service_description(bundled_store, ENDPOINT, service_allowlist=[])
    assert list(g.objects(service_node(g), SD.extensionFunction)) == []


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_get_sparql_without_query_gives_service_description(
    app: Flask, client: FlaskClient, app_store, fmt: Format
) -> None:
    require(has_rule(app, "/sparql"), "the /sparql route is not registered yet")
    response = client.get("/sparql", headers={"Accept": fmt.media_type})
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    g = parse(response.data, fmt)
    assert g.value(service_node(g), SD.endpoint) == URIRef(ENDPOINT)


# ---- VoID -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def void(bundled_store) -> Graph:
    return void_description(bundled_store, "http://localhost/")


def test_void_sizes_match_the_store(bundled_store, void: Graph) -> None:
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert (DATASET, RDF.type, DCAT.Dataset) in void
    assert int(void.value(DATASET, VOID.triples)) == distinct_triples(bundled_store)
    subsets = {s: int(void.value(s, VOID.triples)) for s in void.objects(DATASET, VOID.subset)}
    assert subsets == {g: bundled_store.count(g) for g in bundled_store.graph_names()}


def test_void_class_partitions_match_the_store(bundled_store, void: Graph) -> None:
    partitions = {
        void.value(p, VOID["class"]): int(void.value(p, VOID.entities))
        for p in void.objects(DATASET, VOID.classPartition)
    }
    rows = bundled_store.select(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?c"
    )
    assert partitions == {r["c"]: int(r["n"]) for r in rows}
    methods = bundled_store.select(
        f"SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {{ ?m a <{SG.Method}> }}"
    )
    assert partitions[SG.Method] == int(methods[0]["n"]) > 0
    assert int(void.value(DATASET, VOID.classes)) == len(partitions)


def test_void_licences_come_from_the_metadata_graph(bundled_store, void: Graph) -> None:
    metadata = bundled_store.graph(METADATA_GRAPH)
    licensed = {(g, lic) for g, lic in metadata.subject_objects(DCTERMS.license)}
    assert licensed, "the metadata graph names no licence"
    for graph, licence in licensed:
        assert (graph, DCTERMS.license, licence) in void
    subset_licences = {lic for g, lic in licensed if g != DATASET}
    assert set(void.objects(DATASET, DCTERMS.license)) >= subset_licences


def test_void_links_endpoint_dumps_and_vocabularies(bundled_store, void: Graph) -> None:
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://localhost/sparql")
    assert void.value(DATASET, VOID.uriSpace) == Literal(BASE)
    dumps = set(void.objects(DATASET, VOID.dataDump))
    for fmt in RDF_FORMATS:
        assert URIRef(f"http://localhost/export/all.{fmt.extension}") in dumps
    for graph in bundled_store.graph_names():
        slug = str(graph).rsplit("/", 1)[-1]
        graph_dumps = set(void.objects(graph, VOID.dataDump))
        assert URIRef(f"http://localhost/export/{slug}.ttl") in graph_dumps
    media = {void.value(d, DCAT.mediaType) for d in void.objects(DATASET, DCAT.distribution)}
    assert {media_type_iri(f) for f in RDF_FORMATS} <= media
    vocabularies = set(void.objects(DATASET, VOID.vocabulary))
    assert {URIRef(str(SG._NS)), URIRef(str(SKOS))} <= vocabularies
    assert not any(str(v).startswith(BASE + "method/") for v in vocabularies)


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_get_void_accept(client: FlaskClient, app_store, fmt: Format) -> None:
    response = client.get("/.well-known/void", headers={"Accept": fmt.media_type})
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    assert "Accept" in response.headers["Vary"]
    g = parse(response.data, fmt)
    assert int(g.value(DATASET, VOID.triples)) == distinct_triples(app_store)
    assert g.value(DATASET, VOID.sparqlEndpoint) == URIRef(ENDPOINT)


@pytest.mark.parametrize(
    ("path", "query", "headers", "status", "media_type"),
    [
        ("/.well-known/void", "", {}, 200, "text/turtle"),
        ("/.well-known/void", "", {"Accept": "*/*"}, 200, "text/turtle"),
        (
            "/.well-known/void",
            "?format=jsonld",
            {"Accept": "text/turtle"},
            200,
            "application/ld+json",
        ),
        ("/.well-known/void", "?format=nt", {}, 200, "application/n-triples"),
        (
            "/.well-known/void",
            "",
            {"Accept": "text/turtle;q=0.2, application/rdf+xml"},
            200,
            "application/rdf+xml",
        ),
        ("/.well-known/void", "", {"Accept": "image/png"}, 406, "application/json"),
        ("/.well-known/void", "?format=csv", {}, 406, "application/json"),
        ("/.well-known/sparql-examples", "", {}, 200, "text/turtle"),
        ("/.well-known/sparql-examples", "?format=rdf", {}, 200, "application/rdf+xml"),
        (
            "/.well-known/sparql-examples",
            "",
            {"Accept": "application/ld+json"},
            200,
            "application/ld+json",
        ),
        (
            "/.well-known/sparql-examples",
            "",
            {"Accept": "application/sparql-results+json"},
            406,
            "application/json",
        ),
    ],
    ids=[
        "void_no_accept",
        "void_accept_star",
        "void_format_beats_accept",
        "void_format_nt",
        "void_accept_q_values",
        "void_accept_nothing_406",
        "void_format_not_rdf_406",
        "examples_no_accept",
        "examples_format_rdf",
        "examples_accept_jsonld",
        "examples_accept_results_406",
    ],
)
def test_wellknown_negotiation(
    client: FlaskClient, path: str, query: str, headers: dict, status: int, media_type: str
) -> None:
    response = client.get(path + query, headers=headers)
    assert response.status_code == status
    assert response.mimetype == media_type
    assert "Accept" in response.headers.get("Vary", "")
    if status == 406:
        assert response.get_json()["status"] == 406


@pytest.mark.parametrize("fmt", GRAPH_FORMATS, ids=lambda f: f.name)
def test_get_sparql_examples_accept(client: FlaskClient, app_store, fmt: Format) -> None:
    response = client.get("/.well-known/sparql-examples", headers={"Accept": fmt.media_type})
    assert response.status_code == 200
    assert response.mimetype == fmt.media_type
    assert isomorphic(parse(response.data, fmt), app_store.graph(EXAMPLES_GRAPH))


def test_statistics_are_remembered_per_store(bundled_store) -> None:
    first = statistics(bundled_store)
    assert statistics(bundled_store) is first
    description.forget_statistics(bundled_store)
    again = statistics(bundled_store)
    assert again is not first and again == first


# ---- example queries ----------------------------------------------------------------


def test_there_are_at_least_ten_examples() -> None:
    assert len(EXAMPLE_FILES) >= 10


def test_examples_graph_holds_every_example_file(bundled_store) -> None:
    in_files: set[URIRef] = set()
    for path in EXAMPLE_FILES:
        in_files |= set(Graph().parse(path).subjects(RDF.type, SH.SPARQLExecutable))
    in_store = set(example_queries(bundled_store).subjects(RDF.type, SH.SPARQLExecutable))
    assert in_store == in_files
    assert [e.iri for e in list_examples(bundled_store)] == sorted(
        in_files, key=lambda i: int(bundled_store.graph(EXAMPLES_GRAPH).value(i, SCHEMA.position))
    )


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_is_well_formed(path: Path) -> None:
    g = Graph().parse(path)
    (example,) = set(g.subjects(RDF.type, SH.SPARQLExecutable))
    assert str(example) == BASE + "example/" + path.stem
    kinds = {
        SH.SPARQLSelectExecutable: SH.select,
        SH.SPARQLConstructExecutable: SH.construct,
        SH.SPARQLAskExecutable: SH.ask,
    }
    (kind,) = [k for k in kinds if (example, RDF.type, k) in g]
    text = str(g.value(example, kinds[kind]))
    for prop in (RDFS.label, RDFS.comment):
        languages = {o.language for o in g.objects(example, prop) if isinstance(o, Literal)}
        assert languages == set(LANGUAGES), f"{prop} needs en, fa and tr"
    assert isinstance(g.value(example, SCHEMA.position), Literal)
    # it declares its prefixes: a standard parser (rdflib's) reads it with none predeclared
    prepareQuery(text)


# Federated examples call an outside endpoint through SERVICE; they run against a fixture
# server in tests/link/test_federated.py, never against the internet.
LOCAL_EXAMPLE_FILES = [p for p in EXAMPLE_FILES if not p.stem.startswith("federated")]


@pytest.mark.parametrize("path", LOCAL_EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_runs_and_returns_rows(bundled_store, path: Path) -> None:
    examples = {e.slug: e for e in list_examples(bundled_store)}
    example = examples[path.stem]
    result = bundled_store.query(example.query)  # no project prefixes added
    answer = result.rows if result.kind == "select" else result.triples
    assert answer, f"example {path.stem} returned nothing on the real graph"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_examples_are_labelled_in_each_language(bundled_store, lang: str) -> None:
    graph = bundled_store.graph(EXAMPLES_GRAPH)
    for example in list_examples(bundled_store, lang):
        want = {str(o) for o in graph.objects(example.iri, RDFS.label) if o.language == lang}
        assert {example.label} == want
        assert example.comment


def test_remembered_values_stay_bounded(bundled_store) -> None:
    statistics(bundled_store)
    for n in range(measured._MEMO_SIZE * 2):
        assert description.remembered(bundled_store, ("probe", n), lambda n=n: n) == n
    memo = measured._MEMO[bundled_store]
    assert len(memo) <= measured._MEMO_SIZE and "statistics" in memo


def test_void_answers_for_the_host_asked(client: FlaskClient) -> None:
    for host in ("a.example", "b.example"):
        response = client.get("/.well-known/void", base_url=f"http://{host}/")
        g = parse(response.data, GRAPH_FORMATS[0])
        assert g.value(DATASET, VOID.sparqlEndpoint) == URIRef(f"http://{host}/sparql")


@pytest.mark.parametrize(
    "url",
    [
        "http://a>b/",
        'http://a"b/',
        "http://a b/",
        "http://x}{/",
        "http://x/\\u003E/",
        "sparql",  # relative
        "http://[::1/",
    ],
)
def test_a_url_that_is_not_an_iri_is_refused(app_store: OxigraphStore, url: str) -> None:
    """The server's URLs come from the request's Host header; a Host that would make them
    anything but one IRI is a 400, before anything is described."""
    from scholargate.errors import InputError

    with pytest.raises(InputError) as caught:
        description.service_description(app_store, url + "sparql", service_allowlist=[])
    assert caught.value.status == 400 and "Host header" in caught.value.message
    with pytest.raises(InputError):
        description.void_description(app_store, url)
    assert description.server_url("http://[::1]:8000/") == "http://[::1]:8000/"
