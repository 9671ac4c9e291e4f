"""Where a query process writes a SELECT answer: SPARQL JSON (:func:`select_json`), and
CSV, TSV and XML cut at the row cap (:func:`write_solutions`; a SPARQL server's answer
too, :func:`cut_serialised`, for the remote store); and the refusal of an answer longer
than ``MAX_ANSWER_BYTES`` (:func:`capped`).

Each answer is serialised once, by Oxigraph's own serialisers, straight from the
engine's solutions, into a sink that counts rows as the bytes arrive and stops the
engine one row past the cap (the rest of the answer is never computed); the answer is
then cut after the last row the cap allows and closed. In SPARQL JSON the sink only
counts braces until there are more than the cap allows rows (most answers are never
scanned; their rows are counted at the end), then finds each row's end. A cut JSON
answer also carries a top-level ``"truncated": true`` after ``head`` (SPARQLWrapper,
rdflib and Oxigraph read it), put in where the engine's ``"results"`` begins: the bytes
are those :func:`select_json` writes term by term, at about a third of its cost. The
one term the two write differently, a literal with a base direction (the engine adds
``"its:dir"``), makes the query process ask again and write that answer term by term.

Loaded by the query process from its file (store/processes/child.py), so it imports
only the standard library and pyoxigraph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from itertools import islice
from typing import Any

import pyoxigraph as ox

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


# ---- SPARQL JSON ------------------------------------------------------------------------


def _term_json(term: Any) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (_XSD_STRING, _LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(term.subject),
                "predicate": _term_json(term.predicate),
                "object": _term_json(term.object),
            },
        }
    raise TypeError(f"unexpected term {term!r}")


def select_json(variables: list[str], rows: list[Any], *, truncated: bool) -> bytes:
    """SPARQL 1.1 JSON results for ``rows``; ``"truncated": true`` (after ``head``) when
    the row cap cut the answer (SPARQLWrapper, rdflib and Oxigraph read it)."""
    bindings = []
    for solution in rows:
        binding = {}
        for index, name in enumerate(variables):
            value = solution[index]
            if value is not None:
                binding[name] = _term_json(value)
        bindings.append(binding)
    doc: dict[str, Any] = {"head": {"vars": variables}}
    if truncated:
        doc["truncated"] = True
    doc["results"] = {"bindings": bindings}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


# ---- XML, CSV and TSV, cut at the row cap -----------------------------------------------


class _CapPassedError(Exception):
    """Raised from the sink's ``write`` to stop the engine: the cap is passed."""


_CSV_TOKEN = re.compile(rb'"|\r\n')
# SPARQL JSON as Oxigraph writes it (no space; in a string a quote is always escaped)
_JSON_ROWS = b'"results":{"bindings":['
_JSON_DIRECTION = b'"its:dir":'  # a key: inside a value, a quote is escaped
_JSON_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
_JSON_TERM = rb"\{(?:" + _JSON_STRING + rb'|[^{}"])*\}'
# a row whose terms hold no triple (one match each, and no match on a row cut short)
_JSON_ROW = re.compile(rb"\{(?:" + _JSON_STRING + rb"|" + _JSON_TERM + rb'|[^{}"])*\}', re.DOTALL)
# a backslash and what it escapes (or a backslash that ends the bytes), a quote, a brace
_JSON_TOKEN = re.compile(rb'\\.?|["{}]', re.DOTALL)


def _json_row_end(buffer: bytearray, start: int) -> int | None:
    """The offset just past the JSON row that begins at ``start`` (any depth of
    quoted triples), or None when it goes on past ``buffer``."""
    depth, quoted = 0, False
    for match in _JSON_TOKEN.finditer(buffer, start):
        token = match.group()
        if token[0] == 0x5C:  # an escape, only ever inside a string
            if len(token) == 1:
                return None
        elif token == b'"':
            quoted = not quoted
        elif not quoted:
            depth += 1 if token == b"{" else -1
            if depth == 0:
                return match.end()
    return None


def _json_rows(body: bytes) -> int:
    """The rows of a whole SPARQL JSON answer as Oxigraph writes it. A row that binds
    something begins with '{"' after the "[" or "}," before it, and '},{"' is found
    nowhere else (not in a string, where a quote is escaped); an empty row ("{}", which
    a string may hold too) makes it count braces outside the strings instead."""
    if b"{}" not in body:
        return 0 if body.endswith(b'"bindings":[]}}') else 1 + body.count(b'},{"')
    # with the escaped backslashes and quotes taken out, every other piece between
    # quotes is outside the strings, where a row begins with "{" after "[" or ","
    plain = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(plain.split(b'"')[::2])
    return outside.count(b"[{") + outside.count(b",{")


class _RowSink:
    """A binary file for Oxigraph's serialiser that finds where each row ends.

    ``rows_start`` is where the first row begins (after the header); ``ends`` the offset
    just past each row. Row ends are exact in each format: a TSV row is one line (the
    values escape line breaks), an XML row ends with ``</result>`` (values escape
    ``<``), a CSV row with CRLF outside double quotes (values holding a quote, comma or
    line break are quoted, a quote inside doubled).
    """

    def __init__(self, kind: str, cap: int | None) -> None:
        self.kind = kind
        self.cap = cap
        self.buffer = bytearray()
        self.rows_start: int | None = None
        self.ends: list[int] = []
        self._scan = 0  # bytes before this offset are read
        self._quoted = False  # CSV: inside a quoted value
        self._braces = 0  # JSON: the "{" before the first row is looked for

    def write(self, data: bytes) -> int:
        self.buffer += data
        self._find_rows()
        if self._full():
            raise _CapPassedError
        return len(data)

    def flush(self) -> None:
        pass

    def _full(self) -> bool:
        """One row past the cap is found: the rest need not be read."""
        return self.cap is not None and len(self.ends) > self.cap

    def _find_rows(self) -> None:
        buffer, scan = self.buffer, self._scan
        if self.kind == "xml":
            if self.rows_start is None:
                at = buffer.find(b"<results>")
                if at < 0:
                    return
                self.rows_start = scan = at + len(b"<results>")
            while not self._full() and (at := buffer.find(b"</result>", scan)) >= 0:
                scan = at + len(b"</result>")
                self.ends.append(scan)
            self._scan = max(scan, len(buffer) - len(b"</result>") + 1)
            return
        if self.kind == "json":
            self._find_json_rows()
            return
        if self.kind == "tsv":
            while not self._full() and (at := buffer.find(b"\n", scan)) >= 0:
                scan = at + 1
                self._row_end(scan)
            self._scan = scan
            return
        quoted = self._quoted  # csv
        for match in _CSV_TOKEN.finditer(buffer, scan):
            if match.group() == b'"':
                quoted = not quoted
            elif not quoted:
                self._row_end(match.end())
                if self._full():
                    break
        self._quoted = quoted
        # a CR at the very end may be the first half of a row's CRLF: read it again
        self._scan = len(buffer) - 1 if buffer.endswith(b"\r") else len(buffer)

    def _find_json_rows(self) -> None:
        """JSON rows are only looked for once the answer may pass the cap (it has more
        braces than the cap allows rows): most answers are never scanned here, and
        :func:`_json_rows` counts their rows at the end."""
        buffer = self.buffer
        if self.rows_start is None:
            self._braces += buffer.count(b"{", self._scan)
            self._scan = len(buffer)
            # the document's, the head's and the results' braces, then one a row at least
            if self.cap is None or self._braces <= self.cap + 3:
                return
            self.rows_start = self._scan = buffer.find(_JSON_ROWS) + len(_JSON_ROWS)
        pos = self._scan
        while not self._full():
            if pos < len(buffer) and buffer[pos] == 0x2C:  # the comma between rows
                pos += 1
            if pos >= len(buffer) or buffer[pos] == 0x5D:  # the bytes so far, or "]"
                break
            match = _JSON_ROW.match(buffer, pos)
            end = match.end() if match else _json_row_end(buffer, pos)
            if end is None:  # the row goes on past the bytes so far
                break
            self.ends.append(end)
            pos = end
        self._scan = pos

    def _row_end(self, offset: int) -> None:
        if self.rows_start is None:
            self.rows_start = offset  # the header line
        else:
            self.ends.append(offset)


_CLOSING = {"xml": b"</results></sparql>", "csv": b"", "tsv": b"", "json": b"]}}"}


def write_solutions(
    solutions: ox.QuerySolutions,
    fmt: ox.QueryResultsFormat,
    name: str,
    cap: int | None,
    again: Callable[[], ox.QuerySolutions] | None = None,
) -> tuple[bytes, int, bool]:
    """A SELECT answer in ``fmt`` (format ``name``: json, xml, csv or tsv), at most
    ``cap`` rows: ``(body, rows, truncated)``. ``again``: the same solutions anew, for a
    JSON answer the engine writes otherwise than :func:`select_json` (without it, that
    answer is written by :func:`select_json` from the start)."""
    if name == "json" and again is None:
        return _json_by_terms(solutions, cap)
    sink = _RowSink(name, cap)
    try:
        solutions.serialize(sink, fmt)
    except _CapPassedError:
        assert cap is not None and sink.rows_start is not None
        cut = sink.ends[cap - 1] if cap else sink.rows_start
        body = bytes(sink.buffer[:cut]) + _CLOSING[name]
        if name == "json":
            if _JSON_DIRECTION in body:
                assert again is not None
                return _json_by_terms(again(), cap)
            at = body.find(_JSON_ROWS)
            body = body[:at] + b'"truncated":true,' + body[at:]
        return body, cap, True
    body = bytes(sink.buffer)
    if name != "json":
        return body, len(sink.ends), False
    if _JSON_DIRECTION in body:
        assert again is not None
        return _json_by_terms(again(), cap)
    return body, len(sink.ends) if sink.rows_start is not None else _json_rows(body), False


def _json_by_terms(solutions: ox.QuerySolutions, cap: int | None) -> tuple[bytes, int, bool]:
    variables = [v.value for v in solutions.variables]
    rows = list(solutions if cap is None else islice(solutions, cap + 1))
    truncated = cap is not None and len(rows) > cap
    if truncated:
        rows = rows[:cap]
    return select_json(variables, rows, truncated=truncated), len(rows), truncated


def cut_serialised(
    chunks: Iterable[bytes], name: str, cap: int | None, check: Callable[[int], None]
) -> tuple[bytes, int, bool]:
    """A SELECT answer in CSV, TSV or XML (``name``) serialised elsewhere (a SPARQL
    server's, as its ``chunks`` arrive), cut after ``cap`` rows as :func:`write_solutions`
    cuts the engine's: ``(body, rows, truncated)``. Reading stops one row past the cap;
    ``check`` is given the length of the complete rows read so far after each chunk (it
    raises to refuse an answer too long already)."""
    sink = _RowSink(name, cap)
    try:
        for chunk in chunks:
            sink.write(chunk)
            check(sink.ends[-1] if sink.ends else 0)
    except _CapPassedError:
        assert cap is not None and sink.rows_start is not None
        cut = sink.ends[cap - 1] if cap else sink.rows_start
        return bytes(sink.buffer[:cut]) + _CLOSING[name], cap, True
    return bytes(sink.buffer), len(sink.ends), False


# ---- MAX_ANSWER_BYTES ---------------------------------------------------------------------


def capped(header: dict[str, Any], body: bytes, max_bytes: int | None) -> tuple:
    """``(header, body)``, or a refusal when the answer is longer than ``max_bytes``."""
    if max_bytes and header.get("ok") and len(body) > max_bytes:
        message = (
            f"the answer is {len(body)} bytes; this endpoint sends at most {max_bytes} "
            "(MAX_ANSWER_BYTES): ask for fewer rows (LIMIT) or shorter values"
        )
        return {"ok": False, "error": "too-large", "message": message}, b""
    return header, body
