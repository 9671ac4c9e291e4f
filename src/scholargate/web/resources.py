"""Linked Data pages: ``/{kind}/{slug}`` as HTML for people and as RDF for programs.

``https://w3id.org/scholargate/method/lora`` is served at ``/method/lora`` on whatever
host runs this app. A suffix (``/method/lora.ttl``) or ``Accept`` picks Turtle, JSON-LD,
N-Triples, RDF/XML or HTML; nothing acceptable is a 406, an unknown slug a 404 with
near matches (JSON, whatever ``Accept`` asks for: the 404 wins over a 406).

The view parses and asks the resource service; the page is written by
``render/resource_page.py``, the RDF document by ``render/documents.py``
(``web/respond.py`` and the renderer registry between them).
"""

from __future__ import annotations

from flask import Blueprint, Response, has_request_context, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

from ..errors import NotAcceptableError, NotFoundError
from ..formats import Format, by_name
from ..namespaces import PAGE_KINDS
from ..render.documents import Document
from ..render.registry import formats_for
from ..render.resource_page import Missing
from ..services.resources import Description, resources_for
from ..terms import is_slug, malformed_slug
from .context import get_store, request_lang
from .errors import error_response
from .negotiate import choose, wants_html
from .respond import respond

bp = Blueprint("resources", __name__)

FORMATS: tuple[Format, ...] = formats_for(Description, Document)  # html first: the default
RDF_FORMATS = formats_for(Document)
_KIND_RULE = "any(" + ", ".join(PAGE_KINDS) + ")"
_EXT_RULE = "any(" + ", ".join(f.extension for f in FORMATS) + ")"


class MalformedSlug(NotFound):
    """``/{kind}/{slug}`` with a slug that cannot name anything (``x>``, ``a"}{``,
    ``lo%00ra``, ``LoRA``): a 404 raised while the URL is matched, so no view runs and
    nothing is looked up for it. The message is the resource service's."""

    def __init__(self, slug: str) -> None:
        kind = request.path.split("/", 2)[1] if has_request_context() else ""
        error = malformed_slug(kind if kind in PAGE_KINDS else "resource", slug)
        super().__init__(error.message)


class SlugConverter(BaseConverter):
    """A resource slug: no slash and no dot, so ``lora.ttl`` is a slug and a suffix. The
    text between them must be a slug (``terms.SLUG``); anything else is a
    :class:`MalformedSlug` 404 before the view is called."""

    regex = r"[^/.]+"

    def to_python(self, value: str) -> str:
        if not is_slug(value):
            raise MalformedSlug(value)
        return value


@bp.record_once
def _register_converter(state) -> None:  # noqa: ANN001 - flask's BlueprintSetupState
    state.app.url_map.converters.setdefault("resource_slug", SlugConverter)


@bp.get(f"/<{_KIND_RULE}:kind>/<resource_slug:slug>")
@bp.get(f"/<{_KIND_RULE}:kind>/<resource_slug:slug>.<{_EXT_RULE}:ext>")
def page(kind: str, slug: str, ext: str | None = None) -> ResponseReturnValue:
    store = get_store()
    service = resources_for(store)
    try:
        fmt = choose(FORMATS, suffix=ext)
    except NotAcceptableError:
        service.ensure_exists(kind, slug)  # a missing resource is a 404, whatever Accept asks
        raise
    if fmt in RDF_FORMATS:  # the RDF document: what the store holds, in every language
        return respond(Document(store, service.document_query(kind, slug)), fmt)
    lang = request_lang()
    described = service.describe(kind, slug, lang)
    return respond(described, fmt, lang=lang, asked_lang=request.args.get("lang"))


@bp.errorhandler(NotFoundError)
def not_found(error: NotFoundError) -> Response:
    """The one error shape; browsers also get the near matches as links."""
    suggestions = error.details.get("suggestions") or []
    kind = error.details.get("kind")
    if not (wants_html() and suggestions and kind in PAGE_KINDS):
        return error_response(error.status, error.kind, error.message, error.details or None)
    return respond(
        Missing(error),
        by_name("html"),
        status=error.status,
        lang=request_lang(),
        asked_lang=request.args.get("lang"),
    )
