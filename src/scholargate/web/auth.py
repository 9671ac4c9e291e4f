"""Who is writing: a write request's bearer token (RFC 6750) checked against the token file.

A write route calls ``holder_of(request, current_app.config)`` (``needed="admin"`` for what
only an admin may do) before it reads anything else of the request, and passes the
holder's role on to ``services/writes/access.py``, which decides which graphs it may
change. Refusals are errors the app's handler renders (``web/errors.py``): every 401
carries ``WWW-Authenticate: Bearer realm="ScholarGate"``, with ``error="invalid_token"``
when a token was given but is not valid.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Request, current_app

from ..errors import ForbiddenError, InputError, InvalidTokenError, UnauthorizedError
from ..services.tokens import Holder, TokenBook, TokenFileError, tokens_path
from ..services.writes.access import ROLES

log = logging.getLogger("scholargate")

REALM = "ScholarGate"
_EXTENSION = "scholargate.tokens"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_HOW = "send `Authorization: Bearer <token>`"
_WHERE = "whoever runs the server makes one with `scholargate token add NAME --role writer`"


def challenge(bearer_error: str | None = None) -> str:
    """The ``WWW-Authenticate`` value of a 401."""
    value = f'Bearer realm="{REALM}"'
    return f'{value}, error="{bearer_error}"' if bearer_error else value


def token_book(settings: Mapping[str, Any]) -> TokenBook:
    """This app's token book, made on first use from ``TOKENS`` (or
    ``ROOT/var/tokens.json``) and kept in ``app.extensions``."""
    book = current_app.extensions.get(_EXTENSION)
    if book is None:
        book = current_app.extensions.setdefault(_EXTENSION, TokenBook(tokens_path(settings)))
    return book


def holder_of(request: Request, settings: Mapping[str, Any], *, needed: str = "writer") -> Holder:
    """The holder of the request's bearer token, whose role allows ``needed``.

    400 for a token in the URL or a form field (``access_token``), checked first; 401 for
    no ``Authorization`` header, another scheme than Bearer, or a token that is malformed,
    unknown or revoked; 403 when ``needed`` is ``admin`` and the token is a writer's."""
    if needed not in ROLES:
        raise ValueError(f"needed must be one of {ROLES}, not {needed!r}")
    in_form = request.mimetype in _FORMS and "access_token" in request.form
    if "access_token" in request.args or in_form:
        raise InputError(
            "a token goes only in the Authorization header "
            f"({_HOW}), never in the URL or a form field: URLs end up in logs and "
            "browser histories; if this was a real token, revoke it "
            "(`scholargate token revoke NAME`) and ask for a new one"
        )
    header = request.headers.get("Authorization", "").strip()
    if not header:
        raise UnauthorizedError(f"a write needs a bearer token: {_HOW}; {_WHERE}")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer":
        # another scheme is no token at all: no error code (RFC 6750 §3.1)
        raise UnauthorizedError(
            f"a write needs a bearer token, not other credentials: {_HOW}; {_WHERE}"
        )
    try:
        holder = token_book(settings).check(credentials.strip())
    except TokenFileError as error:
        log.error("%s", error.message)  # the path and cause go to the log, not the client
        raise TokenFileError(
            "the server cannot read its token file, so no write can be checked; "
            "the error has been logged"
        ) from None
    if holder is None:
        raise InvalidTokenError(
            "the bearer token is not valid (malformed, unknown or revoked); " + _WHERE
        )
    if needed == "admin" and holder.role != "admin":
        raise ForbiddenError(
            f"the token of {holder.name!r} is a {holder.role}'s; this request needs an admin "
            "token (an admin changes any graph, the ontology, the shapes and the imported "
            "graphs included, and may clear them)",
            holder=holder.name,
            role=holder.role,
            needed=needed,
        )
    return holder
