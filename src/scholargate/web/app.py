"""``create_app``: the Flask application, built from settings, with one blueprint per family."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from flask import Flask, request, url_for
from jinja2 import pass_context
from jinja2.runtime import Context

from ..config import load_config
from ..i18n import NAMES, direction, number, t
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
    home,
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
    app.jinja_env.globals.update(lang_url=lang_url, menu=menu, num=num)
    public.init_app(app)  # first: the Host check runs before every other hook
    limits.init_app(app)  # every route: a cap on the parameters a request carries
    context.init_app(app)
    errors.init_app(app)
    curators.init_app(app)  # the sign-in cookie, CSRF on the curators' forms
    app.register_blueprint(home.bp)
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
    """This page's URL with ``lang`` set to ``code`` and every other parameter kept (an
    error page for an address no route knows: that address again)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    if request.endpoint is None:
        return request.path + "?" + urlencode(args, doseq=True)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


# The header's menu, the same on every page: (interface string under nav., endpoint,
# URL arguments, the endpoints under it that mark it as the current page).
MENU: tuple[tuple[str, str, dict[str, str], tuple[str, ...]], ...] = (
    ("methods", "browse.methods", {}, ("browse.methods", "resources.")),
    ("search", "search.search", {}, ("search.",)),
    ("compare", "home.index", {"_anchor": "compare"}, ("compare.",)),
    ("sparql", "sparql.endpoint", {}, ("sparql.",)),
    ("dataset", "export.index", {}, ("export.index", "export.dump", "releases.", "browse.graph")),
    ("ontology", "export.ontology", {}, ("export.ontology",)),
)


def menu(lang: str) -> list[tuple[str, str, bool]]:
    """The header's links in ``lang``: (string key, URL, whether this page is under it)."""
    here = request.endpoint or ""
    return [
        (key, url_for(endpoint, lang=lang, **args), here.startswith(under))
        for key, endpoint, args, under in MENU
    ]


@pass_context
def num(context: Context, value: int, grouped: bool = True) -> str:
    """A number as the page's language writes it (Persian digits and separators in fa)."""
    return number(value, context.get("lang") or "en", grouped=grouped)
