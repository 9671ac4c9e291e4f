"""A user's query (``/sparql``) answered by the SPARQL server: the remote store's
:meth:`~scholargate.store.Store.answer`, under the same bounds as the embedded store's.

- **Time.** The request's deadline (``started + timeout``, ``QUERY_TIMEOUT``) is the
  HTTP exchange's own: sending, the server's work and reading the answer end by then
  (sooner when ``STORE_TIMEOUT`` ends first: a 504 that names the server). Past the
  deadline the connection is dropped and the query is a 503 ``LimitExceededError``
  with ``limit_seconds``, as on the embedded store. ScholarGate cannot stop the query
  on the server, which may go on evaluating it (a timeout hint sent to servers that
  take one is still to come).
- **Size.** An answer longer than ``max_bytes`` (``MAX_ANSWER_BYTES``) is refused with
  the embedded store's 400 (``QueryFailedError``), as soon as the bytes read show it.
- **Format and rows.** The answer is asked for in the requested format and passed on
  as the server wrote it, except where the row cap (``MAX_ROWS``) needs a look inside:
  SELECT answers in CSV, TSV and XML are cut after the last allowed row by the embedded
  store's row finder (``store/processes/results.py``), reading stopped there; SPARQL
  JSON is parsed to count its rows (only when there is a cap) and written again, as
  the embedded store writes it (``"truncated": true`` after ``head``), only when cut;
  CONSTRUCT and DESCRIBE are asked for as N-Triples (one triple a line), cut after
  ``max_rows`` lines, and written in the asked format as the embedded store writes
  them (N-Triples passed on untouched). ASK answers pass through.
- **sg:label.** Each call is written out in standard SPARQL first (``labels.py``, in
  ``RemoteStore._ask``), and the query so written is the one bounded here.
- **Slow lane.** ``limited`` is ignored: there are no query processes to share.
"""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from ...errors import GatewayTimeoutError, LimitExceededError
from ...formats import Format, by_name
from ...namespaces import PREFIXES
from ..answers import Answer, AnswerRequest, QueryFailedError
from ..processes.results import cut_serialised
from .answers import NTRIPLES, expect, malformed, write_triples
from .text import query_form
from .transport import Response

if TYPE_CHECKING:
    from .store import RemoteStore

_CUT_BY_ROWS = ("csv", "tsv", "xml")
_FORMS = {"select": "a SELECT", "ask": "an ASK", "graph": "a CONSTRUCT or DESCRIBE"}


def answer(store: RemoteStore, request: AnswerRequest) -> Answer:
    """Answer ``request`` on ``store``'s server (see the module's text)."""
    began = time.monotonic()
    limit = (began if request.started is None else request.started) + request.timeout
    if limit <= began:
        raise LimitExceededError("the time limit passed before the query ran", retry_after=2)
    ends = min(limit, began + store.timeout)
    fmt = by_name(request.fmt)
    form = query_form(request.sparql)
    graph = form == "graph" or (form is None and fmt.kind != "results")
    if form is not None and (fmt.kind == "results") == graph:  # as the embedded store says
        raise QueryFailedError(f"{_FORMS[form]} query cannot be answered as {fmt.name}")
    accept = NTRIPLES if graph else fmt.media_type
    options: dict[str, Any] = {
        "default_graphs": request.default_graphs,
        "named_graphs": request.named_graphs,
        "union": request.union_default_graph,
        "deadline": ends,
    }
    try:
        with store._ask(request.sparql, accept, PREFIXES, **options) as response:
            if graph:
                expect(response, NTRIPLES)
                body, count, truncated = _graph(response, fmt, request)
                kind = "graph"
            else:
                expect(response, *fmt.media_types)
                body, count, truncated = _results(response, fmt, form, request)
                kind = form or "select"
    except GatewayTimeoutError:
        if ends < limit or time.monotonic() < limit:
            raise  # the server was slower than STORE_TIMEOUT, or said it timed out
        raise LimitExceededError(
            f"the query took longer than {request.timeout:g} s (the time limit) on the "
            f"SPARQL server at {store.server} and was abandoned: narrow it (LIMIT, fewer "
            "variables left unbound)",
            limit_seconds=request.timeout,
        ) from None
    _refuse_if_long(len(body), request.max_bytes)
    return Answer(kind, body, count, truncated, time.monotonic() - began)


def _refuse_if_long(size: int, max_bytes: int | None, *, more: bool = False) -> None:
    """The embedded store's refusal of an answer longer than ``max_bytes``."""
    if not max_bytes or size <= max_bytes:
        return
    length = f"longer than {max_bytes}" if more else str(size)
    raise QueryFailedError(
        f"the answer is {length} bytes; this endpoint sends at most {max_bytes} "
        "(MAX_ANSWER_BYTES): ask for fewer rows (LIMIT) or shorter values"
    )


def _chunks(response: Response, max_bytes: int | None) -> Iterator[bytes]:
    """The answer's chunks; refused once more than ``max_bytes`` arrived."""
    size = 0
    for chunk in response.chunks():
        size += len(chunk)
        _refuse_if_long(size, max_bytes, more=True)
        yield chunk


def _results(
    response: Response, fmt: Format, form: str | None, request: AnswerRequest
) -> tuple[bytes, int, bool]:
    cap = request.max_rows
    if form == "ask" or cap is None:
        return b"".join(_chunks(response, request.max_bytes)), 0, False
    if fmt.name in _CUT_BY_ROWS:
        # only complete rows count against the byte cap: the cut may end before the rest
        refuse = lambda rows: _refuse_if_long(rows, request.max_bytes, more=True)  # noqa: E731
        return cut_serialised(response.chunks(), fmt.name, cap, refuse)
    data = response.read()  # SPARQL JSON (and any other format): parsed to count rows
    if fmt.name != "json":
        return data, 0, False
    try:
        doc = json.loads(data)
        bindings = doc["results"]["bindings"]
        assert isinstance(bindings, list)
    except (ValueError, KeyError, TypeError, AssertionError):
        raise malformed(response.server, "SPARQL JSON results that do not read") from None
    if len(bindings) <= cap:
        return data, len(bindings), False
    cut = {"head": doc.get("head", {}), "truncated": True}
    cut.update((k, v) for k, v in doc.items() if k not in ("head", "results", "truncated"))
    cut["results"] = {**doc["results"], "bindings": bindings[:cap]}
    body = json.dumps(cut, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return body, cap, True


def _graph(response: Response, fmt: Format, request: AnswerRequest) -> tuple[bytes, int, bool]:
    """An N-Triples answer cut after ``max_rows`` lines, in ``fmt``."""
    cap, kept, count, end = request.max_rows, bytearray(), 0, 0
    # N-Triples is sent as it came, so the byte cap counts what is read; another format
    # is written from it (the store's own STORE_MAX_BYTES bounds the read)
    most = request.max_bytes if fmt.name == "nt" else None
    truncated = False
    for chunk in _chunks(response, most):
        at = len(kept)
        kept += chunk
        while cap is not None and not truncated and (at := kept.find(b"\n", at)) >= 0:
            at += 1
            count += 1
            if count <= cap:
                end = at  # just past the last line the cap allows
            else:
                truncated = True
        if truncated:
            del kept[end:]
            count = cap or 0
            break
    if cap is None:
        count = kept.count(b"\n")
    if fmt.name == "nt":
        return bytes(kept), count, truncated
    try:
        found = [q.triple for q in ox.parse(bytes(kept), ox.RdfFormat.N_TRIPLES)]
    except SyntaxError:
        raise malformed(response.server, "N-Triples that do not parse") from None
    items: list[Any] = found
    if fmt.holds_graphs:  # the answer is the default graph of a dataset, as embedded
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in found]
    out = io.BytesIO()
    write_triples(items, fmt, out)
    return out.getvalue(), len(found), truncated
