"""The front door in a real headless Chromium: the home page in each language, and a walk
over every link of its header, its body and its footer.

Each link must lead to a page a browser shows (200, a media type Chromium displays, no
``Content-Disposition: attachment``), in the frame every page shares (the same menu, the
language switch last in the header, the footer inside the page margins), and in one
language: no interface string that only another language has. The walk's counts go to
tests/artifacts/front-door-walk.json, the screenshots beside it.
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from urllib.error import HTTPError
from urllib.parse import parse_qs, urldefrag, urlparse

import pytest
from selenium.webdriver.common.by import By

pytestmark = pytest.mark.browser

LANGS = ("en", "fa", "tr")
MENU = ["methods", "search", "compare", "sparql", "dataset", "ontology"]
# What Chromium's Accept says for a page it navigates to.
BROWSER_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
    "image/apng,*/*;q=0.8"
)
# Media types Chromium shows in the tab rather than downloads.
SHOWN = {"text/html", "text/plain", "application/json", "image/svg+xml", "image/png"}
I18N = Path(__file__).resolve().parents[2] / "src" / "scholargate" / "i18n"

LINKS_JS = """
return Array.from(document.querySelectorAll('header.site a, main a, footer.site a'))
  .map(a => new URL(a.getAttribute('href'), location.href).href);
"""
FRAME_JS = """
const frame = document.querySelector('header.site .frame');
const footer = document.querySelector('footer.site .frame');
const main = document.querySelector('main');
if (!frame || !footer || !main) return null;
const box = el => el.getBoundingClientRect();
return {
  menu: Array.from(frame.querySelectorAll('nav.menu a')).map(a => a.dataset.nav),
  langLast: frame.lastElementChild.matches('nav.lang'),
  langs: Array.from(frame.querySelectorAll('nav.lang a')).map(a => a.hreflang),
  footer: [box(footer).left, box(footer).right],
  main: [box(main).left, box(main).right],
  header: [box(frame).left, box(frame).right],
};
"""


def foreign_strings() -> dict[str, set[str]]:
    """For each language, the interface strings only the other two languages have: the
    literal parts of their values (placeholders cut out) of two words or more."""
    values = {
        lang: set(json.loads((I18N / f"{lang}.json").read_text("utf-8")).values()) for lang in LANGS
    }
    parts: dict[str, set[str]] = {}
    for lang in LANGS:
        own = values[lang]
        found = set()
        for other in LANGS:
            if other == lang:
                continue
            for value in values[other] - own:
                for part in re.split(r"\{[^}]*\}", value):
                    part = part.strip(" :;,.·—–()«»\"'\n")
                    if len(part.split()) >= 2 and len(part) >= 8 and not _in_any(part, own):
                        found.add(part)
        parts[lang] = found
    return parts


def _in_any(part: str, values: set[str]) -> bool:
    return any(part in v for v in values)


def fetch(url: str) -> tuple[int, str, str]:
    """Status, media type and Content-Disposition of ``url`` as a browser asks for it."""
    request = urllib.request.Request(url, headers={"Accept": BROWSER_ACCEPT})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            response.read()
            return (
                response.status,
                response.headers.get_content_type(),
                response.headers.get("Content-Disposition", ""),
            )
    except HTTPError as error:
        return error.code, error.headers.get_content_type(), ""


def page_language(url: str, default: str) -> str:
    asked = parse_qs(urlparse(url).query).get("lang")
    return asked[0] if asked else default


def full_page_screenshot(browser, path: Path) -> None:
    width = browser.get_window_size()["width"]
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(max(height + 140, 800), 4000))
    try:
        browser.save_screenshot(str(path))
    finally:
        browser.set_window_size(1400, 1000)


def test_home_page_in_each_language(browser, live_url, artifacts) -> None:
    for lang in LANGS:
        browser.get(f"{live_url}/?lang={lang}")
        assert browser.execute_script("return document.documentElement.lang") == lang
        direction = browser.execute_script("return document.documentElement.dir")
        assert direction == ("rtl" if lang == "fa" else "ltr")
        box = browser.find_element(By.ID, "q")
        assert box.get_attribute("role") == "combobox"  # search.js made it an autocomplete
        seed = browser.find_element(By.CSS_SELECTOR, "ul.comparisons a[data-seed]")
        assert seed.get_attribute("href").endswith(
            f"/compare?m=multi-head-self-attention,bert-fine-tuning,lora&lang={lang}"
        )
        bars = browser.find_elements(By.CSS_SELECTOR, "svg.timeline .bars a")
        assert len(bars) > 10
        counts = browser.find_element(By.CSS_SELECTOR, 'ul.kinds li[data-kind="method"] .n').text
        if lang == "fa":
            assert re.fullmatch(r"[۰-۹٬]+", counts), counts
            # right to left: the brand at the right edge, the language switch at the left
            brand = browser.find_element(By.CSS_SELECTOR, "header.site .brand").rect
            switch = browser.find_element(By.CSS_SELECTOR, "header.site nav.lang").rect
            assert brand["x"] > switch["x"]
        else:
            assert re.fullmatch(r"[0-9.,]+", counts), counts
        full_page_screenshot(browser, artifacts / f"home-{lang}.png")


def test_walk_every_link_of_the_header_and_the_home_page(browser, live_url, artifacts) -> None:
    foreign = foreign_strings()
    origin = urlparse(live_url).netloc
    checked_links = 0
    checked: dict[str, dict] = {}  # URL without fragment → what was found
    problems: list[str] = []
    for lang in LANGS:
        start = f"{live_url}/?lang={lang}"
        browser.get(start)
        links = browser.execute_script(LINKS_JS)
        assert len(links) > 30, links
        for link in links:
            checked_links += 1
            url, fragment = urldefrag(link)
            if urlparse(url).netloc != origin:
                problems.append(f"{start}: {link} leaves the site")
                continue
            expected = page_language(url, lang)
            if url not in checked:
                checked[url] = _check(browser, url, expected, foreign, problems)
            if fragment and checked[url].get("html"):
                browser.get(link)
                found = browser.execute_script(
                    "return !!document.getElementById(arguments[0])", fragment
                )
                if not found:
                    problems.append(f"{start}: {link} names #{fragment}, which the page lacks")
    report = {
        "start_pages": [f"/?lang={lang}" for lang in LANGS],
        "links_checked": checked_links,
        "pages_checked": len(checked),
        "html_pages": sum(1 for v in checked.values() if v.get("html")),
        "problems": problems,
    }
    (artifacts / "front-door-walk.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"front door walk: {checked_links} links, {len(checked)} pages")  # noqa: T201
    assert not problems, "\n".join(problems)
    assert len(checked) > 40


def _check(browser, url: str, lang: str, foreign: dict[str, set[str]], problems: list) -> dict:
    status, media_type, disposition = fetch(url)
    if status != 200:
        problems.append(f"{url}: {status}")
        return {"status": status}
    if media_type not in SHOWN or disposition.startswith("attachment"):
        problems.append(f"{url}: a browser downloads it ({media_type}, {disposition!r})")
        return {"status": status, "type": media_type}
    if media_type != "text/html":
        return {"status": status, "type": media_type}
    browser.get(url)
    shown = browser.execute_script("return document.documentElement.lang")
    if shown != lang:
        problems.append(f"{url}: the page is in {shown!r}, the link asked for {lang!r}")
    text = browser.execute_script("return document.body.innerText")
    mixed = sorted(part for part in foreign[lang] if part in text)
    if mixed:
        problems.append(f"{url}: {lang} page with other languages' strings: {mixed[:5]}")
    frame = browser.execute_script(FRAME_JS)
    if frame is None:
        problems.append(f"{url}: no header, main or footer frame")
    else:
        if frame["menu"] != MENU or not frame["langLast"] or frame["langs"] != list(LANGS):
            problems.append(f"{url}: another menu or language switch: {frame}")
        (left, right), (main_left, main_right) = frame["footer"], frame["main"]
        if abs(left - main_left) > 1 or right > main_right + 1:
            problems.append(f"{url}: the footer is not inside the page margins: {frame}")
    return {"status": status, "type": media_type, "html": True}
