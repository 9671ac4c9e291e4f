"""Dumps of the whole dataset or one named graph, streamed to a binary file."""

from __future__ import annotations

from typing import IO

from rdflib import URIRef

from ..errors import InputError
from ..formats import Format
from ..store import Store


def export(store: Store, fmt: Format, out: IO[bytes], *, graph: URIRef | None = None) -> None:
    """Write the store (or ``graph``) to ``out`` in ``fmt``; the store writes as it reads."""
    if fmt.kind not in ("graph", "dataset"):
        raise InputError(f"{fmt.label} is not an RDF format; use ttl, jsonld, nt, rdf, nq or trig")
    store.dump(fmt, out, graph=graph)
