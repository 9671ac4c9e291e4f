"""SPARQL protocol requests, and the checks a query passes before it is evaluated.

Nothing here knows Flask: :func:`parse_request` reads a method, a content type, the
raw query string and the raw body the way the SPARQL 1.1 Protocol says, and
:func:`prepare` turns the request into a :class:`PreparedQuery` or refuses it.

The checks run on the query text with a tokenizer that knows SPARQL's strings
(all four quote styles, with escapes), IRIs, comments, variables, prefixed names and
language tags, so ``SERVICE`` or ``FROM`` inside a string, an IRI, a comment or a
name (``?service``, ``ex:from``) is not mistaken for the keyword, and keywords match
in any case. It costs about 1-2 µs per token (~70 µs for a one-line query, ~1 ms for
1 kB, against ~5 ms for rdflib's parser, which also recurses on deep nesting), and the
analysis of texts up to 8 kB is cached. Oxigraph itself parses the query later, in
the query process, where a crash on pathological input cannot take the server down.

Refused before evaluation:

* nesting of ``{}``, ``()``, ``[]`` and quoted triples ``<< >>`` (and runs of unary
  ``!``) deeper than the limit (Oxigraph's recursive parser overflows its stack on a
  few thousand levels);
* chains longer than the limit: binary operators in one expression, the elements of
  one group (UNION branches, OPTIONAL, MINUS, BIND, FILTER), projections and
  property-path steps, each level adding the longest chain nested in it. Oxigraph
  builds a left-deep tree of them and recurses over it: with an 8 MiB stack, pyoxigraph
  0.5 crashed (SIGSEGV) at about 2,600 OPTIONALs, BINDs, MINUSes or projections, 6,600
  UNIONs, 7,000 ``+``, ``-``, ``*`` or ``/``, 12,000 path steps and 16,000 ``||``,
  ``&&``, FILTERs or ``|`` alternatives; at the default limit of 256 every one of them
  evaluates with a 1 MiB stack. Comparisons (``=``, ``<``, …) cannot chain in SPARQL's
  grammar, and lists (function arguments, ``IN``, ``VALUES`` rows) are flat;
* ``SERVICE`` to an endpoint not on the allow-list, and ``SERVICE ?variable``;
* any update keyword (``LOAD``, ``INSERT``, ``DELETE``, ``CLEAR``, …);
* ``FROM`` / ``FROM NAMED`` / ``default-graph-uri`` / ``named-graph-uri`` naming a
  graph that is not in the store (Oxigraph never fetches them; this makes the
  refusal visible instead of a silently empty answer).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urljoin

from ..errors import (
    ForbiddenError,
    InputError,
    ParseError,
    QueryRefusedError,
    TooManyQueriesError,
    UnsupportedMediaTypeError,
)
from ..namespaces import PREFIXES
from ..store.workers import Answer, Job, QueryPool

QueryForm = Literal["select", "ask", "construct", "describe"]

UPDATE_REFUSED = "updates are not accepted on this endpoint"
FORM_TYPE = "application/x-www-form-urlencoded"
QUERY_TYPE = "application/sparql-query"
UPDATE_TYPE = "application/sparql-update"


# ---- the tokenizer -------------------------------------------------------------------

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_VAR_CHARS = _PN_CHARS_BASE + r"_0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PN_CHARS = _VAR_CHARS + r"\-"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_NAME_PART = rf"[{_PN_CHARS}:]|%[0-9A-Fa-f]{{2}}|\\[-_~.!$&'()*+,;=/?\#@%]"
_Q1, _Q2 = "'", '"'
# Every repetition is possessive and the alternatives cannot overlap, so the scan is
# linear in the length of the text whatever it holds. An unterminated string eats the
# rest of its line (of the text, for a long string): such a query cannot parse anyway.
_STRING = "|".join(
    [
        rf"{_Q1 * 3}(?:[^{_Q1}\\]|\\.|{_Q1}(?!{_Q1 * 2}))*+{_Q1 * 3}",
        rf"{_Q2 * 3}(?:[^{_Q2}\\]|\\.|{_Q2}(?!{_Q2 * 2}))*+{_Q2 * 3}",
        rf"{_Q1}(?:[^{_Q1}\\\n\r]|\\.)*+{_Q1}",
        rf"{_Q2}(?:[^{_Q2}\\\n\r]|\\.)*+{_Q2}",
        rf"{_Q1 * 3}.*+|{_Q2 * 3}.*+|{_Q1}[^\n\r]*+|{_Q2}[^\n\r]*+",
    ]
)
_TOKEN = re.compile(
    rf"""
    (?P<ws>\s++)
  | (?P<comment>\#[^\n\r]*+)
  | (?P<string>{_STRING})
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*+>)
  | (?P<var>[?$][{_VAR_CHARS}]*+)
  | (?P<lang>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)
  | (?P<name>(?:{_NAME_PART}|\.(?={_NAME_PART}))++)
  | (?P<open>[{{(\[])
  | (?P<close>[}})\]])
  | (?P<bang>!(?!=))
  | (?P<other>.)
    """,
    re.X | re.S,
)

_FORMS: dict[str, QueryForm] = {
    "SELECT": "select",
    "ASK": "ask",
    "CONSTRUCT": "construct",
    "DESCRIBE": "describe",
}
_UPDATE_WORDS = frozenset(
    {"LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)


def tokens(sparql: str) -> Iterator[tuple[str, str]]:
    """The significant tokens of a SPARQL text as ``(kind, text)``, without whitespace
    and comments. Kinds: string, iri, var, lang, word (a bare name: a keyword, ``a``,
    ``true``, a function), pname (a prefixed name or blank node label: it has a
    ``:``), number, open, close, bang (a unary ``!``), other."""
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        text = match.group()
        if kind == "name":
            if ":" in text:
                kind = "pname"
            elif text[0].isdigit() or text[0] == "-":
                kind = "number"
            else:
                kind = "word"
        yield kind, text


@dataclass(frozen=True)
class QueryAnalysis:
    """What the static checks need to know about a query text."""

    form: QueryForm | None
    depth: int
    chain: int = 0  # the longest chain of operators and elements, nested ones added
    services: tuple[str | None, ...] = ()  # endpoint IRIs; None for SERVICE ?variable
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    update_words: tuple[str, ...] = ()

    @property
    def has_dataset(self) -> bool:
        """True when the query names its own dataset with FROM or FROM NAMED."""
        return bool(self.from_graphs or self.from_named)

    @property
    def answers_with_graph(self) -> bool:
        """True for CONSTRUCT and DESCRIBE, which answer with triples."""
        return self.form in ("construct", "describe")


_CACHE_SIZE = 512
_CACHE_MAX_TEXT = 8192
_cache: dict[str, QueryAnalysis] = {}
_cache_lock = threading.Lock()


def analyse(sparql: str) -> QueryAnalysis:
    """Tokenize ``sparql`` once and collect its form, depth, SERVICE, FROM and updates.

    Short texts are cached: the same query is often sent again and again."""
    cacheable = len(sparql) <= _CACHE_MAX_TEXT
    if cacheable and (cached := _cache.get(sparql)) is not None:
        return cached
    result = _analyse(sparql)
    if cacheable:
        with _cache_lock:
            if len(_cache) >= _CACHE_SIZE:
                _cache.pop(next(iter(_cache)), None)
            _cache[sparql] = result
    return result


# Binary operators that chain (``a + b + c``: one node of the evaluator's tree each).
# ``-`` hides in number tokens (``1-1-1`` is one name token) and is counted there;
# comparisons (``=``, ``<``, …) cannot chain in SPARQL's grammar (``1 = 1 = 1`` is a
# syntax error), and ``^`` is an inverse path or half of ``^^``: neither is counted.
_CHAINING = frozenset("+*/|&")


class _Frame:
    """One bracket level of the chain count (see :func:`_analyse`)."""

    __slots__ = ("best", "count", "data", "inner", "paren")

    def __init__(self, *, data: bool = False, paren: bool = False) -> None:
        self.count = 0  # operators and elements since the level's last separator
        self.inner = 0  # the largest measure of a bracket closed in that stretch
        self.best = 0  # the largest measure of a finished stretch
        self.data = data  # a VALUES block: rows of data, nothing chains
        self.paren = paren  # "(…)": a "," separates arguments

    def measure(self) -> int:
        return max(self.best, self.count + self.inner)


def _analyse(sparql: str) -> QueryAnalysis:
    # The project's prefixes are predeclared for every query (the query processes give
    # them to the parser); the query's own PREFIX lines override them, as in the engine.
    prefixes: dict[str, str] = dict(PREFIXES)
    base = ""
    form: QueryForm | None = None
    depth = deepest = bangs = 0
    services: list[str | None] = []
    from_graphs: list[str] = []
    from_named: list[str] = []
    updates: dict[str, None] = {}
    # What the previous keyword expects next: "service", "from", "from-named",
    # "prefix" (a prefix name), "prefix-iri" (its IRI) or "base".
    expect = ""
    declaring = ""
    # The chain count: how deep the engine's expression and algebra trees get. At each
    # bracket level, every chaining operator and every ``{…}`` or ``(…)`` element is one
    # more node of a left-deep tree (``a + b + c``, ``{} UNION {} UNION {}``, a run of
    # OPTIONAL, MINUS, BIND or FILTER, projections ``(… AS ?x)``, ``<p>/<q>/<r>``), so a
    # level's measure is its count plus the largest measure of a bracket inside it, and
    # the query's is the root's. A ``,`` inside ``(…)`` separates function arguments,
    # which are side by side, not chained. One pass, a few operations per token.
    frames = [_Frame()]
    chain_ops = _CHAINING
    previous = ""  # the text of the previous token when it was an "other" one
    values = False  # a VALUES keyword waits for its data block
    describing = False  # between DESCRIBE and WHERE, FROM or a group
    last_pname = ""  # the previous token, when it was a prefixed name
    pending = ""  # the first "<" of a "<<" or ">" of a ">>"

    def iri_of(kind: str, text: str) -> str | None:
        """The absolute IRI a token names (an IRIREF or a prefixed name), or None."""
        if kind == "iri":
            iri = _unescape_iri(text[1:-1])
            return urljoin(base, iri) if base else iri
        if kind == "pname":
            prefix, _, local = text.partition(":")
            if prefix not in prefixes:
                return text  # undeclared: Oxigraph refuses it too; name it as written
            return prefixes[prefix] + _unescape_local(local)
        return None

    def close() -> None:
        if len(frames) > 1:
            done = frames.pop()
            parent = frames[-1]
            parent.inner = max(parent.inner, done.measure())

    for kind, text in tokens(sparql):
        before, last_pname = last_pname, text if kind == "pname" else ""
        if kind == "open" and text == "{" and before[:8].upper() == "SERVICE:":
            # "SERVICE:x {" is, to the engine, the keyword SERVICE and the name ":x"
            services.append(iri_of("pname", before[7:]))
        if kind == "other":
            # quoted triples nest like brackets: "<<" opens, ">>" closes
            if text in "<>":
                if pending == text:
                    pending = ""
                    if text == "<":
                        depth += 1
                        deepest = max(deepest, depth + bangs)
                        frames.append(_Frame())
                    else:
                        depth = max(0, depth - 1)
                        close()
                    previous = ""
                    bangs = 0
                    continue
                pending = text
            else:
                pending = ""
                frame = frames[-1]
                if text in chain_ops:
                    # "||" and "&&" are one operator each
                    if not frame.data and not (text in "|&" and previous == text):
                        frame.count += 1
                elif text == "," and frame.paren:
                    frame.best = max(frame.best, frame.count + frame.inner)
                    frame.count = frame.inner = 0
                elif text in ".;," and not frame.data:
                    # triple patterns, predicate and object lists: each one more join
                    frame.count += 1
            previous = text
        else:
            pending = previous = ""
            if kind == "number" and "-" in text and not frames[-1].data:
                frames[-1].count += text.count("-")
        if kind == "bang":
            bangs += 1
            deepest = max(deepest, depth + bangs)
            continue
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth + bangs)
            parent = frames[-1]
            if text != "[" and not parent.data:
                parent.count += 1
            data = parent.data or (values and text == "{")
            frames.append(_Frame(data=data, paren=text == "("))
            if text == "{":
                values = False
        elif kind == "close":
            depth = max(0, depth - 1)
            close()
        bangs = 0
        word = text.upper() if kind == "word" else ""
        if expect:
            if expect == "service":
                if word == "SILENT":
                    continue
                services.append(None if kind == "var" else iri_of(kind, text))
            elif expect == "from":
                if word == "NAMED":
                    expect = "from-named"
                    continue
                if (iri := iri_of(kind, text)) is not None:
                    from_graphs.append(iri)
            elif expect == "from-named":
                if (iri := iri_of(kind, text)) is not None:
                    from_named.append(iri)
            elif expect == "prefix":
                if kind == "pname" and text.endswith(":") and text.count(":") == 1:
                    declaring = text[:-1]
                    expect = "prefix-iri"
                    continue
            elif expect == "prefix-iri":
                if kind == "iri":
                    prefixes[declaring] = iri_of(kind, text) or ""
            elif expect == "base" and kind == "iri":
                base = iri_of(kind, text) or ""
            expect = ""
            continue
        if describing and kind in ("iri", "pname", "var") and len(frames) == 1:
            frames[0].count += 1  # DESCRIBE <a> <b> …: each term one more branch
        if not word:
            continue
        if word in ("WHERE", "FROM") or word in _FORMS:
            describing = word == "DESCRIBE"
        if word == "PREFIX":
            expect = "prefix"
        elif word == "BASE":
            expect = "base"
        elif word == "SERVICE":
            expect = "service"
        elif word == "FROM":
            expect = "from"
        elif word == "VALUES":
            values = True
        elif word in _FORMS and form is None and depth == 0:
            form = _FORMS[word]
        elif word in _UPDATE_WORDS:
            updates[word] = None
    if expect == "service":
        services.append(None)  # SERVICE at the very end: refuse rather than guess
    while len(frames) > 1:  # brackets left open: the engine refuses the text, count anyway
        close()
    return QueryAnalysis(
        form=form,
        depth=deepest,
        chain=frames[0].measure(),
        services=tuple(services),
        from_graphs=tuple(from_graphs),
        from_named=tuple(from_named),
        update_words=tuple(updates),
    )


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape_iri(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _unescape_local(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


# ---- the checks ------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """The static limits a query must respect (from the settings)."""

    max_nesting: int = 64
    max_chain: int = 256
    service_allowlist: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, config: dict) -> Limits:
        allow = frozenset(str(config.get("SERVICE_ALLOWLIST") or "").split())
        return cls(
            max_nesting=int(config.get("MAX_NESTING") or 64),
            max_chain=int(config.get("MAX_CHAIN") or 256),
            service_allowlist=allow,
        )


def check(analysis: QueryAnalysis, *, graphs: Collection[str], limits: Limits) -> None:
    """Refuse a query the endpoint will not evaluate; return quietly otherwise."""
    check_complexity(analysis, limits)
    if "LOAD" in analysis.update_words:
        raise ForbiddenError(f"LOAD is refused: {UPDATE_REFUSED}", keyword="LOAD")
    if analysis.update_words:
        raise ForbiddenError(UPDATE_REFUSED, keywords=list(analysis.update_words))
    for endpoint in analysis.services:
        if endpoint is None:
            raise ForbiddenError(
                "SERVICE with a variable is refused: name the endpoint, and only "
                "allow-listed endpoints may be called"
            )
        if endpoint not in limits.service_allowlist:
            allowed = ", ".join(sorted(limits.service_allowlist)) or "none"
            raise ForbiddenError(
                f"SERVICE <{endpoint}> is refused: it is not on this endpoint's allow-list "
                f"(allowed: {allowed})",
                service=endpoint,
            )
    check_graphs(analysis.from_graphs, graphs, "FROM")
    check_graphs(analysis.from_named, graphs, "FROM NAMED")


def check_complexity(analysis: QueryAnalysis, limits: Limits) -> None:
    """Refuse (400) a query nested or chained beyond the limits, which could crash the
    engine; any query the application runs can be checked so: ``check_complexity(
    analyse(text), Limits.from_config(config))``."""
    if analysis.depth > limits.max_nesting:
        raise QueryRefusedError(
            f"the query is nested {analysis.depth} deep; the limit is {limits.max_nesting}",
            depth=analysis.depth,
            limit=limits.max_nesting,
        )
    if analysis.chain > limits.max_chain:
        raise QueryRefusedError(
            f"the query chains {analysis.chain} operations; the limit is {limits.max_chain}. "
            "Counted are operators such as + or || in one expression, the elements of one "
            "group (UNION branches, OPTIONAL, MINUS, BIND, FILTER), projections and "
            "property-path steps, with those of nested brackets added: long chains "
            "overflow the engine. Split the query, or list alternatives with VALUES or "
            "IN (…) instead of || or UNION",
            chain=analysis.chain,
            limit=limits.max_chain,
        )


def check_graphs(asked: Sequence[str], graphs: Collection[str], where: str) -> None:
    """Every graph in ``asked`` must be a named graph of the store (never fetched)."""
    missing = [g for g in asked if g not in graphs]
    if missing:
        names = ", ".join(f"<{g}>" for g in missing)
        raise InputError(
            f"{where} {names}: no such graph in this store (graphs are never fetched); "
            "the store's graphs are listed by SELECT DISTINCT ?g { GRAPH ?g {} }",
            graphs=missing,
        )


# ---- the protocol --------------------------------------------------------------------


@dataclass
class ProtocolRequest:
    """The parameters of one SPARQL protocol request, decoded and counted."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _pairs(raw: bytes, where: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(
            raw.decode("ascii", "strict") if raw.isascii() else raw.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
        )
    except UnicodeDecodeError:
        raise InputError(f"the {where} is not UTF-8 text") from None


def _utf8(body: bytes, where: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(
            f"the {where} is not UTF-8 text (invalid byte at offset {error.start})",
            offset=error.start,
        ) from None


def parse_request(
    method: str, content_type: str | None, query_string: bytes, body: bytes
) -> ProtocolRequest:
    """Read a SPARQL 1.1 Protocol request from its method, Content-Type and raw bytes.

    GET carries everything in the query string; POST carries either a form
    (``application/x-www-form-urlencoded``) or the query itself
    (``application/sparql-query``, dataset parameters in the query string).
    """
    params = _pairs(query_string, "query string")
    if method == "POST":
        kind = media_type(content_type)
        if kind == FORM_TYPE:
            params += _pairs(body, "request body")
        elif kind == QUERY_TYPE:
            params.append(("query", _utf8(body, "request body")))
        elif kind == UPDATE_TYPE:
            raise ForbiddenError(UPDATE_REFUSED)
        else:
            given = f"Content-Type {kind!r}" if kind else "no Content-Type"
            raise UnsupportedMediaTypeError(
                f"a SPARQL query by POST needs Content-Type {FORM_TYPE} or {QUERY_TYPE}; "
                f"the request has {given}",
                accepted=[FORM_TYPE, QUERY_TYPE],
            )
    request = ProtocolRequest()
    queries: list[str] = []
    updates: list[str] = []
    for name, value in params:
        if name == "query":
            queries.append(value)
        elif name == "update":
            updates.append(value)
        elif name == "default-graph-uri":
            request.default_graphs.append(value.strip())
        elif name == "named-graph-uri":
            request.named_graphs.append(value.strip())
        elif name == "format":
            request.formats.append(value.strip())
    if len(queries) > 1:
        raise InputError(f"the request has {len(queries)} queries; send exactly one")
    if queries and updates:
        raise InputError("the request has both a query and an update; send one query")
    if updates:
        raise ForbiddenError(UPDATE_REFUSED)
    if queries:
        request.query = queries[0]
        if not request.query.strip():
            raise InputError("the query is empty")
    elif method == "POST":
        raise InputError("the request has no query: send query=… or a query body")
    return request


@dataclass(frozen=True)
class PreparedQuery:
    """A query that passed the checks, with the dataset to evaluate it on."""

    text: str
    analysis: QueryAnalysis
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    union_default_graph: bool


def prepare(request: ProtocolRequest, *, graphs: Collection[str], limits: Limits) -> PreparedQuery:
    """Run the checks and settle the dataset.

    With ``default-graph-uri`` / ``named-graph-uri`` the protocol's dataset replaces
    any FROM in the query (what is not given is empty); otherwise the query's own
    FROM / FROM NAMED apply; with neither, the default graph is the union of all
    named graphs and every named graph can be reached with GRAPH.
    """
    assert request.query is not None
    text = request.query
    analysis = analyse(text)
    check(analysis, graphs=graphs, limits=limits)
    check_graphs(request.default_graphs, graphs, "default-graph-uri")
    check_graphs(request.named_graphs, graphs, "named-graph-uri")
    if request.default_graphs or request.named_graphs:
        return PreparedQuery(
            text,
            analysis,
            tuple(request.default_graphs),
            tuple(request.named_graphs),
            union_default_graph=False,
        )
    return PreparedQuery(
        text,
        analysis,
        None,
        None,
        union_default_graph=not analysis.has_dataset,
    )


# ---- a per-client cap on concurrent queries -------------------------------------------


class ClientSlots:
    """At most ``limit`` queries at once per client, counted across processes.

    Each client (remote address) hashes to one of ``buckets`` buckets; a running query
    holds an exclusive ``flock`` on one of the bucket's ``limit`` slot files. The lock
    files live in ``directory``, which ``serve`` creates before the HTTP workers fork,
    so the count is shared by every worker, and the kernel drops a lock when its holder
    dies, so a crashed worker never leaks a slot. Two clients that share a bucket share
    a budget (one chance in ``buckets`` for any two clients at the same moment).
    """

    def __init__(self, directory: Path, limit: int, *, buckets: int = 4096) -> None:
        self.directory = directory
        self.limit = limit
        self.buckets = buckets
        directory.mkdir(parents=True, exist_ok=True)

    def _bucket(self, client: str) -> int:
        digest = hashlib.blake2b(client.encode("utf-8", "replace"), digest_size=4).digest()
        return int.from_bytes(digest, "big") % self.buckets

    @contextmanager
    def hold(self, client: str) -> Iterator[None]:
        """Hold one of ``client``'s slots for the ``with`` block, or raise 429."""
        if self.limit <= 0:
            yield
            return
        bucket = self._bucket(client)
        for slot in range(self.limit):
            path = self.directory / f"{bucket:04x}-{slot}"
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield
            finally:
                os.close(fd)  # closing the descriptor releases the lock
            return
        raise TooManyQueriesError(
            f"this client already has {self.limit} queries running, the most one client may "
            "have at once; wait for one to finish",
            limit=self.limit,
            retry_after=1,
        )


class SlowClients:
    """Clients whose queries ran past the deadline lately, for the pool's slow lane.

    A client (remote address) whose query was stopped at ``QUERY_TIMEOUT`` is marked
    for ``seconds``; each further stopped query marks it again. The memory is per HTTP
    worker and bounded (``size`` clients, the least recently marked forgotten first).
    """

    def __init__(self, seconds: float, *, size: int = 4096) -> None:
        self.seconds = seconds
        self.size = size
        self._until: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def mark(self, client: str) -> None:
        if self.seconds <= 0:
            return
        with self._lock:
            self._until.pop(client, None)
            self._until[client] = time.monotonic() + self.seconds
            while len(self._until) > self.size:
                self._until.popitem(last=False)

    def marked(self, client: str) -> bool:
        until = self._until.get(client)
        return until is not None and until > time.monotonic()


# ---- evaluation --------------------------------------------------------------------------


def evaluate(
    pool: QueryPool,
    prepared: PreparedQuery,
    *,
    fmt: str,
    max_rows: int | None,
    timeout: float,
    started: float | None = None,
    limited: bool = False,
    max_bytes: int | None = None,
) -> Answer:
    """Run a prepared query in the pool's query processes (the project's prefixes
    predeclared); the answer is serialised in ``fmt`` (a format name). ``timeout``
    seconds from ``started`` (``time.monotonic()`` when the request began) cover
    waiting for a query process and running."""
    job = Job(
        sparql=prepared.text,
        fmt=fmt,
        max_rows=max_rows,
        max_bytes=max_bytes,
        default_graphs=prepared.default_graphs,
        named_graphs=prepared.named_graphs,
        union_default_graph=prepared.union_default_graph,
    )
    try:
        return pool.run(job, timeout=timeout, started=started, limited=limited)
    except ParseError as error:
        raise _with_position(error) from None


def _with_position(error: ParseError) -> ParseError:
    """The syntax error with its line and column in the message too."""
    if error.line is None:
        return error
    text = error.message.removeprefix("SPARQL syntax error: ")
    where = f"line {error.line}, column {error.column}"
    result = ParseError(f"SPARQL syntax error at {where}: {text}")
    result.line, result.column = error.line, error.column
    result.details = {"line": error.line, "column": error.column}
    return result
