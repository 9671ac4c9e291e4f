"""A SPARQL 1.1 Protocol request read from its method, Content-Type and raw bytes
(:func:`parse_request`), and turned into a query that passed the checks, with its
dataset settled (:func:`prepare`). Nothing here knows Flask."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from ...errors import InputError, ScholarGateError, UnsupportedMediaTypeError
from .analysis import QueryAnalysis, analyse
from .checks import Limits, check, check_graphs

FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


@dataclass
class ProtocolRequest:
    """The parameters of one SPARQL protocol request, decoded and counted."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    using_graphs: list[str] = field(default_factory=list)  # an update's using-graph-uri
    using_named_graphs: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(
            raw.decode("ascii", "strict") if raw.isascii() else raw.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
        )
    except UnicodeDecodeError:
        raise InputError(f"the {where} is not UTF-8 text") from None


def _utf8(body: bytes, where: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"the {where} is not UTF-8 text (invalid byte at offset {error.start})",
            offset=error.start,
        ) from None


def parse_request(
    method: str, content_type: str | None, query_string: bytes, body: bytes
) -> ProtocolRequest:
    """Read a SPARQL 1.1 Protocol request from its method, Content-Type and raw bytes.

    GET carries everything in the query string; POST carries either a form
    (``application/x-www-form-urlencoded``: ``query=`` or ``update=``) or the query or
    update itself (``application/sparql-query``, ``application/sparql-update``; dataset
    parameters in the query string). An update comes only by POST (405 otherwise).
    """
    params = _pairs(query_string, "query string")
    if method == "POST":
        kind = media_type(content_type)
        if kind == FORM_TYPE:
            params += _pairs(body, "request body")
        elif kind == QUERY_TYPE:
            params.append(("query", _utf8(body, "request body")))
        elif kind == UPDATE_TYPE:
            params.append(("update", _utf8(body, "request body")))
        else:
            given = f"Content-Type {kind!r}" if kind else "no Content-Type"
            raise UnsupportedMediaTypeError(
                f"a SPARQL query or update by POST needs Content-Type {FORM_TYPE}, "
                f"{QUERY_TYPE} or {UPDATE_TYPE}; the request has {given}",
                accepted=[FORM_TYPE, QUERY_TYPE, UPDATE_TYPE],
            )
    request = ProtocolRequest()
    queries: list[str] = []
    updates: list[str] = []
    for name, value in params:
        if name == "query":
            queries.append(value)
        elif name == "update":
            updates.append(value)
        elif name == "default-graph-uri":
            request.default_graphs.append(value.strip())
        elif name == "named-graph-uri":
            request.named_graphs.append(value.strip())
        elif name == "using-graph-uri":
            request.using_graphs.append(value.strip())
        elif name == "using-named-graph-uri":
            request.using_named_graphs.append(value.strip())
        elif name == "format":
            request.formats.append(value.strip())
    if len(queries) > 1:
        raise InputError(f"the request has {len(queries)} queries; send exactly one")
    if queries and updates:
        raise InputError("the request has both a query and an update; send one of them")
    if updates:
        if method != "POST":
            raise ScholarGateError(
                "an update goes by POST (update=… in a form, or an application/sparql-update "
                "body), never by GET",
                status=405,
            )
        if len(updates) > 1:
            raise InputError(f"the request has {len(updates)} updates; send exactly one")
        if not updates[0].strip():
            raise InputError("the update is empty")
        if request.default_graphs or request.named_graphs:
            raise InputError(
                "default-graph-uri and named-graph-uri are for queries; an update takes "
                "using-graph-uri and using-named-graph-uri"
            )
        request.update = updates[0]
        return request
    if request.using_graphs or request.using_named_graphs:
        raise InputError("using-graph-uri and using-named-graph-uri are for updates")
    if queries:
        request.query = queries[0]
        if not request.query.strip():
            raise InputError("the query is empty")
    elif method == "POST":
        raise InputError("the request has no query: send query=… or a query body")
    return request


@dataclass(frozen=True)
class PreparedQuery:
    """A query that passed the checks, with the dataset to evaluate it on."""

    text: str
    analysis: QueryAnalysis
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    union_default_graph: bool


def prepare(request: ProtocolRequest, *, graphs: Collection[str], limits: Limits) -> PreparedQuery:
    """Run the checks and settle the dataset.

    With ``default-graph-uri`` / ``named-graph-uri`` the protocol's dataset replaces
    any FROM in the query (what is not given is empty); otherwise the query's own
    FROM / FROM NAMED apply; with neither, the default graph is the union of all
    named graphs and every named graph can be reached with GRAPH.
    """
    assert request.query is not None
    text = request.query
    analysis = analyse(text)
    check(analysis, graphs=graphs, limits=limits)
    check_graphs(request.default_graphs, graphs, "default-graph-uri")
    check_graphs(request.named_graphs, graphs, "named-graph-uri")
    if request.default_graphs or request.named_graphs:
        return PreparedQuery(
            text,
            analysis,
            tuple(request.default_graphs),
            tuple(request.named_graphs),
            union_default_graph=False,
        )
    return PreparedQuery(
        text,
        analysis,
        None,
        None,
        union_default_graph=not analysis.has_dataset,
    )
