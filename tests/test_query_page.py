"""The browser query page at GET /sparql: languages, examples, no external files."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scholargate.i18n import direction
from scholargate.namespaces import PREFIXES
from scholargate.render.query_page import SCRIPT_STRINGS, sample_query
from scholargate.services.description import list_examples
from scholargate.web.context import get_store
from scholargate.web.query_page import render_query_page

from .conftest import ROOT, require

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"}
LANGUAGES = ("en", "fa", "tr")
STATIC = ROOT / "src" / "scholargate" / "static"


class Page(HTMLParser):
    """The parts of the page the tests look at."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.root: dict[str, str] = {}
        self.urls: list[str] = []
        self.options: dict[str, str] = {}
        self.ids: dict[str, dict[str, str]] = {}
        self.labels_for: set[str] = set()
        self.data_json = ""
        self._option: str | None = None
        self._in_data = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.root = a
        for name in ("src", "href", "action"):
            if name in a:
                self.urls.append(a[name])
        if "id" in a:
            self.ids[a["id"]] = {"tag": tag, **a}
        if tag == "label" and "for" in a:
            self.labels_for.add(a["for"])
        if tag == "option" and a.get("value"):
            self._option = a["value"]
            self.options[self._option] = ""
        self._in_data = tag == "script" and a.get("id") == "query-data"

    def handle_endtag(self, tag: str) -> None:
        if tag == "option":
            self._option = None
        if tag == "script":
            self._in_data = False

    def handle_data(self, data: str) -> None:
        if self._option:
            self.options[self._option] += data
        if self._in_data:
            self.data_json += data


def has_sparql_route(app: Flask) -> bool:
    return any(r.rule == "/sparql" for r in app.url_map.iter_rules())


def page_for(app: Flask, path: str, headers: dict[str, str]) -> tuple[int, dict, str]:
    """GET the page: through /sparql when the route exists, else by calling the renderer
    in a request for the same URL (the HTML is the same either way)."""
    if has_sparql_route(app):
        response = app.test_client().get(path, headers=headers)
        return response.status_code, dict(response.headers), response.get_data(as_text=True)
    with app.test_request_context(path, headers=headers):
        response = render_query_page()
        return response.status_code, dict(response.headers), response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_get_sparql_browser_gets_page_in_language(app: Flask, lang: str) -> None:
    require(has_sparql_route(app), "the /sparql route is not registered yet")
    response = app.test_client().get(f"/sparql?lang={lang}", headers=BROWSER)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = Page(response.get_data(as_text=True))
    assert page.root == {"lang": lang, "dir": direction(lang)}
    assert response.headers["Content-Language"] == lang
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [("fa-IR,fa;q=0.9,en;q=0.5", "fa"), ("tr-TR,tr;q=0.9", "tr"), ("de-DE,en;q=0.5", "en")],
)
def test_page_language_from_accept_language(app: Flask, accept_language: str, lang: str) -> None:
    status, headers, html = page_for(
        app, "/sparql", {**BROWSER, "Accept-Language": accept_language}
    )
    assert status == 200
    assert Page(html).root == {"lang": lang, "dir": direction(lang)}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_lists_examples_in_page_language(app: Flask, lang: str) -> None:
    status, _, html = page_for(app, f"/sparql?lang={lang}", BROWSER)
    page = Page(html)
    with app.app_context():
        examples = list_examples(get_store(), lang)
    assert len(examples) >= 10
    assert {
        slug: text.strip()
        for slug, text in page.options.items()
        if slug in {e.slug for e in examples}
    } == {e.slug: e.label for e in examples}
    data = json.loads(page.data_json)
    assert set(data["examples"]) == {e.slug for e in examples}
    for example in examples:
        assert data["examples"][example.slug]["query"] == example.query
        assert data["examples"][example.slug]["comment"] == example.comment


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_references_nothing_outside_this_server(app: Flask, lang: str) -> None:
    status, headers, html = page_for(app, f"/sparql?lang={lang}", BROWSER)
    page = Page(html)
    assert page.urls, "the page has no links at all?"
    for url in page.urls:
        assert not re.match(r"(?i)^(https?:)?//", url) or url.startswith("http://localhost/"), url
    assert not re.search(r"(?i)(src|href)\s*=\s*[\"']?(https?:)?//", html)
    assert "default-src 'self'" in headers["Content-Security-Policy"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_is_accessible_and_keeps_code_left_to_right(app: Flask, lang: str) -> None:
    _, _, html = page_for(app, f"/sparql?lang={lang}", BROWSER)
    page = Page(html)
    for control in ("query", "example", "format"):
        assert control in page.labels_for, f"#{control} has no <label>"
    assert page.ids["query"]["tag"] == "textarea"
    assert page.ids["query"]["dir"] == "ltr"
    assert page.ids["table-wrap"]["dir"] == "ltr"
    assert page.ids["graph"]["dir"] == "ltr"
    assert page.ids["status"]["role"] == "status"
    assert page.ids["error"]["role"] == "alert"
    assert page.ids["run"]["tag"] == "button" and page.ids["run"]["type"] == "submit"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_page_strings_for_the_script_exist(app: Flask, lang: str) -> None:
    _, _, html = page_for(app, f"/sparql?lang={lang}", BROWSER)
    data = json.loads(Page(html).data_json)
    assert data["lang"] == lang
    assert data["endpoint"] == "/sparql"
    assert all(isinstance(v, str) and v for v in data["strings"].values())
    assert [f["name"] for f in data["formats"]["results"]] == ["json", "xml", "csv", "tsv"]
    assert [f["name"] for f in data["formats"]["graph"]] == ["ttl", "jsonld", "nt", "rdf"]
    assert data["prefixes"] == PREFIXES


def test_query_strings_exist_in_every_language() -> None:
    keys = {}
    for lang in LANGUAGES:
        strings = json.loads((ROOT / "src/scholargate/i18n" / f"{lang}.json").read_text("utf-8"))
        keys[lang] = {k for k in strings if k.startswith("query.")}
    assert keys["en"] and keys["en"] == keys["fa"] == keys["tr"]
    assert {f"query.{k}" for k in (s.removeprefix("query.") for s in SCRIPT_STRINGS)} <= keys["en"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_sample_query_runs_and_returns_rows(app: Flask, lang: str) -> None:
    text = sample_query(lang)
    assert text.startswith("PREFIX ")
    with app.app_context():
        rows = get_store().select(text)
    assert rows
    assert all(row["name"].language == lang for row in rows)


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/query.js", "text/javascript"),
        ("/static/query.css", "text/css"),
        ("/static/site.css", "text/css"),
    ],
)
def test_static_files_are_served(client: FlaskClient, path: str, media_type: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == media_type
    response.close()


def test_static_files_load_nothing_from_elsewhere() -> None:
    css = (STATIC / "query.css").read_text("utf-8")
    assert "@import" not in css and not re.search(r"url\(\s*[\"']?(https?:)?//", css)
    script = (STATIC / "query.js").read_text("utf-8")
    # the only absolute URLs in the script are RDF property IRIs it asks labels for
    for url in re.findall(r"https?://[^\s\"']+", script):
        assert any(url.startswith(ns) for ns in PREFIXES.values()), url
    assert "import(" not in script and "importScripts" not in script
