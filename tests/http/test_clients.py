"""Real SPARQL clients against a live ``scholargate serve``: SPARQLWrapper in every result
format, rdflib's SPARQLStore, the standard library's urllib and http.client, and curl."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import urllib.request
from urllib.parse import urlencode

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from scholargate.namespaces import SG, sparql_prefixes

from .conftest import SERVER_ROWS, LiveServer, curl_path

pytestmark = pytest.mark.slow

METHODS = "SELECT ?m ?label WHERE { ?m a sg:Method ; skos:prefLabel ?label } LIMIT 5"
CONSTRUCT = (
    "CONSTRUCT { ?m a sg:Method ; skos:prefLabel ?label } "
    "WHERE { ?m a sg:Method ; skos:prefLabel ?label } LIMIT 10"
)
RESULTS = "{http://www.w3.org/2005/sparql-results#}"


def wrapper(server: LiveServer, sparql: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.endpoint)
    client.setQuery(sparql)
    client.setReturnFormat(fmt)
    return client


# ---- SPARQLWrapper -----------------------------------------------------------------------


def test_sparqlwrapper_select_json(server: LiveServer) -> None:
    result = wrapper(server, METHODS, JSON).queryAndConvert()
    assert result["head"]["vars"] == ["m", "label"]
    rows = result["results"]["bindings"]
    assert 0 < len(rows) <= 5
    assert all(row["m"]["value"].startswith("https://w3id.org/scholargate/method/") for row in rows)


def test_sparqlwrapper_select_xml(server: LiveServer) -> None:
    document = wrapper(server, METHODS, XML).queryAndConvert()
    variables = [v.getAttribute("name") for v in document.getElementsByTagName("variable")]
    assert variables == ["m", "label"]
    assert 0 < len(document.getElementsByTagName("result")) <= 5


@pytest.mark.parametrize(("fmt", "delimiter", "header"), [(CSV, ",", "m"), (TSV, "\t", "?m")])
def test_sparqlwrapper_select_csv_tsv(
    server: LiveServer, fmt: str, delimiter: str, header: str
) -> None:
    data = wrapper(server, METHODS, fmt).queryAndConvert()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")), delimiter=delimiter))
    assert rows[0][0] == header
    assert 1 < len(rows) <= 6


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_ask(server: LiveServer, fmt: str) -> None:
    client = wrapper(server, "ASK { ?m a sg:Method }", fmt)
    result = client.queryAndConvert()
    if fmt == JSON:
        assert result["boolean"] is True
    elif fmt == XML:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"
    else:
        assert result.decode().strip() == "true"


@pytest.mark.filterwarnings(
    # SPARQLWrapper 2 builds an rdflib ConjunctiveGraph to hold RDF/XML and JSON-LD answers
    "ignore:ConjunctiveGraph is deprecated:DeprecationWarning"
)
@pytest.mark.parametrize("fmt", [RDFXML, XML, JSONLD])
def test_sparqlwrapper_construct_to_graph(server: LiveServer, fmt: str) -> None:
    graph = wrapper(server, CONSTRUCT, fmt).queryAndConvert()
    methods = set(graph.subjects(RDF.type, SG.Method))
    assert 0 < len(methods) <= 10


@pytest.mark.parametrize("fmt", [TURTLE, N3])
def test_sparqlwrapper_construct_turtle(server: LiveServer, fmt: str) -> None:
    data = wrapper(server, CONSTRUCT, fmt).queryAndConvert()
    graph = Graph().parse(data=data, format="turtle")
    assert 0 < len(set(graph.subjects(RDF.type, SG.Method))) <= 10


def test_sparqlwrapper_reads_truncated_json(server: LiveServer) -> None:
    client = wrapper(server, "SELECT * WHERE { ?s ?p ?o }", JSON)
    response = client.query()
    result = response.convert()
    assert response.response.headers["SPARQL-Results-Truncated"] == "true"
    assert result["truncated"] is True
    assert len(result["results"]["bindings"]) == SERVER_ROWS


def test_sparqlwrapper_post(server: LiveServer) -> None:
    client = wrapper(server, METHODS, JSON)
    client.setMethod("POST")
    assert len(client.queryAndConvert()["results"]["bindings"]) > 0


def test_sparqlwrapper_error_is_http_error(server: LiveServer) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    with pytest.raises(QueryBadFormed) as caught:
        wrapper(server, "SELECT * WHERE { ?s ?p }", JSON).query()
    assert "line 1" in str(caught.value)


# ---- rdflib ------------------------------------------------------------------------------


def test_rdflib_sparqlstore(server: LiveServer) -> None:
    graph = Graph(store=SPARQLStore(server.endpoint))
    methods = {s for s, _, _ in graph.triples((None, RDF.type, SG.Method))}
    assert methods and all(isinstance(m, URIRef) for m in methods)
    rows = list(graph.query(sparql_prefixes() + METHODS))
    assert 0 < len(rows) <= 5
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    assert len(graph) > SERVER_ROWS  # a COUNT: one row, whatever the cap


def test_rdflib_reads_truncated_json(server: LiveServer) -> None:
    graph = Graph(store=SPARQLStore(server.endpoint, returnFormat="json"))
    rows = list(graph.query("SELECT * WHERE { ?s ?p ?o }"))
    assert len(rows) == SERVER_ROWS


def test_rdflib_parses_a_turtle_construct(server: LiveServer) -> None:
    url = server.endpoint + "?" + urlencode({"query": CONSTRUCT})
    request = urllib.request.Request(url, headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers.get_content_type() == "text/turtle"
        data = response.read()
    graph = Graph().parse(data=data, format="turtle")
    assert 0 < len(set(graph.subjects(RDF.type, SG.Method))) <= 10


# ---- the standard library and curl -------------------------------------------------------


def test_urllib_post_form(server: LiveServer) -> None:
    body = urlencode({"query": METHODS}).encode()
    request = urllib.request.Request(
        server.endpoint,
        data=body,
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert "Accept" in response.headers["Vary"]
        assert json.load(response)["head"]["vars"] == ["m", "label"]


def test_http_client_keep_alive(server: LiveServer) -> None:
    import http.client

    connection = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        for _ in range(5):
            connection.request(
                "POST",
                "/sparql",
                body=METHODS.encode(),
                headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
            )
            response = connection.getresponse()
            assert response.status == 200
            assert response.read().decode().splitlines()[0] == "m,label"
    finally:
        connection.close()


def test_curl_get_and_post(server: LiveServer) -> None:
    curl = curl_path()
    got = subprocess.run(
        [curl, "-sS", "-G", server.endpoint, "--data-urlencode", f"query={METHODS}",
         "-H", "Accept: application/sparql-results+json"],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    assert json.loads(got.stdout)["head"]["vars"] == ["m", "label"]
    posted = subprocess.run(
        [curl, "-sS", "-X", "POST", server.endpoint, "-H", "Content-Type: application/sparql-query",
         "-H", "Accept: text/turtle", "--data-binary", CONSTRUCT, "-w", "\n%{http_code}"],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    body, _, status = posted.stdout.decode().rpartition("\n")
    assert status == "200"
    assert len(Graph().parse(data=body, format="turtle")) > 0
