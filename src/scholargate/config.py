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
        "On-disk Oxigraph store; rebuilt when a source file changes (default: ROOT/var/store).",
    ),
    "SAVED": (
        None,
        Path,
        "Append-only file of saved comparisons, loaded into the graph "
        "sgg:comparisons (default: ROOT/var/comparisons.nt).",
    ),
    "MEMORY": (False, bool, "Build the graph in memory instead of on disk (tests, demos)."),
    "MEMORY_COPY": (
        500000,
        int,
        "Under `serve`, each HTTP worker answers from an in-memory copy of the on-disk "
        "store when the store holds at most this many quads (0: never). Oxigraph answers "
        "2-4x faster in memory; a copy costs about 400 bytes a quad in each worker.",
    ),
    "LANG": ("en", str, "Language when a request names none (en, fa or tr)."),
    "HOST": ("127.0.0.1", str, "Address `serve` listens on."),
    "PORT": (8000, int, "Port `serve` listens on."),
    "WORKERS": (2, int, "HTTP worker processes under `serve`."),
    "THREADS": (4, int, "Threads per HTTP worker process."),
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
    "QUERY_TIMEOUT": (30.0, float, "Seconds a SPARQL query may run before it is stopped (503)."),
    "MAX_ROWS": (
        10000,
        int,
        "Most rows (or triples) one query answer carries; more are cut "
        "and the answer says it was truncated.",
    ),
    "MAX_BODY": (1048576, int, "Largest request body in bytes (413 beyond)."),
    "MAX_URL": (8192, int, "Longest request URL in bytes (414 beyond)."),
    "MAX_NESTING": (64, int, "Deepest nesting of groups/parentheses a query may have."),
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


def _coerce(name: str, value: Any, kind: type) -> Any:
    if value is None or isinstance(value, kind):
        return value
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
