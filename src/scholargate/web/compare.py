"""Comparison views: ``/compare`` (any methods) and ``/comparison/{id}`` (saved ones).

The views parse and ask the comparison service; render/comparison.py writes the page
(render/comparison_page.py), JSON, CSV and RDF (``web/respond.py`` and the renderer
registry between them).
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ..errors import NotFoundError
from ..formats import Format, by_name
from ..render.comparison import SavedComparison
from ..render.registry import formats_for
from ..services.compare import Comparison, comparer_for, distinct_names
from ..services.saved import comparison_iri
from ..terms import is_comparison_id
from .context import get_saved, get_store, request_lang
from .negotiate import choose, other_suffixes, suffix_rule
from .respond import respond

bp = Blueprint("compare", __name__)

FORMATS: tuple[Format, ...] = formats_for(Comparison)  # html first: the default
_EXT_RULE = suffix_rule(FORMATS)


def _methods_from_request() -> list[str]:
    """The names in ``m`` and ``add`` (query and form, repeatable, comma-separated),
    each once: at most ``MAX_METHODS`` of at most ``MAX_NAME`` characters (400 beyond)."""
    names = request.args.getlist("m") + request.form.getlist("m")
    names += request.args.getlist("add") + request.form.getlist("add")
    return distinct_names(names)


def _diff_only() -> bool:
    return request.args.get("diff") in ("1", "true", "on")


@bp.get("/compare")
@bp.get(f"/compare.<{_EXT_RULE}:ext>")
def compare(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(FORMATS, suffix=ext)
    lang = request_lang()
    comparer = comparer_for(get_store())
    table = comparer.compare(_methods_from_request(), lang)
    return respond(table, fmt, lang=lang, iri=None, diff_only=_diff_only(), source=request.url)


@bp.post("/compare/save")
def save() -> ResponseReturnValue:
    lang = request_lang()
    comparer = comparer_for(get_store())
    iris = comparer.resolve(_methods_from_request())
    cid, created = get_saved().save(
        iris, comparer.shapes_version, client=request.remote_addr or "unknown", lang=lang
    )
    location = url_for("compare.saved", cid=cid, lang=lang)
    if request.accept_mimetypes.best == "application/json":
        saved = SavedComparison(str(comparison_iri(cid)), location, created)
        return respond(saved, by_name("data-json"), status=201 if created else 200)
    return redirect(location, code=303)


@bp.get("/comparison/<cid>")
@bp.get(f"/comparison/<cid>.<{_EXT_RULE}:ext>")
def saved(cid: str, ext: str | None = None) -> ResponseReturnValue:
    if not is_comparison_id(cid):  # before anything else: the id reaches no query
        raise NotFoundError(
            "no such saved comparison: an id is twelve hexadecimal digits, e.g. "
            "/comparison/d551e14234bc; save one from a /compare page"
        )
    fmt = choose(FORMATS, suffix=ext)
    lang = request_lang()
    store = get_saved()
    record = store.load(cid)
    if record is None:
        raise NotFoundError(f"no saved comparison {cid!r}; save one from a /compare page")
    methods = store.methods_of(record, cid)
    table = comparer_for(get_store()).compare(methods, lang)
    iri = str(comparison_iri(cid))
    return respond(
        table,
        fmt,
        lang=lang,
        iri=iri,
        record=record,
        record_version=store.shapes_version_of(record, cid),
        diff_only=_diff_only(),
    )


other_suffixes(bp, "/compare.<ext>", compare)
other_suffixes(bp, "/comparison/<cid>.<ext>", saved)
