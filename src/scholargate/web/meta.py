"""Meta routes under the reserved ``/-/`` prefix: health and version."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from .. import __version__
from .context import get_store

bp = Blueprint("meta", __name__, url_prefix="/-")


@bp.get("/health")
def health() -> ResponseReturnValue:
    store = get_store()
    return jsonify({"status": "ok", "version": __version__, "quads": store.count()})


@bp.get("/version")
def version() -> ResponseReturnValue:
    return jsonify({"version": __version__})
