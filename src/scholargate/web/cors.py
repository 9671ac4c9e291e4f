"""CORS: ``Access-Control-Allow-Origin`` from the ``CORS_ORIGINS`` setting."""

from __future__ import annotations

from flask import Response, current_app, request


def allow_origin(response: Response) -> Response:
    """Let the request's origin read ``response`` when ``CORS_ORIGINS`` allows it
    (``*`` for any)."""
    allowed = str(current_app.config.get("CORS_ORIGINS") or "").split()
    origin = request.headers.get("Origin")
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin and origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    return response
