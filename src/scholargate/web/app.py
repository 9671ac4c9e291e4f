"""``create_app``: the Flask application, built from settings, with one blueprint per family."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, request, url_for

from ..config import load_config
from ..i18n import NAMES, direction, t
from . import (
    browse,
    changes,
    compare,
    context,
    curators,
    editing,
    errors,
    export,
    graph_store,
    limits,
    meta,
    public,
    releases,
    resources,
    search,
    sparql,
    wellknown,
)


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ``SCHOLARGATE_*`` environment, then ``config``."""
    app = Flask("scholargate", template_folder="templates", static_folder="static")
    app.config.update(load_config(config))
    app.json.ensure_ascii = False  # Persian and Turkish stay readable in JSON
    app.jinja_env.globals.update(t=t, direction=direction, language_names=NAMES)
    app.jinja_env.globals["lang_url"] = lang_url
    public.init_app(app)  # first: the Host check runs before every other hook
    limits.init_app(app)  # every route: a cap on the parameters a request carries
    context.init_app(app)
    errors.init_app(app)
    curators.init_app(app)  # the sign-in cookie, CSRF on the curators' forms
    app.register_blueprint(meta.bp)
    app.register_blueprint(compare.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(browse.bp)
    app.register_blueprint(wellknown.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(sparql.bp)
    app.register_blueprint(search.bp)
    app.register_blueprint(graph_store.bp)
    app.register_blueprint(releases.bp)
    app.register_blueprint(editing.bp)
    app.register_blueprint(changes.bp)
    return app


def lang_url(code: str) -> str:
    """This page's URL with ``lang`` set to ``code`` and every other parameter kept."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    return url_for(request.endpoint or "meta.health", **(request.view_args or {}), **args)
