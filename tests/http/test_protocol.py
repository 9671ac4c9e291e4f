"""The SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/) as a table of cases,
sent to a live ``scholargate serve``.

Each case is one request (method, query-string parameters, body, Content-Type, Accept)
and what must come back (status, media type, a check on the body). Names follow the
protocol's own test names where there is one (get_query_accept_star, post_form_query,
post_unsupported_content_type, …). Every answer of /sparql, success or error, must
carry ``Vary: Accept``, and no answer may hold a Python stack trace.
"""

from __future__ import annotations

import importlib.util
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from rdflib import Dataset, Graph

from scholargate.namespaces import CURATED_GRAPH, ONTOLOGY_GRAPH, SHAPES_GRAPH

from .conftest import SERVER_ROWS, LiveServer, Reply

SELECT = "SELECT ?s WHERE { ?s a sg:Method } LIMIT 3"
ASK = "ASK { ?s a sg:Method }"
CONSTRUCT = "CONSTRUCT { ?s a sg:Method } WHERE { ?s a sg:Method } LIMIT 3"
DESCRIBE = "DESCRIBE ?s WHERE { ?s a sg:Method } LIMIT 1"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
UNKNOWN_GRAPH = "https://example.org/not-a-graph-of-this-store"

Check = Callable[[Reply, LiveServer], object]


@dataclass(frozen=True)
class Case:
    name: str
    method: str = "GET"
    params: tuple[tuple[str, str], ...] = ()  # the URL's query string
    body: bytes | None = None
    content_type: str | None = None
    accept: str | None = None
    status: int = 200
    media_type: str | None = None
    check: Check | None = None
    origin: str | None = None


def q(sparql: str, *more: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (("query", sparql), *more)


def form(*pairs: tuple[str, str]) -> bytes:
    return urlencode(pairs).encode("ascii")


# ---- checks on the body --------------------------------------------------------------


def select_json(reply: Reply, _: LiveServer) -> None:
    doc = reply.json()
    assert doc["head"]["vars"] == ["s"]
    assert 0 < len(doc["results"]["bindings"]) <= 3
    assert all(b["s"]["type"] == "uri" for b in doc["results"]["bindings"])


def select_xml(reply: Reply, _: LiveServer) -> None:
    root = ET.fromstring(reply.body)
    assert root.tag == f"{RESULTS_NS}sparql"
    assert [v.get("name") for v in root.iter(f"{RESULTS_NS}variable")] == ["s"]
    assert len(list(root.iter(f"{RESULTS_NS}result"))) > 0


def select_csv(reply: Reply, _: LiveServer) -> None:
    lines = reply.text.splitlines()
    assert lines[0] == "s" and len(lines) > 1


def select_tsv(reply: Reply, _: LiveServer) -> None:
    lines = reply.text.splitlines()
    assert lines[0] == "?s" and lines[1].startswith("<")


def ask_true(reply: Reply, _: LiveServer) -> None:
    assert reply.json() == {"head": {}, "boolean": True}


def ask_xml(reply: Reply, _: LiveServer) -> None:
    root = ET.fromstring(reply.body)
    assert root.find(f"{RESULTS_NS}boolean").text == "true"  # type: ignore[union-attr]


def ask_text(reply: Reply, _: LiveServer) -> None:
    assert reply.text.strip() == "true"


def rdf(fmt: str, *, dataset: bool = False) -> Check:
    def check(reply: Reply, _: LiveServer) -> None:
        if dataset:
            data = Dataset()
            data.parse(data=reply.body, format=fmt)
            assert len(data.default_graph) > 0  # CONSTRUCT triples sit in the default graph
        else:
            graph = Graph().parse(data=reply.body, format=fmt)
            assert len(graph) > 0

    check.__name__ = f"parses_as_{fmt}"
    return check


def error(kind: str, *words: str) -> Check:
    def check(reply: Reply, _: LiveServer) -> None:
        body = reply.json()
        assert body["error"] == kind and body["status"] == reply.status
        for word in words:
            assert word in body["message"], body["message"]

    return check


def syntax_position(reply: Reply, _: LiveServer) -> None:
    body = reply.json()
    assert body["error"] == "parse-error"
    assert body["details"] == {"line": 3, "column": 16}
    assert "line 3, column 16" in body["message"]


def count(reply: Reply) -> int:
    return int(reply.json()["results"]["bindings"][0]["n"]["value"])


def same_count_as(sparql: str) -> Check:
    """The answer's ?n equals what ``sparql`` (no dataset parameters) counts."""

    def check(reply: Reply, server: LiveServer) -> None:
        expected = count(server.query(sparql))
        assert expected > 0 and count(reply) == expected

    return check


def graphs_seen(*expected: str) -> Check:
    def check(reply: Reply, _: LiveServer) -> None:
        seen = {b["g"]["value"] for b in reply.json()["results"]["bindings"]}
        assert seen == set(expected)

    return check


def service_description(fmt: str) -> Check:
    def check(reply: Reply, _: LiveServer) -> None:
        graph = Graph().parse(data=reply.body, format=fmt)
        sd = "http://www.w3.org/ns/sparql-service-description#"
        assert any(str(o) == sd + "Service" for o in graph.objects())

    return check


def empty(reply: Reply, _: LiveServer) -> None:
    assert reply.body == b""


def cors_preflight(reply: Reply, _: LiveServer) -> None:
    assert reply.header("access-control-allow-origin") == "*"
    assert "POST" in reply.header("access-control-allow-methods")
    assert "content-type" in reply.header("access-control-allow-headers").lower()


def cors_simple(reply: Reply, server: LiveServer) -> None:
    select_json(reply, server)
    assert reply.header("access-control-allow-origin") == "*"
    assert "SPARQL-Results-Truncated" in reply.header("access-control-expose-headers")


def undeclared_prefixes_work(reply: Reply, _: LiveServer) -> None:
    assert reply.json()["boolean"] is True


def labelled(reply: Reply, _: LiveServer) -> None:
    names = [b.get("name") for b in reply.json()["results"]["bindings"]]
    assert names and all(n is not None and n["type"] == "literal" for n in names)


IN_ONTOLOGY = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }} }}"
IN_SHAPES = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{SHAPES_GRAPH}> {{ ?s ?p ?o }} }}"
IN_ANY_GRAPH = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
WHICH_GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
BAD_SYNTAX = "SELECT *\nWHERE {\n  ?s ?p ?o ?x }"
HAS_QUERY_PAGE = importlib.util.find_spec("scholargate.web.query_page") is not None

# fmt: off
CASES: list[Case] = [
    # -- query by GET, POST form, POST direct
    Case("get_query_accept_star", params=q(SELECT), accept="*/*",
         media_type="application/sparql-results+json", check=select_json),
    Case("get_query_no_accept", params=q(SELECT),
         media_type="application/sparql-results+json", check=select_json),
    Case("post_form_query", "POST", body=form(("query", SELECT)), content_type=FORM,
         media_type="application/sparql-results+json", check=select_json),
    Case("post_form_query_charset", "POST", body=form(("query", SELECT)),
         content_type=f"{FORM}; charset=UTF-8", check=select_json),
    Case("post_direct_query", "POST", body=SELECT.encode(), content_type=DIRECT,
         media_type="application/sparql-results+json", check=select_json),
    Case("post_direct_query_utf8", "POST", content_type=f"{DIRECT}; charset=utf-8",
         body='ASK { ?s skos:prefLabel ?l FILTER(?l != "روش‌ها"@fa) }'.encode(),
         check=ask_true),
    # -- result formats of SELECT and ASK
    Case("select_accept_json", params=q(SELECT), accept="application/sparql-results+json",
         media_type="application/sparql-results+json", check=select_json),
    Case("select_accept_plain_json", params=q(SELECT), accept="application/json",
         media_type="application/sparql-results+json", check=select_json),
    Case("select_accept_xml", params=q(SELECT), accept="application/sparql-results+xml",
         media_type="application/sparql-results+xml", check=select_xml),
    Case("select_accept_csv", params=q(SELECT), accept="text/csv", media_type="text/csv",
         check=select_csv),
    Case("select_accept_tsv", params=q(SELECT), accept="text/tab-separated-values",
         media_type="text/tab-separated-values", check=select_tsv),
    Case("ask_accept_json", params=q(ASK), media_type="application/sparql-results+json",
         check=ask_true),
    Case("ask_accept_xml", params=q(ASK), accept="application/sparql-results+xml",
         media_type="application/sparql-results+xml", check=ask_xml),
    Case("ask_accept_csv", params=q(ASK), accept="text/csv", media_type="text/csv",
         check=ask_text),
    Case("ask_accept_tsv", params=q(ASK), accept="text/tab-separated-values",
         media_type="text/tab-separated-values", check=ask_text),
    # -- RDF formats of CONSTRUCT and DESCRIBE
    Case("construct_accept_star", params=q(CONSTRUCT), accept="*/*", media_type="text/turtle",
         check=rdf("turtle")),
    Case("construct_accept_turtle", params=q(CONSTRUCT), accept="text/turtle",
         media_type="text/turtle", check=rdf("turtle")),
    Case("construct_accept_jsonld", params=q(CONSTRUCT), accept="application/ld+json",
         media_type="application/ld+json", check=rdf("json-ld")),
    Case("construct_accept_ntriples", params=q(CONSTRUCT), accept="application/n-triples",
         media_type="application/n-triples", check=rdf("nt")),
    Case("construct_accept_rdfxml", params=q(CONSTRUCT), accept="application/rdf+xml",
         media_type="application/rdf+xml", check=rdf("xml")),
    Case("construct_accept_trig", params=q(CONSTRUCT), accept="application/trig",
         media_type="application/trig", check=rdf("trig", dataset=True)),
    Case("construct_accept_nquads", params=q(CONSTRUCT), accept="application/n-quads",
         media_type="application/n-quads", check=rdf("nquads", dataset=True)),
    Case("describe_accept_turtle", params=q(DESCRIBE), accept="text/turtle",
         media_type="text/turtle", check=rdf("turtle")),
    Case("construct_accept_results_406", params=q(CONSTRUCT),
         accept="application/sparql-results+json", status=406,
         check=error("not-acceptable", "text/turtle")),
    Case("select_accept_turtle_406", params=q(SELECT), accept="text/turtle", status=406,
         check=error("not-acceptable")),
    # -- negotiation
    Case("accept_q_values", params=q(SELECT),
         accept="application/sparql-results+xml;q=0.5, text/csv;q=0.9, */*;q=0.1",
         media_type="text/csv", check=select_csv),
    Case("accept_q_zero", params=q(SELECT),
         accept="application/sparql-results+json;q=0, text/tab-separated-values",
         media_type="text/tab-separated-values", check=select_tsv),
    Case("accept_rdf_q_values", params=q(CONSTRUCT),
         accept="text/turtle;q=0.2, application/n-triples;q=0.8",
         media_type="application/n-triples", check=rdf("nt")),
    Case("accept_nothing_406", params=q(SELECT), accept="image/png", status=406,
         check=error("not-acceptable", "application/sparql-results+json")),
    Case("format_param", params=q(SELECT, ("format", "csv")),
         accept="application/sparql-results+json", media_type="text/csv", check=select_csv),
    Case("format_param_media_type", params=q(SELECT, ("format", "text/tab-separated-values")),
         media_type="text/tab-separated-values", check=select_tsv),
    Case("format_param_xml", params=q(SELECT, ("format", "xml")),
         media_type="application/sparql-results+xml", check=select_xml),
    Case("format_param_json", params=q(SELECT, ("format", "json")),
         media_type="application/sparql-results+json", check=select_json),
    Case("format_param_in_form", "POST", body=form(("query", SELECT), ("format", "tsv")),
         content_type=FORM, media_type="text/tab-separated-values", check=select_tsv),
    Case("format_param_ttl", params=q(CONSTRUCT, ("format", "ttl")), accept="application/rdf+xml",
         media_type="text/turtle", check=rdf("turtle")),
    Case("format_param_rdf", params=q(CONSTRUCT, ("format", "rdf")),
         media_type="application/rdf+xml", check=rdf("xml")),
    Case("format_param_nt", params=q(CONSTRUCT, ("format", "nt")),
         media_type="application/n-triples", check=rdf("nt")),
    Case("format_param_jsonld", params=q(CONSTRUCT, ("format", "jsonld")),
         media_type="application/ld+json", check=rdf("json-ld")),
    Case("format_param_trig", params=q(CONSTRUCT, ("format", "trig")),
         media_type="application/trig", check=rdf("trig", dataset=True)),
    Case("format_param_nq", params=q(CONSTRUCT, ("format", "nq")),
         media_type="application/n-quads", check=rdf("nquads", dataset=True)),
    Case("format_param_xml_for_graph", params=q(CONSTRUCT, ("format", "xml")),
         media_type="application/rdf+xml", check=rdf("xml")),
    Case("format_param_json_for_graph", params=q(CONSTRUCT, ("format", "json")),
         media_type="application/ld+json", check=rdf("json-ld")),
    Case("format_param_unknown_406", params=q(SELECT, ("format", "pdf")), status=406,
         check=error("not-acceptable", "pdf")),
    # -- dataset
    Case("union_default_graph", params=q(COUNT), check=same_count_as(IN_ANY_GRAPH)),
    Case("default_graph_uri_selects", params=q(COUNT, ("default-graph-uri", str(ONTOLOGY_GRAPH))),
         check=same_count_as(IN_ONTOLOGY)),
    Case("post_direct_default_graph_uri", "POST",
         params=(("default-graph-uri", str(SHAPES_GRAPH)),), body=COUNT.encode(),
         content_type=DIRECT, check=same_count_as(IN_SHAPES)),
    Case("post_form_default_graph_uri", "POST", content_type=FORM,
         body=form(("query", COUNT), ("default-graph-uri", str(SHAPES_GRAPH))),
         check=same_count_as(IN_SHAPES)),
    Case("named_graph_uri_selects",
         params=q(WHICH_GRAPHS, ("named-graph-uri", str(ONTOLOGY_GRAPH)),
                  ("named-graph-uri", str(CURATED_GRAPH))),
         check=graphs_seen(str(ONTOLOGY_GRAPH), str(CURATED_GRAPH))),
    Case("default_graph_uri_hides_named_graphs",
         params=q(WHICH_GRAPHS, ("default-graph-uri", str(ONTOLOGY_GRAPH))), check=graphs_seen()),
    Case("from_selects", params=q(f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> "
                                  "WHERE { ?s ?p ?o }"), check=same_count_as(IN_ONTOLOGY)),
    Case("from_named_selects",
         params=q(f"SELECT DISTINCT ?g FROM NAMED <{SHAPES_GRAPH}> "
                  "WHERE { GRAPH ?g { ?s ?p ?o } }"),
         check=graphs_seen(str(SHAPES_GRAPH))),
    Case("from_prefixed_name_selects",
         params=q("SELECT (COUNT(*) AS ?n) FROM sgg:ontology WHERE { ?s ?p ?o }"),
         check=same_count_as(IN_ONTOLOGY)),
    Case("dataset_overrides_from",
         params=q(f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}",
                  ("default-graph-uri", str(SHAPES_GRAPH))), check=same_count_as(IN_SHAPES)),
    Case("named_graph_uri_unknown", params=q(SELECT, ("named-graph-uri", UNKNOWN_GRAPH)),
         status=400, check=error("bad-input", UNKNOWN_GRAPH)),
    Case("default_graph_uri_unknown", params=q(SELECT, ("default-graph-uri", UNKNOWN_GRAPH)),
         status=400, check=error("bad-input", UNKNOWN_GRAPH)),
    Case("from_unknown", params=q(f"SELECT * FROM <{UNKNOWN_GRAPH}> WHERE {{ ?s ?p ?o }}"),
         status=400, check=error("bad-input", UNKNOWN_GRAPH)),
    Case("from_named_unknown",
         params=q(f"SELECT * FROM NAMED <{UNKNOWN_GRAPH}> WHERE {{ ?s ?p ?o }}"),
         status=400, check=error("bad-input", UNKNOWN_GRAPH)),
    # -- protocol errors
    Case("get_two_queries", params=(("query", ASK), ("query", SELECT)), status=400,
         check=error("bad-input", "2 queries")),
    Case("post_form_two_queries", "POST", params=q(ASK), body=form(("query", SELECT)),
         content_type=FORM, status=400, check=error("bad-input", "2 queries")),
    Case("post_direct_and_query_param", "POST", params=q(ASK), body=SELECT.encode(),
         content_type=DIRECT, status=400, check=error("bad-input", "2 queries")),
    Case("query_and_update", "POST", body=form(("query", ASK), ("update", "CLEAR ALL")),
         content_type=FORM, status=400, check=error("bad-input", "both")),
    Case("update_needs_a_token", "POST", body=form(("update", "INSERT DATA { <a:b> <a:c> <a:d> }")),
         content_type=FORM, status=401, check=error("unauthorized", "Authorization: Bearer")),
    Case("update_direct_needs_a_token", "POST", body=b"CLEAR ALL",
         content_type="application/sparql-update", status=401,
         check=error("unauthorized", "Authorization: Bearer")),
    Case("update_by_get_refused", params=(("update", "CLEAR ALL"),), status=405,
         check=error("error", "by POST")),
    Case("update_as_query_refused", params=q("DELETE WHERE { ?s ?p ?o }"), status=403,
         check=error("forbidden", "updates are not accepted")),
    Case("post_unsupported_content_type", "POST", body=SELECT.encode(), content_type="text/plain",
         status=415, check=error("unsupported-media-type", DIRECT)),
    Case("post_missing_content_type", "POST", body=SELECT.encode(), status=415,
         check=error("unsupported-media-type", "no Content-Type")),
    Case("post_no_query", "POST", body=form(("format", "json")), content_type=FORM, status=400,
         check=error("bad-input", "no query")),
    Case("empty_query", params=q("  "), status=400, check=error("bad-input", "empty")),
    Case("syntax_error_line_column", params=q(BAD_SYNTAX), status=400, check=syntax_position),
    Case("syntax_error_line_column_post", "POST", body=BAD_SYNTAX.encode(), content_type=DIRECT,
         status=400, check=syntax_position),
    Case("non_utf8_body", "POST", body=b"SELECT * WHERE { ?s ?p \"\xff\xfe\" }",
         content_type=DIRECT, status=400, check=error("bad-input", "UTF-8")),
    Case("non_utf8_form", "POST", body=b"query=SELECT%20%2A%20%7B%7D%20%23%FF", content_type=FORM,
         status=400, check=error("bad-input", "UTF-8")),
    Case("method_put", "PUT", body=SELECT.encode(), content_type=DIRECT, status=405,
         check=error("method-not-allowed")),
    Case("method_delete", "DELETE", status=405, check=error("method-not-allowed")),
    Case("project_prefixes_undeclared", params=q("ASK { ?m a sg:Method ; skos:prefLabel ?l }"),
         check=undeclared_prefixes_work),
    Case("project_function_sg_label",
         params=q('SELECT (sg:label(?m, "fa,en") AS ?name) WHERE { ?m a sg:Method } LIMIT 3'),
         check=labelled),
    # -- CORS
    Case("cors_simple_get", params=q(SELECT), origin="https://example.org", check=cors_simple),
    Case("cors_preflight", "OPTIONS", origin="https://example.org", status=204,
         check=cors_preflight),
    # -- GET /sparql without a query
    Case("service_description_turtle", accept="text/turtle", media_type="text/turtle",
         check=service_description("turtle")),
    Case("service_description_rdfxml", accept="application/rdf+xml",
         media_type="application/rdf+xml", check=service_description("xml")),
    Case("service_description_jsonld", accept="application/ld+json",
         media_type="application/ld+json", check=service_description("json-ld")),
    Case("query_page_for_browsers", accept="text/html,application/xhtml+xml,*/*;q=0.8",
         status=200 if HAS_QUERY_PAGE else 501,
         media_type="text/html"),
]
# fmt: on


def _send(server: LiveServer, case: Case) -> Reply:
    headers: dict[str, str] = {}
    if case.accept is not None:
        headers["Accept"] = case.accept
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    if case.origin is not None:
        headers["Origin"] = case.origin
        if case.method == "OPTIONS":
            headers["Access-Control-Request-Method"] = "POST"
            headers["Access-Control-Request-Headers"] = "Content-Type"
    path = "/sparql" + ("?" + urlencode(case.params) if case.params else "")
    return server.request(case.method, path, body=case.body, headers=headers)


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_protocol(server: LiveServer, case: Case) -> None:
    reply = _send(server, case)
    assert reply.status == case.status, reply.body[:500]
    if case.media_type is not None:
        assert reply.media_type == case.media_type
    if case.method != "OPTIONS":
        assert "Accept" in reply.header("vary"), "a negotiated answer must say Vary: Accept"
    assert b"Traceback" not in reply.body
    if reply.status >= 400 and reply.media_type == "application/json":
        assert set(reply.json()) <= {"error", "status", "message", "details"}
    if case.check is not None:
        case.check(reply, server)


@pytest.mark.slow
def test_non_utf8_query_string(server: LiveServer) -> None:
    """Percent-encoded bytes that are not UTF-8, in a GET query string: 400."""
    reply = server.request("GET", "/sparql?query=ASK%20%7B%7D%20%23%FF%FE")
    assert reply.status == 400
    assert "UTF-8" in reply.json()["message"]


@pytest.mark.slow
def test_url_too_long_414(server: LiveServer) -> None:
    limit = int(server.settings.get("MAX_URL", 8192))
    sparql = "ASK {} #" + "x" * limit
    reply = server.request("GET", "/sparql?" + urlencode({"query": sparql}))
    assert reply.status == 414
    assert reply.json()["error"] == "uri-too-long"
    assert str(limit) in reply.json()["message"]
    long_by_post = server.query(sparql, method="POST")  # the way out the message names
    assert long_by_post.status == 200


@pytest.mark.slow
def test_truncated_select(server: LiveServer) -> None:
    """An unbounded SELECT stops at MAX_ROWS and says so, in a header and in the JSON."""
    total = count(server.query(COUNT))
    assert total > SERVER_ROWS, "the bundled graph should be larger than the row cap"
    reply = server.query("SELECT * WHERE { ?s ?p ?o }")
    assert reply.status == 200
    assert reply.header("sparql-results-truncated") == "true"
    doc = reply.json()
    assert doc["truncated"] is True
    assert len(doc["results"]["bindings"]) == SERVER_ROWS
    for fmt in ("text/csv", "text/tab-separated-values", "application/sparql-results+xml"):
        other = server.query("SELECT * WHERE { ?s ?p ?o }", accept=fmt)
        assert other.header("sparql-results-truncated") == "true"
        assert other.media_type == fmt
    small = server.query(SELECT)
    assert "sparql-results-truncated" not in small.headers
    assert "truncated" not in small.json()


@pytest.mark.slow
def test_truncated_construct(server: LiveServer) -> None:
    reply = server.query("CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples")
    assert reply.status == 200
    assert reply.header("sparql-results-truncated") == "true"
    assert len(Graph().parse(data=reply.body, format="nt")) <= SERVER_ROWS
    assert len([line for line in reply.text.splitlines() if line.strip()]) == SERVER_ROWS


@pytest.mark.slow
def test_json_results_stay_standard(server: LiveServer) -> None:
    """The SPARQL JSON we write ourselves (to cut at MAX_ROWS) types every term right."""
    reply = server.query(
        "SELECT ?iri ?label ?year ?blank WHERE { ?iri skos:prefLabel ?label . "
        "OPTIONAL { ?iri sg:yearIntroduced ?year } BIND(BNODE() AS ?blank) } LIMIT 20"
    )
    for binding in reply.json()["results"]["bindings"]:
        assert binding["iri"]["type"] == "uri"
        assert binding["label"]["type"] == "literal" and "xml:lang" in binding["label"]
        assert binding["blank"]["type"] == "bnode"
        if "year" in binding:
            assert binding["year"]["datatype"].endswith("#gYear")
    from rdflib.query import Result

    parsed = Result.parse(io.BytesIO(reply.body), format="json")
    assert len(list(parsed)) == len(reply.json()["results"]["bindings"])


@pytest.mark.slow
def test_error_page_for_browsers(server: LiveServer) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    reply = server.query("SELECT * WHERE {", accept=browser)
    assert reply.status == 400
    assert reply.media_type == "text/html"
    assert "Traceback" not in reply.text


def test_cases_have_unique_names() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names))
    json.dumps(names)  # plain strings, usable as test ids


def test_a_repeated_query_is_answered_in_the_format_each_request_asks_for(
    server: LiveServer,
) -> None:
    """Answers are kept per request: the same query asked again with another Accept,
    another format= or by POST comes back in its own format, rows unchanged."""
    text = "SELECT ?s WHERE { ?s a sg:Method } ORDER BY ?s LIMIT 2"
    asks = [
        ({"accept": "application/sparql-results+json"}, "application/sparql-results+json"),
        ({"accept": "text/csv"}, "text/csv"),
        ({"accept": "application/sparql-results+xml"}, "application/sparql-results+xml"),
        ({"accept": "text/csv", "params": {"format": "tsv"}}, "text/tab-separated-values"),
        ({"accept": "text/csv", "method": "POST"}, "text/csv"),
    ]
    first = {}
    for _ in range(2):  # the second round is answered from what the first kept
        for ask, media_type in asks:
            reply = server.query(text, **ask)
            assert reply.status == 200 and reply.media_type == media_type
            first.setdefault(media_type, reply.body)
            assert reply.body == first[media_type]
    rows = first["text/csv"].decode("utf-8").splitlines()
    assert len(rows) == 3 and rows[0] == "s"
