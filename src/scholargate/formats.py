"""The one format table: name, media type, file extension and serialisers.

Content negotiation, file suffixes, CLI ``--format`` options and file I/O all read
this table, so a format is never served under another format's media type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .errors import InputError

Kind = Literal["graph", "dataset", "results", "data", "page", "file"]
"""``file``: a file offered as it is, never negotiated (a release's dump and summary)."""


@dataclass(frozen=True)
class Format:
    """One serialisation: ``name`` is what users type (``ttl``), ``kind`` what it can hold."""

    name: str
    media_type: str
    extension: str
    kind: Kind
    label: str
    rdflib: str | None = None
    also_accepted: tuple[str, ...] = field(default=())

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.also_accepted)

    @property
    def holds_graphs(self) -> bool:
        """True for formats that can carry named graphs (TriG, N-Quads)."""
        return self.kind == "dataset"

    @property
    def content_type(self) -> str:
        """The Content-Type header value, with a charset for text formats."""
        if self.media_type.startswith("text/") or self.media_type.endswith(("json", "+xml")):
            return f"{self.media_type}; charset=utf-8"
        return self.media_type


# fmt: off
FORMATS: tuple[Format, ...] = (
    Format("ttl", "text/turtle", "ttl", "graph", "Turtle", "turtle", ("application/x-turtle",)),
    Format("jsonld", "application/ld+json", "jsonld", "graph", "JSON-LD", "json-ld"),
    Format("nt", "application/n-triples", "nt", "graph", "N-Triples", "nt11"),
    Format("rdf", "application/rdf+xml", "rdf", "graph", "RDF/XML", "xml"),
    Format("trig", "application/trig", "trig", "dataset", "TriG", "trig"),
    Format("nq", "application/n-quads", "nq", "dataset", "N-Quads", "nquads"),
    Format("json", "application/sparql-results+json", "srj", "results", "SPARQL JSON", None,
           ("application/json",)),
    Format("xml", "application/sparql-results+xml", "srx", "results", "SPARQL XML", None,
           ("application/xml",)),
    Format("csv", "text/csv", "csv", "results", "CSV"),
    Format("tsv", "text/tab-separated-values", "tsv", "results", "TSV"),
    Format("data-json", "application/json", "json", "data", "JSON"),
    Format("html", "text/html", "html", "page", "HTML", None, ("application/xhtml+xml",)),
    Format("nq-gz", "application/gzip", "nq.gz", "file", "N-Quads, gzipped"),
    Format("md", "text/markdown", "md", "file", "Markdown"),
    Format("atom", "application/atom+xml", "atom", "file", "Atom"),
)
# fmt: on

_BY_NAME = {f.name: f for f in FORMATS}
_BY_EXTENSION = {f.extension: f for f in FORMATS}
_BY_MEDIA_TYPE = {mt: f for f in FORMATS for mt in f.media_types}

RDF_FORMATS = tuple(f for f in FORMATS if f.kind in ("graph", "dataset"))
GRAPH_FORMATS = tuple(f for f in FORMATS if f.kind == "graph")
DATASET_FORMATS = tuple(f for f in FORMATS if f.kind == "dataset")
RESULT_FORMATS = tuple(f for f in FORMATS if f.kind == "results")


def by_name(name: str) -> Format:
    """The format called ``name`` (``ttl``, ``jsonld``, …), or a clear error listing the choices."""
    try:
        return _BY_NAME[name.lower()]
    except KeyError:
        choices = ", ".join(_BY_NAME)
        raise InputError(f"unknown format {name!r}; choose one of: {choices}") from None


def by_extension(extension: str) -> Format | None:
    return _BY_EXTENSION.get(extension.lower().lstrip("."))


def by_media_type(media_type: str) -> Format | None:
    return _BY_MEDIA_TYPE.get(media_type.split(";", 1)[0].strip().lower())


def for_path(path: str) -> Format:
    """The RDF format of a file, from its extension (``.ttl``, ``.nq``, …)."""
    suffix = path.rsplit(".", 1)[-1] if "." in path else ""
    fmt = by_extension(suffix) or (_BY_NAME.get(suffix.lower()) if suffix else None)
    if fmt is None or fmt.kind not in ("graph", "dataset"):
        names = ", ".join("." + f.extension for f in RDF_FORMATS)
        raise InputError(
            f"{path}: cannot tell the RDF format from the file name; use one of {names}"
        )
    return fmt
