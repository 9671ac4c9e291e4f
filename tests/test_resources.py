"""Linked Data pages over HTTP: content negotiation, labels, links, the neighbourhood.

The expected facts come from the curated Turtle in data/ and the ontology, so the tests
follow the data instead of repeating it.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html import unescape
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDFS, SKOS

from scholargate.errors import InputError, NotFoundError
from scholargate.formats import by_extension, by_media_type
from scholargate.namespaces import BASE, BIBO, SG
from scholargate.services.resources import MAX_NEIGHBOURS, Filters, resources_for
from scholargate.web.context import get_store

ROOT = Path(__file__).resolve().parents[1]
HTML = {"Accept": "text/html"}

# One resource of every kind that has a page, as the curated data writes it.
RESOURCES = {
    "method": "lora",
    "person": "edward-hu",
    "work": "attention-is-all-you-need",
    "field": "deep-learning",
    "family": "machine-learning",
    "type": "attention-mechanism",
    "alias": "lora-en-1",
    "scheme": "fields",
}

# Content negotiation: (Accept, suffix, ?format=) → the format answered, or 406.
NEGOTIATION = [
    # accept, suffix, format param, expected extension (None: 406)
    (None, None, None, "html"),
    ("text/html", None, None, "html"),
    ("*/*", None, None, "html"),
    ("text/turtle", None, None, "ttl"),
    ("application/x-turtle", None, None, "ttl"),
    ("application/ld+json", None, None, "jsonld"),
    ("application/n-triples", None, None, "nt"),
    ("application/rdf+xml", None, None, "rdf"),
    ("text/turtle;q=0.5, application/rdf+xml;q=0.9", None, None, "rdf"),
    ("text/html;q=0.1, application/ld+json", None, None, "jsonld"),
    (None, "ttl", None, "ttl"),
    (None, "jsonld", None, "jsonld"),
    (None, "nt", None, "nt"),
    (None, "rdf", None, "rdf"),
    (None, "html", None, "html"),
    ("text/html", "ttl", None, "ttl"),  # a suffix beats Accept
    ("text/turtle", None, "nt", "nt"),  # so does ?format=
    ("application/json", None, None, None),
    ("image/png", None, None, None),
    (None, None, "csv", None),
]


@pytest.fixture(scope="module")
def store(app):
    with app.app_context():
        return get_store()


@pytest.fixture(scope="module")
def curated() -> Graph:
    """The curated sources and the ontology, as written in git."""
    graph = Graph()
    for path in sorted((ROOT / "data" / "curated").glob("*.ttl")):
        graph.parse(path)
    graph.parse(ROOT / "ontology" / "scholargate.ttl")
    return graph


def iri(kind: str, slug: str) -> URIRef:
    return URIRef(f"{BASE}{kind}/{slug}")


def key_triples(graph: Graph, subject: URIRef) -> set[tuple]:
    """What the sources state about ``subject`` (lists aside: their nodes are blank)."""
    return {
        (subject, p, o) for p, o in graph.predicate_objects(subject) if not isinstance(o, BNode)
    }


# ---- content negotiation, per resource type ----------------------------------------------


@pytest.mark.parametrize("kind", RESOURCES)
@pytest.mark.parametrize(("accept", "suffix", "param", "expected"), NEGOTIATION)
def test_get_resource_negotiates(client, curated, kind, accept, suffix, param, expected) -> None:
    slug = RESOURCES[kind]
    url = (
        f"/{kind}/{slug}" + (f".{suffix}" if suffix else "") + (f"?format={param}" if param else "")
    )
    response = client.get(url, headers={"Accept": accept} if accept else {})
    assert "Accept" in response.headers["Vary"]
    if expected is None:
        assert response.status_code == 406
        assert response.get_json()["error"] == "not-acceptable"
        return
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    fmt = by_extension(expected)
    assert response.content_type == fmt.content_type
    assert by_media_type(response.content_type) is fmt
    if fmt.name == "html":
        return
    graph = Graph().parse(data=response.get_data(), format=fmt.rdflib)
    expected_triples = key_triples(curated, iri(kind, slug))
    assert expected_triples, f"no curated statements about {kind}/{slug}"
    assert expected_triples <= set(graph)


@pytest.mark.parametrize("ext", ["ttl", "jsonld", "nt", "rdf"])
def test_rdf_document_keeps_author_order_aliases_and_labels(client, curated, ext) -> None:
    fmt = by_extension(ext)
    work = iri("work", "attention-is-all-you-need")
    graph = Graph().parse(data=client.get(f"/work/attention-is-all-you-need.{ext}").data,
                          format=fmt.rdflib)  # fmt: skip
    order = list(Collection(curated, curated.value(work, BIBO.authorList)))
    assert list(Collection(graph, graph.value(work, BIBO.authorList))) == order
    # labels of what it points to and of what points to it
    assert (order[0], URIRef("http://xmlns.com/foaf/0.1/name"), Literal("Ashish Vaswani")) in graph
    method = iri("method", "multi-head-self-attention")
    assert (method, SG.foundationalWork, work) in graph
    assert (method, SKOS.prefLabel, Literal("Multi-head self-attention", lang="en")) in graph
    # a method's document carries its SKOS-XL alias resources
    lora = Graph().parse(data=client.get(f"/method/lora.{ext}").data, format=fmt.rdflib)
    alias = iri("alias", "lora-en-1")
    assert key_triples(curated, alias) <= set(lora)


def test_turtle_uses_the_project_prefixes(client) -> None:
    text = client.get("/method/lora.ttl").get_data(as_text=True)
    assert "@prefix sgm: <https://w3id.org/scholargate/method/>" in text
    assert "sgm:lora" in text


def test_jsonld_has_a_context_of_prefixes(client) -> None:
    body = json.loads(client.get("/method/lora.jsonld").get_data(as_text=True))
    assert body["@context"]["skos"] == str(SKOS)


@pytest.mark.parametrize("kind", ["method", "person", "work"])
def test_iris_dereference_locally(client, kind) -> None:
    """Every IRI of ours in a resource's document is a page on this host."""
    slug = RESOURCES[kind]
    graph = Graph().parse(data=client.get(f"/{kind}/{slug}.ttl").data, format="turtle")
    ours = {
        str(term)[len(BASE) :]
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(BASE)
        and str(term)[len(BASE) :].split("/", 1)[0] in RESOURCES
    }  # fmt: skip
    assert len(ours) >= 3
    for path in sorted(ours):
        assert client.get(f"/{path}.nt").status_code == 200, path


def test_html_links_to_its_alternates(client) -> None:
    response = client.get("/method/lora", headers=HTML)
    page = response.get_data(as_text=True)
    for ext in ("ttl", "jsonld", "nt", "rdf"):
        fmt = by_extension(ext)
        assert f'<link rel="alternate" type="{fmt.media_type}" href="/method/lora.{ext}"' in page
        assert (
            f'</method/lora.{ext}>; rel="alternate"; type="{fmt.media_type}"'
            in (response.headers["Link"])
        )
    assert response.headers["Vary"] == "Accept, Accept-Language"


# ---- the HTML page --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fa", "tr"])
def test_properties_carry_their_ontology_labels(client, curated, lang) -> None:
    page = client.get(f"/method/lora?lang={lang}", headers=HTML).get_data(as_text=True)
    used = {p for p in curated.predicates(iri("method", "lora")) if str(p).startswith(str(SG))}
    assert {SG.yearIntroduced, SG.introducedBy, SG.field} <= used
    for prop in used:
        label = next(x for x in curated.objects(prop, RDFS.label) if x.language == lang)
        assert f'<span class="label" lang="{lang}">{label}</span>' in page, prop


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("tr", "ltr"), ("fa", "rtl")])
def test_page_language_and_direction(client, lang, direction) -> None:
    page = client.get(f"/method/lora?lang={lang}", headers=HTML).get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in page


def test_persian_labels_fall_back_to_english_marked_with_their_language(client, store) -> None:
    page = client.get("/method/lora?lang=fa", headers=HTML).get_data(as_text=True)
    assert '<h1 lang="fa" dir="auto">لورا و PEFT</h1>' in page
    # a method with a Persian name related to some without one (most used methods have one)
    rows = store.select(
        f"SELECT ?m ?r WHERE {{ ?m <{SKOS.related}> ?r ; <{SKOS.prefLabel}> ?own "
        f'FILTER(LANG(?own) = "fa") '
        f'FILTER NOT EXISTS {{ ?r <{SKOS.prefLabel}> ?l FILTER(LANG(?l) = "fa") }} }} '
        "ORDER BY ?m ?r LIMIT 1"
    )
    assert rows, "no method with a Persian name is related to one without"
    slug, other = (str(rows[0][k])[len(BASE + "method/") :] for k in ("m", "r"))
    page = client.get(f"/method/{slug}?lang=fa", headers=HTML).get_data(as_text=True)
    assert re.search(rf'<a href="/method/{other}\?lang=fa" lang="en" dir="auto" '
                     r'class="fallback">', page), other  # fmt: skip


def test_person_page_lists_what_they_introduced_and_wrote(client) -> None:
    page = client.get("/person/edward-hu?lang=en", headers=HTML).get_data(as_text=True)
    incoming = page[page.index('class="incoming"') :]
    assert "methods introduced" in incoming and 'href="/method/lora?lang=en"' in incoming
    assert 'href="/work/lora-low-rank-adaptation-of-large?lang=en"' in incoming


def test_work_page_lists_authors_in_order_and_what_it_founded(client, curated) -> None:
    page = client.get("/work/attention-is-all-you-need", headers=HTML).get_data(as_text=True)
    work = iri("work", "attention-is-all-you-need")
    authors = [
        str(p)[len(BASE) :] for p in Collection(curated, curated.value(work, BIBO.authorList))
    ]
    row = page[page.index('data-property="bibo:authorList"') :]
    row = row[: row.index("</tr>")]
    assert "<ol" in row
    positions = [row.index(f'href="/{a}"') for a in authors]
    assert positions == sorted(positions)
    incoming = page[page.index('class="incoming"') :]
    founded = {str(m) for m in curated.subjects(SG.foundationalWork, work)}
    for method in founded:
        assert f'href="/{method[len(BASE) :]}"' in incoming


def test_method_lists_originators_in_author_order(client) -> None:
    page = client.get("/method/lora?lang=en", headers=HTML).get_data(as_text=True)
    row = page[page.index('data-property="sg:introducedBy"') :]
    row = row[: row.index("</tr>")]
    # the LoRA paper's authors first, in its order, then the other line of work
    assert row.index("edward-hu") < row.index("yelong-shen") < row.index("weizhu-chen")
    assert row.index("weizhu-chen") < row.index("brian-lester")


@pytest.mark.parametrize(
    ("path", "href"),
    [
        ("/work/attention-is-all-you-need", "https://arxiv.org/abs/1706.03762"),
        ("/work/bert-pre-training-of-deep-bidirectional", "https://doi.org/10.18653/v1/n19-1423"),
        ("/method/1-bit-adam", "https://paperswithcode.com/method/1-bit-adam"),
    ],
)
def test_external_matches_are_outbound_links(client, path, href) -> None:
    page = client.get(path, headers=HTML).get_data(as_text=True)
    outbound = page[page.index('class="external" aria-labelledby') :]
    assert f'<a class="external" href="{href}" rel="noopener external"' in outbound


def test_hub_pages_cap_incoming_links_and_point_to_the_facet(client, store) -> None:
    page = client.get("/field/general?lang=en", headers=HTML).get_data(as_text=True)
    count = int(store.select(
        f"SELECT (COUNT(?m) AS ?n) WHERE {{ ?m <{SG.field}> <{iri('field', 'general')}> }}"
    )[0]["n"])  # fmt: skip
    assert f"200 of {count} shown" in page
    assert 'href="/methods?field=general&amp;lang=en"' in page


def test_unknown_kind_or_suffix_is_404(client) -> None:
    assert client.get("/widget/lora").status_code == 404
    assert client.get("/method/lora.xyz").status_code == 404


# ---- what a method page adds -----------------------------------------------------------------


def _svg(page: str) -> ET.Element:
    start = page.index('<svg class="neighbourhood"')
    return ET.fromstring(page[start : page.index("</svg>", start) + len("</svg>")])


@pytest.mark.parametrize("slug", ["lora", "transformer", "multi-head-self-attention", "bert"])
def test_neighbourhood_svg_has_a_node_per_neighbour(client, store, slug) -> None:
    page = client.get(f"/method/{slug}?lang=fa", headers=HTML).get_data(as_text=True)
    svg = _svg(page)
    ns = "{http://www.w3.org/2000/svg}"
    m = iri("method", slug)
    neighbours = {
        str(r["n"])
        for r in store.select(
            f"SELECT ?n WHERE {{ {{ <{m}> <{SKOS.related}>|<{SG.buildsOn}> ?n }} "
            f"UNION {{ ?n <{SG.buildsOn}> <{m}> }} FILTER(?n != <{m}>) }}"
        )
    }
    nodes = [a for a in svg.iter(f"{ns}a") if "node-neighbour" in a.get("class", "")]
    assert len(nodes) == min(len(neighbours), MAX_NEIGHBOURS)
    assert {a.get("data-slug") for a in nodes} <= {n.rsplit("/", 1)[-1] for n in neighbours}
    centre = [a for a in svg.iter(f"{ns}a") if "node-centre" in a.get("class", "")]
    assert [a.get("data-slug") for a in centre] == [slug]
    for a in nodes + centre:
        assert a.get("href").startswith("/method/") and a.find(f"{ns}title") is not None
    kinds = {e.get("data-kind") for e in svg.iter() if e.get("data-kind")}
    assert kinds <= {"related", "buildsOn"} and "related" in kinds
    assert svg.get("role") == "img" and svg.find(f"{ns}title") is not None


def test_neighbourhood_edges_point_the_right_way(client) -> None:
    svg = _svg(client.get("/method/lora?lang=en", headers=HTML).get_data(as_text=True))
    titles = {e.findtext("{http://www.w3.org/2000/svg}title") for e in svg.iter()
              if e.get("data-kind") == "buildsOn"}  # fmt: skip
    assert "LoRA and PEFT builds on Transformer" in titles
    assert "QLoRA builds on LoRA and PEFT" in titles


def test_schema_org_jsonld_names_the_method(client, curated) -> None:
    page = client.get("/method/lora?lang=fa", headers=HTML).get_data(as_text=True)
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    data = json.loads(script.group(1))
    assert data["@context"] == "https://schema.org" and data["@type"] == "DefinedTerm"
    assert data["name"] == "لورا و PEFT" and data["inLanguage"] == "fa"
    assert (
        "LoRA and PEFT" in data["alternateName"] and "Low-Rank Adaptation" in data["alternateName"]
    )
    assert data["url"].endswith("/method/lora") and data["@id"] == str(iri("method", "lora"))
    assert data["description"].startswith("لورا")
    (work,) = data["subjectOf"]
    assert work["name"] == "LoRA: Low-Rank Adaptation of Large Language Models"
    assert work["url"] == "https://arxiv.org/abs/2106.09685" and len(work["author"]) == 8


def test_compare_with_form_and_quick_links(client) -> None:
    page = client.get("/method/lora?lang=fa", headers=HTML).get_data(as_text=True)
    form = page[page.index('<section class="compare-with"') :]
    form = form[: form.index("</section>")]
    assert '<form method="get" action="/compare"' in form
    assert '<input type="hidden" name="m" value="lora">' in form and 'name="add"' in form
    assert 'href="/compare?m=lora,adapters&amp;lang=fa"' in form
    # the form works: the compare view accepts a name in any language
    response = client.get("/compare.json?m=lora&add=BERT ince ayarı")
    assert [c["slug"] for c in response.get_json()["columns"]] == ["lora", "bert-fine-tuning"]


def test_cite_section_links_to_bibtex_and_csl(client) -> None:
    page = client.get("/method/lora", headers=HTML).get_data(as_text=True)
    cite = page[page.index('<section class="cite"') :]
    assert 'href="/work/lora-low-rank-adaptation-of-large.bib"' in cite
    assert 'href="/work/lora-low-rank-adaptation-of-large.csl.json"' in cite


# ---- unknown slugs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "suggestion"),
    [
        ("/method/lorra", "lora"),
        ("/method/multi-head-self-atention", "multi-head-self-attention"),
        ("/person/edward-hoo", "edward-hu"),
        ("/work/attention-is-all-you-ned", "attention-is-all-you-need"),
        ("/field/deep-lerning", "deep-learning"),
    ],
)
def test_unknown_slug_is_404_with_near_matches(client, path, suggestion) -> None:
    response = client.get(path)
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"] == "not-found" and body["status"] == 404
    assert suggestion in body["details"]["suggestions"]
    assert client.get(path + ".ttl").status_code == 404
    page = client.get(path + "?lang=fa", headers=HTML)
    assert page.status_code == 404 and page.content_type.startswith("text/html")
    html = page.get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in html
    assert f'<a href="/{path.split("/")[1]}/{suggestion}?lang=fa"' in html


def test_service_describes_in_few_queries(store) -> None:
    described = resources_for(store).describe("method", "lora", "en")
    assert described.queries <= 2


def test_neighbourhood_runs_in_the_reading_direction() -> None:
    """The ring starts at the top and turns clockwise in English, counter-clockwise in
    Persian, so the second neighbour sits on the reading side."""
    from scholargate.render.svg import neighbourhood_svg
    from scholargate.services.resources import Edge, GraphNode, Neighbourhood

    centre = GraphNode("c", "c", "centre", "en")
    nodes = [GraphNode(f"n{i}", f"n{i}", f"neighbour {i}", "en") for i in range(4)]
    hood = Neighbourhood(centre, nodes, [Edge("c", n.iri, "related") for n in nodes])
    xs = {}
    for lang in ("en", "fa"):
        svg = ET.fromstring(neighbourhood_svg(hood, lang=lang, href=lambda slug: f"/m/{slug}"))
        circles = {
            a.get("data-slug"): float(a.find("{http://www.w3.org/2000/svg}circle").get("cx"))
            for a in svg.iter("{http://www.w3.org/2000/svg}a")
        }
        xs[lang] = circles
        assert circles["n0"] == pytest.approx(circles["c"])  # the first at the top
    assert xs["en"]["n1"] > xs["en"]["c"] > xs["en"]["n3"]
    assert xs["fa"]["n1"] < xs["fa"]["c"] < xs["fa"]["n3"]


# ---- malformed slugs: a 404 before anything is looked up ------------------------------------


@pytest.mark.parametrize(
    ("path", "kind", "shown"),
    [
        ("/method/x%3E", "method", "'x>'"),
        ("/method/x>", "method", "'x>'"),
        ("/method/x%3E.ttl", "method", "'x>'"),
        ('/person/a"}{', "person", "'a\"}{'"),
        ("/method/lo%00ra", "method", "'lo\\x00ra'"),
        ("/work/LoRA.jsonld", "work", "'LoRA'"),
        ("/alias/" + "(" * 7000, "alias", "'((("),
        ("/method/x%5Cu003E%20%7D%20SERVICE%20%3Chttp:%5Cu002F%5Cu002F127%5Cu002E0", "method", ""),
        ("/work/x%3E.bib", "work", "'x>'"),
        ("/method/x%3E.bib", "method", "'x>'"),
        ("/work/x%3E.csl.json", "work", "'x>'"),
    ],
)
def test_malformed_slug_is_a_404_that_says_what_a_slug_is(client, path, kind, shown) -> None:
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404
    body = response.get_json()
    assert body["error"] == "not-found" and body["status"] == 404
    assert body["message"].startswith(f"no {kind} {shown}")
    assert "lower-case letters, digits and hyphens" in body["message"]
    assert len(body["message"]) < 300
    page = client.get(path, headers=HTML)
    assert page.status_code == 404 and page.mimetype == "text/html"


@pytest.mark.parametrize("slug", ["x>", 'a"}{', "lo\x00ra", "LoRA", "a b", "", "x" * 201])
def test_service_refuses_a_malformed_slug(store, slug: str) -> None:
    service = resources_for(store)
    for call in (service.describe, service.document_query):
        with pytest.raises(NotFoundError) as caught:
            call("method", slug)
        assert caught.value.details["reason"] == "malformed-slug"


def test_exists_refuses_what_is_not_an_iri(store) -> None:
    service = resources_for(store)
    assert service.exists(f"{BASE}method/lora")
    with pytest.raises(InputError):
        service.exists(f"{BASE}method/x> }} SERVICE <http://127.0.0.1:9/> {{")


@pytest.mark.parametrize("value", ["x>", "Deep-Learning", "a.b", "deep_learning", "x" * 201])
def test_facet_values_are_slugs(value: str) -> None:
    with pytest.raises(InputError) as caught:
        Filters(field=(value,))
    assert "is not a slug" in caught.value.message


@pytest.mark.parametrize("lang", ["en", "fa", "tr"])
def test_an_imported_summary_credits_its_source_and_licence(client, store, lang) -> None:
    """A summary from Papers with Code says so, with its licence, wherever the page shows
    it; a summary written for ScholarGate (its graph has no source) does not."""
    slug = "adamax"
    (row,) = store.select(
        "SELECT ?s WHERE { GRAPH <https://w3id.org/scholargate/graph/pwc-methods> { "
        f"<{iri('method', slug)}> <https://w3id.org/scholargate/ontology#summary> ?s }} }}"
    )
    page = client.get(f"/method/{slug}?lang={lang}", headers=HTML).get_data(as_text=True)
    summary = re.search(r'<p class="summary"[^>]*>(.*?)</p>', page, re.S)
    assert summary is not None and unescape(summary.group(1)) == str(row["s"])
    credit = re.search(r'<p class="credit[^"]*">(.*?)</p>', page, re.S)
    assert credit is not None and "Papers with Code" in credit.group(1)
    licence = re.search(r'<a href="([^"]+)" rel="license"[^>]*>([^<]+)</a>', credit.group(1))
    assert licence is not None
    assert licence.groups() == ("https://creativecommons.org/licenses/by-sa/4.0/", "CC BY-SA 4.0")
    curated = client.get(f"/method/lora?lang={lang}", headers=HTML).get_data(as_text=True)
    assert 'class="summary"' in curated and 'class="credit' not in curated


@pytest.mark.parametrize(
    "accept", ["application/json", "image/png", "application/json, text/plain;q=0.5", "*/*"]
)
def test_unknown_slug_is_404_with_near_matches_whatever_accept_asks(client, accept) -> None:
    response = client.get("/method/lorra", headers={"Accept": accept})
    assert response.status_code == 404, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == "not-found" and "lora" in body["details"]["suggestions"]


def test_known_slug_in_a_format_it_has_not_is_still_406(client) -> None:
    response = client.get("/method/lora", headers={"Accept": "application/json"})
    assert response.status_code == 406
    assert response.get_json()["error"] == "not-acceptable"


# ---- citations: a work page lists what it cites and what cites it -----------------------


def _property_row(html: str, curie: str, inverse: bool) -> str:
    """The table row of ``curie`` (read backwards when ``inverse``) on a page."""
    marker = (
        f'data-property="{curie}" data-inverse="true"'
        if inverse
        else f'data-property="{curie}" id="{curie.replace(":", "-")}"'
    )
    start = html.index(marker)
    return html[start : html.index("</tr>", start)]


@pytest.mark.parametrize("lang", ["en", "fa", "tr"])
def test_work_pages_list_cites_and_cited_by(client, lang: str) -> None:
    curated = Graph().parse(ROOT / "data" / "curated" / "citations.ttl")
    cites = URIRef("http://purl.org/spar/cito/cites")
    pairs = list(curated.subject_objects(cites))
    assert pairs, "data/curated/citations.ttl states no citation"
    names = {
        "en": ("cites", "cited by"),
        "fa": ("استناد می\u200cکند به", "آثاری که به آن استناد کرده\u200cاند"),
        "tr": ("atıf yapar", "atıf yapan yayınlar"),
    }[lang]
    for citing, cited in pairs:
        page = client.get(f"{citing[len(BASE) - 1 :]}?lang={lang}", headers=HTML)
        assert page.status_code == 200
        row = _property_row(page.get_data(as_text=True), "cito:cites", inverse=False)
        assert f'<span class="label" lang="{lang}">{names[0]}</span>' in row
        assert f'href="{cited[len(BASE) - 1 :]}' in row
        page = client.get(f"{cited[len(BASE) - 1 :]}?lang={lang}", headers=HTML)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        incoming = html[html.index('<section class="incoming"') :]
        row = _property_row(incoming, "cito:cites", inverse=True)
        assert names[1] in row
        assert f'href="{citing[len(BASE) - 1 :]}' in row
