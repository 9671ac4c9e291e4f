"""The HTTP side of a write (``/sparql`` updates, ``/store``): who asks (a bearer token),
the write through the store's one write path, and the answer — a receipt as JSON, or a
refusal: 422 with the validation report as JSON (the error shape, the report in
``details.validation``) or as a SHACL report in Turtle when ``Accept`` prefers it."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask import Response, current_app, jsonify, request

from ..errors import WriteRefusedError, error_body
from ..services.writes.refusal import as_graph
from ..services.writes.writer import Receipt, Step
from .auth import holder_of
from .context import get_writer, request_lang
from .errors import error_response
from .negotiate import accepted, wants_html

TURTLE = "text/turtle"


Plan = Callable[[], tuple[Sequence[Step], str]]
"""What a request asks to write, read once its token is checked: the steps and a
one-line summary."""


def write(plan: Plan, *, status: Callable[[], int] | None = None) -> Response:
    """Check the token, read the request (``plan``), run its steps as one write by the
    token's holder; the receipt as JSON, 200 or what ``status()`` says once the write is
    done (a write that changed nothing is a 200 with ``"seq": null``)."""
    holder = holder_of(request, current_app.config)
    writer = get_writer()
    steps, what = plan()
    lang = request_lang()
    try:
        receipt = writer.write(steps, by=holder.name, role=holder.role, what=what, lang=lang)
    except WriteRefusedError as refused:
        return refusal(refused)
    response = jsonify(receipt_json(receipt))
    response.status_code = status() if status and receipt.entry is not None else 200
    return response


def receipt_json(receipt: Receipt) -> dict:
    entry = receipt.entry
    warnings = (
        [r.message_in(request_lang()) for r in receipt.report.results] if receipt.report else []
    )
    return {
        "seq": entry.seq if entry else None,
        "by": entry.by if entry else None,
        "at": entry.at if entry else None,
        "what": entry.what if entry else None,
        "removed": len(receipt.delta.removed),
        "added": len(receipt.delta.added),
        "graphs": sorted(str(g) for g in receipt.delta.graphs),
        "warnings": warnings,
    }


def refusal(refused: WriteRefusedError) -> Response:
    """422: the report as Turtle when asked for, the error page for a browser, else the
    one error shape as JSON."""
    accept = accepted()
    if wants_html():
        response = error_response(422, refused.kind, refused.message)
    elif refused.report is not None and accept.best_match(["application/json", TURTLE]) == TURTLE:
        body = as_graph(refused.report).serialize(format="turtle")
        response = Response(body, status=422, content_type=f"{TURTLE}; charset=utf-8")
    else:
        response = jsonify(error_body(422, refused.kind, refused.message, refused.details))
        response.status_code = 422
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Content-Language"] = request_lang()
    return response
