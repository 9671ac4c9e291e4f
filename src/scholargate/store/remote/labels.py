"""``sg:label`` on a SPARQL server: each call rewritten to standard SPARQL 1.1.

No server evaluates the project's function (``store/functions.py``), so before a query
goes to the server each call ``sg:label(EXPR, "LANGS")`` becomes a fresh variable
``?_sg_label_N``, and a lookup that binds it is added to the group the call is evaluated
in::

    BIND(COALESCE(EXPR, <urn:x-scholargate:none>) AS ?_sg_arg_N)
    OPTIONAL { SELECT DISTINCT ?_sg_arg_N (?_sg_la AS ?_sg_label_N) WHERE {
        ?_sg_arg_N ?_sg_pa ?_sg_la . FILTER(?_sg_pa IN (skos:prefLabel, …) && isLiteral(?_sg_la))
        … ?_sg_ka, its sort key …
        FILTER NOT EXISTS { … a label ?_sg_lb of ?_sg_arg_N with ?_sg_kb < ?_sg_ka } } }

The sort key orders the labels exactly as ``functions.best_label`` does: the step of the
chain that matches the label's (lower-cased) language, the exact tag before its subtags,
the property's rank, the language tag, the text; a label without language after every
step (unless the chain has ``*``); a label no step takes has no key and is left out. The
label kept is the one no other label of the term beats, the literal as the server holds
it (no function rebuilds it: Virtuoso 7.2 drops language tags in MIN and SAMPLE and knows
few tags in STRLANG). The label properties are matched with ``FILTER(?p IN (…))`` and
ranked with ``IF``, not listed in ``VALUES``: Virtuoso 7.2 loses labels without a
language when a ``VALUES`` block meets a bound subject. DISTINCT keeps one row when a
label is in several graphs; two labels tie only if they differ in the case of their tag
or in datatype alone (both are kept). The argument is never unbound (``COALESCE`` with
an IRI that has no label), so the OPTIONAL always joins on it and never multiplies rows.

Where the lookup goes: for a call in a ``BIND``, just before that ``BIND``; for one in a
``FILTER`` or another expression inside a group, at the end of the innermost group; for
one in a ``SELECT`` clause or its ``GROUP BY``/``HAVING``/``ORDER BY``, at the end of that
(sub)query's WHERE group. In a grouped query a call outside an aggregate adds
``?_sg_label_N`` to the ``GROUP BY`` keys (the label of a group key is one value per
group), or becomes ``SAMPLE(?_sg_label_N)`` when the query has no ``GROUP BY``. A
top-level ``SELECT *`` is written as the variables it stands for (rdflib's algebra), so
the lookups' own variables never show.

Refused with a 400 (``InputError``): a language list that is not a constant string (an
embedded store evaluates it per row; here the list must be known before sending), a call
inside ``GRAPH`` or ``SERVICE`` (the lookup would read only that graph), a call inside a
call's arguments, more than ``MAX_CALLS`` calls or ``MAX_STEPS`` languages, a call
outside any group or SELECT clause, and variables named ``?_sg_…``. Arguments that are
constant but wrong (a number or tagged string as the list, three arguments) leave the
value unbound, as on the embedded store. The labels are read from the query's default
graph, which is the union of the store's graphs unless the request names graphs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib.plugins.sparql import prepareQuery

from ...errors import InputError
from ...terms import iri, literal
from ..functions import ANY, LABEL, LABEL_PROPERTIES, parse_chain
from ..sparql_tokens import _unescape_iri, _unescape_local, spans

__all__ = ["MAX_CALLS", "MAX_STEPS", "rewrite"]

MAX_CALLS = 8
MAX_STEPS = 10
_NONE = "<urn:x-scholargate:none>"
_MAY_CALL = re.compile(r"label>?\s*\(")
_AGGREGATES = {"count", "sum", "min", "max", "avg", "sample", "group_concat"}
_FORMS = {"select", "ask", "construct", "describe"}
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


@dataclass
class _Token:
    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    def word(self) -> str:
        return self.text.lower() if self.kind == "word" else ""


def _string_value(text: str) -> str:
    quote = 3 if text[:3] in ('"""', "'''") else 1
    body = text[quote:-quote]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), body)


def rewrite(sparql: str, prefixes: Mapping[str, str] | None = None) -> str:
    """``sparql`` with every ``sg:label`` call written out in standard SPARQL; the text
    itself when it has none. Raises InputError for what cannot be written out."""
    if _MAY_CALL.search(sparql) is None:
        return sparql
    toks = [_Token(k, t, s) for k, t, s in spans(sparql)]
    names = dict(prefixes or {})
    for i, tok in enumerate(toks[:-2]):
        if tok.word() == "prefix" and toks[i + 2].kind == "iri":
            names[toks[i + 1].text.rstrip(":")] = _unescape_iri(toks[i + 2].text[1:-1])
    calls = [
        i for i, tok in enumerate(toks[:-1]) if _is_label(tok, names) and toks[i + 1].text == "("
    ]
    if not calls:
        return sparql
    if any(t.kind == "var" and t.text[1:].startswith("_sg_") for t in toks):
        raise InputError("variables named ?_sg_… are kept for sg:label on this store: rename them")
    if len(calls) > MAX_CALLS:
        raise InputError(f"this store evaluates at most {MAX_CALLS} sg:label calls in one query")
    match, within = _pairs(toks)
    edits: list[tuple[int, int, str]] = []  # (start, end, text), end == start for an insert
    for n, i in enumerate(calls):
        edits.extend(_rewrite_call(sparql, toks, match, within, i, n, calls))
    star = _top_star(toks, within)
    if star is not None:
        edits.append((toks[star].start, toks[star].end, _star_variables(sparql, names)))
    out, at = [], 0
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1])):
        out.append(sparql[at:start])
        out.append(text)
        at = end
    out.append(sparql[at:])
    return "".join(out)


def _top_star(toks: list[_Token], within: list[list[int]]) -> int | None:
    """The ``*`` of a top-level ``SELECT *``: the lookups' variables must not show."""
    for k, tok in enumerate(toks):
        if tok.word() in _FORMS and not within[k]:
            if tok.word() != "select":
                return None
            nxt = k + 1
            while nxt < len(toks) and toks[nxt].word() in ("distinct", "reduced"):
                nxt += 1
            return nxt if nxt < len(toks) and toks[nxt].text == "*" else None
    return None


def _star_variables(sparql: str, names: Mapping[str, str]) -> str:
    """The variables ``SELECT *`` stands for in ``sparql`` (by rdflib's algebra)."""
    try:
        query = prepareQuery(sparql, initNs=dict(names))
    except Exception:  # noqa: BLE001 - rdflib raises many kinds; the server will say why
        raise _refuse(
            "with SELECT * in a query rdflib cannot read cannot be evaluated: name the variables"
        ) from None
    found = [f"?{v}" for v in query.algebra.get("PV", [])]
    if not found:
        raise _refuse("with SELECT * and no variable cannot be evaluated: name the variables")
    return " ".join(found)


def _is_label(tok: _Token, names: Mapping[str, str]) -> bool:
    if tok.kind == "iri":
        return _unescape_iri(tok.text[1:-1]) == LABEL.value
    if tok.kind == "pname" and ":" in tok.text:
        prefix, local = tok.text.split(":", 1)
        return prefix in names and names[prefix] + _unescape_local(local) == LABEL.value
    return False


def _pairs(toks: list[_Token]) -> tuple[dict[int, int], list[list[int]]]:
    """Matching brackets (index of each opener → its closer) and, for each token, the
    openers enclosing it, outermost first."""
    match: dict[int, int] = {}
    stack: list[int] = []
    within: list[list[int]] = []
    for i, tok in enumerate(toks):
        if tok.kind == "close" and stack:
            match[stack.pop()] = i
        within.append(list(stack))
        if tok.kind == "open":
            stack.append(i)
    return match, within


def _refuse(what: str) -> InputError:
    return InputError(
        f"sg:label {what} on this store (a SPARQL server, where ScholarGate "
        "writes the call out in standard SPARQL)"
    )


def _rewrite_call(
    sparql: str,
    toks: list[_Token],
    match: dict[int, int],
    within: list[list[int]],
    i: int,
    n: int,
    calls: list[int],
) -> list[tuple[int, int, str]]:
    close = match.get(i + 1)
    if close is None:
        raise _refuse("with an unclosed argument list cannot be evaluated")
    if any(i + 1 < c < close for c in calls):
        raise _refuse("inside the arguments of another sg:label call cannot be evaluated")
    args = _arguments(toks, within, i + 1, close)
    var = f"?_sg_label_{n}"
    replace = (toks[i].start, toks[close].end)
    chain = _chain(toks, args)
    braces = [o for o in within[i] if toks[o].text == "{"]
    for o in braces:
        before = [toks[k].word() for k in range(max(0, o - 3), o)]
        if "graph" in before or "service" in before:
            raise _refuse("inside GRAPH or SERVICE cannot be evaluated: move it out of the block")
    where, grouping, bind_at = _place(toks, match, within, i, braces)
    value = f"SAMPLE({var})" if grouping == -1 else var
    edits = [(*replace, value)]
    if grouping is not None and grouping >= 0:  # one more group key: a value per group
        at = toks[grouping].start if grouping < len(toks) else len(sparql)
        edits.append((at, at, f" {var} "))
    if chain is None:  # constant but not a language list: no value, as embedded
        return edits
    first, last = args[0]
    expr = sparql[toks[first].start : toks[last].end]
    lookup = _lookup(expr, chain, n)
    at = toks[bind_at].start if bind_at is not None else toks[where].start
    return [*edits, (at, at, lookup)]


def _arguments(
    toks: list[_Token], within: list[list[int]], opener: int, close: int
) -> list[tuple[int, int]]:
    """The call's arguments as (first, last) token indexes."""
    args, first = [], opener + 1
    depth = len(within[opener]) + 1
    for k in range(opener + 1, close + 1):
        if k == close or (toks[k].text == "," and len(within[k]) == depth):
            if k > first:
                args.append((first, k - 1))
            first = k + 1
    return args


def _chain(toks: list[_Token], args: list[tuple[int, int]]) -> tuple[str, ...] | None:
    """The language chain of a call; None when its arguments are constants that give no
    value on the embedded store; an InputError when the list is not a constant."""
    if len(args) == 1:
        return (ANY,)
    if len(args) != 2:
        return None
    first, last = args[1]
    head = toks[first]
    if head.kind == "number" or head.word() in ("true", "false"):
        return None
    if head.kind != "string":
        raise _refuse('needs a constant language list (a string such as "fa,en")')
    rest = toks[first + 1 : last + 1]
    if rest and rest[0].kind == "lang":
        return None
    if rest and not (len(rest) == 3 and rest[-1].text.endswith(("string", "string>"))):
        return None  # a typed literal of another datatype
    chain = parse_chain(_string_value(head.text))
    if ANY in chain:
        chain = chain[: chain.index(ANY) + 1]
    if len(chain) > MAX_STEPS:
        raise _refuse(f"takes at most {MAX_STEPS} languages")
    return chain


def _place(
    toks: list[_Token],
    match: dict[int, int],
    within: list[list[int]],
    i: int,
    braces: list[int],
) -> tuple[int, int | None, int | None]:
    """Where the lookup goes: (the closing ``}`` to insert before; in a grouped query,
    the token before which the label joins the GROUP BY keys, or -1 when the call
    becomes SAMPLE(…) (no GROUP BY); the BIND token to insert before instead)."""
    inner = braces[-1] if braces else None
    level = within[i].index(inner) + 1 if inner is not None else 0
    # a (sub)query at this level: a form keyword whose enclosing brace is `inner`
    start = (inner + 1) if inner is not None else 0
    form = next(
        (
            k
            for k in range(start, i)
            if toks[k].word() in _FORMS
            and (within[k][-1:] or [None])[0] == inner
            and len([o for o in within[k] if toks[o].text == "{"]) == len(braces)
        ),
        None,
    )
    if form is None:
        if inner is None:
            raise _refuse("outside a group pattern or SELECT clause cannot be evaluated")
        parens = within[i][level:]
        if parens and toks[parens[0] - 1].word() == "bind":
            return match[inner], None, parens[0] - 1
        return match[inner], None, None
    if toks[form].word() != "select":
        raise _refuse("outside a group pattern or SELECT clause cannot be evaluated")
    group = next(
        (
            k
            for k in range(form + 1, len(toks))
            if toks[k].text == "{" and len(within[k]) == len(within[form])
        ),
        None,
    )
    if group is None or group not in match:
        raise _refuse("in a query without a WHERE group cannot be evaluated")
    end = match[inner] if inner is not None else len(toks)
    outside = [k for k in range(form, end) if not group <= k <= match[group]]
    level_depth = len(within[form])
    grouped = any(
        toks[k].word() == "group" or (toks[k].word() in _AGGREGATES and toks[k + 1].text == "(")
        for k in outside
        if k + 1 < len(toks)
    )
    in_aggregate = any(toks[o - 1].word() in _AGGREGATES for o in within[i][level:] if o > 0)
    clause = next(
        (
            toks[k].word()
            for k in range(i, form, -1)
            if toks[k].word() in ("group", "having", "order") and len(within[k]) == level_depth
        ),
        "select",
    )
    if not grouped or in_aggregate or clause == "group":
        return match[group], None, None
    keys = next((k for k in outside if toks[k].word() == "group"), None)
    if keys is None:  # grouped by its aggregates alone: one group, SAMPLE gives its label
        return match[group], -1, None
    ends = next(
        (
            k
            for k in range(keys + 2, end)
            if len(within[k]) == level_depth
            and toks[k].word() in ("having", "order", "limit", "offset", "values")
        ),
        end,
    )
    return match[group], ends, None


def _step_key(chain: tuple[str, ...]) -> str:
    """An expression of ``?_sg_t`` (the label's language, lower case): the step of the
    chain it answers and whether the tag is exact, as three digits; "" for none."""
    tail = '""' if ANY in chain else 'IF(?_sg_t = "", "990", "")'
    for step_no in range(len(chain) - 1, -1, -1):
        step = chain[step_no]
        if step == ANY:
            tail = f'"{step_no:02d}0"'
            continue
        tag = literal(step)
        subtag = literal(step + "-")
        tail = (
            f'IF(?_sg_t = {tag}, "{step_no:02d}0", '
            f'IF(STRSTARTS(?_sg_t, {subtag}), "{step_no:02d}1", {tail}))'
        )
    return tail


def _keyed(arg: str, chain: str, v: str) -> str:
    """``arg``'s label literals ``?_sg_l{v}`` with their sort keys ``?_sg_k{v}``."""
    listed = ", ".join(iri(p) for p in LABEL_PROPERTIES)
    rank = '""'
    for number in range(len(LABEL_PROPERTIES) - 1, -1, -1):
        rank = f'IF(?_sg_p{v} = {iri(LABEL_PROPERTIES[number])}, "{number}", {rank})'
    lang = f"?_sg_t{v}"
    return (
        f" {arg} ?_sg_p{v} ?_sg_l{v} . FILTER(?_sg_p{v} IN ({listed}) && isLiteral(?_sg_l{v}))"
        f" BIND(LCASE(LANG(?_sg_l{v})) AS {lang})"
        f' BIND({chain.replace("?_sg_t", lang)} AS ?_sg_s{v}) FILTER(?_sg_s{v} != "")'
        f' BIND(CONCAT(?_sg_s{v}, {rank}, {lang}, " ", STR(?_sg_l{v})) AS ?_sg_k{v})'
    )


def _lookup(expr: str, chain: tuple[str, ...], n: int) -> str:
    """The patterns that bind ``?_sg_label_N`` to the label of ``expr`` along ``chain``:
    the least sort key of the argument's labels, then the label that has it: the literal
    as the server holds it (Virtuoso 7.2 drops language tags in aggregates and knows few
    tags in STRLANG, so neither rebuilds it). DISTINCT keeps one row when a label is in
    several graphs; two labels share a key only if they differ in the case of their
    language tag or in datatype alone."""
    arg, steps = f"?_sg_arg_{n}", _step_key(chain)
    return (
        f" BIND(COALESCE({expr}, {_NONE}) AS {arg})"
        f" OPTIONAL {{ SELECT DISTINCT {arg} (?_sg_la AS ?_sg_label_{n}) WHERE {{"
        f"{_keyed(arg, steps, 'a')}"
        f" FILTER NOT EXISTS {{{_keyed(arg, steps, 'b')} FILTER(?_sg_kb < ?_sg_ka) }}"
        " } } "
    )
