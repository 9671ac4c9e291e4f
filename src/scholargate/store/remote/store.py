"""The remote store: any SPARQL 1.1 server, through the SPARQL 1.1 Protocol (queries,
updates) and the Graph Store HTTP Protocol (whole graphs).

Reads ask the server for the format they need and read it without a detour: SELECT
answers as TSV (read as the embedded store reads its own, ``store/tsv.py``), ASK as
SPARQL JSON, graphs as N-Triples parsed by pyoxigraph; ``query_to`` streams the server's
bytes in the asked format as they come. Writes are parsed and checked here first (a
syntax error or a bad term sends nothing), then sent as N-Triples by a Graph Store PUT
or POST when there is a Graph Store URL, else as one SPARQL Update.

``generation`` counts the writes made through this object, as the interface says; a
remote store cannot see writes made elsewhere (another instance, or on the server),
so caches keyed on it miss those until the store reads a generation from the server
(issue 13, stateless web tier: not done yet).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import IO
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from ...errors import ForbiddenError, InputError
from ...formats import Format, by_name
from ...namespaces import PREFIXES
from .. import Cells, QueryKind, QueryResult, Store
from ..oxigraph import native_format, rdf_parse_error, to_oxigraph, to_rdflib
from ..tsv import read_cells, rows_from_tsv
from .errors import BadGatewayError
from .profiles import Profile, detect, profile_named
from .text import prologue, query_form, syntax_error
from .transport import Auth, Response, Transport

TSV = "text/tab-separated-values"
JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
NQUADS = "application/n-quads"
_ACCEPT = {"select": TSV, "ask": JSON, "graph": NTRIPLES}
_ANY_ANSWER = f"{TSV}, {NTRIPLES};q=0.9, {JSON};q=0.8"
DEFAULT_MAX_BYTES = 256 << 20


class RemoteStore(Store):
    """A SPARQL 1.1 server as the store.

    ``query_url`` answers queries; ``update_url`` takes SPARQL Updates and ``gsp_url``
    is the Graph Store Protocol endpoint (either makes the store writable; without
    both it is read-only). ``user``/``password`` are sent as ``auth`` (``basic`` or
    ``digest``). Each request ends within ``timeout`` seconds (a dump: each read waits
    at most that long); an answer read into memory or streamed by ``query_to`` may
    hold at most ``max_bytes``. ``profile``: ``auto`` (from the server's ``Server``
    header), ``oxigraph``, ``virtuoso`` or ``standard`` (``profiles.py``).
    """

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        gsp_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        auth: Auth = "basic",
        timeout: float = 30.0,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        profile: str | Profile = "auto",
    ) -> None:
        if auth not in ("basic", "digest"):
            raise ValueError(f"unknown HTTP authentication {auth!r}; choose basic or digest")
        self.query_url, self.update_url, self.gsp_url = query_url, update_url, gsp_url
        self.timeout, self.max_bytes = timeout, max_bytes
        self.generation = 0
        self._transports: dict[tuple[str, str | None, int | None], Transport] = {}
        for url in (query_url, update_url, gsp_url):
            if url is not None:
                self._transport(url, user=user, password=password, auth=auth)
        self.server = self._transport(query_url).server
        if isinstance(profile, Profile):
            self._profile: Profile | None = profile
        else:
            self._profile = None if profile == "auto" else profile_named(profile)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r})"

    # ---- plumbing --------------------------------------------------------------

    def _transport(self, url: str, **settings: object) -> Transport:
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname, parts.port)
        transport = self._transports.get(key)
        if transport is None:
            transport = self._transports[key] = Transport(
                url, timeout=self.timeout, max_bytes=self.max_bytes, **settings
            )
        return transport

    @property
    def profile(self) -> Profile:
        """The server's profile; ``auto`` asks the server once (``ASK {}``)."""
        if self._profile is None:
            transport = self._transport(self.query_url)
            target = _target(self.query_url, [("query", "ASK {}")])
            with transport.request("GET", target, headers={"Accept": JSON}) as response:
                if response.status >= 500 or response.status in (401, 403):
                    raise transport.failure(response, "a query")
                found = detect(response.headers.get("Server"))
            with self._lock:
                self._profile = found
        return self._profile

    def _send(
        self,
        sparql: str,
        accept: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        union: bool = True,
        shift: int = 0,
        deadline: bool = True,
        max_bytes: int | None = None,
    ) -> Response:
        """POST one query; a 200 answer is handed back, anything else raised."""
        profile = self.profile
        params: list[tuple[str, str]] = []
        if default_graphs is not None:
            params += [("default-graph-uri", str(g)) for g in default_graphs]
        elif union and profile.union == "parameter" and not named_graphs:
            params.append((profile.union_parameter, "true"))
        elif union and profile.union != "native":
            # Oxigraph refuses its union parameter beside named-graph-uri: list them all.
            params += [("default-graph-uri", str(g)) for g in self.graph_names()]
        params += [("named-graph-uri", str(g)) for g in named_graphs or ()]
        transport = self._transport(self.query_url)
        headers = {"Accept": accept}
        if profile.form_post:
            body = urlencode([("query", sparql), *params]).encode("utf-8")
            target = _target(self.query_url, [])
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = sparql.encode("utf-8")
            target = _target(self.query_url, params)
            headers["Content-Type"] = "application/sparql-query; charset=utf-8"
        response = transport.request(
            "POST", target, body=body, headers=headers, deadline=deadline, max_bytes=max_bytes
        )
        if response.status == 200:
            return response
        with response:
            if response.status == 400:
                raise syntax_error(response.text(400), self.server, shift=shift)
            raise transport.failure(response, "a query")

    def _query(
        self,
        sparql: str,
        accept: str,
        prefixes: Mapping[str, str] | None,
        **options: object,
    ) -> Response:
        head = prologue(prefixes)
        return self._send(head + sparql, accept, shift=len(head), **options)  # type: ignore[arg-type]

    def _malformed(self, what: str) -> BadGatewayError:
        return BadGatewayError(
            f"the SPARQL server at {self.server} sent a malformed answer: {what}",
            server=self.server,
        )

    def _expect(self, response: Response, *media_types: str) -> None:
        if response.media_type not in media_types:
            response.close()
            raise self._malformed(
                f"{response.media_type or 'no media type'} where {' or '.join(media_types)} "
                "was asked for"
            )

    # ---- reads -----------------------------------------------------------------

    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        max_rows: int | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult:
        form = query_form(sparql)
        accept = _ACCEPT[form] if form else _ANY_ANSWER
        with self._query(
            sparql,
            accept,
            prefixes,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            max_bytes=self.max_bytes,
        ) as response:
            kind = response.media_type
            if kind == TSV and form != "ask":
                return self._read_select(response, max_rows)
            if kind == JSON:
                return self._read_json(response)
            if kind == NTRIPLES:
                return self._read_graph(response, max_rows)
            self._expect(response, accept.split(",", 1)[0])
            raise AssertionError("unreachable")  # pragma: no cover

    def _read_select(self, response: Response, max_rows: int | None) -> QueryResult:
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
            raise self._malformed(
                f"SPARQL TSV that does not read ({type(error).__name__})"
            ) from None
        return QueryResult("select", variables, rows, [], truncated=truncated)

    def _read_json(self, response: Response) -> QueryResult:
        try:
            answer = json.loads(response.read())
        except ValueError:
            raise self._malformed("SPARQL JSON that does not read") from None
        if isinstance(answer, dict) and isinstance(answer.get("boolean"), bool):
            return QueryResult("ask", [], [], [], boolean=answer["boolean"])
        raise self._malformed("SPARQL JSON results without a boolean where ASK was asked")

    def _triples(self, source: IO[bytes] | bytes) -> Iterator[ox.Triple]:
        """The triples of N-Triples from the server; a malformed one is a 502."""
        try:
            for quad in ox.parse(source, ox.RdfFormat.N_TRIPLES):
                yield quad.triple
        except SyntaxError:
            raise self._malformed("N-Triples that do not parse") from None

    def _read_graph(self, response: Response, max_rows: int | None) -> QueryResult:
        triples: list[tuple[Node, Node, Node]] = []
        for triple in self._triples(response):
            if max_rows is not None and len(triples) >= max_rows:
                return QueryResult("graph", [], [], triples, truncated=True)
            triples.append(
                (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
            )
        return QueryResult("graph", [], [], triples)

    def query_to(
        self,
        sparql: str,
        fmt: Format,
        out: IO[bytes],
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryKind:
        form = query_form(sparql)
        if form == "graph" and fmt.kind not in ("graph", "dataset"):
            raise InputError(f"a CONSTRUCT or DESCRIBE answer cannot be written as {fmt.label}")
        if form in ("select", "ask") and fmt.kind != "results":
            raise InputError(f"a SELECT or ASK answer cannot be written as {fmt.label}")
        if fmt.kind not in ("graph", "dataset", "results"):
            raise InputError(f"{fmt.label} is not a format for SPARQL answers")
        # A graph answer in a format other than N-Triples is converted here, with the
        # project's prefixes, as the embedded store writes it; everything else streams.
        convert = form == "graph" and fmt.name != "nt"
        with self._query(
            sparql,
            NTRIPLES if convert else fmt.media_type,
            prefixes,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            max_bytes=self.max_bytes,
        ) as response:
            if convert:
                self._expect(response, NTRIPLES)
                self._write_triples(self._triples(response), fmt, out)
                return "graph"
            self._expect(response, *fmt.media_types)
            for chunk in response.chunks():
                out.write(chunk)
        if form is not None:
            return form
        return "graph" if fmt.kind != "results" else "select"

    def select_cells(self, sparql: str) -> Cells:
        if query_form(sparql) not in ("select", None):
            raise InputError("select_cells needs a SELECT query")
        with self._send(sparql, TSV, max_bytes=self.max_bytes) as response:
            self._expect(response, TSV)
            data = response.read()
        if not data.startswith((b"?", b"\n")) and data.strip() in (b"true", b"false"):
            raise InputError("select_cells needs a SELECT query")
        try:
            return read_cells(data)
        except UnicodeDecodeError:
            raise self._malformed("SPARQL TSV that is not UTF-8") from None

    def graph_names(self) -> list[URIRef]:
        rows = self._rows(self.profile.graph_names)
        return sorted({row["g"] for row in rows if isinstance(row.get("g"), URIRef)})

    def _rows(self, sparql: str) -> list[dict[str, Node]]:
        """A SELECT over the server's own default graph (no union asked for)."""
        with self._send(sparql, TSV, union=False, max_bytes=self.max_bytes) as response:
            self._expect(response, TSV)
            return self._read_select(response, None).rows

    def _graph_response(self, name: URIRef) -> Response | None:
        """The triples of one graph as N-Triples (None: no such graph)."""
        if self.gsp_url is not None:
            transport = self._transport(self.gsp_url)
            target = _target(self.gsp_url, [("graph", str(name))])
            response = transport.request(
                "GET", target, headers={"Accept": NTRIPLES}, deadline=False
            )
            if response.status == 404:
                response.close()
                return None
            if response.status != 200:
                with response:
                    raise transport.failure(response, "a Graph Store GET")
            return response
        sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}"
        return self._send(sparql, NTRIPLES, union=False, deadline=False)

    def graph(self, name: URIRef) -> Graph:
        g = Graph(identifier=name)
        response = self._graph_response(name)
        if response is None:
            return g
        with response:
            self._expect(response, NTRIPLES)
            for t in self._triples(response):
                g.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return g

    def count(self, graph: URIRef | None = None) -> int:
        if graph is not None:
            pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}"
        elif self.profile.union == "native":
            pattern = "GRAPH ?g { ?s ?p ?o }"
        else:  # every quad: the default graph's and the named graphs'
            pattern = "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"
        rows = self._rows(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
        try:
            return int(rows[0]["n"])
        except (IndexError, KeyError, ValueError):
            raise self._malformed("a COUNT without a number") from None

    def dump(self, fmt: Format, out: IO[bytes], *, graph: URIRef | None = None) -> None:
        if fmt.kind not in ("graph", "dataset"):
            raise InputError(f"{fmt.label} is not an RDF format")
        if graph is not None:
            response = self._graph_response(graph)
            if response is None:
                if fmt.name not in ("nt", "nq"):
                    self._write_triples(iter(()), fmt, out)
                return
            with response:
                self._expect(response, NTRIPLES)
                if fmt.name == "nt":
                    for chunk in response.chunks():
                        out.write(chunk)
                elif fmt.holds_graphs:
                    self._write_quads(self._triples(response), graph, fmt, out)
                else:
                    self._write_triples(self._triples(response), fmt, out)
            return
        if fmt.holds_graphs:
            self._dump_dataset(fmt, out)
            return
        # A triple format for the whole store: the union of every graph (a triple
        # stated in two graphs may be written twice, which reads back as one).
        pattern = "{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }"
        if self.profile.union == "native":
            pattern = "?s ?p ?o"
        sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}"
        with self._send(sparql, NTRIPLES, union=False, deadline=False) as response:
            self._expect(response, NTRIPLES)
            if fmt.name == "nt":
                for chunk in response.chunks():
                    out.write(chunk)
            else:
                self._write_triples(self._triples(response), fmt, out)

    def _dump_dataset(self, fmt: Format, out: IO[bytes]) -> None:
        if self.gsp_url is not None and self.profile.dataset_get:
            transport = self._transport(self.gsp_url)
            target = _target(self.gsp_url, [])
            with transport.request(
                "GET", target, headers={"Accept": NQUADS}, deadline=False
            ) as response:
                if response.status != 200:
                    raise transport.failure(response, "a Graph Store GET of the dataset")
                self._expect(response, NQUADS)
                if fmt.name == "nq":
                    for chunk in response.chunks():
                        out.write(chunk)
                    return
                try:
                    quads = ox.parse(response, ox.RdfFormat.N_QUADS)
                    ox.serialize(quads, out, native_format(fmt), prefixes=PREFIXES)
                except SyntaxError:
                    raise self._malformed("N-Quads that do not parse") from None
            return
        # Graph by graph (a serialiser per graph: TriG and N-Quads concatenate).
        for name in self.graph_names():
            response = self._graph_response(name)
            if response is None:
                continue
            with response:
                self._expect(response, NTRIPLES)
                self._write_quads(self._triples(response), name, by_name("nq"), out)

    def _write_triples(self, triples: Iterator[ox.Triple], fmt: Format, out: IO[bytes]) -> None:
        prefixes = None if fmt.name in ("nt", "nq") else PREFIXES
        ox.serialize(triples, out, native_format(fmt), prefixes=prefixes)

    def _write_quads(
        self, triples: Iterator[ox.Triple], graph: URIRef, fmt: Format, out: IO[bytes]
    ) -> None:
        target = ox.NamedNode(str(graph))
        quads = (ox.Quad(t.subject, t.predicate, t.object, target) for t in triples)
        prefixes = None if fmt.name == "nq" else PREFIXES
        ox.serialize(quads, out, native_format(fmt), prefixes=prefixes)

    # ---- writes ------------------------------------------------------------------

    def _read_only(self) -> ForbiddenError:
        return ForbiddenError(
            f"the store at {self.server} is read-only: it has no update URL and no Graph Store URL"
        )

    def _gsp(self, method: str, graph: URIRef | None, body: bytes | None = None) -> None:
        assert self.gsp_url is not None
        transport = self._transport(self.gsp_url)
        target = _target(self.gsp_url, [("graph", str(graph))] if graph else [("default", "")])
        headers = {"Content-Type": NTRIPLES} if body is not None else {}
        with transport.request(method, target, body=body, headers=headers) as response:
            if response.status == 404 and method == "DELETE":
                return
            if not 200 <= response.status < 300:
                if response.status == 400:
                    raise self._malformed(f"refused N-Triples ({response.text()})")
                raise transport.failure(response, f"a Graph Store {method}")

    def _add(self, graph: URIRef, body: bytes) -> None:
        if self.gsp_url is not None:
            self._gsp("POST", graph, body)
        elif self.update_url is not None:
            self._update(f"INSERT DATA {{ GRAPH <{graph}> {{ {body.decode('utf-8')} }} }}")
        else:
            raise self._read_only()

    def load(self, data: bytes | str, fmt: Format, *, graph: URIRef, source: str = "") -> int:
        if fmt.kind not in ("graph", "dataset"):
            raise InputError(f"{fmt.label} is not an RDF format")
        if self.gsp_url is None and self.update_url is None:
            raise self._read_only()
        if isinstance(data, str):
            data = data.encode("utf-8")
        try:
            # Parsed in full here: a syntax error sends nothing, and says where.
            triples = [q.triple for q in ox.parse(data, native_format(fmt))]
        except SyntaxError as error:
            raise rdf_parse_error(error, source) from None
        self.generation += 1
        if triples:
            self._add(graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
        return len(triples)

    def extend(self, graph: URIRef, triples: Iterable[tuple[Node, Node, Node]]) -> int:
        body = _ntriples(triples)
        self.generation += 1
        if body:
            self._add(graph, body)
        return body.count(b"\n")

    def replace_graph(self, name: URIRef, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        body = _ntriples(triples)  # a bad term fails here, before the old graph is touched
        self.generation += 1
        if self.update_url is not None:
            # One update is one transaction: readers see the old graph or the new one.
            self._update(
                f"DROP SILENT GRAPH <{name}> ; "
                f"INSERT DATA {{ GRAPH <{name}> {{ {body.decode('utf-8')} }} }}"
            )
        elif self.gsp_url is not None:
            self._gsp("PUT", name, body)
        else:
            raise self._read_only()

    def update(self, sparql: str) -> None:
        self.generation += 1
        self._update(sparql)

    def _update(self, sparql: str) -> None:
        if self.update_url is None:
            raise self._read_only()
        transport = self._transport(self.update_url)
        if self.profile.form_post:
            body = urlencode([("update", sparql)]).encode("utf-8")
            content_type = "application/x-www-form-urlencoded"
        else:
            body, content_type = sparql.encode("utf-8"), "application/sparql-update; charset=utf-8"
        target = _target(self.update_url, [])
        with transport.request(
            "POST", target, body=body, headers={"Content-Type": content_type}
        ) as response:
            if response.status == 400:
                raise syntax_error(response.text(400), self.server, update=True)
            if not 200 <= response.status < 300:
                raise transport.failure(response, "an update")

    def clear(self) -> None:
        self.generation += 1
        if self.update_url is not None:
            self._update("DROP ALL")
        elif self.gsp_url is not None:
            for name in self.graph_names():
                self._gsp("DELETE", name)
            self._gsp("DELETE", None)
        else:
            raise self._read_only()

    def close(self) -> None:
        for transport in self._transports.values():
            transport.close()


def _target(url: str, params: list[tuple[str, str]]) -> str:
    """The request target for ``url`` (its path and query) with ``params`` added."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return (parts.path or "/") + (f"?{query}" if query else "")


def _ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> bytes:
    """N-Triples for rdflib triples; a term the store could not hold raises ValueError."""
    return ox.serialize(
        (ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in triples),
        format=ox.RdfFormat.N_TRIPLES,
    )


__all__ = ["DEFAULT_MAX_BYTES", "RemoteStore"]
