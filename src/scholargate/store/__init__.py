"""The one interface every service uses to reach the graph: the "one door".

Services, web views and the CLI import this package only, never one implementation's
modules: the :class:`Store` interface, :func:`new_store` and :func:`remote_store` that
open one, and the value
types they exchange (:class:`QueryResult`, SELECT answers as TSV :class:`Cells` and
:func:`from_tsv` for one cell; for ``/sparql``, :class:`AnswerRequest`,
:class:`Answer` and :class:`AnswerSettings` of ``store/answers.py``).
``tests/test_layers.py`` checks it.

Implementations: :class:`~scholargate.store.oxigraph.OxigraphStore` (embedded, in
memory or on disk) and :class:`~scholargate.store.remote.RemoteStore` (a SPARQL 1.1
server). Nothing above this package knows which one it has.
"""

from __future__ import annotations

import io
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

from rdflib import Graph, URIRef
from rdflib.term import Node

from ..errors import InputError, LimitExceededError, StoreUnavailableError
from ..formats import Format, by_name
from ..namespaces import PREFIXES
from .answers import Answer, AnswerRequest, AnswerSettings, QueryFailedError
from .tsv import Cells, from_tsv, read_cells, rows_from_tsv

__all__ = [
    "Answer",
    "AnswerRequest",
    "AnswerSettings",
    "Cells",
    "QueryFailedError",
    "Quad",
    "QueryKind",
    "QueryResult",
    "Store",
    "from_tsv",
    "memory_image",
    "new_store",
    "over_image",
    "remote_store",
    "rows_from_tsv",
]

QueryKind = Literal["select", "ask", "graph"]

Quad = tuple[Node, Node, Node, URIRef]
"""Subject, predicate, object, and the named graph that holds them."""


@dataclass
class QueryResult:
    """The answer to one query, before it is turned into bytes.

    ``rows`` (SELECT) hold rdflib terms keyed by variable name; ``triples`` (CONSTRUCT,
    DESCRIBE) hold rdflib triples; ``boolean`` answers ASK. ``truncated`` is set when a
    row cap cut the answer short.
    """

    kind: QueryKind
    variables: list[str]
    rows: list[dict[str, Node]]
    triples: list[tuple[Node, Node, Node]]
    boolean: bool | None = None
    truncated: bool = False

    def graph(self) -> Graph:
        g = Graph()
        for t in self.triples:
            g.add(t)
        return g


class Store(ABC):
    """A quad store that answers SPARQL 1.1 and holds one named graph per source.

    The default graph of a query is the union of all named graphs unless
    ``default_graphs`` names some.
    """

    path: Path | None = None  # where an on-disk store lives; None in memory or remote
    remote: bool = False  # the graph lives on a SPARQL server
    generation: int = 0  # bumped by every write made through this object
    # False: opened read-only (a serve worker on disk), or a server without update URLs
    writable: bool = True

    # ---- reads ---------------------------------------------------------------

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        max_rows: int | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> QueryResult:
        """Evaluate a SPARQL query; raise ``ParseError`` with line/column on bad syntax.

        ``prefixes`` are predeclared for the query's parser, so error positions still
        point into the text the user wrote.
        """

    @abstractmethod
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
        """Evaluate a query and write its answer in ``fmt`` straight to ``out``."""

    def select(self, sparql: str) -> list[dict[str, Node]]:
        """A SELECT answer's rows, the default graph the union of all graphs, without
        predeclared prefixes or a row cap (implementations make this their fastest read)."""
        return self.query(sparql).rows

    def select_cells(self, sparql: str) -> Cells:
        """A SELECT answer as SPARQL TSV cells (``store/tsv.py``): for services that read
        many rows and turn only some cells into terms."""
        out = io.BytesIO()
        if self.query_to(sparql, by_name("tsv"), out) != "select":
            raise InputError("select_cells needs a SELECT query")
        return read_cells(out.getvalue())

    # ---- a user's query (/sparql) ---------------------------------------------------

    def configure_answers(self, settings: AnswerSettings) -> None:  # noqa: B027 - optional
        """How :meth:`answer` runs (given once, before the first answer; the embedded
        store's query processes); a store without such machinery ignores it."""

    def answer(self, request: AnswerRequest) -> Answer:
        """Answer a user's query already serialised in ``request.fmt``, bounded in time
        (``timeout`` from ``started``: waiting and running) and size (``max_rows``,
        ``max_bytes``).

        Raises the project's errors: ``ParseError`` (400, with line and column),
        ``LimitExceededError`` (503: the deadline, ``limit_seconds`` in its details; a
        full queue or slow lane, ``retry_after``), ``InputError`` or another 400 for a
        query that cannot be evaluated, 503 for a crash. A message never quotes what
        another server answered.

        This default evaluates in the calling process with :meth:`query_to`: it cannot
        stop a query at the deadline nor cut it at ``max_rows`` (nor count rows, nor
        take the slow lane), so a store that serves a public endpoint overrides it (the
        embedded store runs queries in processes it kills at the deadline).
        """
        began = time.monotonic()
        deadline = (began if request.started is None else request.started) + request.timeout
        if deadline <= began:
            raise LimitExceededError("the time limit passed before the query ran", retry_after=2)
        out = io.BytesIO()
        kind = self.query_to(
            request.sparql,
            by_name(request.fmt),
            out,
            default_graphs=request.default_graphs,
            named_graphs=request.named_graphs,
            prefixes=PREFIXES,
        )
        body = out.getvalue()
        if request.max_bytes and len(body) > request.max_bytes:
            raise QueryFailedError(
                f"the answer is {len(body)} bytes; this endpoint sends at most "
                f"{request.max_bytes} (MAX_ANSWER_BYTES): ask for fewer rows (LIMIT) or "
                "shorter values"
            )
        return Answer(kind=kind, body=body, seconds=time.monotonic() - began)

    def warm(self) -> None:  # noqa: B027 - optional for implementations
        """Get ready to answer now (the embedded store starts its query processes), so
        the first :meth:`answer` is fast."""

    def ask(self, sparql: str) -> bool:
        return bool(self.query(sparql).boolean)

    def construct(self, sparql: str) -> Graph:
        return self.query(sparql).graph()

    def extension_functions(self) -> tuple[URIRef, ...]:
        """The IRIs of the SPARQL functions of the project's own that this store
        evaluates (``sg:label``), sorted; none unless an implementation has them."""
        return ()

    def in_memory(self) -> Store:
        """A copy of every graph in memory, for a process that only reads; a store that
        cannot be copied answers itself."""
        return self

    @abstractmethod
    def graph_names(self) -> list[URIRef]:
        """Every named graph in the store, sorted."""

    @abstractmethod
    def graph(self, name: URIRef) -> Graph:
        """A copy of one named graph as an rdflib graph."""

    @abstractmethod
    def count(self, graph: URIRef | None = None) -> int:
        """Number of quads in the store, or triples in one named graph."""

    @abstractmethod
    def dump(self, fmt: Format, out: IO[bytes], *, graph: URIRef | None = None) -> None:
        """Serialise the whole store (a dataset format) or one graph to ``out``, streaming."""

    # ---- writes --------------------------------------------------------------

    @abstractmethod
    def load(self, data: bytes | str, fmt: Format, *, graph: URIRef, source: str = "") -> int:
        """Parse ``data`` and add it to ``graph``; nothing is added when parsing fails."""

    @abstractmethod
    def extend(self, graph: URIRef, triples: Iterable[tuple[Node, Node, Node]]) -> int:
        """Add ``triples`` to ``graph``; return how many were given."""

    @abstractmethod
    def replace_graph(self, name: URIRef, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        """Swap the content of one named graph for ``triples`` in one transaction."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL Update."""

    def change(self, removed: Iterable[Quad], added: Iterable[Quad]) -> None:
        """Remove ``removed`` then add ``added`` (a write's delta). Applying the same
        change twice changes nothing the second time. This default sends one SPARQL
        Update (one transaction on a server); it cannot name a blank node."""
        from ..terms import term

        def data(quads: Iterable[Quad]) -> str:
            return " ".join(
                f"GRAPH {term(g)} {{ {term(s)} {term(p)} {term(o)} }}" for s, p, o, g in quads
            )

        gone, new = data(removed), data(added)
        parts = [f"DELETE DATA {{ {gone} }}" if gone else ""]
        parts.append(f"INSERT DATA {{ {new} }}" if new else "")
        text = " ;\n".join(p for p in parts if p)
        if text:
            self.update(text)

    @abstractmethod
    def clear(self) -> None:
        """Remove everything."""

    def optimize(self) -> None:  # noqa: B027 - optional for implementations
        """Compact a freshly written store, where the implementation can."""

    def snapshot(self, target: Path) -> None:
        """Write the whole store as it is now to the new folder ``target``, which then
        opens like the store itself (``new_store(target, read_only=True)``) and never
        changes: what a process reads while another writes the store (``serve`` on
        disk). The embedded store on disk makes a checkpoint (hard links, cheap); a store
        in memory or on a server cannot."""
        where = "in memory" if self.path is None else f"read-only at {self.path}"
        raise StoreUnavailableError(
            f"this store ({'a SPARQL server' if self.remote else where}) cannot be "
            "snapshotted: only the embedded store, on disk and opened for writing, can"
        )

    def close(self) -> None:  # noqa: B027 - optional for implementations
        """Release files and locks, and stop what answering started (query processes);
        closing twice does nothing."""


def new_store(path: Path | str | None = None, *, read_only: bool = False) -> Store:
    """Open the embedded store: in memory (``path=None``) or on disk at ``path``,
    ``read_only`` for a process that only reads a store another one writes."""
    from .oxigraph import OxigraphStore

    return OxigraphStore(path, read_only=read_only)


def memory_image(dump: Path) -> Any:
    """The graphs of the N-Quads file ``dump`` in a bare in-memory Oxigraph store (a
    ``pyoxigraph.Store``): what ``serve``'s master loads before its workers fork, so that
    they share its pages (copy-on-write) instead of each holding a copy. Loading it
    starts no thread and leaves no lock, so the fork keeps it whole; a worker wraps it
    with :func:`over_image`."""
    import pyoxigraph as ox

    image = ox.Store()
    # parsed, then added: ``load`` and ``bulk_load`` would rename the blank nodes, which
    # must keep the names the on-disk store (read by the query processes) gives them
    image.bulk_extend(ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS))
    return image


def over_image(image: Any, origin: Path) -> Store:
    """A store answering from ``image`` (:func:`memory_image`); its query processes open
    the on-disk store at ``origin`` read-only."""
    from .oxigraph import OxigraphStore

    return OxigraphStore.over(image, origin)


def remote_store(
    url: str,
    *,
    update_url: str | None = None,
    gsp_url: str | None = None,
    user: str | None = None,
    password: str | None = None,
    auth: str = "basic",
    timeout: float = 30.0,
    max_bytes: int | None = 256 << 20,
    profile: str = "auto",
    poll: float = 2.0,
) -> Store:
    """Open a SPARQL 1.1 server as the store (``store/remote/``): ``url`` is its query
    endpoint, ``update_url`` and ``gsp_url`` its Update and Graph Store endpoints (with
    neither it is read-only), ``user``/``password`` sent by ``auth`` (basic or digest);
    each request ends within ``timeout`` s, an answer read holds at most ``max_bytes``
    (None: no cap); ``profile``: auto, oxigraph, virtuoso or standard; ``poll``: seconds
    between reads of the server's state (its generation). Connects on first use."""
    from urllib.parse import urlsplit

    from .remote import RemoteStore

    for given in (url, update_url, gsp_url):
        if given and (urlsplit(given).username or urlsplit(given).password):
            # never echoed: the URL holds a secret
            raise InputError(
                "a store URL holds credentials; give them as STORE_USER and STORE_PASSWORD"
            )
    if auth not in ("basic", "digest"):
        raise InputError(f"unknown HTTP authentication {auth!r} for the store: basic or digest")
    try:
        return RemoteStore(
            url,
            update_url=update_url,
            gsp_url=gsp_url,
            user=user,
            password=password,
            auth=auth,  # type: ignore[arg-type]
            timeout=timeout,
            max_bytes=max_bytes,
            profile=profile,
            poll=poll,
        )
    except ValueError as error:  # not an http(s) URL, an unknown profile
        raise InputError(str(error)) from None
