"""The HTML page of one resource (``/method/lora``), and the page of one that is not
there with its near matches.

The page shows a :class:`~scholargate.services.resources.Description`: its properties,
the neighbourhood drawing of a method, "compare with" and citation links, the
``<link rel="alternate">`` of each RDF form (also sent as ``Link`` headers) and, for a
method, schema.org JSON-LD for search engines.

Context a view gives: ``lang`` (the page language) and ``asked_lang`` (the ``?lang=``
the request named, or None), which links to other pages keep.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from flask import render_template, url_for
from markupsafe import Markup
from rdflib.namespace import SKOS
from werkzeug.routing import BuildError

from ..errors import NotFoundError
from ..formats import Format
from ..i18n import t
from ..services.resources import Description
from ..terms import iri as sparql_iri
from .comparison_page import query_page_url
from .documents import Document
from .registry import Rendered, formats_for, renderer
from .svg import neighbourhood_svg

_FACET_OF = {"sg:field": "field", "sg:family": "family", "sg:methodType": "type"}
MAX_QUICK_LINKS = 8  # "compare with" links to related methods on a method page


def kept_lang(asked_lang: str | None) -> dict[str, str]:
    """``{"lang": …}`` when the request named a language, so links keep it."""
    return {"lang": asked_lang} if asked_lang else {}


class PageLinks:
    """Links to resource pages for one request: ``url_for`` once per kind, then the slug
    appended (slugs are URL-safe by construction), keeping ``?lang=`` when it was asked."""

    def __init__(self, asked_lang: str | None = None) -> None:
        self._bases: dict[str, str] = {}
        asked = kept_lang(asked_lang)
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


@renderer(Description, "html")
def resource_page(d: Description, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    lang: str = context["lang"]
    alternates = [
        (f, url_for("resources.page", kind=d.kind, slug=d.slug, ext=f.extension))
        for f in formats_for(Document)
    ]
    link = ", ".join(f'<{href}>; rel="alternate"; type="{f.media_type}"' for f, href in alternates)
    return Rendered(
        _html(d, lang, alternates, context.get("asked_lang")),
        headers={"Link": link},
        vary=("Accept", "Accept-Language"),
    )


def _html(
    d: Description, lang: str, alternates: list[tuple[Format, str]], asked_lang: str | None
) -> str:
    links = PageLinks(asked_lang)

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
            more_links[prop.iri] = url_for(
                "browse.methods", **{facet: d.slug}, **kept_lang(asked_lang)
            )
        elif prop.curie == "skos:inScheme" and (d.kind, d.slug) == ("scheme", "methods"):
            more_links[prop.iri] = url_for("browse.methods", **kept_lang(asked_lang))
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
        sparql_url=query_page_url(f"DESCRIBE {sparql_iri(d.iri)}", lang),
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


@dataclass(frozen=True)
class Missing:
    """A resource page that is not there: the resource service's 404, whose details name
    the ``kind`` and the ``suggestions`` (near slugs), shown to a browser as links."""

    error: NotFoundError


@renderer(Missing, "html")
def missing_page(result: Missing, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    error = result.error
    kind = error.details.get("kind")
    keep = kept_lang(context.get("asked_lang"))
    links = [
        (s, url_for("resources.page", kind=kind, slug=s, **keep))
        for s in error.details.get("suggestions") or []
    ]
    html = render_template(
        "resource_missing.html",
        lang=context["lang"],
        status=error.status,
        message=error.message,
        links=links,
    )
    return Rendered(html)
