"""Dumps: ``/export/{graph}.{ext}`` and ``/export/all.{ext}``, a named graph or the whole
dataset in any RDF format of the format table, streamed, with ``ETag``/``Last-Modified``
and conditional GET. ``all`` in a triple format is the union of the graphs; TriG and
N-Quads keep graph names. render/export.py writes a dump's response (``Dump``: the
streamed chunks, passed through, and ``Content-Disposition``); conditional GET stays here.
"""

from __future__ import annotations

from hashlib import sha256
from typing import IO

from flask import Response, request, url_for
from flask.typing import ResponseReturnValue
from rdflib import URIRef
from werkzeug.http import is_resource_modified

from ...errors import NotFoundError
from ...formats import Format
from ...namespaces import GRAPH
from ...render.export import Dump, Streamed
from ...render.registry import formats_for
from ...services.export import export
from ...store import Store
from ..context import get_store
from ..cors import allow_origin
from ..negotiate import choose
from ..respond import respond
from .streaming import stream
from .version import content_version

ALL = "all"
DUMP_FORMATS: tuple[Format, ...] = formats_for(Dump)  # ttl, jsonld, nt, rdf, trig, nq


def graph_name(graph: URIRef) -> str | None:
    """``curated`` for ``sgg:curated``; None for a graph outside ``sgg:``."""
    text = str(graph)
    return text[len(str(GRAPH)) :] if text.startswith(str(GRAPH)) else None


def graphs_of(store: Store) -> dict[str, URIRef]:
    return {n: g for g in store.graph_names() if (n := graph_name(g))}


def _resolve(store: Store, name: str) -> URIRef | None:
    """The graph a URL names (None for ``all``); 404 listing the graphs otherwise."""
    if name == ALL:
        return None
    graphs = graphs_of(store)
    if name not in graphs:
        raise NotFoundError(
            f"no graph {name!r}; the graphs are: {', '.join([ALL, *sorted(graphs)])}",
            graphs=[ALL, *sorted(graphs)],
            index=url_for("export.index"),
        )
    return graphs[name]


def _dump_format(ext: str) -> Format:
    fmt = next((f for f in DUMP_FORMATS if f.extension == ext.lower()), None)
    if fmt is None:
        names = [f.extension for f in DUMP_FORMATS]
        raise NotFoundError(
            f"no dump as .{ext}; the formats are: {', '.join('.' + n for n in names)}",
            formats=names,
        )
    return fmt


def dump_response(
    graph: URIRef | None,
    fmt: Format,
    *,
    filename: str,
    disposition: str = "attachment",
    vary_accept: bool = False,
    dump: type[Streamed] = Dump,
) -> Response:
    """The streamed dump of ``graph`` (None: everything) in ``fmt``, or 304 Not Modified;
    ``dump``: the result type whose renderer writes it (its formats)."""
    store = get_store()
    etag, modified = content_version(store, graph)
    etag = sha256(f"{etag}/{graph}/{fmt.name}".encode()).hexdigest()[:32]
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response = Response(status=304)
        if vary_accept:
            response.vary.add("Accept")
    else:

        def write(out: IO[bytes]) -> None:
            export(store, fmt, out, graph=graph)

        # the chunks are made here and passed through untouched: streamed as they come
        chunks = dump(stream(write, name=filename), filename, disposition)
        response = respond(chunks, fmt, negotiated=vary_accept)
    response.set_etag(etag, weak=True)  # the same triples; blank node labels may differ
    response.last_modified = modified
    response.headers["Cache-Control"] = "public, no-cache"
    return allow_origin(response)


def dump(graph: str, ext: str) -> ResponseReturnValue:
    fmt = _dump_format(ext)
    iri = _resolve(get_store(), graph)
    return dump_response(iri, fmt, filename=f"scholargate-{graph}.{fmt.extension}")


def dump_negotiated(graph: str) -> ResponseReturnValue:
    iri = _resolve(get_store(), graph)
    fmt = choose(DUMP_FORMATS)
    return dump_response(
        iri, fmt, filename=f"scholargate-{graph}.{fmt.extension}", vary_accept=True
    )
