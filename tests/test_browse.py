"""/methods (facets, paging, the timeline) and /-/stats over HTTP."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from scholargate.render.stats import stats_json
from scholargate.services.resources import PAGE_SIZE
from scholargate.services.stats import stats
from scholargate.web.context import get_store

HTML = {"Accept": "text/html"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def everything(app) -> dict:
    return app.test_client().get("/methods.json").get_json()


def methods(client, query: str = "") -> dict:
    response = client.get(f"/methods.json?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def walk(client, query: str) -> list[dict]:
    """Every item of a listing, page after page."""
    first = methods(client, query)
    items = list(first["items"])
    for page in range(2, first["pages"] + 1):
        items += methods(client, f"{query}&page={page}")["items"]
    return items


def test_listing_counts_every_method(everything, app) -> None:
    with app.app_context():
        n = int(get_store().select(
            "SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE "
            "{ ?m a <https://w3id.org/scholargate/ontology#Method> }"
        )[0]["n"])  # fmt: skip
    assert everything["total"] == n
    assert everything["page_size"] == PAGE_SIZE == len(everything["items"])
    assert everything["pages"] == -(-n // PAGE_SIZE)


def test_pages_add_up_to_the_total(client) -> None:
    query = "field=computer-vision&from=2015&to=2017"
    first = methods(client, query)
    items = walk(client, query)
    assert first["pages"] > 1
    assert len(items) == first["total"] == len({i["slug"] for i in items})
    assert all(2015 <= i["year"] <= 2017 for i in items)


@pytest.mark.parametrize("facet", ["field", "family", "type"])
def test_a_facet_value_narrows_to_its_count(client, everything, facet) -> None:
    values = everything["facets"][facet]
    assert values and all(v["count"] > 0 for v in values)
    for value in values[:3]:
        narrowed = methods(client, f"{facet}={value['slug']}")
        assert narrowed["total"] == value["count"] < everything["total"]
        chosen = [v for v in narrowed["facets"][facet] if v["selected"]]
        assert [v["slug"] for v in chosen] == [value["slug"]]
        assert chosen[0]["count"] == narrowed["total"]


def test_two_facets_narrow_further(client, everything) -> None:
    field = everything["facets"]["field"][0]
    one = methods(client, f"field={field['slug']}")
    family = one["facets"]["family"][0]
    both = methods(client, f"field={field['slug']}&family={family['slug']}")
    assert both["total"] == family["count"] <= one["total"]


def test_years_add_up_and_a_range_narrows(client, everything) -> None:
    years = {y["year"]: y["count"] for y in everything["years"]}
    assert sum(years.values()) <= everything["total"]
    ranged = methods(client, "from=2015&to=2017")
    assert ranged["total"] == sum(n for y, n in years.items() if 2015 <= y <= 2017)
    assert {y["year"] for y in ranged["years"]} <= {2015, 2016, 2017}
    single = methods(client, "from=2017&to=2017")
    assert single["total"] == years[2017]


def test_sort_by_year_puts_the_newest_first(client) -> None:
    items = methods(client, "sort=year")["items"]
    years = [i["year"] for i in items if i["year"] is not None]
    assert years == sorted(years, reverse=True) and years[0] == max(years)


def test_sort_by_usage_puts_the_most_used_first(client, app) -> None:
    """sort=usage: by sg:usageCount, most used first, the store's own most used method on
    top; the second page goes on where the first stops; unknown counts come last."""
    with app.app_context():
        (top,) = get_store().select(
            "SELECT ?m ?u WHERE { ?m <https://w3id.org/scholargate/ontology#usageCount> ?u } "
            "ORDER BY DESC(?u) ?m LIMIT 1"
        )
    first = methods(client, "sort=usage")
    assert first["filters"]["sort"] == "usage"
    assert first["items"][0]["iri"] == str(top["m"]) and first["items"][0]["usage"] == int(top["u"])
    usage = [i["usage"] for i in first["items"]]
    assert None not in usage and usage == sorted(usage, reverse=True)
    second = methods(client, "sort=usage&page=2")["items"]
    assert second[0]["usage"] <= usage[-1]
    narrowed = methods(client, "sort=usage&field=natural-language-processing")["items"]
    counts = [i["usage"] for i in narrowed if i["usage"] is not None]
    assert counts == sorted(counts, reverse=True)
    last = methods(client, f"sort=usage&page={first['pages']}")["items"]
    assert last[-1]["usage"] is None  # curated methods Papers with Code has no record of
    html = client.get("/methods?sort=usage&lang=fa", headers=HTML).get_data(as_text=True)
    assert "<strong>پرکاربردترین نخست</strong>" in html and 'class="usage"' in html


@pytest.mark.parametrize(
    "query",
    ["from=abc", "to=20x", "from=2020&to=2010", "sort=colour", "page=0", "field=not%20a%20slug"],
)
def test_bad_parameters_are_400(client, query) -> None:
    response = client.get(f"/methods?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad-input"


def test_a_page_past_the_end_is_404(client, everything) -> None:
    assert client.get(f"/methods.json?page={everything['pages'] + 1}").status_code == 404


def test_accept_json_gives_the_json_form(client) -> None:
    response = client.get("/methods?field=deep-learning", headers={"Accept": "application/json"})
    assert response.content_type == "application/json; charset=utf-8"
    assert "Accept" in response.headers["Vary"]
    assert response.get_json()["filters"]["field"] == ["deep-learning"]


def test_facet_labels_follow_the_page_language(client) -> None:
    data = methods(client, "lang=fa")
    deep = next(v for v in data["facets"]["field"] if v["slug"] == "deep-learning")
    assert (deep["label"], deep["lang"]) == ("یادگیری عمیق", "fa")
    page = client.get("/methods?lang=fa", headers=HTML).get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page
    assert '<span lang="fa" dir="auto">یادگیری عمیق</span>' in page


def _script(item: dict) -> int:
    """0: a Persian name in Persian script; 1: a Persian name in Latin letters (an
    acronym); 2: no Persian name (the English one shown)."""
    if item["lang"] != "fa":
        return 2
    return 0 if "\u0600" <= item["label"][0] <= "\u06ff" else 1


def test_by_name_the_pages_language_comes_first(client) -> None:
    items = walk(client, "lang=fa")
    order = [_script(i) for i in items]
    assert order == sorted(order)  # Persian script, then acronyms, then English
    assert {0, 1, 2} <= set(order)
    first = methods(client, "lang=fa")["items"]
    assert first and all(_script(i) == 0 for i in first)
    persian = [i["label"].lower() for i in items if _script(i) == 0]
    assert persian == sorted(persian)
    # English is unchanged: every method has an English name, sorted by it
    english = [i["label"].lower() for i in walk(client, "lang=en")]
    assert english == sorted(english)


def test_html_facets_link_to_narrower_listings(client) -> None:
    page = client.get("/methods?lang=en", headers=HTML).get_data(as_text=True)
    assert 'href="/methods?field=deep-learning&amp;lang=en"' in page
    narrowed = client.get("/methods?field=deep-learning&lang=en", headers=HTML)
    text = narrowed.get_data(as_text=True)
    assert 'class="selected"' in text and 'href="/methods?lang=en"' in text  # toggles off


def test_timeline_is_an_accessible_svg_bar_per_year(client) -> None:
    data = methods(client, "field=natural-language-processing")
    page = client.get("/methods?field=natural-language-processing", headers=HTML)
    html = page.get_data(as_text=True)
    start = html.index('<svg class="timeline"')
    svg = ET.fromstring(html[start : html.index("</svg>", start) + len("</svg>")])
    assert svg.get("role") == "img" and svg.get("aria-labelledby")
    assert svg.find(f"{SVG}title").text and svg.find(f"{SVG}desc").text
    bars = {int(a.get("data-year")): int(a.get("data-count")) for a in svg.iter(f"{SVG}a")}
    assert bars == {y["year"]: y["count"] for y in data["years"]}
    for a in svg.iter(f"{SVG}a"):
        assert a.find(f"{SVG}rect/{SVG}title").text.startswith(a.get("data-year") + ":")
        assert f"from={a.get('data-year')}" in a.get("href")
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert "methods" in labels and "year introduced" in labels


def test_listing_offers_comparison_of_picked_methods(client) -> None:
    page = client.get("/methods?lang=en", headers=HTML).get_data(as_text=True)
    assert '<form method="get" action="/compare" class="pick">' in page
    assert page.count('type="checkbox" name="m"') == PAGE_SIZE
    assert 'rel="next" href="/methods?lang=en&amp;page=2"' in page


def test_stats_json_equals_the_stats_service(client, app) -> None:
    with app.app_context():
        expected = stats_json(stats(get_store()))
    response = client.get("/-/stats.json")
    assert response.status_code == 200
    assert response.get_json() == expected
    assert client.get("/-/stats", headers={"Accept": "application/json"}).get_json() == expected
    assert expected["classes"][0]["class"] == "https://w3id.org/scholargate/ontology#Method"


def test_stats_page_labels_classes_in_the_page_language(client) -> None:
    page = client.get("/-/stats?lang=tr", headers=HTML).get_data(as_text=True)
    assert '<html lang="tr" dir="ltr">' in page
    assert '<span lang="tr">yöntem</span>' in page  # sg:Method's ontology label
    assert 'data-table="graphs"' in page and 'data-table="languages"' in page


def test_no_match_is_an_empty_first_page(client) -> None:
    data = methods(client, "from=1800&to=1801")
    assert (data["total"], data["pages"], data["items"], data["years"]) == (0, 1, [], [])
    page = client.get("/methods?from=1800&to=1801&lang=en", headers=HTML).get_data(as_text=True)
    assert "No method matches these filters." in page and '<svg class="timeline"' in page
