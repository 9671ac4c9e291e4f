"""The query process's program, run as ``python -P child.py``: open the store, say
ready, then evaluate one job at a time from stdin and write each answer to stdout.

It imports only the standard library and pyoxigraph; store/functions.py (``sg:label``)
and results.py (the answer writers) are loaded from their files, so neither the
package nor rdflib is imported and a replacement process starts in ~0.1 s.

It limits itself: its data segment (``RLIMIT_DATA``: an allocation beyond it fails and
the process aborts instead of swapping the machine to death), its CPU time per query
(``RLIMIT_CPU``, a backstop if its parent were gone), and a watchdog thread that exits
when the parent process disappears. The parent (pool.py) kills it at the deadline.

What goes over the pipes: the parent sends length-prefixed JSON messages (the settings
every job shares, then one job each: see process.py's ``Job``); the child answers with
frames (:data:`FRAME`: a small JSON header and the answer already serialised).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import resource
import signal
import struct
import sys
import threading
import time
from collections.abc import Mapping
from itertools import islice
from pathlib import Path
from types import ModuleType
from typing import Any

import pyoxigraph as ox

FRAME = struct.Struct("!II")  # an answer's frame: header length, body length
_MESSAGE = struct.Struct("!I")  # a message to the child: its length


def _load(path: Path, name: str) -> ModuleType:
    """A module of the package, loaded from its file (not through the package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __package__:  # imported by the parent or a test
    from . import results
else:  # the query process
    results = _load(Path(__file__).with_name("results.py"), "scholargate_query_results")

_SYNTAX_POSITION = re.compile(r"error at (\d+):(\d+)(?:-\d+:\d+)?: ?(.*)", re.S)


def _project_functions() -> Any:
    """``custom_functions`` of store/functions.py (``sg:label``), loaded from its file so
    that the child does not import the store package (and rdflib with it)."""
    path = Path(__file__).resolve().parent.parent / "functions.py"
    if not path.is_file():
        return None, None
    module = _load(path, "scholargate_query_functions")
    return getattr(module, "custom_functions", None), getattr(module, "may_call", None)


_FUNCTIONS: Any = None  # set in the child by child_main
_MAY_CALL: Any = None


def _results_format(media_type: str) -> ox.QueryResultsFormat | None:
    return ox.QueryResultsFormat.from_media_type(media_type)


def _rdf_format(media_type: str) -> ox.RdfFormat | None:
    return ox.RdfFormat.from_media_type(media_type)


def evaluate(store: ox.Store, job: dict[str, Any], prefixes: Mapping[str, str]) -> tuple:
    """Run one job with the project's ``prefixes`` predeclared and its SPARQL functions;
    return ``(header, body)``, the answer serialised once in the job's format (its
    ``media_type``; ``format`` names it in messages). Never raises for a bad query."""
    options: dict[str, Any] = {}
    if job.get("default_graphs") is not None:
        options["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
    if job.get("named_graphs") is not None:
        options["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    if job.get("union") and "default_graph" not in options:
        options["use_default_graph_as_union"] = True
    if prefixes:
        options["prefixes"] = dict(prefixes)
    if _FUNCTIONS is not None and (_MAY_CALL is None or _MAY_CALL(job["sparql"])):
        options["custom_functions"] = _FUNCTIONS(store)
    fmt, media_type = job["format"], job.get("media_type") or ""
    cap = job.get("max_rows")
    try:
        sparql = job["sparql"]
        answer = store.query(sparql, **options)
        if isinstance(answer, ox.QueryBoolean):
            if (results_format := _results_format(media_type)) is None:
                return _mismatch("an ASK", fmt)
            return {"ok": True, "kind": "ask", "count": 1}, answer.serialize(format=results_format)
        if isinstance(answer, ox.QuerySolutions):
            if (results_format := _results_format(media_type)) is None:
                return _mismatch("a SELECT", fmt)
            body, count, truncated = results.write_solutions(
                answer, results_format, fmt, cap, again=lambda: store.query(sparql, **options)
            )
            return {"ok": True, "kind": "select", "count": count, "truncated": truncated}, body
        if (rdf_format := _rdf_format(media_type)) is None:
            return _mismatch("a CONSTRUCT or DESCRIBE", fmt)
        triples = list(answer if cap is None else islice(answer, cap + 1))
        truncated = cap is not None and len(triples) > cap
        if truncated:
            triples = triples[:cap]
        header = {"ok": True, "kind": "graph", "count": len(triples), "truncated": truncated}
        items: list[Any] = triples
        if rdf_format.supports_datasets:  # the answer is the default graph of a dataset
            items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        body = ox.serialize(items, format=rdf_format, prefixes=dict(prefixes))
        return header, body
    except SyntaxError as error:
        return _syntax(str(error)), b""
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        message = f"the query failed: {_first_words(error)}"
        return {"ok": False, "error": "evaluation", "message": message}, b""


def _first_words(error: BaseException) -> str:
    """The engine's error in a line a client may read: never what another server
    answered (a failed SERVICE call quotes its payload), never more than 300 characters."""
    text = str(error).split("\n", 1)[0]
    text = text.split(" with payload", 1)[0]
    return text if len(text) <= 300 else text[:300] + "…"


def _mismatch(form: str, fmt: str) -> tuple[dict[str, Any], bytes]:
    message = f"{form} query cannot be answered as {fmt}"
    return {"ok": False, "error": "format", "message": message}, b""


def _syntax(text: str) -> dict[str, Any]:
    """The header for Oxigraph's syntax error ("error at 3:14: expected …")."""
    match = _SYNTAX_POSITION.search(text)
    if match is None:
        return {"ok": False, "error": "syntax", "message": f"SPARQL syntax error: {text}"}
    return {
        "ok": False,
        "error": "syntax",
        "line": int(match.group(1)),
        "column": int(match.group(2)),
        "message": f"SPARQL syntax error: {match.group(3).strip()}",
    }


# ---- the pipes ---------------------------------------------------------------------------


def _write_frame(fd: int, header: Mapping[str, Any], body: bytes) -> None:
    head = json.dumps(header).encode("utf-8")
    data = memoryview(FRAME.pack(len(head), len(body)) + head + body)
    while data:
        written = os.write(fd, data)
        data = data[written:]


def _read_exact(fd: int, size: int) -> bytes | None:
    buffer = bytearray()
    while len(buffer) < size:
        chunk = os.read(fd, size - len(buffer))
        if not chunk:
            return None
        buffer += chunk
    return bytes(buffer)


def _read_message(fd: int) -> dict[str, Any] | None:
    """One length-prefixed JSON message from ``fd``, or None at end of input."""
    head = _read_exact(fd, _MESSAGE.size)
    if head is None:
        return None
    (size,) = _MESSAGE.unpack(head)
    payload = _read_exact(fd, size)
    return None if payload is None else json.loads(payload)


# ---- the process -------------------------------------------------------------------------


def _watch_parent(parent: int) -> None:
    """Exit when the process that started us is gone (even mid-query)."""
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(3)


def child_main(argv: list[str]) -> int:
    """The query process: open the store, say ready, answer jobs until stdin closes."""
    import argparse

    parser = argparse.ArgumentParser(prog="scholargate-query")
    parser.add_argument("--store")
    parser.add_argument("--nquads")
    parser.add_argument("--memory-limit", type=int, default=0)
    parser.add_argument("--parent", type=int, default=0)
    args = parser.parse_args(argv)

    global _FUNCTIONS, _MAY_CALL
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when we stop
    _FUNCTIONS, _MAY_CALL = _project_functions()
    if args.parent:
        threading.Thread(target=_watch_parent, args=(args.parent,), daemon=True).start()
    if args.memory_limit:
        _, hard = resource.getrlimit(resource.RLIMIT_DATA)
        limit = (
            args.memory_limit if hard == resource.RLIM_INFINITY else min(hard, args.memory_limit)
        )
        resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    # Frames go to a private copy of stdout; anything printed goes to stderr instead.
    out = os.dup(1)
    os.dup2(2, 1)
    if args.store:
        store = ox.Store.read_only(args.store)
    else:
        store = ox.Store()
        if args.nquads:
            # parse keeps the dump's blank node labels (bulk_load renames them): an
            # answer names a blank node as the parent's store does, so an update's WHERE
            # answered here names the nodes the write path holds
            store.bulk_extend(ox.parse(path=args.nquads, format=ox.RdfFormat.N_QUADS))
    settings = _read_message(0)  # the first message: what every job shares
    if settings is None:
        return 0
    prefixes = settings.get("prefixes") or {}
    _write_frame(out, {"ready": True, "pid": os.getpid()}, b"")
    while True:
        job = _read_message(0)
        if job is None:
            return 0
        _cpu_budget(int(job.get("cpu_seconds") or 0))
        header, body = results.capped(*evaluate(store, job, prefixes), job.get("max_bytes"))
        _cpu_budget(0)
        _write_frame(out, header, body)


def _cpu_budget(seconds: int) -> None:
    """Let the coming query use ``seconds`` more CPU seconds (0: no limit)."""
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if seconds <= 0:
        resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
        return
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime) + seconds + 1
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


if __name__ == "__main__":
    sys.exit(child_main(sys.argv[1:]))
