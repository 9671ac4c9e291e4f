"""History on resource pages, /changes with its Atom feed, and reverting a change."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scholargate.i18n import t
from scholargate.services.writes.journal import Journal

from .conftest import Unchanged, csrf_of, make_app, sign_in
from .test_method_form import NEW

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    return make_app(tmp_path_factory.mktemp("changes"))


def _add(client: FlaskClient, english: str, persian: str) -> str:
    page = client.get("/method/new?lang=fa")
    form = {
        **NEW,
        "f-prefLabel": [english, persian],
        "f-yearIntroduced": "2016",
        "action": "save",
        "csrf_token": csrf_of(page.text),
    }
    response = client.post("/method/new?lang=fa", data=form)
    assert response.status_code == 303, response.text
    return response.headers["Location"].split("?")[0].rsplit("/", 1)[-1]


def _last_seq(app: Flask) -> int:
    entries, _ = Journal(Path(app.config["JOURNAL"])).read(0)
    return entries[-1].seq


def test_history_shows_who_when_and_the_statements_with_labels(
    app: Flask, curator: FlaskClient
) -> None:
    slug = _add(curator, "History test method", "روش آزمایش تاریخچه")
    seq = _last_seq(app)
    page = app.test_client().get(f"/method/{slug}/history?lang=fa")  # reading: no sign-in
    assert page.status_code == 200
    assert "روش آزمایش تاریخچه" in page.text  # the title and the subjects, by their labels
    assert f'id="change-{seq}"' in page.text and t("changes.by", "fa", by="ana") in page.text
    assert "یادگیری عمیق" in page.text  # the field's label
    assert t("changes.revert", "fa") not in page.text  # not signed in: no revert
    signed = curator.get(f"/method/{slug}/history?lang=fa")
    assert t("changes.revert", "fa") in signed.text
    resource = curator.get(f"/method/{slug}?lang=fa")
    assert f'href="/method/{slug}/history?lang=fa"' in resource.text


def test_changes_and_the_atom_feed_list_the_newest_first(app: Flask, curator: FlaskClient) -> None:
    first = _add(curator, "Feed test method one", "روش آزمایش خوراک یک")
    second = _add(curator, "Feed test method two", "روش آزمایش خوراک دو")
    page = curator.get("/changes?lang=tr")
    assert page.status_code == 200
    assert page.text.index(second) < page.text.index(first)
    feed = curator.get("/changes.atom")
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(feed.data)
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert second in titles[0] and first in titles[1]
    assert root.find(f"{ATOM}entry/{ATOM}author/{ATOM}name").text == "ana"
    assert curator.get("/changes?before=x").status_code == 400


def test_revert_takes_a_new_method_back_and_is_journaled(app: Flask, curator: FlaskClient) -> None:
    slug = _add(curator, "Revert test method", "روش آزمایش برگرداندن")
    seq = _last_seq(app)
    assert curator.get(f"/method/{slug}").status_code == 200
    page = curator.get(f"/method/{slug}/history?lang=fa")
    here = f"/method/{slug}/history?lang=fa"
    response = curator.post(
        f"/-/changes/{seq}/revert", data={"csrf_token": csrf_of(page.text), "next": here}
    )
    assert response.status_code == 303 and response.headers["Location"] == here
    assert curator.get(f"/method/{slug}").status_code == 404
    entries, _ = Journal(Path(app.config["JOURNAL"])).read(0)
    assert entries[-1].what == f"revert {seq}" and entries[-1].by == "ana"
    assert entries[-1].delta.removed == entries[-2].delta.added
    history = curator.get(here)  # both changes, though the method is gone
    assert history.status_code == 200 and history.text.count('class="change"') == 2
    again = curator.post(f"/-/changes/{seq}/revert", data={"csrf_token": csrf_of(page.text)})
    assert again.status_code == 409


def test_revert_needs_a_curator_and_its_csrf_token(app: Flask, token: str) -> None:
    unchanged = Unchanged(app)
    anonymous = app.test_client()
    assert anonymous.post("/-/changes/1/revert").status_code in (303, 403)
    client = app.test_client()
    sign_in(client, token)
    refused = client.post("/-/changes/1/revert", headers={"Accept": "text/html"})
    assert refused.status_code == 403
    assert t("curate.csrf_refused", "en") in refused.text
    page = client.get("/changes")
    missing = client.post("/-/changes/999999/revert", data={"csrf_token": csrf_of(page.text)})
    assert missing.status_code == 404
    unchanged.check()


def test_history_of_an_unknown_resource_is_a_404(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/method/no-such-method/history").status_code == 404
    untouched = client.get("/field/computer-vision/history")  # exists, never changed
    assert untouched.status_code == 200 and t("changes.none", "en") in untouched.text
    # a person named as originator by a new method: the change shows in their history too
    named = client.get("/person/edward-hu/history")
    assert named.status_code == 200 and 'class="change"' in named.text
