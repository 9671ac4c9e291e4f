"""The HTML page of a comparison (``/compare``, ``/comparison/{id}``): the table with its
≠ marks, the links that add, remove and reorder methods, the downloads and the query.

Context a view gives (through render/comparison.py's renderer): ``lang`` (the page
language), ``iri`` (a saved comparison's IRI, or None), ``record_version`` (the shapes
version it was saved under, or "") and ``diff_only`` (show only the rows that differ).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

from flask import render_template, url_for

from ..services.compare import MAX_METHODS, Comparison
from ..services.compare.model import Column
from .registry import formats_for


def page(table: Comparison, context: Mapping[str, Any]) -> str:
    lang: str = context["lang"]
    iri: str | None = context.get("iri")
    record_version: str = context.get("record_version") or ""
    diff_only: bool = bool(context.get("diff_only"))
    slugs = [c.slug for c in table.columns]

    def compare_url(methods: list[str], **extra: str) -> str:
        args = {"m": ",".join(methods), "lang": lang, **extra}
        if diff_only and "diff" not in extra:
            args["diff"] = "1"
        return url_for("compare.compare", **{k: v for k, v in args.items() if v})

    formats = {
        f.label: url_for("compare.compare", ext=f.extension, m=",".join(slugs), lang=lang)
        for f in formats_for(Comparison)
        if f.name != "html"
    }
    sparql_url = query_page_url(table.sparql, lang)
    return render_template(
        "compare.html",
        lang=lang,
        table=table,
        slugs=slugs,
        iri=iri,
        diff_only=diff_only,
        compare_url=compare_url,
        formats=formats,
        sparql_url=sparql_url,
        max_methods=MAX_METHODS,
        stale=bool(record_version and record_version != table.shapes_version),
        related_url=related_url_for(lang),
    )


def query_page_url(query: str, lang: str) -> str:
    """The query page with ``query`` in its box, run on opening (``#query=…&run=1``, read
    by static/query.js): a page a browser shows, where ``/sparql?query=…`` is an answer
    the browser would download."""
    fragment = urlencode({"query": query, "run": "1"}, quote_via=quote)
    return url_for("sparql.endpoint", lang=lang) + "#" + fragment


def related_url_for(lang: str) -> Callable[[Column], str]:
    """``column`` → its method page's list of related methods (the ``skos:related`` row,
    ``#skos-related``), in ``lang``."""

    def related_url(column: Column) -> str:
        return url_for(
            "resources.page", kind="method", slug=column.slug, lang=lang, _anchor="skos-related"
        )

    return related_url
