"""A Persian method page in a real headless Chromium: right to left, Persian labels with
English fallback, the neighbourhood drawing on screen."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import pytest
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.browser


def test_persian_method_page(browser, live_url, artifacts) -> None:
    browser.get(f"{live_url}/method/lora?lang=fa")
    assert browser.execute_script("return document.documentElement.dir") == "rtl"
    assert browser.find_element(By.TAG_NAME, "h1").text == "لورا و PEFT"

    # property labels are the ontology's Persian labels, at the right edge of the table
    table = browser.find_element(By.CSS_SELECTOR, "section.properties table")
    assert table.value_of_css_property("direction") == "rtl"
    year = browser.find_element(By.CSS_SELECTOR, 'tr[data-property="sg:yearIntroduced"]')
    label = year.find_element(By.CSS_SELECTOR, "th .label")
    cell = year.find_element(By.TAG_NAME, "td")
    assert label.text == "سال پیدایش" and label.get_attribute("lang") == "fa"
    assert label.rect["x"] > cell.rect["x"]

    # a related method with no Persian name shows its English one, marked as English
    # (LoRA's related methods all have Persian names: its imported neighbour's page)
    related = browser.find_element(By.CSS_SELECTOR, 'tr[data-property="skos:related"]')
    named = related.find_element(By.CSS_SELECTOR, 'a[href^="/method/bitfit"]')
    assert named.text == "BitFit" and named.get_attribute("lang") == "fa"  # kept in Latin

    persian = related.find_element(By.CSS_SELECTOR, 'a[href^="/method/adapters"]')
    assert persian.get_attribute("lang") == "fa" and persian.text == "آداپتور"

    # the neighbourhood is drawn, every node visible and a link
    svg = browser.find_element(By.CSS_SELECTOR, "svg.neighbourhood")
    assert svg.is_displayed() and svg.size["width"] > 300 and svg.size["height"] > 150
    nodes = svg.find_elements(By.CSS_SELECTOR, "a.node")
    assert len(nodes) == 7  # LoRA and its six neighbours
    labels = {n.find_element(By.TAG_NAME, "text").text for n in nodes}
    assert {"لورا و PEFT", "ترنسفورمر", "QLoRA"} <= labels
    for node in nodes:
        box = node.find_element(By.TAG_NAME, "circle").rect
        assert box["width"] > 0 and box["height"] > 0
    # the arrow for "LoRA builds on Transformer" is drawn
    assert svg.find_elements(By.CSS_SELECTOR, "line.edge-buildsOn")

    browser.save_screenshot(str(artifacts / "method-fa.png"))


def test_neighbourhood_node_opens_its_page(browser, live_url) -> None:
    browser.get(f"{live_url}/method/lora?lang=fa")
    node = browser.find_element(By.CSS_SELECTOR, 'svg.neighbourhood a.node[data-slug="qlora"]')
    browser.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))",
                           node)  # fmt: skip
    assert browser.current_url.endswith("/method/qlora?lang=fa")
    assert browser.execute_script("return document.documentElement.dir") == "rtl"


def test_methods_listing_in_persian(browser, live_url, artifacts) -> None:
    browser.get(f"{live_url}/methods?lang=fa&field=natural-language-processing")
    assert browser.execute_script("return document.documentElement.dir") == "rtl"
    timeline = browser.find_element(By.CSS_SELECTOR, "svg.timeline")
    assert timeline.is_displayed() and timeline.find_elements(By.CSS_SELECTOR, "rect")
    browser.save_screenshot(str(artifacts / "methods-fa.png"))


FALLBACK = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?m ?r WHERE {
  ?m skos:related ?r ; skos:prefLabel ?own FILTER(LANG(?own) = "fa")
  FILTER NOT EXISTS { ?r skos:prefLabel ?fa FILTER(LANG(?fa) = "fa") }
  FILTER(STRSTARTS(STR(?m), "https://w3id.org/scholargate/method/"))
  FILTER(STRSTARTS(STR(?r), "https://w3id.org/scholargate/method/"))
} ORDER BY ?m ?r LIMIT 1"""


def test_a_related_method_without_a_persian_name_shows_its_english_one(browser, live_url) -> None:
    query = urllib.parse.urlencode({"query": FALLBACK})
    request = urllib.request.Request(
        f"{live_url}/sparql?{query}", headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        row = json.load(reply)["results"]["bindings"][0]
    method, other = (row[k]["value"].rsplit("/", 1)[1] for k in ("m", "r"))
    browser.get(f"{live_url}/method/{method}?lang=fa")
    related = browser.find_element(By.CSS_SELECTOR, 'tr[data-property="skos:related"]')
    fallback = related.find_element(By.CSS_SELECTOR, f'a[href^="/method/{other}"]')
    assert fallback.get_attribute("lang") == "en" and fallback.text
    assert "fallback" in fallback.get_attribute("class")
