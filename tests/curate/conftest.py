"""Shared by the curators' tests: an app with its own token file, journal and key, a
signed-in client, and the CSRF token a page's form carries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scholargate.services.tokens import TokenBook
from scholargate.web.app import create_app
from scholargate.web.context import get_store

from ..writes.conftest import digest

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_app(folder: Path, **settings: object) -> Flask:
    return create_app(
        {
            "MEMORY": True,
            "SAVED": folder / "c.nt",
            "JOURNAL": folder / "j.jsonl",
            "TOKENS": folder / "t.json",
            "TESTING": True,
            **settings,
        }
    )


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(tmp_path_factory.mktemp("curate"))


@pytest.fixture(scope="module")
def token(app: Flask) -> str:
    return TokenBook(Path(app.config["TOKENS"])).add("ana", "writer")


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, token: str) -> None:
    page = client.get("/-/sign-in")
    response = client.post("/-/sign-in", data={"token": token, "csrf_token": csrf_of(page.text)})
    assert response.status_code == 303, response.text


@pytest.fixture
def curator(app: Flask, token: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, token)
    return client


class Unchanged:
    """The store's digest and the journal's size, to compare after a refusal."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.before = self._now()

    def _now(self) -> tuple[str, int]:
        with self.app.app_context():
            quads = digest(get_store())
        journal = Path(self.app.config["JOURNAL"])
        return quads, journal.stat().st_size if journal.exists() else 0

    def check(self) -> None:
        assert self._now() == self.before, "a refused request changed the store or journal"


@pytest.fixture
def unchanged(app: Flask) -> Iterator[Unchanged]:
    yield Unchanged(app)
