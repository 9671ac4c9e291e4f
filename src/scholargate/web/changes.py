"""What changed: ``/changes`` (and its Atom feed) and each resource's history page.

Both read the change journal through one :class:`ChangeLog` per app (the newest entries,
read as the journal grows). A change is shown as who, when, what, and its statements
removed and added with labels; a resource's history shows only the statements about it.
A signed-in curator gets a revert button per change (a POST to
``/-/changes/<seq>/revert`` in ``web/editing.py``, CSRF-checked, itself a guarded write).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for
from rdflib import URIRef

from ..errors import InputError
from ..formats import by_name
from ..i18n import t
from ..namespaces import BASE, PAGE_KINDS
from ..render.curating import ChangesFeed, ChangesPage
from ..services.editing.changes import ChangeLog, quads_about
from ..services.editing.statements import labels_of, show_deltas
from ..services.resources.service import resources_for
from ..terms import check_slug
from .context import get_store, get_writer, request_lang
from .curators import current_curator
from .respond import respond

bp = Blueprint("changes", __name__)

_EXTENSION = "scholargate.changes"
PAGE_SIZE = 50
SHOWN_PER_CHANGE = 40  # statements per side of one change on a listing
_KIND_RULE = "any(" + ", ".join(PAGE_KINDS) + ")"


def change_log() -> ChangeLog:
    log = current_app.extensions.get(_EXTENSION)
    journal = get_writer().journal
    if log is None or log.journal is not journal:
        log = current_app.extensions[_EXTENSION] = ChangeLog(journal)
    return log


def _before() -> int | None:
    raw = request.args.get("before", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 12:
        raise InputError(t("changes.bad_before", request_lang()), before=raw[:40])
    return int(raw)


@bp.get("/changes")
def changes() -> Response:
    lang = request_lang()
    before = _before()
    entries = change_log().recent(PAGE_SIZE, before=before)
    store = get_store()
    pairs = [(e.delta.removed, e.delta.added) for e in entries]
    shown = list(zip(entries, show_deltas(store, pairs, lang, most=SHOWN_PER_CHANGE), strict=True))
    older = entries[-1].seq if len(entries) == PAGE_SIZE else None
    here = request.full_path.rstrip("?")
    page = ChangesPage(t("changes.title", lang), shown, older, None, current_curator(), here)
    return respond(page, by_name("html"), lang=lang)


@bp.get("/changes.atom")
def feed() -> Response:
    lang = request_lang()
    entries = change_log().recent(PAGE_SIZE)
    feed = ChangesFeed(
        entries,
        t("changes.feed_title", lang),
        url_for("changes.feed", _external=True),
        url_for("changes.changes", _external=True),
    )
    return respond(feed, by_name("atom"), lang=lang)


@bp.get(f"/<{_KIND_RULE}:kind>/<slug>/history")
def history(kind: str, slug: str) -> Response:
    check_slug(kind, slug)
    lang = request_lang()
    store = get_store()
    iri = URIRef(f"{BASE}{kind}/{slug}")
    entries = change_log().about(iri, PAGE_SIZE)
    if not entries:
        resources_for(store).describe(kind, slug, lang)  # a 404 when it never existed
    quads = [q for e in entries for q in (*e.delta.removed, *e.delta.added) if q[0] == iri]
    label = labels_of(store, [iri], lang, also=quads).get(iri)
    pairs = [quads_about(e.delta, iri) for e in entries]
    shown = list(zip(entries, show_deltas(store, pairs, lang, most=SHOWN_PER_CHANGE), strict=True))
    title = t("changes.history_title", lang, name=str(label) if label is not None else slug)
    here = request.full_path.rstrip("?")
    page = ChangesPage(title, shown, None, (kind, slug), current_curator(), here)
    return respond(page, by_name("html"), lang=lang)
