"""Linked Data pages: ``/{kind}/{slug}`` as HTML for people and as RDF for programs.

``https://w3id.org/scholargate/method/lora`` is served at ``/method/lora`` on whatever
host runs this app. A suffix (``/method/lora.ttl``) or ``Accept`` picks Turtle, JSON-LD,
N-Triples, RDF/XML or HTML; nothing acceptable is a 406, an unknown slug a 404 with
near matches.
"""

from __future__ import annotations

import io
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, has_request_context, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from rdflib import URIRef
from rdflib.namespace import SKOS
from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter, BuildError

from ..errors import NotFoundError
from ..formats import Format, by_name
from ..i18n import t
from ..namespaces import PAGE_KINDS, PREFIXES, bind_prefixes
from ..render.svg import neighbourhood_svg
from ..services.resources import Description, resources_for
from ..terms import iri as sparql_iri
from ..terms import is_slug, malformed_slug
from .context import get_store, request_lang
from .errors import error_response
from .negotiate import choose, wants_html

bp = Blueprint("resources", __name__)

FORMATS: tuple[Format, ...] = tuple(by_name(n) for n in ("html", "ttl", "jsonld", "nt", "rdf"))
RDF_FORMATS = tuple(f for f in FORMATS if f.kind == "graph")
_KIND_RULE = "any(" + ", ".join(PAGE_KINDS) + ")"
_FACET_OF = {"sg:field": "field", "sg:family": "family", "sg:methodType": "type"}
MAX_QUICK_LINKS = 8  # "compare with" links to related methods on a method page
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
    fmt = choose(FORMATS, suffix=ext)
    service = resources_for(get_store())
    if fmt.kind == "graph":
        return _document(service.document_query(kind, slug), fmt)
    lang = request_lang()
    described = service.describe(kind, slug, lang)
    alternates = [(f, url_for(".page", kind=kind, slug=slug, ext=f.extension)) for f in RDF_FORMATS]
    response = Response(_html(described, lang, alternates), content_type=fmt.content_type)
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Link"] = ", ".join(
        f'<{href}>; rel="alternate"; type="{f.media_type}"' for f, href in alternates
    )
    return response


@bp.errorhandler(NotFoundError)
def not_found(error: NotFoundError) -> Response:
    """The one error shape; browsers also get the near matches as links."""
    suggestions = error.details.get("suggestions") or []
    kind = error.details.get("kind")
    if not (wants_html() and suggestions and kind in PAGE_KINDS):
        return error_response(error.status, error.kind, error.message, error.details or None)
    lang = request_lang()
    links = [(s, url_for(".page", kind=kind, slug=s, **_lang_arg())) for s in suggestions]
    html = render_template(
        "resource_missing.html", lang=lang, status=error.status, message=error.message, links=links
    )
    return Response(html, status=error.status, mimetype="text/html", headers={"Vary": "Accept"})


def _document(query: str, fmt: Format) -> Response:
    """The resource's RDF document in ``fmt``, with the project's prefixes."""
    store = get_store()
    if fmt.name == "jsonld":
        graph = store.construct(query)
        bind_prefixes(graph)
        used = {p: ns for p, ns in PREFIXES.items() if _uses(graph, ns)}
        body = graph.serialize(format="json-ld", context=used, auto_compact=True)
        response = Response(body, content_type=fmt.content_type)
    else:
        out = io.BytesIO()
        store.query_to(query, fmt, out)
        response = Response(out.getvalue(), content_type=fmt.content_type)
    response.headers["Vary"] = "Accept"
    return response


def _uses(graph, namespace: str) -> bool:  # noqa: ANN001 - an rdflib Graph
    """True when an IRI or datatype in ``graph`` lies in ``namespace``."""
    for triple in graph:
        for term in triple:
            iri = getattr(term, "datatype", None) or term
            if isinstance(iri, URIRef) and str(iri).startswith(namespace):
                return True
    return False


def _lang_arg() -> dict[str, str]:
    """``{"lang": …}`` when the request named a language, so links keep it."""
    asked = request.args.get("lang")
    return {"lang": asked} if asked else {}


class PageLinks:
    """Links to resource pages for one request: ``url_for`` once per kind, then the slug
    appended (slugs are URL-safe by construction), keeping ``?lang=`` when it was asked."""

    def __init__(self) -> None:
        self._bases: dict[str, str] = {}
        asked = _lang_arg()
        self._query = "?" + urlencode(asked) if asked else ""

    def __call__(self, kind: str, slug: str) -> str:
        base = self._bases.get(kind)
        if base is None:
            base = self._bases[kind] = url_for("resources.page", kind=kind, slug="-")[:-1]
        return base + quote(slug, safe="-_~") + self._query


def _optional_url(endpoint: str, fallback: str, **values: str) -> str:
    """A route another blueprint serves (exports): its URL, or its documented path
    while that blueprint is not registered."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return fallback


def _html(d: Description, lang: str, alternates: list[tuple[Format, str]]) -> str:
    links = PageLinks()

    def href(value) -> str:  # noqa: ANN001 - a services.resources.Value
        return links(*value.local)

    svg = None
    related = []
    if d.neighbourhood is not None:
        if d.neighbourhood.nodes:
            svg = Markup(
                neighbourhood_svg(
                    d.neighbourhood, lang=lang, href=lambda slug: links("method", slug)
                )
            )
        found = d.find(SKOS.related)
        related = [v for v in (found.values if found else []) if v.local][:MAX_QUICK_LINKS]
    # long lists of methods continue in /methods, narrowed to this field, family or type
    more_links = {}
    for prop in d.incoming:
        facet = _FACET_OF.get(prop.curie)
        if facet and d.kind == facet:
            more_links[prop.iri] = url_for("browse.methods", **{facet: d.slug}, **_lang_arg())
        elif prop.curie == "skos:inScheme" and (d.kind, d.slug) == ("scheme", "methods"):
            more_links[prop.iri] = url_for("browse.methods", **_lang_arg())
    return render_template(
        "resource.html",
        lang=lang,
        d=d,
        kind_label=t(f"resource.kind.{d.kind}", lang),
        alternates=alternates,
        href=href,
        svg=svg,
        related=related,
        more_links=more_links,
        compare_url=lambda slugs: url_for("compare.compare", m=",".join(slugs), lang=lang),
        bib_url=lambda slug: _optional_url("export.work_bib", f"/work/{slug}.bib", slug=slug),
        csl_url=lambda slug: _optional_url("export.work_csl", f"/work/{slug}.csl.json", slug=slug),
        method_bib_url=_optional_url("export.method_bib", f"/method/{d.slug}.bib", slug=d.slug),
        sparql_url="/sparql?" + urlencode({"query": f"DESCRIBE {sparql_iri(d.iri)}"}),
        schema_org=schema_org(d, lang) if d.kind == "method" else None,
    )


def schema_org(d: Description, lang: str) -> dict:
    """schema.org JSON-LD for search engines: a method is a ``DefinedTerm`` in the
    ``DefinedTermSet`` of methods; its foundational works are ``subjectOf`` (schema.org
    gives ``citation`` to creative works only, and a method is not one)."""
    url = url_for("resources.page", kind=d.kind, slug=d.slug, _external=True)
    names = [n.text for n in d.names if n.text != d.label.text]
    data: dict = {
        "@context": "https://schema.org",
        "@type": "DefinedTerm",
        "@id": d.iri,
        "name": d.label.text,
        "inLanguage": d.label.lang or lang,
        "termCode": d.slug,
        "url": url,
        "inDefinedTermSet": {
            "@type": "DefinedTermSet",
            "@id": "https://w3id.org/scholargate/scheme/methods",
            "name": "ScholarGate research methods",
        },
    }
    if names:
        data["alternateName"] = list(dict.fromkeys(names))
    if d.summary is not None:
        data["description"] = d.summary.text
    same = [link.href for link in d.links if link.property in ("skos:exactMatch", "owl:sameAs")]
    if same:
        data["sameAs"] = same
    works = []
    for w in d.works:
        work: dict = {"@type": "ScholarlyArticle", "@id": w.iri, "name": w.title}
        if w.year:
            work["datePublished"] = str(w.year)
        if w.href:
            work["url"] = w.href
        if w.doi:
            work["identifier"] = {"@type": "PropertyValue", "propertyID": "DOI", "value": w.doi}
        if w.authors:
            work["author"] = [{"@type": "Person", "name": a} for a in w.authors]
        works.append(work)
    if works:
        data["subjectOf"] = works
    return data
