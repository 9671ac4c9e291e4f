"""The HTML page of an error, for a browser (:class:`ErrorPage`); programs get the one
JSON error shape (``errors.error_body``, written by web/errors.py).

Context a view gives: ``lang`` (the page language).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import render_template

from ..formats import Format
from .registry import Rendered, renderer


@dataclass(frozen=True)
class ErrorPage:
    """An error's ``status`` and its ``message`` for a person."""

    status: int
    message: str


@renderer(ErrorPage, "html")
def error_page(result: ErrorPage, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    html = render_template(
        "error.html", lang=context["lang"], status=result.status, message=result.message
    )
    return Rendered(html, vary=("Accept",))
