"""The Persian comparison page in a real headless Chromium."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.browser

SEED = "multi-head-self-attention,bert-fine-tuning,lora"
# the six rows the seed page marks, and two it did not: Related (the Papers with Code
# graph links more methods to multi-head self-attention) and the citations row (only
# BERT fine-tuning's source cites another compared method's); tests/test_compare_web.py
MARKED = {
    "سال پیدایش",
    "پدیدآور",
    "نوع",
    "منبع بنیادین",
    "نام‌های دیگر",
    "خلاصه",
    "مرتبط",
    "منبع بنیادینش استناد می‌کند به",
}
ROWS = 10


def row_labels(browser, css: str) -> set[str]:
    return {
        el.text.replace("≠", "").strip()
        for el in browser.find_elements(By.CSS_SELECTOR, css)
        if el.is_displayed()
    }


def test_persian_page_renders_right_to_left_with_marks(browser, live_url, artifacts) -> None:
    browser.get(f"{live_url}/compare?m={SEED}&lang=fa")
    assert browser.execute_script("return document.documentElement.dir") == "rtl"
    table = browser.find_element(By.CSS_SELECTOR, "table.compare")
    assert table.value_of_css_property("direction") == "rtl"
    # row labels sit at the right edge, method columns to their left
    label = browser.find_element(By.CSS_SELECTOR, "tbody th[scope=row]")
    first_cell = browser.find_element(By.CSS_SELECTOR, "tbody td")
    assert label.rect["x"] > first_cell.rect["x"]
    assert row_labels(browser, "tr.differs th[scope=row]") == MARKED
    marks = browser.find_elements(By.CSS_SELECTOR, "tbody th .ne")
    assert len(marks) == len(MARKED) and all(m.text == "≠" for m in marks)
    # highlighted: differing rows have another background than equal ones
    differs = browser.find_element(By.CSS_SELECTOR, "tr.differs td")
    same = browser.find_element(By.CSS_SELECTOR, "tr.same td")
    assert differs.value_of_css_property("background-color") != same.value_of_css_property(
        "background-color"
    )
    headers = [
        h.text.replace("×", "").strip() for h in browser.find_elements(By.CSS_SELECTOR, "thead th")
    ]
    assert headers == ["توجه به خود چند-سری", "تنظیم دقیق BERT", "لورا و PEFT"]
    browser.save_screenshot(str(artifacts / "compare-fa.png"))


def test_removing_a_column(browser, live_url) -> None:
    browser.get(f"{live_url}/compare?m={SEED}&lang=fa")
    browser.find_element(By.CSS_SELECTOR, 'th[data-method="lora"] a.remove').click()
    WebDriverWait(browser, 10).until(
        ec.url_contains("m=multi-head-self-attention,bert-fine-tuning")
    )
    columns = [
        h.get_attribute("data-method") for h in browser.find_elements(By.CSS_SELECTOR, "thead th")
    ]
    assert columns == ["multi-head-self-attention", "bert-fine-tuning"]


def test_differences_only_switch(browser, live_url, artifacts) -> None:
    browser.get(f"{live_url}/compare?m={SEED}&lang=fa")
    assert len(row_labels(browser, "tbody th[scope=row]")) == ROWS
    browser.find_element(By.ID, "differences-only").click()
    shown = len(MARKED)
    WebDriverWait(browser, 5).until(lambda b: len(row_labels(b, "tbody th[scope=row]")) == shown)
    assert row_labels(browser, "tbody th[scope=row]") == MARKED
    assert "diff=1" in browser.current_url
    browser.save_screenshot(str(artifacts / "compare-fa-differences-only.png"))
    browser.find_element(By.ID, "differences-only").click()
    WebDriverWait(browser, 5).until(lambda b: len(row_labels(b, "tbody th[scope=row]")) == ROWS)


def test_adding_a_method_by_its_turkish_name(browser, live_url) -> None:
    browser.get(f"{live_url}/compare?m=lora&lang=tr")
    box = browser.find_element(By.ID, "add-method")
    box.send_keys("BERT ince ayarı")
    box.submit()
    WebDriverWait(browser, 10).until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, "thead th")) == 2
    )
