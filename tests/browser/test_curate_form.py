"""A curator in a real headless Chromium: sign in, add a method in Persian (a missing year
refused at its field, then fixed), preview, save, find and compare it, revert it, and a
form without its CSRF token refused. Screenshots of the Persian form with its error and
of the preview go to tests/artifacts/."""

from __future__ import annotations

import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait
from werkzeug.serving import make_server

from scholargate.i18n import t
from scholargate.services.tokens import TokenBook
from scholargate.web.app import create_app
from scholargate.web.context import get_store

from ..curate.test_method_form import _message
from ..writes.conftest import digest
from .conftest import _free_port

pytestmark = pytest.mark.browser

ENGLISH = "Browser test method"
PERSIAN = "روش آزمون مرورگر"
SLUG = "browser-test-method"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    """A live server whose tokens, journal and key live in a folder of its own."""
    folder = tmp_path_factory.mktemp("curate-site")
    app = create_app(
        {
            "MEMORY": True,
            "SAVED": folder / "c.nt",
            "JOURNAL": folder / "j.jsonl",
            "TOKENS": folder / "t.json",
        }
    )
    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def signed_out(browser) -> Iterator[None]:  # noqa: ANN001
    """Cookies are per host, not per port: leave none for the other browser tests."""
    browser.delete_all_cookies()
    yield
    browser.delete_all_cookies()


def _store_digest(app: Flask) -> str:
    with app.app_context():
        return digest(get_store())


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _wait_for(browser, css: str, timeout: float = 10):  # noqa: ANN001, ANN202
    WebDriverWait(browser, timeout).until(lambda b: b.find_elements(By.CSS_SELECTOR, css))
    return browser.find_element(By.CSS_SELECTOR, css)


def _fill_new_method(browser) -> None:  # noqa: ANN001
    english = browser.find_element(By.ID, "f-prefLabel-0")
    english.send_keys(ENGLISH)
    Select(browser.find_element(By.ID, "f-prefLabel-0-lang")).select_by_value("en")
    browser.find_element(By.CSS_SELECTOR, "#field-prefLabel .add-value").click()
    persian = _wait_for(browser, "#f-prefLabel-1")
    persian.send_keys(PERSIAN)
    Select(browser.find_element(By.ID, "f-prefLabel-1-lang")).select_by_value("fa")
    # a pick through the search box's suggestions, typed in Persian
    field = browser.find_element(By.ID, "f-field-0")
    field.send_keys("یادگیری عمیق")
    WebDriverWait(browser, 10).until(
        lambda b: (
            field.get_attribute("aria-expanded") == "true"
            and b.find_elements(By.CSS_SELECTOR, "#field-field [role=option]")
        )
    )
    field.send_keys(Keys.ARROW_DOWN)
    field.send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(lambda b: field.get_attribute("value") == "deep-learning")
    for key, slug in (
        ("family", "machine-learning"),
        ("introducedBy", "edward-hu"),
        ("methodType", "parameter-efficient-fine-tuning"),
        ("foundationalWork", "lora-low-rank-adaptation-of-large"),
    ):
        box = browser.find_element(By.ID, f"f-{key}-0")
        box.send_keys(slug)
        box.send_keys(Keys.TAB)


def test_a_curator_adds_a_method_in_persian_and_reverts_it(
    browser,
    site,
    artifacts,
    signed_out,  # noqa: ANN001
) -> None:
    app, url = site
    token = TokenBook(Path(app.config["TOKENS"])).add("sara", "writer")

    # sign in
    browser.get(f"{url}/-/sign-in?lang=fa")
    assert browser.execute_script("return document.documentElement.dir") == "rtl"
    browser.find_element(By.ID, "token").send_keys(token)
    browser.find_element(By.CSS_SELECTOR, "form.curate-form button[type=submit]").click()
    _wait_for(browser, ".signed-in")
    assert "sara" in browser.find_element(By.CSS_SELECTOR, ".signed-in").text
    assert browser.execute_script("return document.cookie") == ""  # HttpOnly: no script sees it

    # a new method in Persian, no year: the Persian message at the year field
    browser.get(f"{url}/method/new?lang=fa")
    _fill_new_method(browser)
    before = _store_digest(app)
    browser.find_element(By.CSS_SELECTOR, "button[value=preview]").click()
    error = _wait_for(browser, "#field-yearIntroduced .field-error")
    assert _message("MethodShape-yearIntroduced-required", "fa") in error.text
    year = browser.find_element(By.ID, "f-yearIntroduced-0")
    assert year.get_attribute("aria-invalid") == "true"
    assert browser.switch_to.active_element == year  # focused, so in view
    assert browser.find_element(By.ID, "f-prefLabel-1").get_attribute("value") == PERSIAN
    # the message sits by its field, right to left
    assert error.value_of_css_property("direction") == "rtl"
    browser.save_screenshot(str(artifacts / "curate-fa-form-error.png"))
    assert _store_digest(app) == before  # a refused form changes nothing

    # fix the year (Persian digits), preview, save
    year.send_keys("۲۰۱۹")
    browser.find_element(By.CSS_SELECTOR, "button[value=preview]").click()
    preview = _wait_for(browser, "#preview")
    assert PERSIAN in preview.text and "2019" in preview.text
    assert "یادگیری عمیق" in preview.text  # values by their labels
    assert not browser.find_elements(By.CSS_SELECTOR, ".field-error")
    browser.save_screenshot(str(artifacts / "curate-fa-preview.png"))
    assert _store_digest(app) == before  # a preview changes nothing
    browser.find_element(By.ID, "save").click()
    WebDriverWait(browser, 10).until(
        lambda b: urllib.parse.urlparse(b.current_url).path == f"/method/{SLUG}"
    )
    assert PERSIAN in browser.find_element(By.TAG_NAME, "h1").text

    # found by its Persian name, compared with LoRA
    search = f"{url}/search?lang=fa&q={urllib.parse.quote(PERSIAN)}"

    def found(b):  # noqa: ANN001, ANN202 - the index is rebuilt in the background
        b.get(search)
        return b.find_elements(By.CSS_SELECTOR, f"ol.results a[href^='/method/{SLUG}']")

    first = WebDriverWait(browser, 60, poll_frequency=1).until(found)[0]
    assert PERSIAN in first.text
    browser.get(f"{url}/compare?m={SLUG},lora&lang=fa")
    table = _wait_for(browser, "table.compare")
    assert PERSIAN in table.text and "لورا" in table.text

    # revert it from its history: gone again
    browser.get(f"{url}/method/{SLUG}/history?lang=fa")
    browser.find_element(By.CSS_SELECTOR, "button.revert").click()
    WebDriverWait(browser, 10).until(  # the history again, now with the revert on top
        lambda b: len(b.find_elements(By.CSS_SELECTOR, "section.change")) == 2
    )
    assert "revert" in browser.find_element(By.CSS_SELECTOR, "section.change").text
    assert _status(f"{url}/method/{SLUG}") == 404
    assert _store_digest(app) == before

    # a form posted without its CSRF token is refused, and changes nothing
    browser.get(f"{url}/method/new?lang=fa")
    _fill_new_method(browser)
    browser.find_element(By.ID, "f-yearIntroduced-0").send_keys("2019")
    browser.execute_script(
        "document.querySelector('#method-form input[name=csrf_token]').remove();"
    )
    browser.find_element(By.CSS_SELECTOR, "button[value=preview]").click()
    refusal = _wait_for(browser, "section.error")
    assert t("curate.csrf_refused", "fa") in refusal.text
    assert "403" in refusal.text or "۴۰۳" in refusal.text
    assert _store_digest(app) == before
