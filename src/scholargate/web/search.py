"""Search: ``/search`` (a results page, or JSON) and ``/search/suggest`` (autocomplete).

Both read the one in-memory index of services/search/, built when the app starts. What
a request may ask (the text, ``limit``, ``type``) is checked by search's own rules
(services/search/checks.py); this module only translates their messages. The answers
are written by render/search.py (``web/respond.py`` and the renderer registry between
them).
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from flask import Blueprint, request
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue

from ..errors import InputError
from ..formats import Format, by_name
from ..i18n import t
from ..namespaces import SEARCH_KINDS
from ..render.registry import formats_for
from ..render.search import SearchBox, Suggestions
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
from .negotiate import choose, other_suffixes, suffix_rule
from .respond import respond

bp = Blueprint("search", __name__)

FORMATS: tuple[Format, ...] = formats_for(Results)  # html first: the default
_EXT_RULE = suffix_rule(FORMATS)
SUGGEST_LIMIT = 10
SUGGEST_MAX = 20


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
@bp.get(f"/search.<{_EXT_RULE}:ext>")
def search(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(FORMATS, suffix=ext)
    lang = request_lang()
    raw = _text(lang, empty=True)
    if fmt.name == "html" and not fold(raw):
        # no text (the page a link opens: just the box), or only punctuation (the box
        # again, with the message and a 400)
        invalid = bool(raw.strip())
        return respond(SearchBox(raw, invalid), fmt, status=400 if invalid else 200, lang=lang)
    query, limit, kinds = _options(20, MAX_LIMIT)
    results = _search(query, lang, limit, kinds)
    return respond(results, fmt, lang=lang, kinds=kinds or [])


other_suffixes(bp, "/search.<ext>", search)


@bp.get("/search/suggest")
def suggest() -> ResponseReturnValue:
    """A few names for a search box as someone types: a small JSON answer, cacheable."""
    lang = request_lang()
    query, limit, kinds = _options(SUGGEST_LIMIT, SUGGEST_MAX)
    results = _search(query, lang, limit, kinds)
    return respond(Suggestions(query, results), by_name("data-json"))
