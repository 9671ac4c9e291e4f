"""The HTML page of a comparison (``/compare``, ``/comparison/{id}``): the table with its
≠ marks, the links that add, remove and reorder methods, the downloads and the query.

Context a view gives (through render/comparison.py's renderer): ``lang`` (the page
language), ``iri`` (a saved comparison's IRI, or None), ``record_version`` (the shapes
version it was saved under, or "") and ``diff_only`` (show only the rows that differ).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import render_template, url_for

from ..services.compare import MAX_METHODS, Comparison
from ..terms import iri as iri_term
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
    sparql_url = "/sparql?" + urlencode({"query": table.sparql})
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
        related_url=related_url,
    )


def related_url(method_iri: str) -> str:
    """A /sparql link listing the methods related to ``method_iri``."""
    query = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?related ?label WHERE {\n"
        f"  {iri_term(method_iri)} skos:related ?related .\n"
        '  OPTIONAL { ?related skos:prefLabel ?label FILTER(LANG(?label) = "en") }\n'
        "} ORDER BY ?label"
    )
    return "/sparql?" + urlencode({"query": query})
