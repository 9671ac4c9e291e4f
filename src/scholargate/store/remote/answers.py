"""Reading what the server answers, and writing RDF the way the embedded store does.

SELECT answers come as SPARQL TSV, read by ``store/tsv.py`` as the embedded store reads
its own (the Oxigraph server writes TSV with the same code: the same cells); ASK answers
as SPARQL JSON (TSV has no boolean: the Oxigraph server writes a bare ``true``); graphs
as N-Triples, parsed by pyoxigraph as they stream in. An answer that does not read is
the server's fault: a 502 that names it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from ...errors import BadGatewayError
from ...formats import Format
from ...namespaces import PREFIXES
from .. import QueryResult
from ..conversion import native_format, to_oxigraph, to_rdflib
from ..tsv import rows_from_tsv
from .transport import Response

TSV = "text/tab-separated-values"
JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
NQUADS = "application/n-quads"
ACCEPT = {"select": TSV, "ask": JSON, "graph": NTRIPLES}
ANY_ANSWER = f"{TSV}, {NTRIPLES};q=0.9, {JSON};q=0.8"  # for a query whose form is unclear


def malformed(server: str, what: str) -> BadGatewayError:
    return BadGatewayError(
        f"the SPARQL server at {server} sent a malformed answer: {what}", server=server
    )


def expect(response: Response, *media_types: str) -> None:
    """Refuse an answer in another media type than one of ``media_types``."""
    if response.media_type not in media_types:
        response.close()
        found = response.media_type or "no media type"
        raise malformed(response.server, f"{found} where {' or '.join(media_types)} was asked for")


def read_select(response: Response, max_rows: int | None) -> QueryResult:
    """A SELECT answer from SPARQL TSV; with ``max_rows``, only that many rows are read."""
    if max_rows is None:
        data = response.read()
        truncated = False
    else:
        lines = [response.readline()]
        while len(lines) <= max_rows:
            line = response.readline()
            if not line:
                break
            lines.append(line)
        truncated = bool(response.readline()) if len(lines) > max_rows else False
        data = b"".join(lines)
    try:
        variables, rows = rows_from_tsv(data)
    except (ValueError, UnicodeDecodeError) as error:
        kind = type(error).__name__
        raise malformed(response.server, f"SPARQL TSV that does not read ({kind})") from None
    return QueryResult("select", variables, rows, [], truncated=truncated)


def read_boolean(response: Response) -> QueryResult:
    """An ASK answer from SPARQL JSON."""
    try:
        answer = json.loads(response.read())
    except ValueError:
        raise malformed(response.server, "SPARQL JSON that does not read") from None
    if isinstance(answer, dict) and isinstance(answer.get("boolean"), bool):
        return QueryResult("ask", [], [], [], boolean=answer["boolean"])
    raise malformed(response.server, "SPARQL JSON results without the boolean of an ASK")


def triples(response: Response) -> Iterator[ox.Triple]:
    """The triples of an N-Triples answer, as they arrive."""
    try:
        for quad in ox.parse(response, ox.RdfFormat.N_TRIPLES):
            yield quad.triple
    except SyntaxError:
        raise malformed(response.server, "N-Triples that do not parse") from None


def quads(response: Response) -> Iterator[ox.Quad]:
    """The quads of an N-Quads answer, as they arrive."""
    try:
        yield from ox.parse(response, ox.RdfFormat.N_QUADS)
    except SyntaxError:
        raise malformed(response.server, "N-Quads that do not parse") from None


def rdflib_triple(triple: ox.Triple) -> tuple[Node, Node, Node]:
    return to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)


def read_graph(response: Response, max_rows: int | None) -> QueryResult:
    """A CONSTRUCT or DESCRIBE answer from N-Triples, cut after ``max_rows`` triples."""
    found: list[tuple[Node, Node, Node]] = []
    for triple in triples(response):
        if max_rows is not None and len(found) >= max_rows:
            return QueryResult("graph", [], [], found, truncated=True)
        found.append(rdflib_triple(triple))
    return QueryResult("graph", [], [], found)


def copy(response: Response, out: IO[bytes]) -> None:
    """The answer's bytes, as they come, to ``out``."""
    for chunk in response.chunks():
        out.write(chunk)


def _prefixes(fmt: Format) -> dict[str, str] | None:
    return None if fmt.name in ("nt", "nq") else PREFIXES


def write_triples(found: Iterable[ox.Triple], fmt: Format, out: IO[bytes]) -> None:
    """Triples in ``fmt`` with the project's prefixes, as the embedded store writes them."""
    ox.serialize(found, out, native_format(fmt), prefixes=_prefixes(fmt))


def write_quads(found: Iterable[ox.Triple], graph: URIRef, fmt: Format, out: IO[bytes]) -> None:
    """Triples of ``graph`` in a dataset format, keeping the graph's name."""
    target = ox.NamedNode(str(graph))
    in_graph = (ox.Quad(t.subject, t.predicate, t.object, target) for t in found)
    ox.serialize(in_graph, out, native_format(fmt), prefixes=_prefixes(fmt))


def ntriples(given: Iterable[tuple[Node, Node, Node]]) -> bytes:
    """N-Triples for rdflib triples; a term the store could not hold raises ValueError."""
    return ox.serialize(
        (ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in given),
        format=ox.RdfFormat.N_TRIPLES,
    )
