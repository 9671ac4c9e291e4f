"""The query page a browser gets at ``GET /sparql``: write a query or pick an example,
run it, see the answer as a table with labels next to IRIs, download it in any format.

The page is plain HTML with one script and one stylesheet from ``/static`` (no CDN, no
web fonts), so it works with no internet access. The sparql blueprint calls
:func:`render_query_page` for a GET without a query from a browser.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, render_template, request, url_for

from ..formats import GRAPH_FORMATS, RESULT_FORMATS, Format
from ..i18n import t
from ..namespaces import PREFIXES
from ..services.description import list_examples
from .context import get_store, request_lang

# The PREFIX lines the query box starts with (the endpoint knows every project prefix
# anyway; these are the ones a first query needs).
STARTER_PREFIXES = ("sg", "sgm", "sgp", "sgw", "skos", "skosxl", "dcterms", "foaf", "bibo")

_SAMPLE = """SELECT ?method ?name ?year
WHERE {{
  ?method a sg:Method ;
          skos:prefLabel ?name ;
          sg:yearIntroduced ?year .
  FILTER(LANG(?name) = "{lang}")
}}
ORDER BY ?year
LIMIT 25
"""

# Content Security Policy: everything from this server, nothing from elsewhere.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# Interface strings the script needs, by the name it uses.
_SCRIPT_STRINGS = (
    "query.running",
    "query.rows",
    "query.boolean",
    "query.true",
    "query.false",
    "query.empty",
    "query.time",
    "query.truncated",
    "query.truncated.graph",
    "query.error",
    "query.error.position",
    "query.error.network",
    "query.graph",
    "query.download",
    "query.labels.failed",
    "query.too.long",
)


def _format(fmt: Format) -> dict[str, str]:
    return {
        "name": fmt.name,
        "label": fmt.label,
        "extension": fmt.extension,
        "mediaType": fmt.media_type,
    }


def sample_query(lang: str) -> str:
    """The query the box starts with: PREFIX lines and methods named in ``lang``."""
    head = "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in STARTER_PREFIXES)
    return head + "\n" + _SAMPLE.format(lang=lang)


def render_query_page() -> Response:
    """The HTML query page, in the language of the request (en, fa or tr)."""
    lang = request_lang()
    examples = list_examples(get_store(), lang)
    # The endpoint this page posts to is the route that served it (``/sparql``).
    endpoint = url_for(request.endpoint) if request.endpoint else request.path
    service = url_for(request.endpoint, format="ttl") if request.endpoint else endpoint
    data: dict[str, Any] = {
        "endpoint": endpoint,
        "lang": lang,
        "maxUrl": int(current_app.config.get("MAX_URL") or 8192),
        "prefixes": PREFIXES,
        "formats": {
            "results": [_format(f) for f in RESULT_FORMATS],
            "graph": [_format(f) for f in GRAPH_FORMATS],
        },
        "examples": {
            e.slug: {"query": e.query, "comment": e.comment, "kind": e.kind} for e in examples
        },
        "strings": {key.removeprefix("query."): t(key, lang) for key in _SCRIPT_STRINGS},
    }
    html = render_template(
        "query.html",
        lang=lang,
        endpoint=endpoint,
        examples=examples,
        sample=sample_query(lang),
        prefixes=list(PREFIXES),
        formats=(*RESULT_FORMATS, *GRAPH_FORMATS),
        data=data,
        links={
            "service": service,
            "void": url_for("wellknown.void"),
            "examples": url_for("wellknown.sparql_examples"),
        },
    )
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Content-Language"] = lang
    response.headers["Content-Security-Policy"] = CSP
    response.vary.update(("Accept", "Accept-Language"))
    return response
