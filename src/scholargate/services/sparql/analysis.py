"""What the checks need to know about a query text, read in one pass of the tokenizer
(:func:`analyse`, cached for texts up to 8 kB): its form, how deep it nests, its
longest chain of operators and elements, its SERVICE endpoints, FROM graphs and update
keywords."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin

from ...namespaces import PREFIXES
from .tokens import _unescape_iri, _unescape_local, tokens

QueryForm = Literal["select", "ask", "construct", "describe"]

_FORMS: dict[str, QueryForm] = {
    "SELECT": "select",
    "ASK": "ask",
    "CONSTRUCT": "construct",
    "DESCRIBE": "describe",
}
_UPDATE_WORDS = frozenset(
    {"LOAD", "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)


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
