"""An update request's text cut into its operations with the SPARQL tokenizer
(``services/sparql/tokens.py``, which knows strings, IRIs and comments): where each
operation starts, the prologue (``PREFIX`` and ``BASE``) declared before it, and the
span of its ``WHERE`` group.

The WHERE group is evaluated by the store from this text, verbatim: rdflib reads the
operation's structure and templates, the store's own engine the pattern the user
wrote (see the package's docstring for why).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...sparql.tokens import spans

OPERATION_WORDS = frozenset(
    {"INSERT", "DELETE", "WITH", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY"}
)


@dataclass(frozen=True)
class Section:
    """One operation of a request as text."""

    start: int  # offset of its first keyword
    keyword: str  # that keyword, upper case
    prologue: str  # every PREFIX and BASE declared before it, in order, on one line
    end: int  # offset of the ";" after it, or the text's length
    where: tuple[int, int] | None = None  # offsets of its WHERE group's "{" and after "}"


def sections(text: str) -> list[Section]:
    """The operations of an update request, in order. Brackets left open or closed too
    often are the parser's to report: the cut is then whatever the tokens give."""
    found: list[Section] = []
    prologue: list[str] = []
    depth = 0
    current: dict | None = None  # the operation being read
    expect = ""  # "prefix", "prefix-iri", "base", "where" (after a top-level WHERE)
    declaring = ""
    for kind, token, start in spans(text):
        if kind == "open":
            if expect == "where" and token == "{" and current is not None:
                current["where_start"] = start
            expect = "" if expect == "where" else expect
            depth += 1
            continue
        if kind == "close":
            depth = max(0, depth - 1)
            if depth == 0 and current is not None and "where_start" in current:
                current.setdefault("where_end", start + 1)
            continue
        if depth:
            continue
        word = token.upper() if kind == "word" else ""
        if expect == "where":
            expect = ""  # WHERE not followed by a group: the parser says so
        if expect == "prefix":
            expect, declaring = ("prefix-iri", token) if kind == "pname" else ("", "")
            continue
        if expect == "prefix-iri":
            if kind == "iri":
                prologue.append(f"PREFIX {declaring} {token}")
            expect = ""
            continue
        if expect == "base":
            if kind == "iri":
                prologue.append(f"BASE {token}")
            expect = ""
            continue
        if token == ";" and kind == "other":
            if current is not None:
                found.append(_section(current, start))
            current = None
        elif word == "PREFIX" and current is None:
            expect = "prefix"
        elif word == "BASE" and current is None:
            expect = "base"
        elif word in OPERATION_WORDS and current is None:
            current = {"start": start, "keyword": word, "prologue": " ".join(prologue)}
        elif word == "WHERE" and current is not None and "where_start" not in current:
            expect = "where"
    if current is not None:
        found.append(_section(current, len(text)))
    return found


def _section(found: dict, end: int) -> Section:
    where = None
    if "where_start" in found and "where_end" in found:
        where = (found["where_start"], found["where_end"])
    return Section(found["start"], found["keyword"], found["prologue"], end, where)


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
