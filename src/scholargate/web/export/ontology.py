"""The ontology: ``/ontology`` (negotiated, or ``/ontology.{ext}``) and its JSON-LD context,
``/ontology/context.jsonld``. render/export.py writes the page (``OntologyTerms``); the
RDF is the ontology graph's dump (``OntologyDump``), streamed by dumps.dump_response."""

from __future__ import annotations

from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

from flask import Response, current_app, request
from flask.typing import ResponseReturnValue

from ...errors import NotFoundError
from ...formats import Format
from ...namespaces import ONTOLOGY_GRAPH, sparql_prefixes
from ...render.export import OntologyDump, OntologyTerms
from ...render.registry import formats_for
from ...store import Store
from ..context import get_store, request_lang
from ..negotiate import choose
from ..respond import respond
from .catalogue import pick_text
from .dumps import dump_response

ONTOLOGY_FORMATS: tuple[Format, ...] = formats_for(OntologyTerms, OntologyDump)  # html first
RDF_FORMATS: tuple[Format, ...] = formats_for(OntologyDump)

_TERMS = """SELECT ?term ?kind ?p ?o WHERE { GRAPH <%s> {
  ?term a ?kind .
  FILTER(?kind IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty,
                   owl:NamedIndividual))
  OPTIONAL { ?term ?p ?o FILTER(?p IN (rdfs:label, rdfs:comment)) }
} }"""
_TERM_KINDS = {
    "http://www.w3.org/2002/07/owl#Class": "classes",
    "http://www.w3.org/2002/07/owl#ObjectProperty": "properties",
    "http://www.w3.org/2002/07/owl#DatatypeProperty": "properties",
    "http://www.w3.org/2002/07/owl#AnnotationProperty": "properties",
    "http://www.w3.org/2002/07/owl#NamedIndividual": "individuals",
}


def ontology_terms(store: Store, lang: str) -> dict[str, list[dict[str, str]]]:
    """The ontology's classes, properties and individuals with a label and a comment."""
    terms: dict[str, dict[str, Any]] = {}
    for row in store.select(sparql_prefixes() + _TERMS % ONTOLOGY_GRAPH):
        term = str(row["term"])
        slot = terms.setdefault(term, {"kinds": set(), "label": [], "comment": []})
        slot["kinds"].add(_TERM_KINDS[str(row["kind"])])
        if row.get("p") is not None:
            slot["label" if str(row["p"]).endswith("label") else "comment"].append(row["o"])
    grouped: dict[str, list[dict[str, str]]] = {"classes": [], "properties": [], "individuals": []}
    for term, slot in sorted(terms.items()):
        kind = next(k for k in ("classes", "properties", "individuals") if k in slot["kinds"])
        local = term.split("#", 1)[-1] if "#" in term else term.rsplit("/", 1)[-1]
        grouped[kind].append(
            {
                "iri": term,
                "local": local,
                "label": pick_text(slot["label"], lang) or local,
                "comment": pick_text(slot["comment"], lang) or "",
            }
        )
    return grouped


def ontology(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(ONTOLOGY_FORMATS, suffix=ext)
    if fmt in RDF_FORMATS:
        return dump_response(
            ONTOLOGY_GRAPH,
            fmt,
            filename=f"scholargate-ontology.{fmt.extension}",
            disposition="inline",
            vary_accept=ext is None,
            dump=OntologyDump,
        )
    lang = request_lang()
    return respond(OntologyTerms(ontology_terms(get_store(), lang)), fmt, lang=lang)


def context() -> ResponseReturnValue:
    """The JSON-LD context, as the file in ontology/ has it, for any site to use."""
    path = Path(current_app.config["ROOT"]) / "ontology" / "context.jsonld"
    try:
        body = path.read_bytes()
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(microsecond=0)
    except OSError:
        raise NotFoundError("the JSON-LD context is missing from this installation") from None
    response = Response(body, mimetype="application/ld+json")
    response.set_etag(sha256(body).hexdigest()[:32])
    response.last_modified = modified
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)
