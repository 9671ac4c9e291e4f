"""A cap on the parameters one request carries, for every route.

A URL with more than ``MAX_PARAMS`` parameters is a 400, a form body with more than
``MAX_PARAMS`` fields a 413, before any view parses them: what a view does with its
parameters then stays bounded, whatever a client sends. Parameters are counted by their
separators (``&``), which is linear in the request's size (itself capped by
``MAX_URL`` and ``MAX_BODY``); multipart forms are counted by werkzeug
(``MAX_FORM_PARTS``). A view whose form may be longer says so in its
``max_form_fields`` attribute (the curators' method form: one field per value).
"""

from __future__ import annotations

from flask import Flask, current_app, request

from ..errors import InputError, ScholarGateError

_FORM = "application/x-www-form-urlencoded"


class TooManyFieldsError(ScholarGateError):
    status = 413
    kind = "too-many-fields"


def _count(data: bytes) -> int:
    return data.count(b"&") + 1 if data else 0


def check_parameters() -> None:
    """Refuse a request that carries more than ``MAX_PARAMS`` parameters or form fields."""
    limit = int(current_app.config.get("MAX_PARAMS") or 0)
    if limit <= 0:
        return
    found = _count(request.query_string)
    if found > limit:
        raise InputError(
            f"the URL carries {found} parameters; a request may carry at most {limit}",
            limit=limit,
        )
    if request.mimetype == _FORM:
        view = current_app.view_functions.get(request.endpoint or "")
        limit = getattr(view, "max_form_fields", limit)  # a form that names its own cap
        found = _count(request.get_data(cache=True))
        if found > limit:
            raise TooManyFieldsError(
                f"the form carries {found} fields; a request may carry at most {limit}",
                limit=limit,
            )


def init_app(app: Flask) -> None:
    """Check every request's parameters before its view runs."""
    if app.config.get("MAX_PARAMS"):
        app.config["MAX_FORM_PARTS"] = int(app.config["MAX_PARAMS"])  # multipart forms
    app.before_request(check_parameters)
