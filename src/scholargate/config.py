"""Settings: defaults, then ``SCHOLARGATE_*`` environment variables, then a mapping.

Every setting is documented in the README's "Configuration" table (a test checks).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import InputError

# name: (default, type, description)
SETTINGS: dict[str, tuple[Any, type, str]] = {
    "ROOT": (
        None,
        Path,
        "Project folder holding ontology/, shapes/ and data/ "
        "(found from the working directory when unset).",
    ),
    "STORE": (
        None,
        Path,
        "On-disk Oxigraph store; rebuilt when a source file changes (default: ROOT/var/store). "
        "An http(s):// URL instead: a SPARQL 1.1 server's query endpoint is the store "
        "(`scholargate build` loads the sources into it; `serve` only reads it).",
    ),
    "STORE_UPDATE": (
        "",
        str,
        "The SPARQL server's Update endpoint, when STORE is a URL.",
    ),
    "STORE_GSP": (
        "",
        str,
        "The SPARQL server's Graph Store Protocol endpoint, when STORE is a URL: whole "
        "graphs are loaded, read and dumped through it. Without it writes go as INSERT DATA "
        "updates; with neither this nor STORE_UPDATE the store is read-only (403 on writes).",
    ),
    "STORE_USER": ("", str, "User name for a SPARQL server that asks for credentials."),
    "STORE_PASSWORD": (
        "",
        str,
        "Password for a SPARQL server that asks for credentials (never printed).",
    ),
    "STORE_AUTH": ("basic", str, "How credentials are sent to the SPARQL server: basic or digest."),
    "STORE_TIMEOUT": (
        30.0,
        float,
        "Seconds one request to the SPARQL server may take, sending, the server's work and "
        "reading the answer included (504 beyond); a SPARQL query's own deadline "
        "(QUERY_TIMEOUT) stops it sooner. Dumps and whole graphs: each read waits at most "
        "this long.",
    ),
    "STORE_MAX_BYTES": (
        268435456,
        int,
        "Largest answer (256 MiB) read from the SPARQL server for one query (503, "
        "limit-exceeded, beyond; 0: no cap); /sparql answers are also held to "
        "MAX_ANSWER_BYTES. Dumps are not capped.",
    ),
    "STORE_POLL": (
        2.0,
        float,
        "Seconds between reads of the SPARQL server's state (the stamp every write through "
        "ScholarGate sets, and a count of its quads, at most every 20 times the count's own "
        "time): how soon caches see a change made through another instance or on the "
        "server directly (0: only this process's own writes).",
    ),
    "STORE_PROFILE": (
        "auto",
        str,
        "What the SPARQL server needs: oxigraph, virtuoso, standard, or auto (from its "
        "Server header): how queries are POSTed, how the union of the named graphs is asked "
        "for, how the named graphs are listed.",
    ),
    "SAVED": (
        None,
        Path,
        "Read-only legacy file of comparisons saved before saves became writes (new ones "
        "live in the JOURNAL); a source of the build, loaded into the graph sgg:comparisons "
        "(default: ROOT/var/comparisons.nt).",
    ),
    "JOURNAL": (
        None,
        Path,
        "The change journal: every accepted write, replayed over the sources by each build "
        "(default: beside the on-disk store, STORE.journal.jsonl; with MEMORY, a temporary "
        "file that lasts as long as the server).",
    ),
    "MAX_UPLOAD_TRIPLES": (
        100000,
        int,
        "Most triples one Graph Store upload may hold (413 beyond); the body is also held "
        "to MAX_BODY.",
    ),
    "WRITE_TIMEOUT": (
        10.0,
        float,
        "Longest a write waits for another to finish (503 with Retry-After beyond).",
    ),
    "SAVED_MAX": (
        5000,
        int,
        "Most saved comparisons the server keeps; saving another is refused (507).",
    ),
    "SAVE_RATE": (
        10,
        int,
        "New comparisons one client may save per minute (429 with Retry-After beyond; "
        "0: no limit).",
    ),
    "TOKENS": (
        None,
        Path,
        "File of the bearer tokens that may write (default: ROOT/var/tokens.json, mode "
        "0600; `scholargate token` manages it): each holder's name, role (writer or admin) "
        "and the SHA-256 of the token, never the token itself.",
    ),
    "SECRET_KEY": (
        "",
        str,
        "Signs the curators' sign-in cookie and the forms' CSRF tokens (never printed). "
        "Empty: the key in SECRET_KEY_FILE, made there on first need.",
    ),
    "SECRET_KEY_FILE": (
        None,
        Path,
        "Where the cookie-signing key is kept when SECRET_KEY is empty (default: "
        "`session.key` beside the TOKENS file): 32 random bytes, made once with mode 0600 "
        "and shared by every worker; delete it to sign every curator out.",
    ),
    "SIGN_IN_HOURS": (
        12.0,
        float,
        "How long a curator's sign-in in the browser lasts before the token is asked again.",
    ),
    "RELEASES": (
        None,
        Path,
        "Folder of the dataset's releases made by `scholargate release` (default: "
        "`releases` beside the on-disk store, ROOT/var/releases for the default store; none "
        "with MEMORY): one folder per version, served under /releases.",
    ),
    "MEMORY": (False, bool, "Build the graph in memory instead of on disk (tests, demos)."),
    "MEMORY_COPY": (
        100000,
        int,
        "Under `serve`, the HTTP workers answer from one in-memory copy of the on-disk "
        "store, made by the master before they fork and shared by them, when the store "
        "holds at most this many quads (0: never); otherwise they read it from disk. "
        "Pages are ~20-30% faster from the copy; it costs ~400 bytes a quad, plus what "
        "each worker's reads make its own (bench/memory.py).",
    ),
    "LANG": ("en", str, "Language when a request names none (en, fa or tr)."),
    "HOST": ("127.0.0.1", str, "Address `serve` listens on."),
    "PORT": (8000, int, "Port `serve` listens on."),
    "WORKERS": (2, int, "HTTP worker processes under `serve`."),
    "THREADS": (
        4,
        int,
        "No longer used: HTTP workers are gevent workers, one greenlet per connection "
        "(see CONNECTIONS); accepted so that existing settings still load.",
    ),
    "CONNECTIONS": (1000, int, "Connections one HTTP worker of `serve` holds at once."),
    "HEADER_TIMEOUT": (
        10.0,
        float,
        "Seconds a client has to send a request's line and headers (and an idle "
        "keep-alive connection to start its next request); then it is closed.",
    ),
    "BODY_TIMEOUT": (
        30.0,
        float,
        "Seconds a client has to send a whole request body (408 beyond); bodies are "
        "read in full before the application sees the request.",
    ),
    "SEND_TIMEOUT": (
        30.0,
        float,
        "Seconds a client may take no bytes of its answer before it is dropped.",
    ),
    "PROXIES": (
        0,
        int,
        "Reverse proxies in front of the server that are trusted to set "
        "X-Forwarded-For/-Proto/-Host (0: none; the client is the peer address).",
    ),
    "PUBLIC_URL": (
        "",
        str,
        "The server's public base URL (e.g. https://scholargate.example.org); when set, "
        "every absolute URL the server writes starts with it, whatever Host a request "
        "sends.",
    ),
    "ALLOCATOR": (
        "auto",
        str,
        "Memory allocator of `serve`: `auto` (jemalloc when installed, else the system's), "
        "`jemalloc` or `system`. Oxigraph answers about a quarter faster with jemalloc.",
    ),
    "QUERY_WORKERS": (
        2,
        int,
        "Query processes per HTTP worker; a runaway query is killed in its own process.",
    ),
    "QUERY_TIMEOUT": (
        30.0,
        float,
        "Seconds from a SPARQL request's start to its answer, waiting for a query process "
        "included; a query still running then is stopped (503).",
    ),
    "QUEUE_WAIT": (
        2.0,
        float,
        "Seconds a SPARQL query may wait for a busy query process (never past "
        "QUERY_TIMEOUT; at most twice QUERY_WORKERS queries wait); 503 with Retry-After beyond.",
    ),
    "SLOW_CLIENT_SECONDS": (
        60.0,
        float,
        "Seconds a client whose SPARQL query ran past QUERY_TIMEOUT runs its queries in "
        "the slow lane: all query processes of an HTTP worker but one, never waiting "
        "(503 with Retry-After when the lane is busy); 0 turns the lane off.",
    ),
    "MAX_ROWS": (
        10000,
        int,
        "Most rows (or triples) one query answer carries; more are cut "
        "and the answer says it was truncated.",
    ),
    "MAX_ANSWER_BYTES": (
        33554432,
        int,
        "Largest SPARQL answer in bytes (32 MiB); a longer one is refused with a 400 that "
        "says so (0: no cap). Dumps under /export are streamed and not capped.",
    ),
    "MAX_BODY": (1048576, int, "Largest request body in bytes (413 beyond)."),
    "MAX_URL": (8192, int, "Longest request URL in bytes (414 beyond)."),
    "MAX_NESTING": (64, int, "Deepest nesting of groups/parentheses a query may have."),
    "MAX_CHAIN": (
        256,
        int,
        "Longest chain of operators (+, ||, UNION, OPTIONAL, path steps, …) a query may "
        "have, nested ones added (400 beyond).",
    ),
    "MAX_PARAMS": (
        100,
        int,
        "Most parameters a request's URL may carry (400 beyond) and most fields its "
        "form may carry (413 beyond).",
    ),
    "MAX_FACET_VALUES": (
        10,
        int,
        "Most values of one facet (field, family, type) /methods narrows by (400 beyond).",
    ),
    "ANSWER_CACHE": (
        64,
        int,
        "MiB of SPARQL answers (requests included) each HTTP worker keeps for repeated "
        "queries (0 turns the cache off).",
    ),
    "CLIENT_CONCURRENCY": (4, int, "Queries one client may have running at once (429 beyond)."),
    "SERVICE_ALLOWLIST": (
        "",
        str,
        "Space-separated SPARQL endpoints that SERVICE may call (none by default).",
    ),
    "CORS_ORIGINS": ("*", str, "Origins allowed to query from a browser (CORS)."),
}


def is_url(value: Any) -> bool:
    """Whether a STORE setting names a SPARQL server (an ``http(s)://`` URL), not a path."""
    return isinstance(value, str) and value.strip().lower().startswith(("http://", "https://"))


def _coerce(name: str, value: Any, kind: type) -> Any:
    if value is None or isinstance(value, kind):
        return value
    if kind is Path and is_url(value):
        return value.strip()  # a server's URL stays text (a Path would fold its "//")
    try:
        if kind is bool:
            return str(value).strip().lower() in ("1", "true", "yes", "on")
        return kind(value)
    except (TypeError, ValueError):
        raise InputError(f"setting {name} must be a {kind.__name__}, got {value!r}") from None


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The settings in force: defaults < environment < ``overrides``."""
    config: dict[str, Any] = {}
    overrides = dict(overrides or {})
    for name, (default, kind, _) in SETTINGS.items():
        value = default
        env = os.environ.get(f"SCHOLARGATE_{name}")
        if env is not None and env != "":
            value = env
        if name in overrides:
            value = overrides.pop(name)
        config[name] = _coerce(name, value, kind)
    config.update(overrides)  # extra keys (Flask's own, tests) pass through
    return config
