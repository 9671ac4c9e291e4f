"""The SPARQL tokenizer the checks read a query with: it knows SPARQL's strings (all four
quote styles, with escapes), IRIs, comments, variables, prefixed names and language
tags, so ``SERVICE`` or ``FROM`` inside a string, an IRI, a comment or a name
(``?service``, ``ex:from``) is not mistaken for the keyword. It costs about 1-2 µs per
token (~70 µs for a one-line query, ~1 ms for 1 kB, against ~5 ms for rdflib's parser,
which also recurses on deep nesting)."""

from __future__ import annotations

import re
from collections.abc import Iterator

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
        yield (_name_kind(text) if kind == "name" else kind), text


def spans(sparql: str) -> Iterator[tuple[str, str, int]]:
    """The tokens of :func:`tokens` with the offset in ``sparql`` where each starts, for
    cutting a text at tokens (an update's operations and their WHERE groups)."""
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup or "other"
        if kind in ("ws", "comment"):
            continue
        text = match.group()
        yield (_name_kind(text) if kind == "name" else kind), text, match.start()


def _name_kind(text: str) -> str:
    if ":" in text:
        return "pname"
    if text[0].isdigit() or text[0] == "-":
        return "number"
    return "word"


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _unescape_iri(text: str) -> str:
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _unescape_local(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)
