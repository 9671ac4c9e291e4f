"""One error shape (``errors.error_body``) as a JSON response, or an HTML page for browsers
(render/error_page.py). Every 401 carries ``WWW-Authenticate: Bearer realm="ScholarGate"``
(``web/auth.py``), with the error code the refusal names."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from ..errors import ScholarGateError, UnauthorizedError, error_body
from ..formats import by_name
from ..i18n import t
from ..render.error_page import ErrorPage
from .auth import challenge
from .context import request_lang
from .negotiate import wants_html
from .respond import respond

log = logging.getLogger("scholargate")


def error_response(status: int, kind: str, message: str, details: dict | None = None) -> Response:
    if wants_html():
        page = ErrorPage(status, message)
        response = respond(page, by_name("html"), status=status, lang=request_lang())
    else:
        response = jsonify(error_body(status, kind, message, details))
        response.status_code = status
    response.headers["Vary"] = "Accept"
    if status == 401:
        response.headers["WWW-Authenticate"] = challenge()
    return response


def init_app(app: Flask) -> None:
    @app.errorhandler(ScholarGateError)
    def project_error(error: ScholarGateError) -> Response:
        response = error_response(error.status, error.kind, error.message, error.details or None)
        retry = error.details.get("retry_after") if error.details else None
        if retry is not None:
            response.headers["Retry-After"] = str(retry)
        allow = error.details.get("allow") if error.details else None
        if error.status == 405 and allow:
            response.headers["Allow"] = ", ".join(allow)
        if isinstance(error, UnauthorizedError):
            response.headers["WWW-Authenticate"] = challenge(error.bearer_error)
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        kind = (error.name or "error").lower().replace(" ", "-")
        message = error.description or error.name
        if error.code == 404 and request.endpoint is None and wants_html():
            message = t("error.no_page", request_lang())  # an address no route knows
        response = error_response(error.code or 500, kind, message)
        for name, value in error.get_headers():
            if name.lower() == "allow":
                response.headers["Allow"] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unexpected error")  # the trace goes to the log, never to the client
        return error_response(
            500, "internal-error", "the server failed to answer; the error has been logged"
        )
