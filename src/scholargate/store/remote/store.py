"""The remote store: any SPARQL 1.1 server as the :class:`~scholargate.store.Store`.

Reads ask the server for the format they need and read it without a detour
(``answers.py``): SELECT answers as TSV, read as the embedded store reads its own; ASK
as SPARQL JSON; graphs as N-Triples parsed as they stream in. ``query_to`` streams the
server's bytes in the asked format untouched (a graph answer in a format other than
N-Triples is written here, with the project's prefixes, as the embedded store writes
it). Writes are parsed and checked here first — a syntax error or a bad term sends
nothing — then sent as N-Triples: by the Graph Store Protocol when there is a Graph
Store URL, else as SPARQL Update ``INSERT DATA``.

``generation`` follows the server (``state.py``): every write through a RemoteStore sets
a new stamp in the graph ``sgg:state`` in the same request, and the generation moves on
when the stamp or the count of quads read from the server (at most every ``poll``
seconds) differs, so caches keyed on it see writes made by other instances, or on the
server directly, within a bounded time. The graphs ScholarGate keeps for itself
(``sgg:state``, ``sgg:journal``) are left out of the graph list, counts and dumps.
No server evaluates ``sg:label``: every query sent (``_ask``) has its calls written out
in standard SPARQL first (``labels.py``), so ``extension_functions()`` names it.
``answer`` (``/sparql``) keeps the embedded store's bounds: ``answering.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import IO

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from ...errors import InputError
from ...formats import Format
from ...terms import iri as sparql_iri
from .. import Answer, AnswerRequest, Cells, QueryKind, QueryResult, Store
from ..conversion import native_format, rdf_parse_error
from ..functions import LABEL
from ..tsv import read_cells
from .answering import answer
from .answers import (
    ACCEPT,
    ANY_ANSWER,
    JSON,
    NTRIPLES,
    TSV,
    copy,
    expect,
    malformed,
    ntriples,
    rdflib_triple,
    read_boolean,
    read_graph,
    read_select,
    triples,
    write_triples,
)
from .dumping import dump, every_quad
from .labels import rewrite as rewrite_labels
from .profiles import Profile
from .protocol import Endpoint
from .state import STAMP_QUERY, ServerState, bump
from .text import prologue, query_form
from .transport import Auth, Response

DEFAULT_MAX_BYTES = 256 << 20
# the server's own default graph too


class RemoteStore(Store):
    """A SPARQL 1.1 server as the store.

    ``query_url`` answers queries; ``update_url`` takes SPARQL Updates and ``gsp_url``
    is the Graph Store Protocol endpoint (either makes the store writable; with neither
    it is read-only). ``user`` and ``password`` are sent by ``auth`` (``basic`` or
    ``digest``). Each request ends within ``timeout`` seconds (a dump or a whole graph:
    each read waits at most that long); an answer read into memory or streamed by
    ``query_to`` may hold at most ``max_bytes`` (None: no cap). ``profile``: ``auto``
    (from the server's ``Server`` header), ``oxigraph``, ``virtuoso`` or ``standard``
    (``profiles.py``). ``poll``: seconds between reads of the server's state for
    ``generation`` (0: only writes through this object move it; ``state.py``).
    """

    remote = True

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
        poll: float = 2.0,
    ) -> None:
        self.endpoint = Endpoint(
            query_url,
            update_url=update_url,
            gsp_url=gsp_url,
            user=user,
            password=password,
            auth=auth,
            timeout=timeout,
            max_bytes=max_bytes,
            profile=profile,
        )
        self.server = self.endpoint.server
        self.timeout, self.max_bytes = timeout, max_bytes
        self.state = ServerState(self._stamp, self.count, poll=poll)
        self.endpoint.names_ttl = poll
        self.writable = self.endpoint.writable

    def __repr__(self) -> str:
        return f"RemoteStore({self.endpoint.query_url!r})"

    @property
    def generation(self) -> int:  # type: ignore[override]
        """Moves on with the server's state (``state.py``)."""
        return self.state.current()

    def _stamp(self) -> str:
        """The stamps in the state graph, sorted and joined ('' before the first write)."""
        with self.endpoint.query(STAMP_QUERY, TSV, union=False, max_bytes=1 << 20) as response:
            expect(response, TSV)
            rows = read_select(response, None).rows
        return " ".join(sorted(str(r["stamp"]) for r in rows if "stamp" in r))

    @property
    def profile(self) -> Profile:
        return self.endpoint.profile

    def _ask(
        self, sparql: str, accept: str, prefixes: Mapping[str, str] | None, **options: object
    ) -> Response:
        """A query with its predeclared prefixes, under the store's byte cap."""
        head = prologue(prefixes)
        sparql = rewrite_labels(sparql, prefixes)
        return self.endpoint.query(
            head + sparql,
            accept,
            shift=len(head),
            max_bytes=self.max_bytes,
            **options,  # type: ignore[arg-type]
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
        options = {"default_graphs": default_graphs, "named_graphs": named_graphs}
        union = not (form == "ask" and self.profile.ask_in_union)
        accept = ACCEPT[form] if form else ANY_ANSWER
        with self._ask(sparql, accept, prefixes, union=union, **options) as response:
            kind = response.media_type
            if kind == TSV and form != "ask":
                return read_select(response, max_rows)
            if kind == JSON:
                return read_boolean(response)
            if kind == NTRIPLES:
                return read_graph(response, max_rows)
            expect(response, accept.split(",", 1)[0])
            raise AssertionError("unreachable")  # pragma: no cover

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
        convert = form == "graph" and fmt.name != "nt"
        accept = NTRIPLES if convert else fmt.media_type
        options = {"default_graphs": default_graphs, "named_graphs": named_graphs}
        with self._ask(sparql, accept, prefixes, **options) as response:
            if convert:
                expect(response, NTRIPLES)
                write_triples(triples(response), fmt, out)
            else:
                expect(response, *fmt.media_types)
                copy(response, out)
        if form is not None:
            return form
        return "select" if fmt.kind == "results" else "graph"

    def answer(self, request: AnswerRequest) -> Answer:
        """``/sparql``'s query answered by the server within its deadline, row cap and
        byte cap (``answering.py``)."""
        return answer(self, request)

    def extension_functions(self) -> tuple[URIRef, ...]:
        """``sg:label``, written out in standard SPARQL before a query is sent."""
        return (URIRef(LABEL.value),)

    def select_cells(self, sparql: str) -> Cells:
        if query_form(sparql) not in ("select", None):
            raise InputError("select_cells needs a SELECT query")
        with self.endpoint.query(sparql, TSV, max_bytes=self.max_bytes) as response:
            expect(response, TSV)
            data = response.read()
        try:
            return read_cells(data)
        except UnicodeDecodeError:
            raise malformed(self.server, "SPARQL TSV that is not UTF-8") from None

    def graph_names(self) -> list[URIRef]:
        return self.endpoint.graph_names()

    def _graph(self, name: URIRef) -> Response | None:
        """The triples of one graph as N-Triples (None: the server has no such graph)."""
        if self.endpoint.gsp_url is not None:
            return self.endpoint.get(name, NTRIPLES)
        sparql = (
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {sparql_iri(str(name))} {{ ?s ?p ?o }} }}"
        )
        return self.endpoint.query(sparql, NTRIPLES, union=False, deadline=False)

    def graph(self, name: URIRef) -> Graph:
        g = Graph(identifier=name)
        response = self._graph(name)
        if response is None:
            return g
        with response:
            expect(response, NTRIPLES)
            for triple in triples(response):
                g.add(rdflib_triple(triple))
        return g

    def count(self, graph: URIRef | None = None) -> int:
        if graph is not None:
            pattern = f"GRAPH {sparql_iri(str(graph))} {{ ?s ?p ?o }}"
        else:
            pattern = self._every_quad()
        sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
        with self.endpoint.query(sparql, TSV, union=False, max_bytes=self.max_bytes) as response:
            expect(response, TSV)
            rows = read_select(response, None).rows
        try:
            return int(rows[0]["n"])
        except (IndexError, KeyError, ValueError):
            raise malformed(self.server, "a COUNT without a number") from None

    def dump(self, fmt: Format, out: IO[bytes], *, graph: URIRef | None = None) -> None:
        dump(self, fmt, out, graph)

    def _every_quad(self) -> str:
        return every_quad(self.profile)

    # ---- writes ------------------------------------------------------------------

    def _wrote(self) -> None:
        """After a Graph Store request: a new stamp (a separate request: the protocol
        has no way to send it along), and caches move on."""
        self.state.wrote()
        self.endpoint.forget_names()
        if self.endpoint.update_url is not None:
            self.endpoint.update(bump())

    def _update(self, sparql: str) -> None:
        """One update request with a new stamp set in the same request."""
        text = sparql.rstrip()
        self.state.wrote()
        self.endpoint.forget_names()
        self.endpoint.update(text + ("\n" if text.endswith(";") else "\n;\n") + bump())

    def _add(self, graph: URIRef, body: bytes) -> None:
        if self.endpoint.gsp_url is not None:
            self.endpoint.send("POST", graph, body)
            self._wrote()
        else:
            self._update(self._insert(graph, body))

    def _insert(self, graph: URIRef, body: bytes) -> str:
        """An update that adds the N-Triples ``body`` to ``graph``: ``INSERT DATA``, or
        a template with an empty WHERE where the server refuses blank nodes in data."""
        data = f"GRAPH {sparql_iri(str(graph))} {{ {body.decode()} }}"
        if not self.profile.data_blank_nodes and b"_:" in body:
            return f"INSERT {{ {data} }} WHERE {{}}"
        return f"INSERT DATA {{ {data} }}"

    def load(self, data: bytes | str, fmt: Format, *, graph: URIRef, source: str = "") -> int:
        if fmt.kind not in ("graph", "dataset"):
            raise InputError(f"{fmt.label} is not an RDF format")
        if not self.endpoint.writable:
            raise self.endpoint.read_only()
        if isinstance(data, str):
            data = data.encode("utf-8")
        try:
            # Parsed in full here: a syntax error sends nothing, and says where.
            parsed = [q.triple for q in ox.parse(data, native_format(fmt))]
        except SyntaxError as error:
            raise rdf_parse_error(error, source) from None
        if parsed:
            self._add(graph, ox.serialize(parsed, format=ox.RdfFormat.N_TRIPLES))
        return len(parsed)

    def extend(self, graph: URIRef, triples: Iterable[tuple[Node, Node, Node]]) -> int:
        if not self.endpoint.writable:
            raise self.endpoint.read_only()
        body = ntriples(triples)
        if body:
            self._add(graph, body)
        return body.count(b"\n")

    def replace_graph(self, name: URIRef, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        if not self.endpoint.writable:
            raise self.endpoint.read_only()
        body = ntriples(triples)  # a bad term fails here, before the old graph is touched
        if self.endpoint.update_url is not None:
            # One update is one transaction: readers see the old graph or the new one.
            dropping = f"DROP SILENT GRAPH {sparql_iri(str(name))}"
            # an empty INSERT DATA is a syntax error to Virtuoso: none when there is no data
            self._update(f"{dropping} ; {self._insert(name, body)}" if body else dropping)
        else:
            self.endpoint.send("PUT", name, body)
            self._wrote()

    def update(self, sparql: str) -> None:
        """Run ``sparql`` with a new stamp set in the same request."""
        self._update(sparql)

    def clear(self) -> None:
        if not self.endpoint.writable:
            raise self.endpoint.read_only()
        if self.endpoint.update_url is not None:
            if self.profile.drop_all:
                self._update("DROP ALL")
            elif names := self.graph_names():
                self._update(" ; ".join(f"DROP SILENT GRAPH {sparql_iri(str(g))}" for g in names))
            return
        for name in self.graph_names():
            self.endpoint.send("DELETE", name)
        if not self.profile.system_graphs:  # Virtuoso has no default graph of its own
            self.endpoint.send("DELETE", None)
        self._wrote()

    def close(self) -> None:
        self.endpoint.close()
