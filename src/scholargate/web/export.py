"""Downloads: dataset dumps, the ontology and its JSON-LD context, and citations of works.

Routes (blueprint ``export``):

- ``/export`` (HTML, JSON): every named graph with its size, licence, attribution and dumps.
- ``/export/{graph}.{ext}`` and ``/export/all.{ext}``: a named graph, or the whole dataset,
  in any RDF format of the format table; streamed, with ``ETag``/``Last-Modified`` and
  conditional GET. ``all`` in a triple format is the union of the graphs; TriG and
  N-Quads keep graph names.
- ``/ontology`` (negotiated, or ``/ontology.{ext}``) and ``/ontology/context.jsonld``.
- ``/work/{slug}.bib``, ``/work/{slug}.csl.json``, ``/method/{slug}.bib`` (the method's
  foundational works).

Streaming: the store writes a dump to a file-like object; here an OS thread runs the
dump into a pipe in 64 KiB chunks and the response reads the pipe, so a dump never sits
whole in memory and a client that goes away stops the dump.
"""

from __future__ import annotations

import json
import logging
import os
import select
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import IO, Any

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from rdflib import Literal, URIRef
from rdflib.term import Node
from werkzeug.http import is_resource_modified

from .. import __version__
from ..build import discover, fingerprint, fingerprint_file
from ..errors import NotFoundError
from ..formats import RDF_FORMATS, Format, by_name
from ..namespaces import (
    BASE,
    DATASET,
    GRAPH,
    METADATA_GRAPH,
    ONTOLOGY_GRAPH,
    sparql_prefixes,
)
from ..render import bib
from ..services.citation import foundational_works, get_work, is_method, method_iri, work_iri
from ..services.export import export
from ..services.labels import pick
from ..services.saved import COMPARISONS_GRAPH
from ..store import Store
from .context import get_store, request_lang
from .cors import allow_origin
from .negotiate import choose

log = logging.getLogger("scholargate.export")

bp = Blueprint("export", __name__)

ALL = "all"
DUMP_FORMATS: tuple[Format, ...] = RDF_FORMATS  # ttl, jsonld, nt, rdf, trig, nq
INDEX_FORMATS: tuple[Format, ...] = (by_name("html"), by_name("data-json"))
ONTOLOGY_FORMATS: tuple[Format, ...] = (
    by_name("html"),
    *(by_name(n) for n in ("ttl", "jsonld", "nt", "rdf")),
)
# Graphs written while the server runs (saved comparisons); their size in sgg:metadata is
# the build's, so they are counted live. They stay small; big graphs come from the build.
RUNTIME_GRAPHS: tuple[URIRef, ...] = (COMPARISONS_GRAPH, METADATA_GRAPH)

CHUNK = 1 << 16  # bytes per streamed chunk
DEPTH = 3  # chunks the dumping thread may run ahead of the client (its buffer, the pipe)
_EXTENSION = "scholargate.export"


# ---- streaming -----------------------------------------------------------------------


class ClientGoneError(OSError):
    """The response was closed before the dump finished."""


class ChunkPipe:
    """A write-only binary file the dumping thread writes to; the response reads chunks.

    Writes are gathered into ``chunk`` bytes and written to an OS pipe, so the writer
    blocks when the client is slow: memory stays at a few chunks whatever the size of
    the dump. The reader waits with ``select.poll``, which under ``serve``'s gevent
    workers lets the other connections run while it waits.
    """

    def __init__(self, chunk: int = CHUNK) -> None:
        self._chunk = chunk
        self._buffer = bytearray()
        self._read_end, self._write_end = os.pipe()
        self._closed = False
        self.error: BaseException | None = None

    # writer side (the dumping thread)
    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= self._chunk:
            self._send(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        pass

    def finish(self, error: BaseException | None = None) -> None:
        """The end of the dump (``error``: it failed); the reader sees end of file."""
        try:
            if error is None and self._buffer:
                self._send(bytes(self._buffer))
                self._buffer.clear()
        finally:
            self.error = error
            os.close(self._write_end)

    def _send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._closed:
                raise ClientGoneError("the client closed the response")
            try:
                written = os.write(self._write_end, view)
            except BrokenPipeError:
                raise ClientGoneError("the client closed the response") from None
            view = view[written:]

    # reader side (the response)
    def chunks(self) -> Iterator[bytes]:
        poller = select.poll()
        poller.register(self._read_end, select.POLLIN | select.POLLHUP | select.POLLERR)
        buffer = bytearray()
        while True:
            poller.poll()
            data = os.read(self._read_end, self._chunk - len(buffer))
            if not data:
                break
            buffer += data
            if len(buffer) >= self._chunk:
                yield bytes(buffer)
                buffer.clear()
        if self.error is not None:
            raise self.error
        if buffer:
            yield bytes(buffer)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            os.close(self._read_end)  # a writer blocked on the pipe gets EPIPE


def stream(write: Callable[[IO[bytes]], None], *, name: str = "dump") -> Iterator[bytes]:
    """Chunks of what ``write(out)`` writes, produced by a thread while they are read.

    The thread starts on the first ``next()``, so a HEAD request or a 304 never dumps.
    Closing the iterator (the client went away) stops the writer at its next write.
    """
    pipe = ChunkPipe()

    def run() -> None:
        try:
            write(pipe)  # type: ignore[arg-type]
        except ClientGoneError:
            pipe.finish(ClientGoneError("the client closed the response"))
            return
        except BaseException as error:  # noqa: BLE001 - handed to the reading side
            pipe.finish(error)
            return
        try:
            pipe.finish()
        except ClientGoneError:
            pass

    thread = start_thread(run, name=f"scholargate-{name}")
    try:
        yield from pipe.chunks()
    except Exception:
        # Headers are gone already; all that is left is to cut the response short.
        log.exception("dump of %s failed while streaming", name)
        raise
    finally:
        pipe.close()
        if thread is not None:
            thread.join(timeout=5)


def start_thread(target: Callable[[], None], *, name: str) -> threading.Thread | None:
    """Run ``target`` in an OS thread, also under gevent's monkey-patching (which makes
    ``threading.Thread`` a greenlet): the store calls ``write`` back from its own code,
    and a greenlet switch inside such a call breaks pyo3's bookkeeping (the process
    aborts). Returns the thread when it is a ``threading.Thread`` (not under gevent)."""
    gevent_monkey = sys.modules.get("gevent.monkey")
    if gevent_monkey is not None and gevent_monkey.is_module_patched("threading"):
        start_new_thread = gevent_monkey.get_original("_thread", "start_new_thread")
        start_new_thread(target, ())
        return None
    thread = threading.Thread(target=target, name=name, daemon=True)
    thread.start()
    return thread


# ---- the content version: ETag and Last-Modified ---------------------------------------


@dataclass(frozen=True)
class Build:
    """What the store was built from: the sources' fingerprint and their latest change."""

    fingerprint: str
    modified: datetime


def _build_of(app: Flask) -> Build:
    """The build behind the app's store, cheap to ask for on every request.

    On disk, ``open_built`` leaves the fingerprint beside the store (re-read only when
    that file changes); in memory the store was built at start-up, so the fingerprint
    is computed once from the same sources.
    """
    cache: dict[str, Any] = app.extensions.setdefault(_EXTENSION, {})
    store_path = app.config.get("STORE")
    if not app.config.get("MEMORY") and store_path:
        marker = fingerprint_file(Path(store_path))
        try:
            stat = marker.stat()
        except OSError:
            stat = None
        if stat is not None:
            cached = cache.get("disk")
            if cached is None or cached[0] != stat.st_mtime_ns:
                built = Build(
                    marker.read_text().strip(), datetime.fromtimestamp(stat.st_mtime, UTC)
                )
                cache["disk"] = cached = (stat.st_mtime_ns, built)
            return cached[1]
    if "memory" not in cache:
        root = Path(app.config["ROOT"])
        saved = app.config.get("SAVED")
        sources = discover(root, Path(saved) if saved else None)
        newest = max((s.path.stat().st_mtime for s in sources), default=0.0)
        cache["memory"] = Build(fingerprint(root, sources), datetime.fromtimestamp(newest, UTC))
    return cache["memory"]


_SIZES = """SELECT ?g ?n WHERE { GRAPH <%s> { ?g void:triples ?n } }"""


def content_version(store: Store, graph: URIRef | None) -> tuple[str, datetime]:
    """A version token and a modification time for ``graph`` (None: everything).

    The token joins the build fingerprint with the sizes the build wrote to
    ``sgg:metadata`` and the live sizes of the graphs written at run time: no dump is
    read or hashed.
    """
    build = _build_of(current_app._get_current_object())  # type: ignore[attr-defined]
    sizes = sorted(
        (str(r["g"]), str(r["n"]))
        for r in store.select(sparql_prefixes() + _SIZES % METADATA_GRAPH)
        if graph is None or r["g"] == graph
    )
    live = [(str(g), str(store.count(g))) for g in RUNTIME_GRAPHS if graph is None or graph == g]
    token = json.dumps([__version__, build.fingerprint, sizes, live])
    modified = build.modified
    saved = current_app.config.get("SAVED")
    if saved and (graph is None or graph == COMPARISONS_GRAPH):
        try:
            modified = max(modified, datetime.fromtimestamp(Path(saved).stat().st_mtime, UTC))
        except OSError:
            pass
    return sha256(token.encode("utf-8")).hexdigest()[:32], modified.replace(microsecond=0)


# ---- graphs ----------------------------------------------------------------------------


def graph_name(graph: URIRef) -> str | None:
    """``curated`` for ``sgg:curated``; None for a graph outside ``sgg:``."""
    text = str(graph)
    return text[len(str(GRAPH)) :] if text.startswith(str(GRAPH)) else None


def _graphs(store: Store) -> dict[str, URIRef]:
    return {n: g for g in store.graph_names() if (n := graph_name(g))}


def _resolve(store: Store, name: str) -> URIRef | None:
    """The graph a URL names (None for ``all``); 404 listing the graphs otherwise."""
    if name == ALL:
        return None
    graphs = _graphs(store)
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
) -> Response:
    """The streamed dump of ``graph`` (None: everything) in ``fmt``, or 304 Not Modified."""
    store = get_store()
    etag, modified = content_version(store, graph)
    etag = sha256(f"{etag}/{graph}/{fmt.name}".encode()).hexdigest()[:32]
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        response = Response(status=304)
    else:

        def write(out: IO[bytes]) -> None:
            export(store, fmt, out, graph=graph)

        response = Response(stream(write, name=filename), content_type=fmt.content_type)
        response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.set_etag(etag, weak=True)  # the same triples; blank node labels may differ
    response.last_modified = modified
    response.headers["Cache-Control"] = "public, no-cache"
    if vary_accept:
        response.vary.add("Accept")
    return allow_origin(response)


@bp.get("/export/<graph>.<ext>")
def dump(graph: str, ext: str) -> ResponseReturnValue:
    fmt = _dump_format(ext)
    iri = _resolve(get_store(), graph)
    return dump_response(iri, fmt, filename=f"scholargate-{graph}.{fmt.extension}")


@bp.get("/export/<graph>")
def dump_negotiated(graph: str) -> ResponseReturnValue:
    iri = _resolve(get_store(), graph)
    fmt = choose(DUMP_FORMATS)
    return dump_response(
        iri, fmt, filename=f"scholargate-{graph}.{fmt.extension}", vary_accept=True
    )


# ---- the index -------------------------------------------------------------------------

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


def _text(values: list[Node], lang: str) -> str | None:
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
    for name, iri in sorted(_graphs(store).items()):
        meta = described.get(iri, {})
        licences = sorted(str(v) for v in meta.get("license", []))
        graphs.append(
            {
                "name": name,
                "iri": str(iri),
                "title": _text(meta.get("title", []), lang) or name,
                "description": _text(meta.get("description", []), lang),
                "triples": sizes.get(iri, 0),
                "licenses": [{"iri": i, "name": licence_name(i)} for i in licences],
                "attribution": {
                    "name": _text(meta.get("attribution_name", []), lang),
                    "url": _text(meta.get("attribution_url", []), lang),
                },
                "creator": _text(meta.get("creator", []), lang),
                "source": _text(meta.get("source", []), lang),
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


@bp.get("/export")
@bp.get("/export.<ext>")
def index(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(INDEX_FORMATS, suffix=ext)
    lang = request_lang()
    data = index_data(get_store(), lang)
    if fmt.name == "data-json":
        response = Response(json.dumps(data, ensure_ascii=False), content_type=fmt.content_type)
    else:
        page = render_template("export.html", lang=lang, data=data, formats=DUMP_FORMATS, base=BASE)
        response = Response(page, content_type=fmt.content_type)
    response.vary.update(("Accept", "Accept-Language"))
    return allow_origin(response)


# ---- the ontology and its JSON-LD context ----------------------------------------------

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
                "label": _text(slot["label"], lang) or local,
                "comment": _text(slot["comment"], lang) or "",
            }
        )
    return grouped


@bp.get("/ontology")
@bp.get("/ontology.<ext>")
def ontology(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(ONTOLOGY_FORMATS, suffix=ext)
    if fmt.name != "html":
        return dump_response(
            ONTOLOGY_GRAPH,
            fmt,
            filename=f"scholargate-ontology.{fmt.extension}",
            disposition="inline",
            vary_accept=ext is None,
        )
    lang = request_lang()
    page = render_template(
        "ontology.html",
        lang=lang,
        terms=ontology_terms(get_store(), lang),
        formats=[f for f in ONTOLOGY_FORMATS if f.name != "html"],
    )
    response = Response(page, content_type=fmt.content_type)
    response.vary.update(("Accept", "Accept-Language"))
    return response


@bp.get("/ontology/context.jsonld")
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


# ---- citations -------------------------------------------------------------------------


def _citation_response(body: str, fmt: Format, filename: str) -> Response:
    response = Response(body, content_type=fmt.content_type)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return allow_origin(response)


def _work_or_404(slug: str):  # noqa: ANN202 - a Work
    work = get_work(get_store(), str(work_iri(slug)))
    if work is None:
        raise NotFoundError(
            f"no work {slug!r}; works are named by the first words of their title, "
            "e.g. /work/attention-is-all-you-need.bib"
        )
    return work


@bp.get("/work/<slug>.bib")
def work_bib(slug: str) -> ResponseReturnValue:
    work = _work_or_404(slug)
    key = bib.citation_key(work)
    return _citation_response(bib.to_bibtex([work]), bib.BIBTEX, f"{key}.bib")


@bp.get("/work/<slug>.csl.json")
def work_csl(slug: str) -> ResponseReturnValue:
    work = _work_or_404(slug)
    body = json.dumps(bib.to_csl([work]), ensure_ascii=False, indent=2)
    return _citation_response(body, bib.CSL_JSON, f"{bib.citation_key(work)}.csl.json")


@bp.get("/method/<slug>.bib")
def method_bib(slug: str) -> ResponseReturnValue:
    store = get_store()
    iri = str(method_iri(slug))
    if not is_method(store, iri):
        raise NotFoundError(f"no method {slug!r}")
    works = foundational_works(store, iri)
    comment = f"Foundational works of {iri}"
    if not works:
        comment += "\nNone are recorded yet."
    return _citation_response(bib.to_bibtex(works, comment=comment), bib.BIBTEX, f"{slug}.bib")
