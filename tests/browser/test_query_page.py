"""The SPARQL query page in a real headless Chromium: run queries, labels next to IRIs,
downloads, errors with line and column, the truncation notice, nothing from elsewhere."""

from __future__ import annotations

import re
import threading
import urllib.request
from collections.abc import Iterator

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait
from werkzeug.serving import make_server

from scholargate.web.app import create_app

from ..conftest import hermetic_settings
from .conftest import _free_port

pytestmark = pytest.mark.browser

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")


@pytest.fixture(scope="module")
def small_rows_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second live server whose answers are cut at 5 rows."""
    app = create_app(hermetic_settings(tmp_path_factory.mktemp("rows"), MAX_ROWS=5))
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


def wait_for_answer(browser, timeout: float = 60):
    """Wait until the answer (table, graph or error) is shown; return which one."""

    def shown(driver):
        for element_id in ("table-wrap", "graph", "error"):
            if driver.find_element(By.ID, element_id).is_displayed():
                return element_id
        return False

    return WebDriverWait(browser, timeout).until(shown)


def rows(browser) -> list:
    return browser.find_elements(By.CSS_SELECTOR, "table.answer tbody tr")


def test_persian_page_runs_the_sample_with_labels(browser, live_url, artifacts) -> None:
    browser.get(f"{live_url}/sparql?lang=fa")
    assert browser.execute_script("return document.documentElement.dir") == "rtl"
    box = browser.find_element(By.ID, "query")
    assert box.value_of_css_property("direction") == "ltr"
    browser.find_element(By.ID, "run").click()
    assert wait_for_answer(browser) == "table-wrap"
    assert rows(browser)
    assert browser.find_element(By.ID, "table-wrap").value_of_css_property("direction") == "ltr"
    status = browser.find_element(By.ID, "status").text
    assert "ردیف" in status and re.search("[۰-۹]", status), status
    WebDriverWait(browser, 30).until(
        lambda d: any(s.text for s in d.find_elements(By.CSS_SELECTOR, "span.label"))
    )
    spans = [s for s in browser.find_elements(By.CSS_SELECTOR, "span.label") if s.text]
    labels = [(s.text, s.get_attribute("lang")) for s in spans]
    # each the Persian label (an acronym such as BERT is kept in Latin letters in Persian)
    assert labels and all(lang == "fa" for _, lang in labels), labels
    assert sum(bool(ARABIC_SCRIPT.search(text)) for text, _ in labels) > len(labels) / 2
    links = browser.find_elements(By.CSS_SELECTOR, "span.iri a")
    assert links and all(a.get_attribute("href").startswith("https://w3id.org/") for a in links)
    browser.save_screenshot(str(artifacts / "query-fa.png"))


def test_example_runs_with_ctrl_enter_and_offers_downloads(browser, live_url) -> None:
    browser.get(f"{live_url}/sparql?lang=en")
    Select(browser.find_element(By.ID, "example")).select_by_value("methods-per-year")
    assert "introduced in each year" in browser.find_element(By.ID, "example-comment").text
    box = browser.find_element(By.ID, "query")
    assert "sg:yearIntroduced" in box.get_attribute("value")
    box.send_keys(Keys.CONTROL, Keys.ENTER)
    assert wait_for_answer(browser) == "table-wrap"
    headers = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.answer th")]
    assert headers == ["?year", "?methods", "?names"]
    assert rows(browser)
    links = browser.find_elements(By.CSS_SELECTOR, "#downloads a")
    formats = [re.search(r"format=(\w+)", a.get_attribute("href")).group(1) for a in links]
    assert formats == ["json", "xml", "csv", "tsv"]
    csv_link = links[formats.index("csv")].get_attribute("href")
    with urllib.request.urlopen(csv_link, timeout=60) as response:
        assert response.headers.get_content_type() == "text/csv"
        assert response.read().decode("utf-8").startswith("year,methods,names")


def test_fragment_picks_and_runs_an_example(browser, live_url) -> None:
    browser.get(f"{live_url}/sparql?lang=tr#example=originators-in-order&run=1")
    assert wait_for_answer(browser) == "table-wrap"
    assert browser.find_element(By.ID, "example").get_attribute("value") == "originators-in-order"
    first = rows(browser)[0].find_elements(By.TAG_NAME, "td")
    assert first[0].text.startswith("1") and "Vaswani" in first[2].text


def test_construct_example_shows_turtle_and_graph_downloads(browser, live_url) -> None:
    browser.get(f"{live_url}/sparql?lang=en")
    Select(browser.find_element(By.ID, "example")).select_by_value("method-graph")
    browser.find_element(By.ID, "run").click()
    assert wait_for_answer(browser) == "graph"
    text = browser.find_element(By.ID, "graph").text
    assert "@prefix" in text and "sgm:lora" in text
    links = browser.find_elements(By.CSS_SELECTOR, "#downloads a")
    formats = [re.search(r"format=(\w+)", a.get_attribute("href")).group(1) for a in links]
    assert formats == ["ttl", "jsonld", "nt", "rdf"]


def test_syntax_error_shows_line_and_column(browser, live_url) -> None:
    browser.get(f"{live_url}/sparql?lang=tr")
    box = browser.find_element(By.ID, "query")
    box.clear()
    box.send_keys("SELECT * WHERE {\n  ?s ?p\n}")
    browser.find_element(By.ID, "run").click()
    assert wait_for_answer(browser) == "error"
    error = browser.find_element(By.ID, "error").text
    line, column = map(int, re.search(r"line (\d+), column (\d+)", error).groups())
    assert (line, column) == (3, 1) or (line, column) == (3, 2), error  # at the "}"
    assert "400" in error and f"Satır {line}, sütun {column}" in error, error
    assert browser.find_element(By.ID, "error").get_attribute("role") == "alert"
    caret = browser.execute_script("return document.getElementById('query').selectionStart")
    assert caret == len("SELECT * WHERE {\n  ?s ?p\n") + column - 1


def test_truncated_answer_shows_a_notice(browser, small_rows_url) -> None:
    browser.get(f"{small_rows_url}/sparql?lang=en")
    box = browser.find_element(By.ID, "query")
    box.clear()
    box.send_keys("SELECT * WHERE { ?s ?p ?o }")
    browser.find_element(By.ID, "run").click()
    assert wait_for_answer(browser) == "table-wrap"
    assert len(rows(browser)) == 5
    notice = browser.find_element(By.ID, "truncated")
    assert notice.is_displayed() and "first 5 rows" in notice.text


def test_page_loads_nothing_from_elsewhere(browser, live_url) -> None:
    browser.get(f"{live_url}/sparql?lang=fa")
    browser.find_element(By.ID, "run").click()
    wait_for_answer(browser)
    names = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert names and all(n.startswith(live_url) for n in names), names
