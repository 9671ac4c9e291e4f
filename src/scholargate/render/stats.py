"""The counts of ``/-/stats`` (:class:`~scholargate.services.stats.Stats`): an HTML page
with classes and label properties named in the page language, or JSON.

Context a view gives: ``lang`` (the page language) and, for HTML, ``property_label``:
IRI → ``(label, its language)`` of a class or property (``Resources.property_label``),
called only for the IRIs the page shows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import Any

from flask import render_template, url_for

from ..formats import Format
from ..services.stats import Stats
from .registry import Rendered, formats_for, renderer


@renderer(Stats, "html", "data-json")
def stats(result: Stats, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    if fmt.name == "data-json":
        body = json.dumps(stats_json(result), ensure_ascii=False)
    else:
        body = _page(result, context["lang"], context["property_label"])
    return Rendered(body, vary=("Accept", "Accept-Language"))


def stats_json(counted: Stats) -> dict[str, Any]:
    """The counts of :func:`services.stats.stats` as JSON objects."""
    raw = asdict(counted)
    return {
        "quads": raw["quads"],
        "classes": [{"class": c, "count": n} for c, n in raw["classes"]],
        "graphs": [{"graph": g, "count": n} for g, n in raw["graphs"]],
        "languages": [{"lang": lang, "property": p, "count": n} for lang, p, n in raw["languages"]],
    }


def _page(counted: Stats, lang: str, property_label: Callable[[str], tuple[str, str]]) -> str:
    labels = {
        iri: property_label(iri)
        for iri in {c for c, _ in counted.classes} | {p for _, p, _ in counted.languages}
    }
    formats = {
        fmt.label: url_for("browse.graph_stats", ext=fmt.extension)
        for fmt in formats_for(Stats)
        if fmt.name != "html"
    }
    return render_template("stats.html", lang=lang, stats=counted, labels=labels, formats=formats)
