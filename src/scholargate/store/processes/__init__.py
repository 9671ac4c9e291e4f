"""Supervised query processes: the embedded store answers a user's query where it can be
stopped.

Oxigraph's Python API has no timeout and crashes the process on pathological input
(a few thousand nested groups overflow its parser's stack). So the embedded store does
not evaluate ``/sparql`` queries in the HTTP worker: each HTTP worker keeps a small
:class:`QueryPool` of query processes, each of which opens the store itself:

* an on-disk store read-only (``Store.read_only(path)``; RocksDB allows one writer);
* an in-memory store from an N-Quads dump written once to a temporary file, loaded by
  every query process at its start.

The HTTP thread sends a job (query, dataset, answer format, row cap) over the child's
stdin and waits for the answer on its stdout, both as length-prefixed frames: a small
JSON header and the answer already serialised, so the only per-row work in the HTTP
worker is copying bytes. One deadline, taken when the request began, covers waiting
for a free child and running on it; at the deadline the thread kills the child (the
work really ends), a replacement starts in the background, and the caller gets a 503.
Waiting is a short queue (at most ``queue`` requests, each at most ``queue_wait``
seconds), so requests never pile up behind runaway queries: beyond it, a 503 with
``Retry-After``. A child that dies on its own (stack overflow, out of memory) or is
killed is a 503 too, and is replaced the same way; the server stays up.

Queries run with the project's prefixes predeclared and its SPARQL functions
(``sg:label``, store/functions.py), as they do on the store in the HTTP worker.

The rooms: ``answerer.py`` (a store's pool, made on first use in each process, and
where its processes read the graph), ``pool.py`` (waiting, the deadline, killing and
replacing), ``process.py``
(the parent's end of one process: the job it is sent, its pipes), ``failures.py``
(what a failure becomes for the client), ``child.py`` (the query process's program,
``python -P child.py``) and ``results.py`` (where the child writes an answer: SPARQL
JSON, and CSV, TSV and XML cut at the row cap).
"""

from __future__ import annotations

from .failures import QueryFailedError, QueryProcessError
from .pool import QueryPool
from .process import Job, StoreSource, default_memory_limit

__all__ = [
    "Job",
    "QueryFailedError",
    "QueryPool",
    "QueryProcessError",
    "StoreSource",
    "default_memory_limit",
]
