"""The query page a browser gets at ``GET /sparql``: the sparql blueprint calls
:func:`render_query_page` for a GET without a query from a browser; the page is
written by render/query_page.py (``QueryPage``).
"""

from __future__ import annotations

from flask import Response, current_app, request, url_for

from ..formats import by_name
from ..render.query_page import QueryPage
from ..services.description import list_examples
from .context import get_store, request_lang
from .respond import respond


def render_query_page() -> Response:
    """The HTML query page, in the language of the request (en, fa or tr)."""
    lang = request_lang()
    # The endpoint this page posts to is the route that served it (``/sparql``).
    endpoint = url_for(request.endpoint) if request.endpoint else request.path
    service = url_for(request.endpoint, format="ttl") if request.endpoint else endpoint
    return respond(
        QueryPage(list_examples(get_store(), lang)),
        by_name("html"),
        lang=lang,
        endpoint=endpoint,
        service=service,
        max_url=int(current_app.config.get("MAX_URL") or 8192),
    )
