"""Search answers: ``/search`` (:class:`~scholargate.services.search.Results` as a page
or JSON, or the bare search box), and ``/search/suggest`` (:class:`Suggestions`, a
small JSON list for a search box).

Context a view gives: ``lang`` (the page language) and ``kinds`` (the ``type=`` values
the search was narrowed to) for the page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import render_template

from ..formats import Format
from ..i18n import t
from ..namespaces import SEARCH_KINDS
from ..services.search import MAX_QUERY, Results
from .registry import Rendered, renderer

SUGGEST_MAX_AGE = 60  # seconds a browser or proxy may reuse a suggestion list


@renderer(Results, "html", "data-json")  # html first: the default
def results(result: Results, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    if fmt.name == "data-json":
        body = json.dumps(result.to_json(), ensure_ascii=False)
    else:
        body = _page(result, context["lang"], context.get("kinds") or [], query=result.query)
    return Rendered(body, vary=("Accept", "Accept-Language"))


@dataclass(frozen=True)
class SearchBox:
    """The search page without results: no text yet (the page a link opens), or text
    with nothing to search for (``invalid``: shown with the message, a 400)."""

    query: str
    invalid: bool = False


@renderer(SearchBox, "html")
def search_box(result: SearchBox, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    body = _page(None, context["lang"], [], query=result.query, invalid=result.invalid)
    return Rendered(body, vary=("Accept", "Accept-Language"))


def _page(
    results: Results | None, lang: str, kinds: list[str], *, query: str, invalid: bool = False
) -> str:
    json_args = {"q": query, "lang": lang, **({"type": ",".join(kinds)} if kinds else {})}
    return render_template(
        "search.html",
        lang=lang,
        results=results,
        query=query,
        kinds=kinds,
        all_kinds=SEARCH_KINDS,
        kind_names={kind: t(f"search.kind.{kind}", lang) for kind in SEARCH_KINDS},
        json_args=json_args,
        max_query=MAX_QUERY,
        error=t("search.error_empty", lang) if invalid else None,
    )


@dataclass(frozen=True)
class Suggestions:
    """The names for a search box as someone types ``query``: its search's hits."""

    query: str
    results: Results


@renderer(Suggestions, "data-json")
def suggestions(result: Suggestions, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    """Compact JSON, cacheable for a minute; it varies on the language only."""
    body = {
        "q": result.query,
        "results": [
            {
                "label": hit.label,
                "lang": hit.lang,
                "type": hit.kind,
                "slug": hit.slug,
                "url": hit.path,
                **(
                    {"matched": hit.matched, "matched_lang": hit.matched_lang}
                    if hit.matched != hit.label and hit.property not in ("hiddenLabel", "slug")
                    else {}
                ),
            }
            for hit in result.results.hits
        ],
    }
    return Rendered(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        headers={"Cache-Control": f"public, max-age={SUGGEST_MAX_AGE}"},
        vary=("Accept-Language",),
    )
