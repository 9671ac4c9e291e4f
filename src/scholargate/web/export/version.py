"""The content version of a dump: its ``ETag`` and ``Last-Modified``, from the build's
fingerprint and the graphs' sizes, without reading or hashing a dump."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from rdflib import URIRef

from ... import __version__
from ...build import discover, fingerprint, fingerprint_file
from ...config import is_url
from ...namespaces import COMPARISONS_GRAPH, METADATA_GRAPH, sparql_prefixes
from ...store import Store
from ..context import journal_seq

# Graphs written while the server runs (saved comparisons, through the journal like every
# write); their size in sgg:metadata is the build's, so they are counted live. They stay
# small; big graphs come from the build.
RUNTIME_GRAPHS: tuple[URIRef, ...] = (COMPARISONS_GRAPH, METADATA_GRAPH)

_EXTENSION = "scholargate.export"


@dataclass(frozen=True)
class Build:
    """What the store was built from: the sources' fingerprint and their latest change."""

    fingerprint: str
    modified: datetime


def _build_of(app: Flask) -> Build:
    """The build behind the app's store, cheap to ask for on every request.

    On disk, ``open_built`` leaves the fingerprint beside the store, in
    ``fingerprint_file`` (re-read only when that file changes); in memory the store was
    built at start-up, so the fingerprint is computed once from the same sources.
    """
    cache: dict[str, Any] = app.extensions.setdefault(_EXTENSION, {})
    store_path = app.config.get("STORE")
    if not app.config.get("MEMORY") and store_path and not is_url(store_path):
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
    ``sgg:metadata``, the live sizes of the graphs written at run time and the number of
    the last write in the journal (for one graph, of the last write that touched it, so a
    saved comparison leaves the other graphs' dumps as they were): no dump is read or
    hashed.
    """
    build = _build_of(current_app._get_current_object())  # type: ignore[attr-defined]
    sizes = sorted(
        (str(r["g"]), str(r["n"]))
        for r in store.select(sparql_prefixes() + _SIZES % METADATA_GRAPH)
        if graph is None or r["g"] == graph
    )
    live = [(str(g), str(store.count(g))) for g in RUNTIME_GRAPHS if graph is None or graph == g]
    seq = journal_seq(graph)  # a graph's dump changes only with a write to it
    token = json.dumps([__version__, build.fingerprint, sizes, live, seq])
    modified = build.modified
    journal = current_app.config.get("JOURNAL")
    if seq and journal:
        try:
            modified = max(modified, datetime.fromtimestamp(Path(journal).stat().st_mtime, UTC))
        except OSError:
            pass
    return sha256(token.encode("utf-8")).hexdigest()[:32], modified.replace(microsecond=0)
