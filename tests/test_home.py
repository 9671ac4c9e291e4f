"""The home page ``/`` and the frame every page shares, over HTTP (Flask test client)."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urldefrag, urlparse

import pytest

from scholargate.i18n import number, t
from scholargate.namespaces import sparql_prefixes
from scholargate.web.context import get_store

HTML = {"Accept": "text/html"}
SEED = "multi-head-self-attention,bert-fine-tuning,lora"
MENU = ["methods", "search", "compare", "sparql", "dataset", "ontology"]


def count(app, where: str) -> int:
    with app.app_context():
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"
        rows = get_store().select(sparql_prefixes() + query)
        return int(rows[0]["n"])


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', page)]


@pytest.mark.parametrize("lang", ["en", "fa", "tr"])
def test_home_answers_in_each_language(client, lang: str) -> None:
    response = client.get(f"/?lang={lang}", headers=HTML)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.headers["Vary"]
    page = response.get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "fa" else "ltr"}">' in page
    assert html.escape(t("home.lead", lang)) in page
    assert 'id="q" name="q"' in page and 'data-suggest="/search/suggest"' in page
    links = hrefs(page)
    assert f"/compare?m={SEED}&lang={lang}" in links
    assert len([h for h in links if h.startswith("/compare?m=")]) >= 4
    assert '<svg class="timeline"' in page
    for door in ("/methods", "/sparql", "/export", "/ontology", "/-/stats"):
        assert f"{door}?lang={lang}" in links, door
    assert f"/?lang={lang}#compare" in links


def test_home_without_a_language_follows_accept_language(client) -> None:
    page = client.get("/", headers={**HTML, "Accept-Language": "tr-TR,tr;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="tr"' in page


def test_home_json_by_accept_and_by_suffix(client, app) -> None:
    by_accept = client.get("/?lang=fa", headers={"Accept": "application/json"})
    by_suffix = client.get("/.json?lang=fa")
    for response in (by_accept, by_suffix):
        assert response.status_code == 200
        assert response.mimetype == "application/json"
    data = by_suffix.get_json()
    assert by_accept.get_json() == data
    assert data["lang"] == "fa" and data["about"][0] == t("home.lead", "fa")
    assert data["kinds"]["method"] == count(app, "?m a sg:Method")
    assert data["kinds"]["person"] == count(app, "?p a foaf:Person")
    fa = next(c for c in data["languages"] if c["lang"] == "fa")
    named = '?m a sg:Method ; skos:prefLabel ?l FILTER(LANG(?l) = "fa")'
    assert fa["named"] == count(app, f"{{ SELECT DISTINCT ?m WHERE {{ {named} }} }}")
    assert sum(y["count"] for y in data["years"]) + data["undated"] == data["kinds"]["method"]
    assert data["comparisons"][0]["url"] == f"/compare?m={SEED}&lang=fa"
    assert set(data["links"]) >= {"methods", "search", "compare", "sparql", "dataset", "ontology"}
    for url in data["links"].values():  # every door opens a page a browser shows
        response = client.get(urldefrag(url)[0], headers=HTML)
        assert response.status_code == 200 and response.mimetype == "text/html", url


def test_home_refuses_what_it_cannot_write(client) -> None:
    assert client.get("/", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/.png").status_code == 404


def test_persian_counts_in_persian_digits(client, app) -> None:
    methods = count(app, "?m a sg:Method")
    fa = client.get("/?lang=fa", headers=HTML).get_data(as_text=True)
    kinds = fa[fa.index('<ul class="kinds">') : fa.index("</table>")]
    assert number(methods, "fa") in kinds
    assert not re.search(r"[0-9]", re.sub(r"<[^>]*>", "", kinds))  # no Latin digit is shown
    en = client.get("/?lang=en", headers=HTML).get_data(as_text=True)
    assert number(methods, "en") in en and re.search(r"\d,\d{3}", number(methods, "en"))


def test_numbers_as_each_language_writes_them() -> None:
    assert number(40940, "fa") == "۴۰٬۹۴۰"
    assert number(40940, "tr") == "40.940"
    assert number(40940, "en") == "40,940"
    assert number(2019, "fa", grouped=False) == "۲۰۱۹"
    # counts grouped, years and statuses not
    assert t("browse.timeline_bar", "fa", year=2019, n=1234) == "۲۰۱۹: ۱٬۲۳۴ روش"
    assert t("error.status", "en", status=404).endswith("404")


FRAME_PAGES = [
    "/",
    "/methods",
    "/search?q=lora",
    f"/compare?m={SEED}",
    "/sparql",
    "/export",
    "/ontology",
    "/-/stats",
    "/method/lora",
    "/person/ashish-vaswani",
    "/releases",
    "/no/such/page",
    "/method/no-such-method",
]


@pytest.mark.parametrize("lang", ["en", "fa", "tr"])
@pytest.mark.parametrize("path", FRAME_PAGES)
def test_one_frame_on_every_page(client, path: str, lang: str) -> None:
    sep = "&" if "?" in path else "?"
    response = client.get(f"{path}{sep}lang={lang}", headers=HTML)
    assert response.status_code == (404 if "/no" in path else 200)
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    header = page[page.index('<header class="site">') : page.index("</header>")]
    assert re.findall(r'data-nav="([a-z]+)"', header) == MENU
    # the language switch comes last
    assert header.rstrip().endswith("</nav>\n</div>")
    assert header.rfind('class="lang"') > header.rfind('data-nav="ontology"')
    for key in MENU:
        assert f">{t('nav.' + key, lang)}</a>" in header
    switch = re.findall(r'href="([^"]*)" hreflang="([a-z]+)"', header)
    assert [code for _, code in switch] == ["en", "fa", "tr"]
    for href, code in switch:  # the same address in another language
        assert urlparse(html.unescape(href)).path == urlparse(path).path
        assert parse_qs(urlparse(html.unescape(href)).query)["lang"] == [code]
    footer = page[page.index('<footer class="site">') :]
    assert '<div class="frame">' in footer


def test_unknown_address_says_so_in_the_page_language(client) -> None:
    response = client.get("/no/such/page?lang=fa", headers=HTML)
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert html.escape(t("error.no_page", "fa")) in page
    assert 'href="/?lang=fa">' + t("error.back", "fa") in page
    assert client.get("/no/such/page").get_json()["status"] == 404  # programs: the JSON shape


def test_related_count_opens_the_method_page_section(client) -> None:
    page = client.get(f"/compare?m={SEED}&lang=fa", headers=HTML).get_data(as_text=True)
    row = page[page.index('data-display="Count"') :]
    row = row[: row.index("</tr>")]
    links = hrefs(row)
    assert links == [f"/method/{slug}?lang=fa#skos-related" for slug in SEED.split(",")]
    method = client.get(urldefrag(links[2])[0], headers=HTML)
    assert method.status_code == 200 and method.mimetype == "text/html"
    body = method.get_data(as_text=True)
    section = body[body.index('id="skos-related"') :]
    section = section[: section.index("</tr>")]
    shown = re.search(r"<a [^>]*>([۰-۹]+)</a>", row.split("</td>")[-2]).group(1)
    assert section.count("<li>") == int(shown.translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")))


def test_query_behind_the_table_opens_the_query_page(client) -> None:
    page = client.get(f"/compare?m={SEED}&lang=tr", headers=HTML).get_data(as_text=True)
    details = page[page.index('<details class="sparql">') :]
    link = hrefs(details[: details.index("</details>")])[0]
    url, fragment = urldefrag(link)
    assert url == "/sparql?lang=tr"
    asked = parse_qs(fragment)
    shown = html.unescape(re.search(r"<pre><code>(.*?)</code></pre>", details, re.S).group(1))
    assert asked["query"] == [shown] and asked["run"] == ["1"]
    opened = client.get(url, headers=HTML)
    assert opened.status_code == 200 and opened.mimetype == "text/html"


def test_other_names_each_with_its_own_tag(client) -> None:
    page = client.get(f"/compare?m={SEED}&lang=fa", headers=HTML).get_data(as_text=True)
    row = page[page.index('data-display="AliasList"') :]
    row = row[: row.index("</tr>")]
    items = re.findall(r"<li>(.*?)</li>", row)
    assert len(items) > 5
    for item in items:  # one name, isolated, and its tag, in one list item
        assert item.count("<bdi ") == 1 and item.count('class="lang-tag"') <= 1
        assert "،" not in re.sub(r"<[^>]*>", "", item.split("</bdi>")[1])
