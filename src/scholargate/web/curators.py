"""Curators in the browser: sign in once with a token, sign out, and CSRF on every form.

The sign-in cookie is Flask's session cookie, signed with the app's secret key
(``SECRET_KEY``, else the key kept in ``SECRET_KEY_FILE``, made on first need), HttpOnly,
``SameSite=Strict``, ``Secure`` when the request came over https (or
``SESSION_COOKIE_SECURE`` says so), and lasting ``SIGN_IN_HOURS``. It holds the holder's
name and the SHA-256 of the token, never the token: the cookie is signed, not
encrypted, so anyone holding it could read it, and a hash cannot be sent as a bearer
token. Every request of a signed-in curator looks the hash up in the token file again, so
revoking the token (``scholargate token revoke``) ends the sign-in at once.

Forms carry a CSRF token (Flask-WTF's ``CSRFProtect``: a random value kept in the
session, an HMAC of it in the form); every POST of this blueprint and of the editing
blueprint is checked, and a missing or wrong token is a 403 with a message saying to
reload the form. The other POST routes (``/sparql``, ``/store``, saving a comparison)
are for programs with bearer tokens and are not checked here.

Reads need no sign-in: the session (and its key) is opened only for this blueprint's
routes and for requests that carry the sign-in cookie.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from ..durable import fsync_folder
from ..formats import by_name
from ..i18n import t
from ..render.curating import SignInPage
from ..services.tokens import Holder, tokens_path
from .auth import token_book
from .context import request_lang
from .errors import error_response
from .respond import respond

bp = Blueprint("curators", __name__)
csrf = CSRFProtect()

SIGNED_IN = "curator"  # session keys: the holder's name, the token's SHA-256
_DIGEST = "token_sha256"
CURATOR_BLUEPRINTS = ("curators", "editing")  # the routes whose POSTs carry a CSRF token


def init_app(app: Flask) -> None:
    app.session_interface = CuratorSessions()
    app.config["SESSION_COOKIE_SAMESITE"] = "Strict"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_NAME"] = "scholargate_session"
    app.permanent_session_lifetime = timedelta(hours=float(app.config["SIGN_IN_HOURS"]))
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked per blueprint below
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # the session's lifetime bounds it
    app.config.setdefault("WTF_CSRF_SSL_STRICT", True)
    csrf.init_app(app)
    app.register_error_handler(CSRFError, _csrf_refused)
    for name in CURATOR_BLUEPRINTS:
        app.before_request_funcs.setdefault(name, []).append(_check_csrf)
    app.register_blueprint(bp)


def _check_csrf() -> None:
    if request.method == "POST":
        csrf.protect()


def _csrf_refused(error: CSRFError) -> Response:
    lang = request_lang()
    return error_response(403, "csrf-refused", t("curate.csrf_refused", lang))


def secret_key(settings: dict) -> str:
    """``SECRET_KEY``, else the key in ``SECRET_KEY_FILE`` (default: ``session.key``
    beside the token file), made there once: 32 random bytes as hex, mode 0600, written
    to a temporary file and linked into place, so that workers starting together all
    read the same, whole key (a link never replaces a file that is there)."""
    if settings.get("SECRET_KEY"):
        return str(settings["SECRET_KEY"])
    path = Path(settings.get("SECRET_KEY_FILE") or tokens_path(settings).with_name("session.key"))
    try:
        return _read_key(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_hex(32) + "\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another worker made it first: use theirs
        else:
            fsync_folder(path.parent)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return _read_key(path)


def _read_key(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:  # truncated or edited by hand
        raise RuntimeError(f"{path}: the cookie-signing key is too short; delete the file")
    return key


class CuratorSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, opened only where a curator needs it (the key is
    read or made then), and ``Secure`` when the request came over https."""

    def open_session(self, app: Flask, request):  # type: ignore[override]
        if not app.secret_key:
            if not _needs_session(app, request):
                return None  # a null session: reads need no key, nothing is written
            app.secret_key = secret_key(app.config)
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def _needs_session(app: Flask, request) -> bool:
    if request.cookies.get(app.config["SESSION_COOKIE_NAME"]):
        return True
    try:
        endpoint, _ = app.create_url_adapter(request).match(method=request.method)
    except HTTPException:
        return False
    return str(endpoint).partition(".")[0] in CURATOR_BLUEPRINTS


def current_curator() -> Holder | None:
    """The signed-in curator, if the token they signed in with is still valid."""
    digest = session.get(_DIGEST) if session else None
    if not digest:
        return None
    holder = token_book(current_app.config).holder_of_digest(digest)
    if holder is None:
        session.clear()  # revoked: the sign-in ends with the token
    return holder


def safe_next(value: str | None) -> str | None:
    """A local path to go back to after signing in; None for anything else (no open
    redirect: no scheme, no host, no ``//``, no backslash)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else None


@bp.route("/-/sign-in", methods=["GET", "POST"])
def sign_in() -> Response | str:
    lang = request_lang()
    back = safe_next(request.values.get("next"))
    error = None
    if request.method == "POST":
        token = request.form.get("token", "").strip()
        digest = token_book(current_app.config).digest_of(token) if token else None
        if digest is None:
            error = t("curate.sign_in_invalid" if token else "curate.sign_in_empty", lang)
        else:
            session.clear()
            session.permanent = True
            session[_DIGEST] = digest
            holder = token_book(current_app.config).holder_of_digest(digest)
            session[SIGNED_IN] = holder.name if holder else ""
            return redirect(back or url_for("curators.sign_in", lang=lang), code=303)
    page = SignInPage(error, back, current_curator())
    return respond(page, by_name("html"), status=400 if error else 200, lang=lang)


@bp.post("/-/sign-out")
def sign_out() -> Response:
    session.clear()
    lang = request_lang()
    back = safe_next(request.form.get("next"))
    return redirect(back or url_for("curators.sign_in", lang=lang), 303)


def redirect_to_sign_in() -> Response:
    """To the sign-in page, and back here (a GET) once signed in."""
    here = request.full_path.rstrip("?") if request.method == "GET" else request.path
    return redirect(url_for("curators.sign_in", next=here, lang=request_lang()), 303)
