"""The bearer token of a write request (web/auth.py ``holder_of``) and the 401s the app
sends for it (web/errors.py): ``WWW-Authenticate: Bearer realm="ScholarGate"``, with
``error="invalid_token"`` when a token was given but is wrong (RFC 6750)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, current_app, jsonify, request

from scholargate.errors import ForbiddenError, InputError, InvalidTokenError, UnauthorizedError
from scholargate.services.tokens import Holder, TokenBook
from scholargate.web.app import create_app
from scholargate.web.auth import holder_of, token_book

CHALLENGE = 'Bearer realm="ScholarGate"'
INVALID = 'Bearer realm="ScholarGate", error="invalid_token"'


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("tokens") / "tokens.json"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, tokens: Path) -> Flask:
    """The app on tmp files, with a test-only write route that asks ``holder_of``."""
    saved = tmp_path_factory.mktemp("saved") / "comparisons.nt"
    app = create_app({"MEMORY": True, "SAVED": saved, "TOKENS": tokens, "TESTING": True})

    @app.route("/-/test-write", methods=["GET", "POST"])
    def test_write():
        holder = holder_of(request, current_app.config, needed=request.args.get("needed", "writer"))
        return jsonify(name=holder.name, role=holder.role)

    return app


@pytest.fixture(scope="module")
def writer(tokens: Path) -> str:
    return TokenBook(tokens).add("ana", "writer")


@pytest.fixture(scope="module")
def admin(tokens: Path) -> str:
    return TokenBook(tokens).add("root", "admin")


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def holder(app: Flask, *args, needed: str = "writer", **kwargs) -> Holder:
    with app.test_request_context(*args, **kwargs):
        return holder_of(request, current_app.config, needed=needed)


# ---- holder_of ------------------------------------------------------------------------


def test_a_good_token_gives_its_holder(app: Flask, writer: str, admin: str) -> None:
    assert holder(app, "/", method="POST", headers=bearer(writer)) == Holder("ana", "writer")
    assert holder(app, "/", headers=bearer(admin), needed="admin") == Holder("root", "admin")
    assert holder(app, "/", headers={"Authorization": f"bearer  {admin} "}) == Holder(
        "root", "admin"
    )


def test_no_header_is_401_saying_how_to_get_a_token(app: Flask) -> None:
    with pytest.raises(UnauthorizedError) as caught:
        holder(app, "/", method="POST")
    assert caught.value.bearer_error is None
    assert "Authorization: Bearer <token>" in caught.value.message
    assert "scholargate token add" in caught.value.message


@pytest.mark.parametrize("value", ["Bearer sg_nope", "Bearer", "Bearer " + "sg_" + "A" * 43])
def test_a_wrong_token_is_401_invalid_token(app: Flask, writer: str, value: str) -> None:
    with pytest.raises(InvalidTokenError) as caught:
        holder(app, "/", method="POST", headers={"Authorization": value})
    assert caught.value.status == 401 and caught.value.bearer_error == "invalid_token"


def test_another_scheme_is_401_without_an_error_code(app: Flask) -> None:
    with pytest.raises(UnauthorizedError) as caught:
        holder(app, "/", headers={"Authorization": "Basic YW5hOnNlY3JldA=="})
    assert not isinstance(caught.value, InvalidTokenError)  # RFC 6750 §3.1: no token given
    assert "Bearer" in caught.value.message


def test_a_revoked_token_is_401(app: Flask, tokens: Path) -> None:
    secret = TokenBook(tokens).add("gone", "writer")
    assert holder(app, "/", headers=bearer(secret)) == Holder("gone", "writer")
    TokenBook(tokens).revoke("gone")  # as the CLI would, while the app runs
    with pytest.raises(InvalidTokenError):
        holder(app, "/", headers=bearer(secret))


def test_a_token_in_the_url_or_a_form_is_400_before_anything_else(app: Flask, writer: str) -> None:
    with pytest.raises(InputError, match="only in the Authorization header"):
        holder(app, f"/?access_token={writer}", headers=bearer(writer))
    with pytest.raises(InputError, match="URLs end up in logs"):
        holder(app, f"/?access_token={writer}")  # 400, not 401
    with pytest.raises(InputError):
        holder(app, "/", method="POST", data={"access_token": writer, "update": "CLEAR ALL"})


def test_a_writer_needing_admin_is_403_naming_the_holder(app: Flask, writer: str) -> None:
    with pytest.raises(ForbiddenError) as caught:
        holder(app, "/", headers=bearer(writer), needed="admin")
    assert caught.value.status == 403
    assert "'ana'" in caught.value.message and "admin token" in caught.value.message


def test_the_book_is_made_once_per_app(app: Flask) -> None:
    with app.test_request_context("/"):
        assert token_book(current_app.config) is token_book(current_app.config)
        assert token_book(current_app.config).path == app.config["TOKENS"]


# ---- through the app's error handler -----------------------------------------------------


def test_a_401_carries_the_bearer_challenge(app: Flask) -> None:
    response = app.test_client().post("/-/test-write")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == CHALLENGE
    assert response.get_json()["error"] == "unauthorized"


def test_a_401_page_for_a_browser_carries_it_too(app: Flask) -> None:
    response = app.test_client().post("/-/test-write", headers={"Accept": "text/html"})
    assert response.status_code == 401 and response.mimetype == "text/html"
    assert response.headers["WWW-Authenticate"] == CHALLENGE


def test_a_wrong_token_carries_invalid_token(app: Flask) -> None:
    response = app.test_client().post("/-/test-write", headers=bearer("sg_" + "B" * 43))
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == INVALID


def test_the_other_refusals_and_a_success_through_the_app(
    app: Flask, writer: str, admin: str
) -> None:
    client = app.test_client()
    in_url = client.get(f"/-/test-write?access_token={writer}")
    assert in_url.status_code == 400 and "WWW-Authenticate" not in in_url.headers
    forbidden = client.post("/-/test-write?needed=admin", headers=bearer(writer))
    assert forbidden.status_code == 403
    assert forbidden.get_json()["details"] == {"holder": "ana", "role": "writer", "needed": "admin"}
    ok = client.post("/-/test-write?needed=admin", headers=bearer(admin))
    assert ok.status_code == 200 and ok.get_json() == {"name": "root", "role": "admin"}


def test_an_unreadable_token_file_is_500_without_its_path(
    app: Flask, tokens: Path, writer: str, caplog: pytest.LogCaptureFixture
) -> None:
    good = tokens.read_bytes()
    try:
        tokens.write_bytes(b"{broken")
        response = app.test_client().post("/-/test-write", headers=bearer(writer))
        assert response.status_code == 500
        assert str(tokens) not in response.get_data(as_text=True)
        assert str(tokens) in caplog.text
    finally:
        tokens.write_bytes(good)
    assert app.test_client().post("/-/test-write", headers=bearer(writer)).status_code == 200
