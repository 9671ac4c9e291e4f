"""Signing in with a token in the browser: the cookie, CSRF, signing out, revocation."""

from __future__ import annotations

import base64
import json
import stat
import zlib
from pathlib import Path

from flask import Flask

from scholargate.i18n import t
from scholargate.services.tokens import TokenBook

from .conftest import csrf_of, make_app, sign_in

COOKIE = "scholargate_session"


def _cookie_header(response) -> str:  # noqa: ANN001
    found = [v for v in response.headers.getlist("Set-Cookie") if v.startswith(COOKIE + "=")]
    assert found, "no sign-in cookie was set"
    return found[-1]


def _payload(header: str) -> dict:
    """What anyone holding the cookie can read: it is signed, not encrypted."""
    value = header.split(";", 1)[0].split("=", 1)[1]
    compressed = value.startswith(".")
    data = value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    return json.loads(zlib.decompress(raw) if compressed else raw)


def test_sign_in_sets_a_strict_http_only_cookie_without_the_token(app: Flask, token: str) -> None:
    client = app.test_client()
    page = client.get("/-/sign-in?lang=fa")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text and t("curate.sign_in", "fa") in page.text
    response = client.post(
        "/-/sign-in", data={"token": token, "csrf_token": csrf_of(page.text), "next": "/methods"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/methods"
    header = _cookie_header(response)
    attributes = [a.strip().lower() for a in header.split(";")[1:]]
    assert "httponly" in attributes and "samesite=strict" in attributes
    assert "secure" not in attributes  # plain http: a Secure cookie would never come back
    assert token not in header
    payload = _payload(header)
    assert token not in json.dumps(payload)
    assert payload["curator"] == "ana"
    assert client.get("/-/sign-in").text.count("ana") >= 1


def test_the_cookie_is_secure_over_https(app: Flask, token: str) -> None:
    client = app.test_client()
    page = client.get("/-/sign-in", base_url="https://localhost")
    response = client.post(
        "/-/sign-in",
        data={"token": token, "csrf_token": csrf_of(page.text)},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/-/sign-in"},
    )
    assert response.status_code == 303
    assert "secure" in [a.strip().lower() for a in _cookie_header(response).split(";")]


def test_a_wrong_token_is_refused_in_the_page_language(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/-/sign-in?lang=tr")
    response = client.post(
        "/-/sign-in?lang=tr",
        data={"token": "sg_" + "x" * 43, "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 400
    assert t("curate.sign_in_invalid", "tr") in response.text
    assert client.get("/method/new").status_code == 303  # still not signed in


def test_sign_in_without_the_csrf_token_is_refused(app: Flask, token: str) -> None:
    client = app.test_client()
    client.get("/-/sign-in")
    response = client.post("/-/sign-in", data={"token": token}, headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert t("curate.csrf_refused", "en") in response.text
    assert client.get("/method/new").status_code == 303


def test_next_never_leaves_the_site(app: Flask, token: str) -> None:
    for outside in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        client = app.test_client()
        page = client.get("/-/sign-in")
        response = client.post(
            "/-/sign-in",
            data={"token": token, "csrf_token": csrf_of(page.text), "next": outside},
        )
        assert response.status_code == 303
        assert response.headers["Location"].startswith("/-/sign-in"), outside


def test_sign_out_ends_the_sign_in(app: Flask, token: str) -> None:
    client = app.test_client()
    sign_in(client, token)
    page = client.get("/method/new")
    assert page.status_code == 200
    refused = client.post("/-/sign-out")  # no CSRF token: a page elsewhere cannot sign you out
    assert refused.status_code == 403
    out = client.post("/-/sign-out", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303
    response = client.get("/method/new")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/-/sign-in?next=/method/new")


def test_revoking_the_token_ends_the_sign_in(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    book = TokenBook(tmp_path / "t.json")
    client = app.test_client()
    sign_in(client, book.add("bora", "writer"))
    assert client.get("/method/new").status_code == 200
    book.revoke("bora")
    assert client.get("/method/new").status_code == 303


def test_reads_need_no_sign_in_and_make_no_key(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    response = client.get("/method/lora", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert not response.headers.getlist("Set-Cookie")
    assert 'href="/method/lora/edit' in response.text  # the Edit action, for curators
    assert not (tmp_path / "session.key").exists()


def test_the_key_is_made_once_private_and_shared(tmp_path: Path) -> None:
    first, second = make_app(tmp_path), make_app(tmp_path)  # two workers
    book = TokenBook(tmp_path / "t.json")
    client = first.test_client()
    sign_in(client, book.add("cem", "writer"))
    key = tmp_path / "session.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_text().strip()) == 64
    cookie = client.get_cookie("scholargate_session")
    other = second.test_client()
    other.set_cookie(cookie.key, cookie.value)
    assert other.get("/method/new").status_code == 200  # the other worker reads the key


def test_a_configured_secret_key_is_used_and_no_file_is_made(tmp_path: Path) -> None:
    app = make_app(tmp_path, SECRET_KEY="k" * 40)
    client = app.test_client()
    sign_in(client, TokenBook(tmp_path / "t.json").add("deniz", "writer"))
    assert app.secret_key == "k" * 40
    assert not (tmp_path / "session.key").exists()
