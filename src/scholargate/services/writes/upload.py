"""An uploaded RDF document, read strictly into the quads of one named graph.

:func:`parse_upload` is what a Graph Store request's body becomes before any
:class:`~.delta.Delta` is computed: Turtle, N-Triples, RDF/XML or JSON-LD (the format
table's graph formats, chosen by media type), all or nothing — a body that does not
parse, or holds anything the store should not take, is refused whole and no quad is
returned.

What is refused, and how:

======================================================  ======
a media type that is not a graph format (N3, TriG, …)    415
a body that is not UTF-8                                 400
a syntax error (with line and column when known)         400 (``ParseError``)
RDF/XML with ``<!DOCTYPE`` / ``<!ENTITY``                400
a JSON-LD context IRI other than the project's own       400
a JSON-LD key or ``@id`` JSON-LD would drop              400
nesting deeper than ``MAX_DEPTH``                        400
a relative IRI with no base; an IRI ``terms`` refuses    400
a literal the store cannot take (lone surrogate, tag)    400
more than ``max_triples`` triples                        413
a literal or IRI over its cap                            413
======================================================  ======

Every blank node of an upload becomes a fresh one (a random 32-digit label), the same
label within one upload the same new node: two uploads never share a blank node, nor
meet one already in the store.
"""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from ...errors import InputError, UnsupportedMediaTypeError
from ...formats import GRAPH_FORMATS, Format, by_media_type
from ...store import Quad
from ...terms import is_iri, literal, shown
from .upload_jsonld import read_jsonld
from .upload_limits import (
    MAX_IRI_CHARS,
    MAX_LITERAL_CHARS,
    CountedMemory,
    iri_too_long,
    literal_too_long,
)
from .upload_text import read_ntriples, read_rdfxml, read_turtle

ACCEPTED_MEDIA_TYPES = tuple(mt for f in GRAPH_FORMATS for mt in f.media_types)
"""The media types an upload may have: Turtle, JSON-LD, N-Triples, RDF/XML."""

_N3 = ("text/n3", "text/rdf+n3", "application/n3")


def parse_upload(
    body: bytes,
    media_type: str,
    *,
    graph: URIRef,
    max_triples: int,
    base: str | None = None,
    root: Path | None = None,
) -> list[Quad]:
    """The triples of ``body`` as quads of ``graph``, or an error and nothing.

    ``media_type`` is the request's Content-Type (parameters such as ``charset`` are
    ignored: the body must be UTF-8). Relative IRIs resolve against ``base``; without
    one, a relative IRI is refused. ``root`` is the project root whose
    ``ontology/context.jsonld`` stands for the context IRI in JSON-LD (found from the
    working directory when not given)."""
    fmt = upload_format(media_type)
    if base is not None and not is_iri(base):
        raise InputError(f"the base IRI {shown(base)!r} is not an absolute IRI")
    text = _utf8(body)
    stand_in = base or f"https://{uuid4().hex}.invalid/"
    triples = _read(fmt, text, stand_in, max_triples, root)
    return _checked(triples, graph, relative=None if base else stand_in)


def upload_format(media_type: str) -> Format:
    """The graph format of a Content-Type, or 415 listing the accepted types."""
    bare = media_type.split(";", 1)[0].strip().lower()
    fmt = by_media_type(bare) if bare else None
    if fmt is not None and fmt in GRAPH_FORMATS:
        return fmt
    accepted = ", ".join(ACCEPTED_MEDIA_TYPES)
    if not bare:
        why = "the request has no Content-Type"
    elif bare in _N3:
        why = "N3 is not accepted (its formulas, variables and rules are not RDF; send Turtle)"
    elif fmt is not None and fmt.holds_graphs:
        why = f"{fmt.label} carries named graphs, and a Graph Store request writes one graph"
    else:
        why = f"{shown(bare)!r} is not an RDF graph format ScholarGate reads"
    raise UnsupportedMediaTypeError(f"{why}; send one of: {accepted}", accepted=accepted)


def _utf8(body: bytes) -> str:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = body[error.start : error.start + 1]
        raise InputError(
            f"the body is not UTF-8 text (byte {error.start} is {bad!r})", offset=error.start
        ) from None
    return text.removeprefix("\ufeff")


def _read(fmt: Format, text: str, base: str, most: int, root: Path | None) -> Graph:
    """The graph rdflib reads from ``text`` in ``fmt``, stopped at ``most`` triples."""
    if fmt.name == "jsonld":
        dataset = Dataset(store=CountedMemory(most), default_union=False)
        read_jsonld(text, dataset, base, root)
        named = sorted(
            str(g.identifier)
            for g in dataset.graphs()
            if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)
        )
        if named:
            raise InputError(
                f"the JSON-LD names graphs ({shown(named[0])!r}"
                + (f" and {len(named) - 1} more" if len(named) > 1 else "")
                + "); a Graph Store request writes the one graph its URL names, so send "
                "the triples without @graph and @id around them",
                graphs=[shown(g) for g in named[:10]],
            )
        return dataset.graph(DATASET_DEFAULT_GRAPH_ID)
    sink = Graph(store=CountedMemory(most))
    if fmt.name == "ttl":
        read_turtle(text, sink, base)
    elif fmt.name == "nt":
        read_ntriples(text, sink)
    else:
        read_rdfxml(text, sink, base)
    return sink


def _checked(triples: Graph, graph: URIRef, *, relative: str | None) -> list[Quad]:
    """The triples as quads of ``graph``, every term checked, blank nodes fresh."""
    fresh: dict[BNode, BNode] = {}
    seen: set[Node] = set()

    def node(value: Node, position: str) -> Node:
        if isinstance(value, BNode):
            if position == "predicate":
                raise InputError("a blank node cannot be a predicate")
            return fresh.setdefault(value, BNode(uuid4().hex))
        if value not in seen:
            _check(value, position, relative)
            seen.add(value)
        return value

    quads: list[Quad] = []
    for s, p, o in triples:
        quads.append((node(s, "subject"), node(p, "predicate"), node(o, "object"), graph))
    return quads


def _check(value: Node, position: str, relative: str | None) -> None:
    if isinstance(value, URIRef):
        _check_iri(str(value), relative)
    elif isinstance(value, Literal):
        if position != "object":
            raise InputError(f"a literal cannot be a {position}: {shown(str(value))!r}")
        if len(value) > MAX_LITERAL_CHARS:
            raise literal_too_long(len(value))
        if value.datatype is not None:
            _check_iri(str(value.datatype), relative)
        try:
            datatype = str(value.datatype) if value.datatype is not None else None
            literal(str(value), lang=value.language, datatype=datatype)
        except InputError as error:
            raise InputError(f"a literal the store cannot hold: {error.message}") from None
    else:
        raise InputError(f"not an RDF term: {shown(repr(value))}")


def _check_iri(text: str, relative: str | None) -> None:
    if relative is not None and text.startswith(relative):
        raise InputError(
            f"a relative IRI ({shown(text[len(relative) :]) or '<>'}) and no base IRI to "
            "resolve it against: write absolute IRIs"
        )
    if len(text) > MAX_IRI_CHARS:
        raise iri_too_long(len(text))
    if not is_iri(text):
        raise InputError(
            f"{shown(text)!r} is not an IRI the store can hold (absolute, no spaces, "
            'no <>"{}|^`\\)',
            iri=shown(text),
        )
