"""The query text a remote store sends, and the syntax errors that come back.

A query's form (SELECT, ASK, CONSTRUCT/DESCRIBE) decides which answer format to ask
for, so it is read from the text before sending: past comments and the prologue, the
first keyword. Predeclared prefixes become a ``PREFIX`` prologue written on the query's
first line, so a syntax error's line is the line the user wrote, and its column on
line 1 is moved back by the prologue's length.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ...errors import InputError, ParseError
from ...terms import shown
from .. import QueryKind

_PROLOGUE_ITEM = re.compile(
    r"""\s+ | \#[^\n]* | PREFIX\s*[^\s:]*:\s*<[^>]*> | BASE\s*<[^>]*>""", re.I | re.X
)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)
_FORMS: dict[str, QueryKind] = {
    "select": "select",
    "ask": "ask",
    "construct": "graph",
    "describe": "graph",
}
_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.S)
_LINE = re.compile(r"SPARQL compiler, line (\d+): ?(.*?)(?:\s+SPARQL query:|$)", re.S)  # Virtuoso


def query_form(sparql: str) -> QueryKind | None:
    """``select``, ``ask`` or ``graph`` (CONSTRUCT, DESCRIBE); None when the text does
    not start like a query (the server then says what is wrong)."""
    at = 0
    while True:
        item = _PROLOGUE_ITEM.match(sparql, at)
        if item is None or item.end() == at:
            break
        at = item.end()
    form = _FORM.match(sparql, at)
    return _FORMS[form.group(1).lower()] if form else None


def prologue(prefixes: Mapping[str, str] | None) -> str:
    """``PREFIX p: <ns> `` for each prefix, on one line, ending in a space."""
    if not prefixes:
        return ""
    return "".join(f"PREFIX {name}: <{namespace}> " for name, namespace in prefixes.items())


def syntax_error(said: str, server: str, *, shift: int = 0, update: bool = False) -> InputError:
    """The error for a server's 400 answer to a query (an update when ``update``): a
    ParseError with line and column when the server gives them (Oxigraph's
    ``error at L:C: …``; Virtuoso's ``SPARQL compiler, line L: …``, without a column),
    else an InputError quoting the server."""
    match = _POSITION.search(said)
    if match:
        line, column = int(match.group(1)), int(match.group(2))
        message = shown(" ".join(match.group(3).split()))
        if line == 1 and shift:
            if column <= shift:
                return ParseError(f"SPARQL syntax error in the predeclared prefixes: {message}")
            column -= shift
        return ParseError(f"SPARQL syntax error: {message}", line=line, column=column)
    match = _LINE.search(said)
    if match and not update:  # Virtuoso names the line, not the column
        message = shown(" ".join(match.group(2).split()))
        return ParseError(f"SPARQL syntax error: {message}", line=int(match.group(1)))
    what = "update" if update else "query"
    return InputError(f"the SPARQL server at {server} refused the {what}: {shown(said)}")
