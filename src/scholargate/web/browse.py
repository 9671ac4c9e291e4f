"""Browsing: ``/methods`` (facets, paging, the timeline) and ``/-/stats``, HTML or JSON.

The views parse and ask one service; ``render/listing.py`` and ``render/stats.py`` write
the pages and the JSON (``web/respond.py`` and the renderer registry between them).
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask.typing import ResponseReturnValue

from ..errors import InputError
from ..formats import Format
from ..render.registry import formats_for
from ..services.resources import FACETS, Filters, Listing, resources_for
from ..services.stats import Stats, stats
from ..terms import shown
from .context import get_store, request_lang
from .negotiate import choose
from .respond import respond

bp = Blueprint("browse", __name__)

FORMATS: tuple[Format, ...] = formats_for(Listing)  # html first: the default
STATS_FORMATS: tuple[Format, ...] = formats_for(Stats)
_EXT_RULE = "any(" + ", ".join(f.extension for f in FORMATS) + ")"
_STATS_EXT_RULE = "any(" + ", ".join(f.extension for f in STATS_FORMATS) + ")"


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


@bp.get("/methods")
@bp.get(f"/methods.<{_EXT_RULE}:ext>")
def methods(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(FORMATS, suffix=ext)
    lang = request_lang()
    asked = _int("page")
    page = 1 if asked is None else asked
    filters = _filters()
    listing = resources_for(get_store()).browse(filters, lang, page)
    return respond(listing, fmt, lang=lang, asked_lang=request.args.get("lang"))


@bp.get("/-/stats")
@bp.get(f"/-/stats.<{_STATS_EXT_RULE}:ext>")
def graph_stats(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(STATS_FORMATS, suffix=ext)
    lang = request_lang()
    store = get_store()
    counted = stats(store)
    # the page names classes and properties in its language; JSON gives IRIs only
    return respond(
        counted,
        fmt,
        lang=lang,
        property_label=lambda iri: resources_for(store).property_label(iri, lang),
    )
