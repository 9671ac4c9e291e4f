"""Meta routes under the reserved ``/-/`` prefix: health and version."""

from __future__ import annotations

import os

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from .. import __version__
from .context import QUADS, get_store, journal_seq, store_kind

bp = Blueprint("meta", __name__, url_prefix="/-")


@bp.get("/health")
def health() -> ResponseReturnValue:
    """Cheap enough for a load balancer to call often: the quad count is taken once
    (counting a read-only on-disk store walks every quad). ``store`` says where this
    worker reads the graph: ``disk``, ``memory`` (built there, or a copy) or ``remote``
    (a SPARQL server); ``worker`` is the answering process's id, ``journal`` the last
    write it has applied."""
    store = get_store()
    counted = current_app.extensions.get(QUADS)
    if counted is None or counted[0] != store.generation:  # a write moved it on
        counted = current_app.extensions[QUADS] = (store.generation, store.count())
    quads = counted[1]
    return jsonify(
        {
            "status": "ok",
            "version": __version__,
            "quads": quads,
            "store": store_kind(store),
            "worker": os.getpid(),
            "journal": journal_seq(),
        }
    )


@bp.get("/version")
def version() -> ResponseReturnValue:
    return jsonify({"version": __version__})
