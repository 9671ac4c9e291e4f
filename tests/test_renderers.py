"""The renderer registry (render/registry.py) and the routes that answer through it.

The registry refuses a second renderer for one (result type, format); every format a
converted route offers has a renderer and answers under its own Content-Type, by suffix
and by Accept; converted views leave HTML to render/.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from rdflib import Graph
from werkzeug.routing import BuildError

from scholargate.errors import InputError
from scholargate.formats import FORMATS, Format, by_extension, by_name
from scholargate.render.comparison import SavedComparison
from scholargate.render.documents import Document, RememberedGraph
from scholargate.render.error_page import ErrorPage
from scholargate.render.export import Catalogue, Dump, OntologyDump, OntologyTerms
from scholargate.render.query_page import QueryPage
from scholargate.render.registry import (
    RENDERERS,
    DuplicateRendererError,
    Registry,
    Rendered,
    formats_for,
)
from scholargate.render.releases import ReleaseFile, ReleaseList, ReleasePage
from scholargate.render.resource_page import Missing
from scholargate.render.search import SearchBox, Suggestions
from scholargate.services.compare import Comparison
from scholargate.services.home import Overview
from scholargate.services.resources import Description, Listing
from scholargate.services.search import Results
from scholargate.services.stats import Stats

WEB = Path(__file__).resolve().parents[1] / "src" / "scholargate" / "web"

# The routes that answer through the registry: endpoint → (result types, sample URL values).
# Every route of these blueprints must be here or in NOT_NEGOTIATED (a test checks it).
# lora and bert-fine-tuning: the id the saved_comparison fixture gets back replaces it (an
# id depends on the version of the shapes the comparison was saved under)
SAVED_ID = "000000000000"
RELEASE = "1.0.0"  # made by the release fixture in the app's own releases folder
ROUTES: dict[str, tuple[tuple[type, ...], dict[str, str]]] = {
    "compare.compare": ((Comparison,), {"m": "lora,bert-fine-tuning"}),
    "compare.saved": ((Comparison,), {"cid": SAVED_ID}),
    "search.search": ((Results,), {"q": "lora"}),
    "export.index": ((Catalogue,), {}),
    "export.ontology": ((OntologyTerms, OntologyDump), {}),
    "export.dump_negotiated": ((Dump,), {"graph": "curated"}),
    # GET /sparql without a query: the Service Description (an rdflib Graph) or, for a
    # browser, the query page; the query answers are the store's bytes, not rendered
    "sparql.endpoint": ((Graph, QueryPage), {}),
    "resources.page": ((Description, Document), {"kind": "method", "slug": "lora"}),
    "browse.methods": ((Listing,), {}),
    "browse.graph_stats": ((Stats,), {}),
    "wellknown.void": ((RememberedGraph,), {}),
    "wellknown.sparql_examples": ((RememberedGraph,), {}),
    "releases.index": ((ReleaseList,), {}),
    "releases.release": ((ReleasePage,), {"version": RELEASE}),
    "home.index": ((Overview,), {}),
}
# Routes of those blueprints that answer one fixed form, with the reason.
NOT_NEGOTIATED: dict[str, str] = {
    "compare.save": "a POST: JSON for a script (render/comparison.py), else a 303 redirect",
    "search.suggest": "JSON only, for the search box's script (render/search.py)",
    "export.dump": "the suffix names the dump's format (Dump); an unknown one is a 404",
    "export.context": "the JSON-LD context file as ontology/ has it, with its own caching",
    "export.work_bib": "BibTeX only (render/bib.py; not a format of the format table)",
    "export.work_csl": "CSL-JSON only (render/bib.py; not a format of the format table)",
    "export.method_bib": "BibTeX only (render/bib.py; not a format of the format table)",
    "releases.file": "a release's file as it is on disk: its name names its format (ReleaseFile)",
}
CONVERTED_BLUEPRINTS = {endpoint.split(".")[0] for endpoint in ROUTES}
# Routes whose RDF named by a suffix is a dump that varies on nothing (no Vary header).
SUFFIX_NEVER_VARIES = {"export.ontology"}


def _text(result: Any, fmt: Format, context: Mapping[str, Any]) -> Rendered:  # noqa: ANN401
    return Rendered(f"{result} as {fmt.name}")


class Thing:
    pass


class Special(Thing):
    pass


# ---- the registry --------------------------------------------------------------------


def test_a_second_renderer_for_one_type_and_format_is_refused() -> None:
    registry = Registry()
    registry.renderer(Thing, "html", "data-json")(_text)
    with pytest.raises(DuplicateRendererError, match="Thing already has a renderer for csv"):
        registry.renderer(Thing, "csv", "csv")(_text)
    with pytest.raises(DuplicateRendererError, match="data-json"):
        registry.renderer(Thing, "csv", "data-json")(_text)
    # a refused registration registers nothing
    assert [f.name for f in registry.formats_for(Thing)] == ["html", "data-json"]
    registry.renderer(Special, "html")(_text)  # a subclass may have its own


def test_an_unknown_format_name_is_refused() -> None:
    with pytest.raises(InputError, match="unknown format"):
        Registry().renderer(Thing, "docx")


def test_formats_follow_registration_order_and_the_order_of_types() -> None:
    registry = Registry()
    registry.renderer(Thing, "html")(_text)
    registry.renderer(Thing, "data-json", "csv")(_text)
    registry.renderer(Graph, "ttl", "jsonld")(_text)
    names = [f.name for f in registry.formats_for(Thing, Graph)]
    assert names == ["html", "data-json", "csv", "ttl", "jsonld"]
    assert [f.name for f in registry.formats_for(Graph, Thing)][0] == "ttl"


def test_formats_for_refuses_an_unrendered_type_and_an_ambiguous_format() -> None:
    registry = Registry()
    registry.renderer(Thing, "html")(_text)
    registry.renderer(Graph, "html")(_text)
    with pytest.raises(LookupError, match="Special"):
        Registry().formats_for(Special)
    with pytest.raises(LookupError, match="html is registered for more than one"):
        registry.formats_for(Thing, Graph)


def test_render_finds_the_renderer_of_a_base_class() -> None:
    registry = Registry()
    registry.renderer(Thing, "html", "csv")(_text)
    registry.renderer(Special, "csv")(lambda result, fmt, context: Rendered(context["x"]))
    assert registry.render(Special(), by_name("csv"), x="own").body == "own"
    assert registry.render(Special(), by_name("html")).body.endswith(" as html")
    assert [f.name for f in registry.formats_for(Special)] == ["csv", "html"]
    with pytest.raises(LookupError, match="no renderer writes Thing as ttl"):
        registry.render(Thing(), by_name("ttl"))


def test_every_registered_format_is_one_of_the_format_table() -> None:
    registered = RENDERERS.registered()
    assert {Description, Document, Listing, Stats, RememberedGraph, Missing} <= set(registered)
    assert {Comparison, SavedComparison, Results, SearchBox, Suggestions} <= set(registered)
    assert {Catalogue, OntologyTerms, OntologyDump, Dump, QueryPage, ErrorPage} <= set(registered)
    assert {ReleaseList, ReleasePage, ReleaseFile} <= set(registered)
    for formats in registered.values():
        assert formats
        assert all(by_name(f.name) is f for f in formats)


# ---- the routes ----------------------------------------------------------------------


def test_every_route_of_a_converted_blueprint_is_listed(app: Flask) -> None:
    endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in CONVERTED_BLUEPRINTS
    }
    # ``/compare.<ext>`` for the suffixes a route does not offer (web/negotiate.py
    # other_suffixes): the same view, so the same 406
    others = {e for e in endpoints if e.endswith("_other_suffix")}
    assert {e.removesuffix("_other_suffix") for e in others} <= set(ROUTES)
    assert endpoints - others == set(ROUTES) | set(NOT_NEGOTIATED)


@pytest.mark.usefixtures("saved_comparison")
def test_a_suffix_a_route_does_not_offer_is_406(app: Flask, client: FlaskClient) -> None:
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.endswith("_other_suffix"):
            continue
        values = ROUTES[rule.endpoint.removesuffix("_other_suffix")][1]
        with app.test_request_context():
            url = url_for(rule.endpoint, ext="xyz", **values)
        response = client.get(url, headers={"Accept": "application/json"})
        assert response.status_code == 406, url
        assert "not available as 'xyz'" in response.get_json()["message"], url


def _suffixes(app: Flask, endpoint: str, values: dict[str, str]) -> set[str]:
    """The extensions of the format table that the route's ``.<ext>`` rule accepts."""
    accepted = set()
    with app.test_request_context():
        for fmt in FORMATS:
            try:
                url_for(endpoint, ext=fmt.extension, **values)
            except (BuildError, ValueError):  # werkzeug: ValueError from any(...)
                continue
            accepted.add(fmt.extension)
    return accepted


def _cases(app: Flask) -> list[tuple[str, str | None, Format]]:
    """(endpoint, suffix or None, format) for every format each listed route offers."""
    cases = []
    for endpoint, (types, values) in ROUTES.items():
        offered = formats_for(*types)
        has_suffix = any("ext" in rule.arguments for rule in app.url_map.iter_rules(endpoint))
        if has_suffix:  # the suffix rule follows the registry exactly
            assert _suffixes(app, endpoint, values) == {f.extension for f in offered}, endpoint
        for fmt in offered:
            cases.append((endpoint, None, fmt))
            if has_suffix:
                cases.append((endpoint, fmt.extension, fmt))
    return cases


@pytest.fixture
def saved_comparison(client: FlaskClient) -> str:
    """The comparison of ROUTES["compare.saved"], saved (again: saving is idempotent)."""
    response = client.post(
        "/compare/save", data={"m": "lora,bert-fine-tuning"}, headers={"Accept": "application/json"}
    )
    assert response.status_code in (200, 201)
    found = re.fullmatch(r"/comparison/([0-9a-f]{12})\?lang=en", response.get_json()["url"])
    assert found, response.get_json()
    ROUTES["compare.saved"][1]["cid"] = found.group(1)
    return found.group(1)


@pytest.fixture(scope="module")
def release(app: Flask) -> str:
    """The release of ROUTES["releases.release"], made in the app's own releases folder."""
    from scholargate.services.releases import make_release
    from scholargate.web.context import get_store

    with app.app_context():
        if not (app.config["RELEASES"] / RELEASE).is_dir():
            make_release(get_store(), app.config["RELEASES"], RELEASE)
    return RELEASE


@pytest.mark.usefixtures("saved_comparison", "release")
def test_each_offered_format_answers_under_its_content_type(
    app: Flask, client: FlaskClient
) -> None:
    cases = _cases(app)
    assert (
        len(cases)
        == 2 * (5 + 2 + 2) + 4 + 4 + 2 * 2 * 7 + 2 * 2 + 2 * 2 + 2 * 5 + 6 + 5 + 4 + 2 + 4
    )
    for endpoint, suffix, fmt in cases:
        values = ROUTES[endpoint][1]
        with app.test_request_context():
            url = url_for(endpoint, **values, **({"ext": suffix} if suffix else {}))
        headers = {} if suffix else {"Accept": fmt.media_type}
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, headers, response.get_data()[:200])
        assert response.content_type == fmt.content_type, (url, headers)
        assert by_extension(fmt.extension) is fmt
        if suffix and endpoint in SUFFIX_NEVER_VARIES and fmt.kind == "graph":
            assert "Vary" not in response.headers, url
        else:
            assert "Accept" in response.headers["Vary"], url


@pytest.mark.usefixtures("saved_comparison", "release")
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_without_accept_a_route_answers_in_its_first_format(
    app: Flask, client: FlaskClient, endpoint: str
) -> None:
    types, values = ROUTES[endpoint]
    with app.test_request_context():
        url = url_for(endpoint, **values)
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type == formats_for(*types)[0].content_type


def test_a_missing_resource_page_is_rendered_html_for_browsers(client: FlaskClient) -> None:
    response = client.get("/method/lorax", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.content_type == by_name("html").content_type
    assert response.headers["Vary"] == "Accept"
    assert 'href="/method/lora"' in response.get_data(as_text=True)


@pytest.mark.parametrize("blueprint", sorted(CONVERTED_BLUEPRINTS))
def test_converted_views_leave_html_to_render(app: Flask, blueprint: str) -> None:
    """The modules holding a converted blueprint's views (web/export/ is a package of
    several) neither render templates nor write JSON themselves."""
    modules = {
        view.__module__
        for endpoint, view in app.view_functions.items()
        if endpoint.split(".")[0] == blueprint
    }
    assert modules
    for module in modules:
        path = WEB.joinpath(*module.split(".")[2:]).with_suffix(".py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom | ast.Import)
            for alias in node.names
        }
        assert not names & {"render_template", "json", "jsonify"}, module
