"""Search: ``/search`` (a results page, or JSON) and ``/search/suggest`` (autocomplete).

Both read the one in-memory index of services/search/, built when the app starts. What
a request may ask (the text, ``limit``, ``type``) is checked by search's own rules
(services/search/checks.py); this module only translates their messages.
"""

from __future__ import annotations

import json
from urllib.parse import unquote_to_bytes

from flask import Blueprint, Response, render_template, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue

from ..errors import InputError
from ..formats import Format, by_name
from ..i18n import t
from ..namespaces import SEARCH_KINDS
from ..services.search import (
    MAX_LIMIT,
    MAX_QUERY,
    Results,
    check_options,
    check_query,
    control_character,
    fold,
    index_for,
)
from ..terms import shown
from .context import get_store, request_lang
from .negotiate import choose

bp = Blueprint("search", __name__)

FORMATS: tuple[Format, ...] = (by_name("html"), by_name("data-json"))
SUGGEST_LIMIT = 10
SUGGEST_MAX = 20
SUGGEST_MAX_AGE = 60  # seconds a browser or proxy may reuse a suggestion list


@bp.record_once
def _build_index(state: BlueprintSetupState) -> None:
    """Build the index when the app starts, not on the first keystroke of a user."""
    with state.app.app_context():
        index_for(get_store())


def _sent_as_utf8(name: str) -> bool:
    """Whether every value of the URL parameter ``name`` is valid UTF-8 once
    percent-decoded (Werkzeug keeps bad bytes as ``%FF`` text, which hides them)."""
    wanted = name.encode()
    for part in request.query_string.split(b"&"):
        key, _, value = part.partition(b"=")
        if unquote_to_bytes(key.replace(b"+", b" ")) != wanted:
            continue
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


def _text(lang: str, *, empty: bool = False) -> str:
    """``q`` as sent, checked by search's own rule (``check_query``: not too long, no
    control character, something to search for), or a 400 in the asker's language; also
    when it was not sent as UTF-8. ``empty``: a ``q`` with nothing to search for is the
    caller's to judge."""
    query = request.args.get("q", "")
    if ("%" in query or "\ufffd" in query) and not _sent_as_utf8("q"):
        raise InputError(t("search.error_encoding", lang), reason="encoding")
    try:
        check_query(query)
    except InputError as error:
        reason = error.details.get("reason")
        if reason == "empty" and empty:
            return query
        if reason == "too-long":
            message = t("search.error_long", lang, n=len(query), max=MAX_QUERY)
        elif reason == "control":
            message = t("search.error_control", lang, at=control_character(query))
        else:
            message = t("search.error_empty", lang)
        raise InputError(message, reason=reason) from None
    return query


def _options(default_limit: int, max_limit: int) -> tuple[str, int, list[str] | None]:
    """``q``, ``limit`` and ``type`` from the request, or a 400 in the asker's language."""
    lang = request_lang()
    query = _text(lang)
    raw_limit = request.args.get("limit", "").strip()
    try:
        limit = int(raw_limit) if raw_limit else default_limit
    except ValueError:
        limit = 0
    kinds = [k for value in request.args.getlist("type") for k in value.split(",") if k]
    try:
        check_options(limit, kinds or None, max_limit=max_limit)
    except InputError as error:
        if error.details.get("reason") == "limit":
            message = t("search.error_limit", lang, max=max_limit)
            raise InputError(message, reason="limit", limit=raw_limit) from None
        message = t(
            "search.error_type",
            lang,
            type=shown(error.details["type"], 40),
            types=", ".join(SEARCH_KINDS),
        )
        raise InputError(message, reason="type") from None
    return query, limit, kinds or None


def _search(query: str, lang: str, limit: int, kinds: list[str] | None) -> Results:
    return index_for(get_store()).search(query, lang=lang, limit=limit, kinds=kinds)


@bp.get("/search")
@bp.get("/search.<ext>")
def search(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(FORMATS, suffix=ext)
    lang = request_lang()
    raw = _text(lang, empty=True)
    if fmt.name == "html" and not fold(raw):
        # no text (the page a link opens: just the box), or only punctuation (the box
        # again, with the message and a 400)
        return _page(None, lang, [], query=raw, status=400 if raw.strip() else 200)
    query, limit, kinds = _options(20, MAX_LIMIT)
    results = _search(query, lang, limit, kinds)
    if fmt.name == "data-json":
        response = Response(
            json.dumps(results.to_json(), ensure_ascii=False), content_type=fmt.content_type
        )
    else:
        response = _page(results, lang, kinds or [])
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


@bp.get("/search/suggest")
def suggest() -> ResponseReturnValue:
    """A few names for a search box as someone types: a small JSON answer, cacheable."""
    lang = request_lang()
    query, limit, kinds = _options(SUGGEST_LIMIT, SUGGEST_MAX)
    results = _search(query, lang, limit, kinds)
    body = {
        "q": query,
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
            for hit in results.hits
        ],
    }
    response = Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        content_type=by_name("data-json").content_type,
    )
    response.headers["Cache-Control"] = f"public, max-age={SUGGEST_MAX_AGE}"
    response.headers["Vary"] = "Accept-Language"
    return response


def _page(
    results: Results | None,
    lang: str,
    kinds: list[str],
    *,
    query: str = "",
    status: int = 200,
) -> Response:
    query = results.query if results is not None else query
    json_args = {"q": query, "lang": lang, **({"type": ",".join(kinds)} if kinds else {})}
    html = render_template(
        "search.html",
        lang=lang,
        results=results,
        query=query,
        kinds=kinds,
        all_kinds=SEARCH_KINDS,
        kind_names={kind: t(f"search.kind.{kind}", lang) for kind in SEARCH_KINDS},
        json_args=json_args,
        max_query=MAX_QUERY,
        error=t("search.error_empty", lang) if status == 400 else None,
    )
    response = Response(html, status=status, content_type=by_name("html").content_type)
    response.headers["Vary"] = "Accept, Accept-Language"
    return response
