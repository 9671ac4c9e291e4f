"""Curators against a live ``scholargate serve`` with two workers: the sign-in cookie
made on one worker is good on the other (one key, made once, shared through its file),
a method added through the form on one is in the History and the feed of both, and a
form without its CSRF token changes nothing on either."""

from __future__ import annotations

import http.client
import json
import re
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from scholargate.services.tokens import TokenBook

from .conftest import LiveServer, running

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
COOKIE = "scholargate_session"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, project_root: Path) -> Iterator[LiveServer]:
    folder = tmp_path_factory.mktemp("curators-live")
    settings = {"WORKERS": "2", "TOKENS": str(folder / "tokens.json")}
    yield from running(folder, settings, project_root)


class Browser:
    """A client that keeps the sign-in cookie, one new connection per request."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.cookie = ""

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, int]:
        """The status, the body and the worker that answered (asked on the same
        connection)."""
        connection = http.client.HTTPConnection(self.live.host, self.live.port, timeout=60)
        try:
            headers = {"Accept": "text/html"}
            if self.cookie:
                headers["Cookie"] = f"{COOKIE}={self.cookie}"
            body = None
            if form is not None:
                body = urlencode(form, doseq=True).encode()
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith(COOKIE + "="):
                    self.cookie = value.split(";", 1)[0].split("=", 1)[1]
            connection.request("GET", "/-/health")
            worker = json.loads(connection.getresponse().read())["worker"]
            return response.status, text, worker
        finally:
            connection.close()


def _csrf(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def _on_both(browser: Browser, path: str, check) -> set[int]:  # noqa: ANN001
    """Ask ``path`` on new connections until both workers answered as ``check`` says."""
    workers: set[int] = set()
    deadline = time.monotonic() + 30  # the kernel spreads new connections, not evenly
    while len(workers) < 2 and time.monotonic() < deadline:
        status, text, worker = browser.request("GET", path)
        assert check(status, text), (worker, status, text[-500:])
        workers.add(worker)
    assert len(workers) == 2, "only one worker answered in 30 s"
    return workers


def test_a_sign_in_on_one_worker_holds_on_both(live: LiveServer) -> None:
    folder = Path(live.setting("TOKENS")).parent
    token = TokenBook(folder / "tokens.json").add("ana", "writer")
    browser = Browser(live)
    status, page, _ = browser.request("GET", "/-/sign-in?lang=fa")
    assert status == 200
    status, _, _ = browser.request(
        "POST", "/-/sign-in", {"token": token, "csrf_token": _csrf(page), "next": "/method/new"}
    )
    assert status == 303
    key = folder / "session.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert token not in key.read_text() and token not in browser.cookie
    _on_both(browser, "/method/new?lang=fa", lambda s, t: s == 200 and 'dir="rtl"' in t)

    # a new method through the form, on whichever worker; both show it in its history
    status, page, _ = browser.request("GET", "/method/new?lang=fa")
    form = {
        "csrf_token": _csrf(page),
        "action": "save",
        "f-prefLabel": ["Live form method", "روش فرم زنده"],
        "f-prefLabel-lang": ["en", "fa"],
        "f-field": "deep-learning",
        "f-family": "machine-learning",
        "f-yearIntroduced": "2018",
        "f-introducedBy": "edward-hu",
        "f-methodType": "parameter-efficient-fine-tuning",
        "f-foundationalWork": "lora-low-rank-adaptation-of-large",
    }
    journal = folder / "store.journal.jsonl"
    before = journal.stat().st_size if journal.exists() else 0
    refused = {k: v for k, v in form.items() if k != "csrf_token"}
    status, text, _ = browser.request("POST", "/method/new?lang=fa", refused)
    assert status == 403 and "فرم" in text
    assert (journal.stat().st_size if journal.exists() else 0) == before
    status, text, _ = browser.request("POST", "/method/new?lang=fa", form)
    assert status == 303, text[-800:]
    _on_both(
        browser,
        "/method/live-form-method/history?lang=fa",
        lambda s, t: s == 200 and "روش فرم زنده" in t and "ana" in t and "ثبت‌کننده" in t,
    )
    _on_both(browser, "/changes.atom", lambda s, t: s == 200 and "live-form-method" in t)
