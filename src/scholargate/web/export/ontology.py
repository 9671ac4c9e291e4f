"""The ontology: ``/ontology`` (negotiated, or ``/ontology.{ext}``) and its JSON-LD context,
``/ontology/context.jsonld``. render/export.py writes the page (``OntologyTerms``); the
RDF is the ontology graph's dump (``OntologyDump``), streamed by dumps.dump_response; the
terms and their axioms come from services/ontology.py."""

from __future__ import annotations

from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path

from flask import Response, current_app, request
from flask.typing import ResponseReturnValue

from ...errors import NotFoundError
from ...formats import Format
from ...namespaces import ONTOLOGY_GRAPH
from ...render.export import OntologyDump, OntologyTerms
from ...render.registry import formats_for
from ...services.ontology import ontology_terms
from ..context import get_store, request_lang
from ..negotiate import choose
from ..respond import respond
from .dumps import dump_response

ONTOLOGY_FORMATS: tuple[Format, ...] = formats_for(OntologyTerms, OntologyDump)  # html first
RDF_FORMATS: tuple[Format, ...] = formats_for(OntologyDump)


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
