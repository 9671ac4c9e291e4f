"""Browsing: ``/methods`` (facets, paging, the timeline) and ``/-/stats``, HTML or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from ..errors import InputError
from ..formats import Format, by_name
from ..render.svg import timeline_svg
from ..services.resources import FACETS, Filters, Listing, resources_for
from ..services.stats import Stats, stats
from ..terms import shown
from .context import get_store, request_lang
from .negotiate import choose

bp = Blueprint("browse", __name__)

FORMATS: tuple[Format, ...] = (by_name("html"), by_name("data-json"))
_EXT_RULE = "any(" + ", ".join(f.extension for f in FORMATS) + ")"
FACETS_SHOWN = 12  # facet values listed before "n more"


def _int(name: str) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        if len(raw) > 10:  # years and pages are short; the message need not echo more
            raise ValueError
        return int(raw)  # Persian and Arabic digits too
    except ValueError:
        message = f"{name}={shown(raw, 20)!r} is not a whole number of at most 9 digits"
        raise InputError(message) from None


def _facet_values(name: str) -> tuple[str, ...]:
    """The distinct values of facet ``name``, in the order given: at most
    ``MAX_FACET_VALUES`` (each one narrows the listing; more is a 400)."""
    values = tuple(dict.fromkeys(request.args.getlist(name)))
    limit = int(current_app.config.get("MAX_FACET_VALUES") or 0)
    if limit and len(values) > limit:
        raise InputError(
            f"{len(values)} values of {name}=; a listing narrows by at most {limit} "
            "values of one facet",
            limit=limit,
        )
    return values


def _filters() -> Filters:
    values = {name: _facet_values(name) for name in FACETS}
    return Filters(
        **values,
        year_from=_int("from"),
        year_to=_int("to"),
        sort=request.args.get("sort", "name") or "name",
    )


def _args(filters: Filters, lang: str | None = None, **changes: Any) -> dict[str, Any]:
    """Query arguments for /methods with these filters, changed by ``changes``."""
    args: dict[str, Any] = {name: list(getattr(filters, name)) for name in FACETS}
    args.update({"from": filters.year_from, "to": filters.year_to})
    if filters.sort != "name":
        args["sort"] = filters.sort
    if lang and "lang" in request.args:
        args["lang"] = lang
    args.update(changes)
    return {k: v for k, v in args.items() if v not in (None, [], "")}


@bp.get("/methods")
@bp.get(f"/methods.<{_EXT_RULE}:ext>")
def methods(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(FORMATS, suffix=ext)
    lang = request_lang()
    asked = _int("page")
    page = 1 if asked is None else asked
    filters = _filters()
    listing = resources_for(get_store()).browse(filters, lang, page)
    if fmt.name == "data-json":
        response = Response(
            json.dumps(listing_json(listing, lang), ensure_ascii=False),
            content_type=fmt.content_type,
        )
    else:
        response = Response(_page(listing, lang), content_type=fmt.content_type)
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


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


def _page(listing: Listing, lang: str) -> str:
    f = listing.filters

    def url(**changes: Any) -> str:
        return url_for("browse.methods", **_args(f, lang, **changes))

    def toggle(name: str, slug: str) -> str:
        chosen = list(getattr(f, name))
        chosen = [s for s in chosen if s != slug] if slug in chosen else [*chosen, slug]
        return url(**{name: chosen})

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
        fmt.label: url_for("browse.methods", ext=fmt.extension, **_args(f, lang, page=listing.page))
        for fmt in FORMATS
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
        method_url=_method_url,
    )


def _method_url(slug: str) -> str:
    kept = {"lang": request.args["lang"]} if "lang" in request.args else {}
    return url_for("resources.page", kind="method", slug=slug, **kept)


@bp.get("/-/stats")
@bp.get(f"/-/stats.<{_EXT_RULE}:ext>")
def graph_stats(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(FORMATS, suffix=ext)
    lang = request_lang()
    counted = stats(get_store())
    if fmt.name == "data-json":
        response = Response(
            json.dumps(stats_json(counted), ensure_ascii=False), content_type=fmt.content_type
        )
    else:
        service = resources_for(get_store())
        labels = {
            iri: service.property_label(iri, lang)
            for iri in {c for c, _ in counted.classes} | {p for _, p, _ in counted.languages}
        }
        formats = {
            fmt.label: url_for("browse.graph_stats", ext=fmt.extension)
            for fmt in FORMATS
            if fmt.name != "html"
        }
        html = render_template(
            "stats.html", lang=lang, stats=counted, labels=labels, formats=formats
        )
        response = Response(html, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


def stats_json(counted: Stats) -> dict[str, Any]:
    """The counts of :func:`services.stats.stats` as JSON objects."""
    raw = asdict(counted)
    return {
        "quads": raw["quads"],
        "classes": [{"class": c, "count": n} for c, n in raw["classes"]],
        "graphs": [{"graph": g, "count": n} for g, n in raw["graphs"]],
        "languages": [{"lang": lang, "property": p, "count": n} for lang, p, n in raw["languages"]],
    }
