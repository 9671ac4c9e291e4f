"""The server's three doors: queries by the SPARQL 1.1 Protocol, updates, and whole
graphs by the Graph Store HTTP Protocol — each request shaped as the server's profile
says, each failing answer turned into the project's error.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from urllib.parse import urlencode, urlsplit

from rdflib import URIRef

from ...errors import ForbiddenError
from ...namespaces import PRIVATE_GRAPHS
from .answers import JSON, NTRIPLES, TSV, expect, malformed, read_select
from .convert import Converted, converted, results_type
from .profiles import Profile, detect, profile_named
from .text import syntax_error
from .transport import Auth, Response, Transport

NO_GRAPH = "urn:x-scholargate:no-graph"  # an empty default graph, where none is no graph


def target(url: str, params: Sequence[tuple[str, str]] = ()) -> str:
    """The request target for ``url`` (its path and query) with ``params`` added."""
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(list(params))) if q)
    return (parts.path or "/") + (f"?{query}" if query else "")


class Endpoint:
    """A SPARQL server's query URL, and its update and Graph Store URLs if it has them;
    one :class:`Transport` (kept-alive connections, credentials) per host and port."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None,
        gsp_url: str | None,
        user: str | None,
        password: str | None,
        auth: Auth,
        timeout: float,
        max_bytes: int | None,
        profile: str | Profile,
    ) -> None:
        if auth not in ("basic", "digest"):
            raise ValueError(f"unknown HTTP authentication {auth!r}; choose basic or digest")
        self.query_url, self.update_url, self.gsp_url = query_url, update_url, gsp_url
        self.max_bytes = max_bytes
        self._transports: dict[tuple[str, str | None, int | None], Transport] = {}
        for url in (query_url, update_url, gsp_url):
            if url is None:
                continue
            key = _origin(url)
            if key not in self._transports:
                self._transports[key] = Transport(
                    url,
                    timeout=timeout,
                    max_bytes=max_bytes,
                    user=user,
                    password=password,
                    auth=auth,
                )
        self.server = self._transport(query_url).server
        if isinstance(profile, Profile):
            self._profile: Profile | None = profile
        else:
            self._profile = None if profile == "auto" else profile_named(profile)
        self._lock = threading.Lock()
        self.names_ttl = 2.0  # seconds the graph list a union query names is kept
        self._names: tuple[float, list[URIRef], bool] | None = None

    def _transport(self, url: str) -> Transport:
        return self._transports[_origin(url)]

    def close(self) -> None:
        for transport in self._transports.values():
            transport.close()

    @property
    def profile(self) -> Profile:
        """The server's profile; ``auto`` asks the server once (``ASK {}`` by GET) and
        reads its ``Server`` header."""
        if self._profile is None:
            transport = self._transport(self.query_url)
            asking = target(self.query_url, [("query", "ASK {}")])
            with transport.request("GET", asking, headers={"Accept": JSON}) as response:
                if response.status >= 500 or response.status in (401, 403):
                    raise transport.failure(response, "a query")
                found = detect(response.headers.get("Server"))
            with self._lock:
                self._profile = found
        return self._profile

    # ---- queries -------------------------------------------------------------

    def query(
        self,
        sparql: str,
        accept: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        union: bool = True,
        shift: int = 0,
        deadline: bool | float = True,
        max_bytes: int | None = None,
    ) -> Response | Converted:
        """POST one query and hand back its 200 answer (anything else is raised).

        Without ``default_graphs``, the default graph is the union of the named graphs
        as the profile asks for it (``union``; else the server's own default graph).
        ``shift``: how long a prologue was put before the user's text (error columns);
        ``deadline``: as :meth:`Transport.request` takes it. Results in a format the
        profile's server does not write to the standard are asked for in its
        ``results_as`` format and written again (``convert.py``).
        """
        profile = self.profile
        wanted = results_type(accept) if profile.results_as else None
        if wanted is not None:
            accept = accept.replace(wanted, profile.results_as, 1)
        params: list[tuple[str, str]] = []
        if default_graphs is not None:
            params += [("default-graph-uri", str(g)) for g in default_graphs]
        elif union and profile.union == "parameter" and not named_graphs:
            # a store that cannot write keeps the plain union (no graph list to read)
            names, private = self._known_names() if self.writable else ([], False)
            if private:  # the union parameter would show them: the data graphs listed
                listed = [str(g) for g in names or [NO_GRAPH]]
                params += [("default-graph-uri", g) for g in listed]
                params += [("named-graph-uri", g) for g in listed]
            else:
                params.append((profile.union_parameter, "true"))
        elif union and profile.union != "native":
            # Oxigraph refuses its union parameter beside named-graph-uri: list them all.
            names = self.graph_names()
            params += [("default-graph-uri", str(g)) for g in names or [NO_GRAPH]]
            if profile.system_graphs and named_graphs is None:
                # and GRAPH ?g sees the store's graphs, not the server's own
                named_graphs = [str(g) for g in names] or [NO_GRAPH]
        if profile.system_graphs and not params and (default_graphs is not None or union):
            # no graph listed would be Virtuoso's union of all, its system graphs too
            params.append(("default-graph-uri", NO_GRAPH))
        params += [("named-graph-uri", str(g)) for g in named_graphs or ()]
        transport = self._transport(self.query_url)
        headers = {"Accept": accept}
        if profile.form_post or len(params) > 20:  # a long list goes in the body
            body = urlencode([("query", sparql), *params]).encode("utf-8")
            to = target(self.query_url)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = sparql.encode("utf-8")
            to = target(self.query_url, params)
            headers["Content-Type"] = "application/sparql-query; charset=utf-8"
        response = transport.request(
            "POST", to, body=body, headers=headers, deadline=deadline, max_bytes=max_bytes
        )
        if response.status == 200:
            if wanted is not None and response.media_type == profile.results_as:
                return converted(response, wanted)
            return response
        with response:
            if response.status == 400:
                raise syntax_error(response.text(400), self.server, shift=shift)
            raise transport.failure(response, "a query")

    def graph_names(self) -> list[URIRef]:
        """Every named graph that holds data, sorted (not the graphs ScholarGate keeps
        for itself on the server)."""
        sparql = self.profile.graph_names
        with self.query(sparql, TSV, union=False, max_bytes=self.max_bytes) as response:
            expect(response, TSV)
            rows = read_select(response, None).rows
        names = {row["g"] for row in rows if isinstance(row.get("g"), URIRef)}
        found = sorted(names - PRIVATE_GRAPHS)
        self._names = (time.monotonic() + self.names_ttl, found, bool(names & PRIVATE_GRAPHS))
        return found

    def _known_names(self) -> tuple[list[URIRef], bool]:
        """The data graphs, and whether the server holds ScholarGate's own graphs, as
        read at most ``names_ttl`` seconds ago (:meth:`forget_names` after a write)."""
        known = self._names
        if known is None or time.monotonic() >= known[0]:
            self.graph_names()
            known = self._names
            assert known is not None
        return known[1], known[2]

    def forget_names(self) -> None:
        self._names = None

    # ---- updates ---------------------------------------------------------------

    @property
    def writable(self) -> bool:
        return self.update_url is not None or self.gsp_url is not None

    def read_only(self) -> ForbiddenError:
        return ForbiddenError(
            f"the store at {self.server} is read-only: it has no update URL and no Graph Store URL"
        )

    def update(self, sparql: str) -> None:
        """POST one SPARQL Update."""
        if self.update_url is None:
            raise self.read_only()
        transport = self._transport(self.update_url)
        if self.profile.form_post:
            body = urlencode([("update", sparql)]).encode("utf-8")
            content_type = "application/x-www-form-urlencoded"
        else:
            body, content_type = sparql.encode("utf-8"), "application/sparql-update; charset=utf-8"
        with transport.request(
            "POST", target(self.update_url), body=body, headers={"Content-Type": content_type}
        ) as response:
            if response.status == 400:
                raise syntax_error(response.text(400), self.server, update=True)
            if not 200 <= response.status < 300:
                raise transport.failure(response, "an update")

    # ---- the Graph Store -------------------------------------------------------

    def get(self, graph: URIRef | None, accept: str) -> Response | None:
        """A Graph Store GET of one graph (the whole dataset for None, where the profile
        allows it), read without a deadline (each read waits at most the timeout);
        None when the server has no such graph."""
        assert self.gsp_url is not None
        transport = self._transport(self.gsp_url)
        to = target(self.gsp_url, [("graph", str(graph))] if graph is not None else [])
        response = transport.request("GET", to, headers={"Accept": accept}, deadline=False)
        if response.status == 404 and graph is not None:
            response.close()
            return None
        if response.status != 200:
            with response:
                raise transport.failure(response, "a Graph Store GET")
        return response

    def send(self, method: str, graph: URIRef | None, body: bytes | None = None) -> None:
        """A Graph Store PUT, POST (N-Triples ``body``) or DELETE of one graph (the
        default graph for None); deleting a graph the server lacks is no error."""
        assert self.gsp_url is not None
        transport = self._transport(self.gsp_url)
        params = [("graph", str(graph))] if graph is not None else [("default", "")]
        headers = {"Content-Type": NTRIPLES} if body is not None else {}
        with transport.request(
            method, target(self.gsp_url, params), body=body, headers=headers
        ) as response:
            if response.status == 404 and method == "DELETE":
                return
            if response.status == 400:
                raise malformed(self.server, f"N-Triples refused ({response.text()})")
            if not 200 <= response.status < 300:
                raise transport.failure(response, f"a Graph Store {method}")


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname, parts.port
