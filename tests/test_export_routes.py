"""Dumps, the ontology, the JSON-LD context and citation routes over HTTP (Flask's test client).

Every dump route is parsed back and compared with the store's graph (``store.graph``;
their union for ``all``) up to blank node renaming: quads without blank nodes as sets,
the rest canonicalised with RDFC-1.0. Triple formats are read with rdflib, except graphs
over RDFLIB_LIMIT triples where rdflib takes seconds (read with pyoxigraph; ``all.ttl`` is
still read with rdflib); TriG and N-Quads are read with pyoxigraph.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import types
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from rdflib import Graph, URIRef

from scholargate.build import discover
from scholargate.formats import DATASET_FORMATS, RDF_FORMATS, Format, by_name
from scholargate.namespaces import GRAPH, METADATA_GRAPH, SG
from scholargate.store.oxigraph import native_format, to_oxigraph, to_rdflib
from scholargate.web import export as export_view
from scholargate.web.app import create_app
from scholargate.web.context import get_store
from scholargate.web.export import version as export_version

ROOT = Path(__file__).resolve().parents[1]
# The graphs the build makes from the files in the repository, and the metadata graph.
GRAPHS = sorted(
    {str(s.graph).removeprefix(str(GRAPH)) for s in discover(ROOT)}
    | {str(METADATA_GRAPH).removeprefix(str(GRAPH))}
)
XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
RDFLIB_LIMIT = 20_000  # triples; larger graphs are read with pyoxigraph, but all.ttl with rdflib
HTML = {"Accept": "text/html"}
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def expected_cache() -> dict:
    """What each graph's dump must equal, computed once per graph and kind of format
    (key ``(name, holds_graphs)``), and the store's graphs (key: the graph IRI)."""
    return {}


@pytest.fixture(scope="module")
def store(app: Flask):
    with app.app_context():
        return get_store()


# ---- comparing RDF -------------------------------------------------------------------


def _ox_term(term):  # noqa: ANN001, ANN202
    """A pyoxigraph term; literals pass through rdflib, whose normal forms
    (``Z`` → ``+00:00`` in a dateTime) store.graph() applies too."""
    if isinstance(term, ox.Literal):
        if term.language or term.datatype == XSD_STRING:
            return term
        term = to_rdflib(term)
    return term if isinstance(term, ox.NamedNode | ox.BlankNode) else to_oxigraph(term)


def canonical(quads) -> tuple[set[ox.Quad], ox.Dataset]:  # noqa: ANN001
    """(s, p, o, g) quads with rdflib or pyoxigraph terms, in a form equal for isomorphic
    datasets: the quads without blank nodes as a set, those with blank nodes as a dataset
    canonicalised with RDFC-1.0 (renaming blank nodes maps each part to itself)."""
    plain: set[ox.Quad] = set()
    blank = ox.Dataset()
    for s, p, o, g in quads:
        graph = ox.DefaultGraph() if g is None else _ox_term(g)
        quad = ox.Quad(_ox_term(s), _ox_term(p), _ox_term(o), graph)
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            blank.add(quad)
        else:
            plain.add(quad)
    blank.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return plain, blank


def expected_quads(store, name: str, fmt: Format, graphs: dict | None = None):  # noqa: ANN001, ANN201
    """What a dump of ``name`` must hold: the graph's triples, keeping its name in TriG/N-Quads.

    ``graphs`` caches ``store.graph(iri)`` by IRI across calls.
    """
    graphs = {} if graphs is None else graphs
    names = store.graph_names() if name == "all" else [GRAPH[name]]
    for graph in names:
        if graph not in graphs:
            graphs[graph] = list(store.graph(graph))
        for s, p, o in graphs[graph]:
            yield s, p, o, (graph if fmt.holds_graphs else None)


def parsed_quads(body: bytes, fmt: Format, *, rdflib: bool = True):  # noqa: ANN201
    if fmt.holds_graphs:
        return [
            (q.subject, q.predicate, q.object, q.graph_name)
            for q in ox.parse(body, native_format(fmt))
        ]
    if rdflib:
        graph = Graph().parse(data=body, format=fmt.rdflib)
        return [(s, p, o, None) for s, p, o in graph]
    return [(t.subject, t.predicate, t.object, None) for t in ox.parse(body, native_format(fmt))]


# ---- every dump, parsed back ---------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "fmt"),
    list(itertools.product([*GRAPHS, "all"], RDF_FORMATS)),
    ids=lambda v: v.extension if isinstance(v, Format) else v,
)
def test_get_dump_is_isomorphic_to_the_store(
    client, store, expected_cache: dict, name: str, fmt: Format
) -> None:
    response = client.get(f"/export/{name}.{fmt.extension}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == fmt.content_type
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="scholargate-{name}.{fmt.extension}"'
    )
    assert response.headers["ETag"].startswith('W/"')
    assert response.headers["Last-Modified"]
    key = (name, fmt.holds_graphs)
    if key not in expected_cache:
        quads = list(expected_quads(store, name, fmt, expected_cache))
        expected_cache[key] = (len(quads), canonical(quads))
    size, expected = expected_cache[key]
    assert size, f"graph {name} is empty"
    with_rdflib = size <= RDFLIB_LIMIT or (name, fmt.name) == ("all", "ttl")
    assert canonical(parsed_quads(response.get_data(), fmt, rdflib=with_rdflib)) == expected


def test_get_all_in_a_dataset_format_keeps_graph_names(client, store) -> None:
    for fmt in DATASET_FORMATS:
        body = client.get(f"/export/all.{fmt.extension}").get_data()
        names = {q.graph_name.value for q in ox.parse(body, native_format(fmt))}
        assert names == {str(g) for g in store.graph_names()}


# ---- streaming -----------------------------------------------------------------------


def test_get_dump_is_streamed_not_built(app: Flask) -> None:
    with app.test_request_context("/export/all.ttl"):
        response = app.view_functions["export.dump"](graph="all", ext="ttl")
        assert isinstance(response.response, types.GeneratorType)
        assert response.is_streamed
        assert "Content-Length" not in response.headers
        first = next(response.response)
        assert first.startswith(b"@prefix") and len(first) <= 2 * export_view.CHUNK
        response.response.close()


def test_get_dump_over_the_test_client_arrives_in_chunks(client) -> None:
    response = client.get("/export/pwc-methods.nt", buffered=False)
    sizes = [len(chunk) for chunk in response.response]
    response.close()
    assert len(sizes) > 10
    assert max(sizes) <= 2 * export_view.CHUNK


def test_closing_a_stream_stops_the_dumping_thread() -> None:
    written = []

    def endless(out) -> None:  # noqa: ANN001
        while True:
            written.append(out.write(b"x" * 1000))

    chunks = export_view.stream(endless, name="endless")
    assert len(next(chunks)) >= export_view.CHUNK
    chunks.close()
    deadline = time.monotonic() + 5
    while any(t.name == "scholargate-endless" for t in threading.enumerate()):
        assert time.monotonic() < deadline, "the dumping thread is still running"
        time.sleep(0.05)
    # the writer ran at most a few chunks ahead of the reader
    assert sum(written) <= (export_view.DEPTH + 3) * export_view.CHUNK


def test_an_error_while_dumping_reaches_the_reader() -> None:
    def broken(out) -> None:  # noqa: ANN001
        out.write(b"half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        list(export_view.stream(broken, name="broken"))


# ---- caching -------------------------------------------------------------------------


def test_get_dump_if_none_match_answers_304(client) -> None:
    first = client.get("/export/curated.ttl")
    etag = first.headers["ETag"]
    again = client.get("/export/curated.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.get_data() == b""
    assert again.headers["ETag"] == etag
    assert "public" in again.headers["Cache-Control"]
    other = client.get("/export/curated.ttl", headers={"If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200


def test_get_dump_if_modified_since_answers_304(client) -> None:
    first = client.get("/export/ontology.nt")
    since = first.headers["Last-Modified"]
    assert (
        client.get("/export/ontology.nt", headers={"If-Modified-Since": since}).status_code == 304
    )
    earlier = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert (
        client.get("/export/ontology.nt", headers={"If-Modified-Since": earlier}).status_code == 200
    )


def test_head_dump_has_the_headers_and_no_body(client) -> None:
    response = client.head("/export/all.nq")
    assert response.status_code == 200
    assert response.headers["ETag"] and response.get_data() == b""


def test_etags_differ_by_graph_and_format(client) -> None:
    tags = {
        client.get(f"/export/{name}.{ext}").headers["ETag"]
        for name in ("curated", "ontology", "all")
        for ext in ("ttl", "nt", "nq")
    }
    assert len(tags) == 9


def test_saving_a_comparison_changes_the_etag_of_the_dataset(tmp_path: Path) -> None:
    app = create_app({"MEMORY": True, "SAVED": tmp_path / "comparisons.nt", "TESTING": True})
    client = app.test_client()
    before = client.get("/export/all.nq").headers["ETag"]
    curated = client.get("/export/curated.nq").headers["ETag"]
    saved = client.post("/compare/save", data={"m": "lora,bert-fine-tuning"}, headers=JSON)
    assert saved.status_code == 201
    after = client.get("/export/all.nq", headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before
    assert client.get("/export/curated.nq").headers["ETag"] == curated
    names = {q.graph_name.value for q in ox.parse(after.get_data(), ox.RdfFormat.N_QUADS)}
    assert str(GRAPH["comparisons"]) in names


def test_on_disk_store_etag_comes_from_the_build_fingerprint(tmp_path: Path) -> None:
    app = create_app({"STORE": tmp_path / "store", "SAVED": tmp_path / "c.nt", "TESTING": True})
    marker = tmp_path / "store.fingerprint"
    assert marker.is_file()
    with app.app_context():
        build = export_version._build_of(app)
    assert build.fingerprint == marker.read_text().strip()
    response = app.test_client().get("/export/ontology.ttl")
    assert response.status_code == 200 and response.headers["ETag"]


# ---- errors --------------------------------------------------------------------------

ERRORS = [
    # (url, headers, status, words the message must name)
    ("/export/no-such-graph.ttl", {}, 404, ["curated", "pwc-methods", "all"]),
    ("/export/curated.xml", {}, 404, [".ttl", ".jsonld", ".nq", ".trig"]),
    ("/export/curated.exe", {}, 404, [".ttl", ".nt"]),
    ("/export/no-such-graph", {}, 404, ["curated"]),
    ("/export/curated", {"Accept": "text/csv"}, 406, ["text/turtle"]),
    ("/ontology", {"Accept": "image/png"}, 406, ["text/turtle"]),
    ("/ontology.csv", {}, 406, ["ttl"]),
    ("/work/no-such-work.bib", {}, 404, ["no-such-work"]),
    ("/work/no-such-work.csl.json", {}, 404, ["no-such-work"]),
    ("/method/no-such-method.bib", {}, 404, ["no-such-method"]),
]


@pytest.mark.parametrize(("url", "headers", "status", "words"), ERRORS)
def test_get_unknown_answers_one_error_shape(client, url, headers, status, words) -> None:
    response = client.get(url, headers={**JSON, **headers} if "Accept" not in headers else headers)
    assert response.status_code == status
    body = json.loads(response.get_data(as_text=True))
    assert body["status"] == status and body["error"] in ("not-found", "not-acceptable")
    for word in words:
        assert word in body["message"]


def test_get_unknown_graph_lists_the_graphs_in_details(client) -> None:
    body = client.get("/export/nope.ttl", headers=JSON).get_json()
    assert body["details"]["graphs"] == ["all", *GRAPHS]


# ---- negotiation ---------------------------------------------------------------------

NEGOTIATION = [
    # (url, Accept, format name)
    ("/export/curated", None, "ttl"),
    ("/export/curated", "*/*", "ttl"),
    ("/export/curated", "application/n-triples", "nt"),
    ("/export/curated", "application/ld+json;q=0.9, application/trig", "trig"),
    ("/export/curated", "text/html;q=0.9, application/rdf+xml", "rdf"),
    ("/ontology", "text/turtle", "ttl"),
    ("/ontology", "application/ld+json", "jsonld"),
    ("/ontology", "application/n-triples", "nt"),
    ("/ontology", "application/rdf+xml", "rdf"),
    ("/ontology", "text/html", "html"),
    ("/ontology.nt", "text/turtle", "nt"),
    ("/export", "application/json", "data-json"),
    ("/export", "text/html", "html"),
    ("/export.json", "text/html", "data-json"),
]


@pytest.mark.parametrize(("url", "accept", "name"), NEGOTIATION)
def test_get_negotiates(client, url: str, accept: str | None, name: str) -> None:
    response = client.get(url, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.content_type == by_name(name).content_type
    if "." not in url.rsplit("/", 1)[-1]:
        assert "Accept" in response.headers.get("Vary", "")


@pytest.mark.parametrize("fmt", [by_name(n) for n in ("ttl", "jsonld", "nt", "rdf")])
def test_get_ontology_is_the_ontology_graph(client, store, fmt: Format) -> None:
    response = client.get(f"/ontology.{fmt.extension}")
    assert response.headers["Content-Disposition"].startswith("inline;")
    got = parsed_quads(response.get_data(), fmt)
    assert canonical(got) == canonical(expected_quads(store, "ontology", fmt))


def test_get_ontology_page_lists_terms_with_anchors(client) -> None:
    page = client.get("/ontology?lang=fa", headers=HTML).get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page
    for term in ("Method", "foundationalWork", "yearIntroduced", "Abbreviation"):
        assert f'id="{term}"' in page
    assert 'href="/ontology/context.jsonld"' in page


# ---- the JSON-LD context -------------------------------------------------------------


def test_get_context_is_served_as_json_ld_for_everyone(client) -> None:
    response = client.get("/ontology/context.jsonld")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "public" in response.headers["Cache-Control"]
    assert "max-age=86400" in response.headers["Cache-Control"]
    assert json.loads(response.get_data()) == json.loads(
        (ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8")
    )
    again = client.get(
        "/ontology/context.jsonld", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_a_document_using_the_context_expands_to_the_expected_triples(client) -> None:
    context = json.loads(client.get("/ontology/context.jsonld").get_data())["@context"]
    document = {
        "@context": context,
        "id": "sgm:lora",
        "type": "Method",
        "prefLabel": {"en": "LoRA and PEFT", "fa": "لورا و PEFT"},
        "yearIntroduced": "2022",
        "foundationalWork": "sgw:lora-low-rank-adaptation-of-large",
        "related": ["sgm:qlora"],
    }
    work = {
        "@context": context,
        "id": "sgw:lora-low-rank-adaptation-of-large",
        "authorList": ["sgp:edward-hu", "sgp:yelong-shen"],
        "doi": "10.1000/example",
    }
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    graph.parse(data=json.dumps(work), format="json-ld")
    expected = Graph().parse(
        format="turtle",
        data="""
        @prefix sg: <https://w3id.org/scholargate/ontology#> .
        @prefix sgm: <https://w3id.org/scholargate/method/> .
        @prefix sgw: <https://w3id.org/scholargate/work/> .
        @prefix sgp: <https://w3id.org/scholargate/person/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix bibo: <http://purl.org/ontology/bibo/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        sgm:lora a sg:Method ;
            skos:prefLabel "LoRA and PEFT"@en , "لورا و PEFT"@fa ;
            sg:yearIntroduced "2022"^^xsd:gYear ;
            sg:foundationalWork sgw:lora-low-rank-adaptation-of-large ;
            skos:related sgm:qlora .
        sgw:lora-low-rank-adaptation-of-large
            bibo:authorList ( sgp:edward-hu sgp:yelong-shen ) ;
            bibo:doi "10.1000/example" .
        """,
    )
    assert canonical((s, p, o, None) for s, p, o in graph) == canonical(
        (s, p, o, None) for s, p, o in expected
    )


# ---- the index -----------------------------------------------------------------------


def test_get_export_index_json_lists_every_graph_with_size_licence_and_dumps(client, store) -> None:
    data = client.get("/export", headers=JSON).get_json()
    by_name_ = {g["name"]: g for g in data["graphs"]}
    assert sorted(by_name_) == GRAPHS
    for name, entry in by_name_.items():
        assert entry["triples"] == store.count(GRAPH[name])
        assert set(entry["dumps"]) == {f.extension for f in RDF_FORMATS}
    pwc = by_name_["pwc-methods"]
    assert pwc["licenses"] == [
        {"iri": "https://creativecommons.org/licenses/by-sa/4.0/", "name": "CC BY-SA 4.0"}
    ]
    assert pwc["attribution"]["name"] == "Papers with Code"
    assert by_name_["curated"]["licenses"][0]["name"] == "CC BY 4.0"
    assert data["quads"] == store.count()
    assert data["void"].endswith("/.well-known/void")
    for url in (
        data["dumps"]["ttl"],
        by_name_["fa-ml-glossary"]["dumps"]["jsonld"],
        data["context"],
    ):
        assert client.get(url.removeprefix("http://localhost")).status_code == 200


def test_get_export_index_page_in_persian(client) -> None:
    page = client.get("/export?lang=fa", headers=HTML).get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page
    assert 'id="licences"' in page
    assert "CC BY-SA 4.0" in page and "Papers with Code" in page
    assert "/export/all.trig" in page and "/export/curated.ttl" in page


@pytest.mark.parametrize("url", ["/export", "/ontology", "/compare?m=lora,bert-fine-tuning"])
def test_every_page_links_the_dataset_description(client, url: str) -> None:
    page = client.get(url, headers=HTML).get_data(as_text=True)
    assert '<link rel="alternate" type="text/turtle" href="/.well-known/void"' in page
    assert '<footer class="site">' in page and 'href="/sparql?lang=en"' in page
    assert 'href="/export?lang=en#licences"' in page


# ---- citation routes -----------------------------------------------------------------

LORA = "lora-low-rank-adaptation-of-large"


def test_get_work_bib(client) -> None:
    response = client.get(f"/work/{LORA}.bib")
    assert response.status_code == 200
    assert response.mimetype == "application/x-bibtex"
    assert 'filename="hu2022lora.bib"' in response.headers["Content-Disposition"]
    assert "@inproceedings{hu2022lora," in response.get_data(as_text=True)


def test_get_work_csl_json(client) -> None:
    response = client.get(f"/work/{LORA}.csl.json")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.citationstyles.csl+json"
    items = response.get_json(force=True)
    assert [i["id"] for i in items] == ["hu2022lora"]
    assert items[0]["issued"] == {"date-parts": [[2022]]}


def test_get_method_bib_cites_the_foundational_works(client, store) -> None:
    text = client.get("/method/lora.bib").get_data(as_text=True)
    assert text.count("@") == 1 and "hu2022lora" in text
    founding = store.select(
        f"SELECT ?w WHERE {{ <{URIRef('https://w3id.org/scholargate/method/transformer')}> "
        f"<{SG.foundationalWork}> ?w }}"
    )
    text = client.get("/method/transformer.bib").get_data(as_text=True)
    assert text.count("\n@") + text.startswith("@") == len(founding)


def test_citation_rules_win_over_a_generic_suffix_rule(app: Flask) -> None:
    """The resource pages serve /work/{slug}.{ext}; .bib and .csl.json stay ours."""
    probe = Flask("probe")
    probe.url_map.converters.update(app.url_map.converters)
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static":
            probe.url_map.add(rule.empty())
    probe.add_url_rule("/work/<slug>.<ext>", "resources.work", lambda **_: "")
    probe.add_url_rule("/work/<slug>", "resources.work_page", lambda **_: "")
    probe.add_url_rule("/method/<slug>.<ext>", "resources.method", lambda **_: "")
    adapter = probe.url_map.bind("localhost")
    real = app.url_map.bind("localhost")
    assert real.match(f"/work/{LORA}.bib")[0] == "export.work_bib"
    assert real.match(f"/work/{LORA}.csl.json")[0] == "export.work_csl"
    assert real.match("/method/lora.bib")[0] == "export.method_bib"
    assert real.match(f"/work/{LORA}.ttl")[0] != "export.work_bib"
    assert adapter.match(f"/work/{LORA}.bib")[0] == "export.work_bib"
    assert adapter.match(f"/work/{LORA}.csl.json") == ("export.work_csl", {"slug": LORA})
    assert adapter.match("/method/lora.bib")[0] == "export.method_bib"
    assert adapter.match(f"/work/{LORA}.ttl")[0] == "resources.work"


def _readme_licences() -> dict[str, str]:
    """Graph name → the licence column of README's "The data and its licences" table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8").split("## The data and its licences")[1]
    table = {}
    for line in text.split("\n## ")[0].splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 3 and "sgg:" in cells[0]:
            for name in re.findall(r"`sgg:([\w-]+)`", cells[0]):
                table[name] = cells[2]
    return table


@pytest.mark.parametrize("lang", ["en", "fa", "tr"])
def test_every_bundled_graph_has_a_title_licence_and_attribution(client, lang) -> None:
    readme = _readme_licences()
    data = client.get(f"/export?lang={lang}", headers=JSON).get_json()
    for entry in data["graphs"]:
        if entry["name"] not in GRAPHS:  # a graph written at run time by another test
            continue
        name = entry["name"]
        assert entry["title"] and entry["title"] != name, name
        assert entry["licenses"], f"{name} has no licence"
        assert entry["attribution"]["name"], f"{name} has no attribution"
        assert name in readme, f"README's licence table does not list sgg:{name}"
        for licence in entry["licenses"]:
            assert licence["name"] in readme[name], (name, licence, readme[name])
    page = client.get(f"/export?lang={lang}", headers=HTML).get_data(as_text=True)
    for name in ("metadata", "ontology", "shapes"):
        title = next(g["title"] for g in data["graphs"] if g["name"] == name)
        assert title in page
