"""The dataset page, ``/export`` (HTML, JSON): every named graph with its size, licence,
attribution and dumps; render/export.py writes it (``Catalogue``)."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask.typing import ResponseReturnValue
from rdflib import Literal, URIRef
from rdflib.term import Node

from ... import __version__
from ...formats import Format
from ...namespaces import DATASET, METADATA_GRAPH, sparql_prefixes
from ...render.export import Catalogue
from ...render.registry import formats_for
from ...services.labels import pick
from ...store import Store
from ..context import get_store, request_lang
from ..cors import allow_origin
from ..negotiate import choose
from ..respond import respond
from .dumps import ALL, DUMP_FORMATS, graphs_of
from .version import content_version

INDEX_FORMATS: tuple[Format, ...] = formats_for(Catalogue)  # html first: the default

_METADATA = """PREFIX cc: <http://creativecommons.org/ns#>
SELECT ?g ?p ?o WHERE {
  GRAPH <%s> { ?g ?p ?o }
  FILTER(?p IN (dcterms:title, dcterms:description, dcterms:license, dcterms:creator,
                dcterms:source, dcterms:rights, cc:attributionName, cc:attributionURL))
}"""
_LIVE_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_P = {
    "http://purl.org/dc/terms/title": "title",
    "http://purl.org/dc/terms/description": "description",
    "http://purl.org/dc/terms/license": "license",
    "http://purl.org/dc/terms/creator": "creator",
    "http://purl.org/dc/terms/source": "source",
    "http://purl.org/dc/terms/rights": "rights",
    "http://creativecommons.org/ns#attributionName": "attribution_name",
    "http://creativecommons.org/ns#attributionURL": "attribution_url",
}


def licence_name(iri: str) -> str:
    """A short name for a licence IRI: ``CC BY-SA 4.0``, ``MIT``, or the IRI itself.

    >>> licence_name("https://creativecommons.org/licenses/by-sa/4.0/")
    'CC BY-SA 4.0'
    >>> licence_name("https://opensource.org/licenses/MIT")
    'MIT'
    """
    parts = [p for p in iri.split("/") if p]
    if "creativecommons.org" in iri and "licenses" in parts:
        i = parts.index("licenses")
        terms = parts[i + 1 : i + 3]
        if terms:
            return "CC " + " ".join([terms[0].upper(), *terms[1:]])
    if "creativecommons.org" in iri and "zero" in parts:
        return "CC0 1.0"
    if "opensource.org" in iri and parts:
        return parts[-1]
    return iri


def pick_text(values: list[Node], lang: str) -> str | None:
    """The literal of ``values`` in ``lang`` along the fallback chain, else the first
    value in order."""
    literals = [v for v in values if isinstance(v, Literal)]
    chosen = pick(literals, lang) if literals else None
    if chosen is not None:
        return str(chosen)
    return str(sorted(values, key=str)[0]) if values else None


def index_data(store: Store, lang: str) -> dict[str, Any]:
    """Every named graph with its size, licence, attribution and dump links, and the whole."""
    described: dict[URIRef, dict[str, list[Node]]] = {}
    for row in store.select(sparql_prefixes() + _METADATA % METADATA_GRAPH):
        slot = described.setdefault(row["g"], {})
        slot.setdefault(_P[str(row["p"])], []).append(row["o"])
    sizes = {r["g"]: int(r["n"]) for r in store.select(_LIVE_SIZES)}

    def dumps(name: str) -> dict[str, str]:
        return {
            f.extension: url_for("export.dump", graph=name, ext=f.extension, _external=True)
            for f in DUMP_FORMATS
        }

    graphs = []
    for name, iri in sorted(graphs_of(store).items()):
        meta = described.get(iri, {})
        licences = sorted(str(v) for v in meta.get("license", []))
        graphs.append(
            {
                "name": name,
                "iri": str(iri),
                "title": pick_text(meta.get("title", []), lang) or name,
                "description": pick_text(meta.get("description", []), lang),
                "triples": sizes.get(iri, 0),
                "licenses": [{"iri": i, "name": licence_name(i)} for i in licences],
                "attribution": {
                    "name": pick_text(meta.get("attribution_name", []), lang),
                    "url": pick_text(meta.get("attribution_url", []), lang),
                },
                "creator": pick_text(meta.get("creator", []), lang),
                "source": pick_text(meta.get("source", []), lang),
                "dumps": dumps(name),
            }
        )
    _, modified = content_version(store, None)
    return {
        "dataset": str(DATASET),
        "version": __version__,
        "modified": modified.isoformat(),
        "quads": sum(sizes.values()),
        "dumps": dumps(ALL),
        "graphs": graphs,
        "void": request.url_root + ".well-known/void",
        "sparql": request.url_root + "sparql",
        "context": url_for("export.context", _external=True),
        "ontology": url_for("export.ontology", _external=True),
    }


def index(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(INDEX_FORMATS, suffix=ext)
    lang = request_lang()
    catalogue = Catalogue(index_data(get_store(), lang))
    return allow_origin(respond(catalogue, fmt, lang=lang))
