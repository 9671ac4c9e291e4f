"""The search box with suggestions (static/search.js) in a real headless Chromium."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser


def options(browser) -> list:
    return browser.find_elements(By.CSS_SELECTOR, "[role=listbox]:not([hidden]) [role=option]")


def wait_for_options(browser, box, timeout: float = 10) -> list:
    WebDriverWait(browser, timeout).until(
        lambda b: box.get_attribute("aria-expanded") == "true" and options(b)
    )
    return options(browser)


def test_persian_suggestions_with_the_keyboard(browser, live_url, artifacts) -> None:
    browser.get(f"{live_url}/search?lang=fa")
    assert browser.execute_script("return document.documentElement.dir") == "rtl"
    box = browser.find_element(By.ID, "q")
    assert box.get_attribute("role") == "combobox"
    assert box.get_attribute("aria-expanded") == "false"
    listbox = browser.find_element(By.ID, box.get_attribute("aria-controls"))
    assert listbox.get_attribute("role") == "listbox"

    box.send_keys("توجه به خود")  # prefix of توجه به خود چند-سری
    found = wait_for_options(browser, box)
    assert "توجه به خود چند-سری" in [o.find_element(By.CSS_SELECTOR, ".name").text for o in found]
    # right to left: the popup hangs from the right edge of the box
    box_rect, list_rect = box.rect, listbox.rect
    assert abs((box_rect["x"] + box_rect["width"]) - (list_rect["x"] + list_rect["width"])) < 3
    status = browser.find_element(By.CSS_SELECTOR, ".suggest-wrap [role=status]")
    assert "پیشنهاد" in status.get_attribute("textContent")
    browser.save_screenshot(str(artifacts / "search-fa-suggestions.png"))

    box.send_keys(Keys.ARROW_DOWN)
    first = options(browser)[0]
    assert box.get_attribute("aria-activedescendant") == first.get_attribute("id")
    assert first.get_attribute("aria-selected") == "true"
    box.send_keys(Keys.ARROW_UP)  # wraps to the last
    last = options(browser)[-1]
    assert box.get_attribute("aria-activedescendant") == last.get_attribute("id")
    box.send_keys(Keys.ARROW_DOWN)  # and back to the first
    slug = options(browser)[0].get_attribute("data-slug")
    assert slug == "multi-head-self-attention"
    box.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: urlparse(b.current_url).path != "/search")
    assert urlparse(browser.current_url).path == f"/method/{slug}"
    assert "lang=fa" in browser.current_url


def test_escape_closes_then_clears(browser, live_url) -> None:
    browser.get(f"{live_url}/search?lang=en")
    box = browser.find_element(By.ID, "q")
    box.send_keys("lora")
    wait_for_options(browser, box)
    box.send_keys(Keys.ESCAPE)
    assert box.get_attribute("aria-expanded") == "false"
    assert not options(browser)
    assert box.get_attribute("value") == "lora"
    box.send_keys(Keys.ESCAPE)
    assert box.get_attribute("value") == ""


def test_spelling_variants_reach_the_suggestions(browser, live_url) -> None:
    browser.get(f"{live_url}/search?lang=tr")
    box = browser.find_element(By.ID, "q")
    box.send_keys("BERT İNCE AYARI")  # upper case, Turkish İ and I
    found = wait_for_options(browser, box)
    assert found[0].get_attribute("data-slug") == "bert-fine-tuning"
    assert found[0].find_element(By.CSS_SELECTOR, ".name").text == "BERT ince ayarı"


def test_submitting_without_choosing_shows_the_results_page(browser, live_url, artifacts) -> None:
    browser.get(f"{live_url}/search?lang=fa")
    box = browser.find_element(By.ID, "q")
    box.send_keys("lora")
    box.send_keys(Keys.ENTER)  # no option is active: the form is submitted
    WebDriverWait(browser, 10).until(lambda b: "q=lora" in b.current_url)
    results = browser.find_elements(By.CSS_SELECTOR, "ol.results li")
    assert results and results[0].get_attribute("data-slug") == "lora"
    assert results[0].find_element(By.CSS_SELECTOR, "a.name").text == "لورا و PEFT"
    browser.save_screenshot(str(artifacts / "search-fa-results.png"))


def test_compare_page_adds_a_method_from_a_suggestion(browser, live_url, artifacts) -> None:
    browser.get(f"{live_url}/compare?m=lora&lang=tr")
    box = browser.find_element(By.ID, "add-method")
    box.send_keys("öz dikk")
    found = wait_for_options(browser, box)
    assert found[0].get_attribute("data-slug") == "multi-head-self-attention"
    browser.save_screenshot(str(artifacts / "compare-tr-add-suggestions.png"))
    found[0].click()
    WebDriverWait(browser, 10).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, "thead th[data-method]")) == 2
    )
    columns = [
        h.get_attribute("data-method")
        for h in browser.find_elements(By.CSS_SELECTOR, "thead th[data-method]")
    ]
    assert columns == ["lora", "multi-head-self-attention"]
