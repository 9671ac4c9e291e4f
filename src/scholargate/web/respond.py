"""The one place a view turns a result into a response, through the renderer registry.

A view parses the request, picks the format among ``formats_for(...)`` of its result
types (``negotiate.choose``), calls one service and returns ``respond(result, fmt, ...)``;
the registry (``render/registry.py``) says which renderer writes it.
"""

from __future__ import annotations

from typing import Any

from flask import Response

from ..formats import Format
from ..render.registry import render


def respond(result: Any, fmt: Format, *, status: int = 200, **context: Any) -> Response:  # noqa: ANN401
    """``result`` rendered in ``fmt``: ``Content-Type`` is the format's own, then ``Vary``
    and the renderer's headers (``Link``, ``Content-Disposition`` …)."""
    rendered = render(result, fmt, **context)
    response = Response(rendered.body, status=status, content_type=fmt.content_type)
    if rendered.vary:
        response.headers["Vary"] = ", ".join(rendered.vary)
    for name, value in rendered.headers.items():
        response.headers[name] = value
    return response
