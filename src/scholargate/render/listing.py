"""One page of ``/methods`` (a :class:`~scholargate.services.resources.Listing`): the
HTML page with its facets, timeline and paging links, or the same as JSON.

Context a view gives: ``lang`` (the page language) and ``asked_lang`` (the ``?lang=``
the request named, or None): links keep the language only when one was named.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import render_template, url_for
from markupsafe import Markup

from ..formats import Format
from ..services.resources import FACETS, Filters, Listing
from .registry import Rendered, formats_for, renderer
from .svg import timeline_svg

FACETS_SHOWN = 12  # facet values listed before "n more"


@renderer(Listing, "html", "data-json")
def listing(result: Listing, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    lang: str = context["lang"]
    if fmt.name == "data-json":
        body = json.dumps(listing_json(result, lang), ensure_ascii=False)
    else:
        body = _page(result, lang, context.get("asked_lang"))
    return Rendered(body, vary=("Accept", "Accept-Language"))


def listing_json(listing: Listing, lang: str) -> dict[str, Any]:
    f = listing.filters
    return {
        "lang": lang,
        "total": listing.total,
        "page": listing.page,
        "pages": listing.pages,
        "page_size": listing.page_size,
        "filters": {
            **{name: list(getattr(f, name)) for name in FACETS},
            "from": f.year_from,
            "to": f.year_to,
            "sort": f.sort,
        },
        "items": [
            {
                "iri": i.iri,
                "slug": i.slug,
                "url": url_for("resources.page", kind="method", slug=i.slug),
                "label": i.label,
                "lang": i.lang,
                "year": i.year,
                "usage": i.usage,
            }
            for i in listing.items
        ],
        "facets": {
            name: [
                {
                    "iri": v.iri,
                    "slug": v.slug,
                    "label": v.label,
                    "lang": v.lang,
                    "count": v.count,
                    "selected": v.selected,
                }
                for v in values
            ]
            for name, values in listing.facets.items()
        },
        "years": [{"year": y, "count": n} for y, n in listing.years],
    }


def listing_args(
    filters: Filters, lang: str | None = None, asked_lang: str | None = None, **changes: Any
) -> dict[str, Any]:
    """Query arguments for /methods with these filters, changed by ``changes``; the
    page language ``lang`` only when the request named one (``asked_lang``)."""
    args: dict[str, Any] = {name: list(getattr(filters, name)) for name in FACETS}
    args.update({"from": filters.year_from, "to": filters.year_to})
    if filters.sort != "name":
        args["sort"] = filters.sort
    if lang and asked_lang is not None:
        args["lang"] = lang
    args.update(changes)
    return {k: v for k, v in args.items() if v not in (None, [], "")}


def _page(listing: Listing, lang: str, asked_lang: str | None) -> str:
    f = listing.filters

    def url(**changes: Any) -> str:
        return url_for("browse.methods", **listing_args(f, lang, asked_lang, **changes))

    def toggle(name: str, slug: str) -> str:
        chosen = list(getattr(f, name))
        chosen = [s for s in chosen if s != slug] if slug in chosen else [*chosen, slug]
        return url(**{name: chosen})

    def method_url(slug: str) -> str:
        kept = {"lang": asked_lang} if asked_lang is not None else {}
        return url_for("resources.page", kind="method", slug=slug, **kept)

    dated = sum(n for _, n in listing.years)
    svg = Markup(
        timeline_svg(
            listing.years,
            lang=lang,
            href=lambda year: url(**{"from": year, "to": year}),
            undated=listing.total - dated,
        )
    )
    formats = {
        fmt.label: url_for(
            "browse.methods",
            ext=fmt.extension,
            **listing_args(f, lang, asked_lang, page=listing.page),
        )
        for fmt in formats_for(Listing)
        if fmt.name != "html"
    }
    return render_template(
        "methods.html",
        lang=lang,
        listing=listing,
        filters=f,
        url=url,
        toggle=toggle,
        timeline=svg,
        formats=formats,
        facets_shown=FACETS_SHOWN,
        method_url=method_url,
    )
