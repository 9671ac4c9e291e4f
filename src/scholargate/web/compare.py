"""Comparison views: ``/compare`` (any methods) and ``/comparison/{id}`` (saved ones)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..errors import NotFoundError
from ..formats import Format, by_name
from ..render import comparison as render
from ..services.compare import MAX_METHODS, Comparison, comparer_for, distinct_names
from ..services.saved import comparison_iri
from ..terms import iri as iri_term
from ..terms import is_comparison_id
from .context import get_saved, get_store, request_lang
from .negotiate import choose

bp = Blueprint("compare", __name__)

FORMATS: tuple[Format, ...] = tuple(
    by_name(n) for n in ("html", "data-json", "csv", "ttl", "jsonld", "nt", "rdf")
)


def _methods_from_request() -> list[str]:
    """The names in ``m`` and ``add`` (query and form, repeatable, comma-separated),
    each once: at most ``MAX_METHODS`` of at most ``MAX_NAME`` characters (400 beyond)."""
    names = request.args.getlist("m") + request.form.getlist("m")
    names += request.args.getlist("add") + request.form.getlist("add")
    return distinct_names(names)


@bp.get("/compare")
@bp.get("/compare.<ext>")
def compare(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(FORMATS, suffix=ext)
    lang = request_lang()
    comparer = comparer_for(get_store())
    table = comparer.compare(_methods_from_request(), lang)
    return _respond(table, fmt, lang, iri=None)


@bp.post("/compare/save")
def save() -> ResponseReturnValue:
    lang = request_lang()
    comparer = comparer_for(get_store())
    iris = comparer.resolve(_methods_from_request())
    cid, created = get_saved().save(
        iris, comparer.shapes_version, client=request.remote_addr or "unknown"
    )
    location = url_for("compare.saved", cid=cid, lang=lang)
    if request.accept_mimetypes.best == "application/json":
        body = {"comparison": str(comparison_iri(cid)), "url": location, "created": created}
        return Response(
            json.dumps(body),
            status=201 if created else 200,
            mimetype="application/json",
            headers={"Location": location},
        )
    return redirect(location, code=303)


@bp.get("/comparison/<cid>")
@bp.get("/comparison/<cid>.<ext>")
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
    if fmt.kind in ("graph", "dataset"):
        graph = render.to_graph(table, iri=iri)
        graph += record
        return _rdf(graph, fmt)
    return _respond(table, fmt, lang, iri=iri, record_version=store.shapes_version_of(record, cid))


def _rdf(graph, fmt: Format) -> Response:  # noqa: ANN001
    body = graph.serialize(format=fmt.rdflib, encoding="utf-8")
    response = Response(body, content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


def _respond(
    table: Comparison, fmt: Format, lang: str, *, iri: str | None, record_version: str = ""
) -> Response:
    if fmt.name == "data-json":
        response = Response(
            json.dumps(render.to_json(table, iri=iri), ensure_ascii=False),
            content_type=fmt.content_type,
        )
    elif fmt.name == "csv":
        response = Response(render.to_csv(table), content_type=fmt.content_type)
        response.headers["Content-Disposition"] = 'inline; filename="comparison.csv"'
    elif fmt.kind == "graph":
        return _rdf(render.to_graph(table, iri=iri, source=request.url), fmt)
    else:
        response = Response(_page(table, lang, iri, record_version), content_type=fmt.content_type)
    response.headers["Vary"] = "Accept, Accept-Language"
    return response


def _page(table: Comparison, lang: str, iri: str | None, record_version: str) -> str:
    slugs = [c.slug for c in table.columns]
    diff_only = request.args.get("diff") in ("1", "true", "on")

    def compare_url(methods: list[str], **extra: str) -> str:
        args = {"m": ",".join(methods), "lang": lang, **extra}
        if diff_only and "diff" not in extra:
            args["diff"] = "1"
        return url_for("compare.compare", **{k: v for k, v in args.items() if v})

    formats = {
        f.label: url_for("compare.compare", ext=f.extension, m=",".join(slugs), lang=lang)
        for f in FORMATS
        if f.name != "html"
    }
    sparql_url = "/sparql?" + urlencode({"query": table.sparql})
    return render_template(
        "compare.html",
        lang=lang,
        table=table,
        slugs=slugs,
        iri=iri,
        diff_only=diff_only,
        compare_url=compare_url,
        formats=formats,
        sparql_url=sparql_url,
        max_methods=MAX_METHODS,
        stale=bool(record_version and record_version != table.shapes_version),
        related_url=_related_url,
    )


def _related_url(method_iri: str) -> str:
    query = (
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?related ?label WHERE {\n"
        f"  {iri_term(method_iri)} skos:related ?related .\n"
        '  OPTIONAL { ?related skos:prefLabel ?label FILTER(LANG(?label) = "en") }\n'
        "} ORDER BY ?label"
    )
    return "/sparql?" + urlencode({"query": query})
