"""The home page (``/``, a :class:`~scholargate.services.home.Overview`): what ScholarGate
is, a search box, ready comparisons, the graph's size by kind and language, the
timeline of methods per year and the doors to the rest; or the same counts and links
as JSON.

Context a view gives: ``lang`` (the page language).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from flask import render_template, url_for
from markupsafe import Markup

from ..formats import Format
from ..i18n import t
from ..services.home import Overview, ReadyMethod
from .registry import Rendered, renderer
from .svg import timeline_svg


def compare_link(methods: list[ReadyMethod], lang: str) -> str:
    return url_for("compare.compare", m=",".join(m.slug for m in methods), lang=lang)


def doors(lang: str) -> dict[str, str]:
    """Where the home page leads: name → URL (the JSON's ``links``, the page's doors)."""
    return {
        "methods": url_for("browse.methods", lang=lang),
        "search": url_for("search.search", lang=lang),
        "compare": url_for("home.index", lang=lang, _anchor="compare"),
        "sparql": url_for("sparql.endpoint", lang=lang),
        "dataset": url_for("export.index", lang=lang),
        "ontology": url_for("export.ontology", lang=lang),
        "stats": url_for("browse.graph_stats", lang=lang),
        "releases": url_for("releases.index", lang=lang),
    }


@renderer(Overview, "html", "data-json")
def home(result: Overview, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    lang: str = context["lang"]
    if fmt.name == "data-json":
        body = json.dumps(home_json(result, lang), ensure_ascii=False)
    else:
        body = _page(result, lang)
    return Rendered(body, vary=("Accept", "Accept-Language"))


def home_json(o: Overview, lang: str) -> dict[str, Any]:
    return {
        "lang": lang,
        "name": t("site.name", lang),
        "about": [t("home.lead", lang), t("home.lead2", lang)],
        "kinds": dict(o.kinds),
        "languages": [asdict(c) for c in o.languages],
        "years": [{"year": y, "count": n} for y, n in o.years],
        "undated": o.undated,
        "comparisons": [
            {"methods": [asdict(m) for m in group], "url": compare_link(group, lang)}
            for group in o.ready
        ],
        "links": doors(lang),
    }


def _page(o: Overview, lang: str) -> str:
    svg = Markup(
        timeline_svg(
            o.years,
            lang=lang,
            href=lambda year: url_for("browse.methods", lang=lang, **{"from": year, "to": year}),
            undated=o.undated,
        )
    )
    return render_template(
        "home.html",
        lang=lang,
        o=o,
        timeline=svg,
        links=doors(lang),
        compare_link=compare_link,
    )
