"""``/sparql``: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/).

* Queries by ``GET ?query=``, by ``POST`` of a form (``query=``) and by ``POST`` of
  ``application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri`` select
  graphs of the store (a graph the store does not hold is a 400, never fetched).
  Without a dataset the default graph is the union of all named graphs.
* SELECT and ASK answer SPARQL JSON, SPARQL XML, CSV or TSV; CONSTRUCT and DESCRIBE
  answer Turtle, JSON-LD, N-Triples, RDF/XML, TriG or N-Quads (the triples in the
  default graph). ``Accept`` is negotiated with q-values (406 when nothing fits,
  ``Vary: Accept`` always); a ``format`` parameter (``json``, ``xml``, ``csv``,
  ``tsv``, ``ttl``, ``jsonld``, ``nt``, ``rdf``, ``trig``, ``nq``, or a media type)
  wins over ``Accept``.
* The project's prefixes (``sg:``, ``sgm:``, ``skos:``, …) may be used undeclared, and
  its functions (``sg:label(?x, "fa,en")``) are there.
* An answer cut at ``MAX_ROWS`` rows (or triples) carries the header
  ``SPARQL-Results-Truncated: true``, and SPARQL JSON also a top-level
  ``"truncated": true`` (after ``head``; SPARQLWrapper, rdflib and Oxigraph read it).
* Refused: updates (403), ``SERVICE`` outside the allow-list (403), nesting deeper than
  ``MAX_NESTING`` or chains longer than ``MAX_CHAIN`` (400, before anything runs), a
  body over ``MAX_BODY`` (413), a URL over ``MAX_URL`` (414, for every route), more
  than ``CLIENT_CONCURRENCY`` queries at once from one address (429 with
  ``Retry-After``; counted across all HTTP workers of ``serve``), every query process
  busy past ``QUEUE_WAIT`` or too many queries already waiting (503 with
  ``Retry-After``), a query unfinished ``QUERY_TIMEOUT`` seconds after its request
  began, waiting included (503; its process is killed), a query process that died
  (503; it is replaced).
* ``GET /sparql`` without a query: the Service Description for RDF clients, the query
  page for browsers.
* CORS: ``Access-Control-Allow-Origin`` from ``CORS_ORIGINS``, preflight answered.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue

from ..errors import ScholarGateError
from ..formats import Format
from ..namespaces import CONTRIBUTED_GRAPH, PREFIXES
from ..services.answers import AnswerCache, Reply, cacheable
from ..services.sparql import (
    Budget,
    ClientSlots,
    Limits,
    ProtocolRequest,
    QueryAnalysis,
    SlowClients,
    answer_for_client,
    answer_formats,
    answer_settings,
    named_format,
    parse_request,
    prepare,
)
from ..services.writes.update import bounded, parse_update, with_dataset
from ..store import Store
from .context import get_store, journal_seq
from .cors import allow_origin
from .negotiate import choose, wants_html
from .respond import respond
from .writes import write

bp = Blueprint("sparql", __name__)

TRUNCATED_HEADER = "SPARQL-Results-Truncated"
SLOTS_SETTING = "SPARQL_CLIENT_SLOTS"  # a folder shared by the HTTP workers; set by `serve`
_CONFIGURED = "scholargate.sparql.configured"
_SLOTS = "scholargate.sparql.slots"
_SLOW = "scholargate.sparql.slow"
_lock = threading.Lock()


class UriTooLongError(ScholarGateError):
    status = 414
    kind = "uri-too-long"


@bp.record_once
def _setup(state: BlueprintSetupState) -> None:
    """Body limits for the whole app: 413 beyond MAX_BODY (unless Flask's own
    MAX_CONTENT_LENGTH was given), and a form field may be as long as the body."""
    config = state.app.config
    if config.get("MAX_CONTENT_LENGTH") is None and config.get("MAX_BODY"):
        config["MAX_CONTENT_LENGTH"] = int(config["MAX_BODY"])
        config["MAX_FORM_MEMORY_SIZE"] = int(config["MAX_BODY"])


@bp.before_app_request
def _url_limit() -> None:
    limit = current_app.config.get("MAX_URL")
    if not limit:
        return
    environ = request.environ
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    length = len(raw) if raw else len(request.full_path.encode("utf-8"))
    if length > limit:
        raise UriTooLongError(
            f"the URL is {length} bytes long; the limit is {limit}: send a long query by "
            "POST (application/sparql-query or a form)",
            length=length,
            limit=limit,
        )


@bp.after_request
def _cors(response: Response) -> Response:
    allow_origin(response)
    if "Access-Control-Allow-Origin" in response.headers:
        response.headers["Access-Control-Expose-Headers"] = f"{TRUNCATED_HEADER}, Retry-After"
    return response


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"], provide_automatic_options=False)
def endpoint() -> ResponseReturnValue:
    if request.method == "OPTIONS":
        return _preflight()
    started = time.monotonic()  # QUERY_TIMEOUT counts from here: waiting and running
    body = request.get_data(cache=True) if request.method == "POST" else b""
    cache = _answers()
    # the same request gives the same bytes while the store is unchanged: a repeated
    # one is answered before parsing, negotiating or checking anything again
    key = _request_key(body) if cache.max_bytes > 0 else None
    reply = cache.get(key) if key is not None else None
    if reply is None:
        asked = parse_request(request.method, request.content_type, request.query_string, body)
        if asked.update is not None:
            return _update(asked)
        if asked.query is None:
            return _describe(asked.formats)
        reply, keep = _answer(asked, started)
        if keep and key is not None:
            cache.put(key, reply)
    response = Response(reply.body, status=200, content_type=reply.content_type)
    response.vary.add("Accept")
    if reply.truncated:
        response.headers[TRUNCATED_HEADER] = "true"
    return response


def _request_key(body: bytes) -> tuple:
    """What decides the answer: the request as sent, and the store's state (the writes
    made through it, and the journal entry it holds: a worker on disk reads a new store
    object, whose count of writes starts again, after each write)."""
    headers = request.headers
    return (
        request.method,
        headers.get("Content-Type"),
        request.query_string,
        body,
        headers.get("Accept"),
        getattr(get_store(), "generation", 0),
        journal_seq(),
    )


def _answer(asked: ProtocolRequest, started: float) -> tuple[Reply, bool]:
    """Check, have the store answer, and whether the answer may be kept (not when it
    calls another service or a function with a new value each time)."""
    config = current_app.config
    prepared = prepare(asked, graphs=_graph_names(), limits=Limits.from_config(config))
    fmt = _negotiate(prepared.analysis, asked.formats)
    answer = answer_for_client(
        _store(),
        prepared,
        fmt=fmt.name,
        client=request.remote_addr or "unknown",
        slots=_slots(),
        slow=_slow_clients(),
        budget=Budget.from_config(config),
        started=started,
    )
    reply = Reply(answer.body, fmt.content_type, answer.truncated)
    return reply, cacheable(prepared.text, prepared.analysis.services)


def _update(asked: ProtocolRequest) -> Response:
    """A SPARQL Update, through the store's write path (``web/writes.py``); the WHERE of
    each operation is checked like a query (nesting, chains; LOAD and SERVICE refused)."""

    def plan() -> tuple[list, str]:
        assert asked.update is not None
        limits = Limits.from_config(current_app.config)
        operations = parse_update(asked.update, prefixes=PREFIXES, limits=limits)
        if asked.using_graphs or asked.using_named_graphs:
            operations = with_dataset(operations, asked.using_graphs, asked.using_named_graphs)
        operations = bounded(operations, float(current_app.config["QUERY_TIMEOUT"]))
        steps = [partial(op.delta, insert_graph=CONTRIBUTED_GRAPH) for op in operations]
        return steps, "; ".join(op.summary for op in operations)[:200]

    return write(plan)


def _preflight() -> Response:
    response = Response(status=204)
    del response.headers["Content-Type"]
    response.headers["Allow"] = "GET, POST, OPTIONS"
    if request.headers.get("Origin"):
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = request.headers.get(
            "Access-Control-Request-Headers", "Accept, Content-Type"
        )
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


# ---- negotiation ---------------------------------------------------------------------


def _negotiate(analysis: QueryAnalysis | None, named: list[str]) -> Format:
    """The answer's format: the first ``format`` value that names one of the candidates
    (by name, extension, media type or a common alias), else ``Accept``."""
    candidates = answer_formats(analysis)
    for value in named:
        fmt = named_format(value, candidates)
        if fmt is not None:
            return choose(candidates, suffix=fmt.extension)
    if named:
        return choose(candidates, suffix=named[0])  # 406, listing the choices
    return choose(candidates)


# ---- GET /sparql without a query ------------------------------------------------------


def _describe(named: list[str]) -> ResponseReturnValue:
    if not named and wants_html():
        from .query_page import render_query_page

        return render_query_page()
    fmt = _negotiate(None, named)
    from ..services.description import service_description

    graph = service_description(
        get_store(),
        url_for("sparql.endpoint", _external=True),
        service_allowlist=str(current_app.config.get("SERVICE_ALLOWLIST") or "").split(),
    )
    return respond(graph, fmt)  # an rdflib Graph: render/documents.py writes it


# ---- per-process resources -------------------------------------------------------------

_GRAPHS = "scholargate.sparql.graphs"


def _graph_names() -> frozenset[str]:
    """The store's named graphs, read again after every write (the store's generation)."""
    app = current_app
    store = get_store()
    cached = app.extensions.get(_GRAPHS)  # the store held weakly: its id may come again
    if cached is not None and cached[0]() is store and cached[1] == store.generation:
        return cached[2]
    names = frozenset(str(g) for g in store.graph_names())
    app.extensions[_GRAPHS] = (weakref.ref(store), store.generation, names)
    return names


def _per_app(key: str, make: Callable[[Flask], Any]) -> Any:
    """This app's ``key`` resource, made by ``make(app)`` on first use (once, whatever
    the threads)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    value = app.extensions.get(key)
    if value is None:
        with _lock:
            value = app.extensions.get(key)
            if value is None:
                value = app.extensions[key] = make(app)
    return value


def _slow_clients() -> SlowClients:
    return _per_app(
        _SLOW, lambda app: SlowClients(float(app.config.get("SLOW_CLIENT_SECONDS") or 0))
    )


def _answers() -> AnswerCache:
    cache = current_app.extensions.get("scholargate.answers")
    if cache is None:
        size = int(current_app.config.get("ANSWER_CACHE") or 0) * 1024 * 1024
        cache = current_app.extensions["scholargate.answers"] = AnswerCache(size)
    return cache


def _store() -> Store:
    """The store, told once per app how to answer (its query processes: QUERY_WORKERS,
    QUEUE_WAIT)."""
    store = get_store()
    if _configured_store(current_app) is store:
        return store
    return _configured(current_app._get_current_object())  # type: ignore[attr-defined]


def _configured_store(app: Flask) -> Store | None:
    """The store last told how to answer, held weakly (a worker on disk replaces its
    store after a write: the old one must be free to go, with its query processes)."""
    ref = app.extensions.get(_CONFIGURED)
    return ref() if ref is not None else None


def _configured(app: Flask) -> Store:
    with app.app_context():
        store = get_store()
    if _configured_store(app) is not store:
        with _lock:
            if _configured_store(app) is not store:
                store.configure_answers(answer_settings(app.config))
                app.extensions[_CONFIGURED] = weakref.ref(store)
    return store


def warm(app: Flask) -> None:
    """Get the store of ``app`` ready to answer now (``serve`` calls it in each worker:
    the embedded store starts its query processes)."""
    _configured(app).warm()


def close(app: Flask) -> None:
    """Close the store of ``app`` and what answering started (a worker's Ctrl-C; also
    done at exit)."""
    with app.app_context():
        get_store().close()


def _slots() -> ClientSlots:
    def make(app: Flask) -> ClientSlots:
        folder = app.config.get(SLOTS_SETTING)
        if not folder:
            folder = tempfile.mkdtemp(prefix="scholargate-clients-")
            weakref.finalize(app, shutil.rmtree, folder, True)
        return ClientSlots(Path(folder), int(app.config.get("CLIENT_CONCURRENCY") or 0))

    return _per_app(_SLOTS, make)
