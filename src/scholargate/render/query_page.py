"""The query page a browser gets at ``GET /sparql`` (:class:`QueryPage`): write a query
or pick an example, run it, see the answer as a table with labels next to IRIs,
download it in any format.

The page is plain HTML with one script and one stylesheet from ``/static`` (no CDN, no
web fonts), so it works with no internet access; a Content-Security-Policy keeps it so.

Context a view gives: ``lang`` (the page language), ``endpoint`` (the URL the page
posts queries to), ``service`` (the URL of the Service Description) and ``max_url``
(the longest URL the server takes: longer queries are POSTed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import render_template, url_for

from ..formats import GRAPH_FORMATS, RESULT_FORMATS, Format
from ..i18n import t
from ..namespaces import PREFIXES
from ..services.description import Example
from .registry import Rendered, renderer

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
SCRIPT_STRINGS = (
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


@dataclass(frozen=True)
class QueryPage:
    """The query page: the example queries labelled in the page language
    (``services.description.list_examples``)."""

    examples: list[Example]


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


@renderer(QueryPage, "html")
def query_page(result: QueryPage, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    """The HTML page in ``lang`` (en, fa or tr), with ``Content-Language`` and the CSP."""
    lang: str = context["lang"]
    endpoint: str = context["endpoint"]
    examples = result.examples
    data: dict[str, Any] = {
        "endpoint": endpoint,
        "lang": lang,
        "maxUrl": context["max_url"],
        "prefixes": PREFIXES,
        "formats": {
            "results": [_format(f) for f in RESULT_FORMATS],
            "graph": [_format(f) for f in GRAPH_FORMATS],
        },
        "examples": {
            e.slug: {"query": e.query, "comment": e.comment, "kind": e.kind} for e in examples
        },
        "strings": {key.removeprefix("query."): t(key, lang) for key in SCRIPT_STRINGS},
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
            "service": context["service"],
            # Turtle named in the URL: a browser's Accept would get a 406 from these
            "void": url_for("wellknown.void", format="ttl"),
            "examples": url_for("wellknown.sparql_examples", format="ttl"),
        },
    )
    return Rendered(
        html,
        headers={"Content-Language": lang, "Content-Security-Policy": CSP},
        vary=("Accept", "Accept-Language"),
    )
