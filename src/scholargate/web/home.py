"""The home page: ``/`` (HTML in en, fa or tr, or JSON for ``Accept: application/json``)
and ``/.json``. The view asks ``services/home.py``; ``render/home.py`` writes the page."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from ..formats import Format
from ..render.registry import formats_for
from ..services.home import Overview, overview
from .context import get_store, request_lang
from .negotiate import choose, suffix_rule
from .respond import respond

bp = Blueprint("home", __name__)

FORMATS: tuple[Format, ...] = formats_for(Overview)  # html first: the default


@bp.get("/")
@bp.get(f"/.<{suffix_rule(FORMATS)}:ext>")
def index(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(FORMATS, suffix=ext)
    lang = request_lang()
    return respond(overview(get_store(), lang), fmt, lang=lang)
