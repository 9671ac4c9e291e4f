"""Turtle, N-Triples and RDF/XML uploads, read strictly into an rdflib graph.

Each reader checks the text before rdflib sees it, then turns whatever rdflib raises
into a :class:`~scholargate.errors.ParseError` with a line and a column where they can
be had (rdflib's Turtle reader also fails with ``IndexError`` or ``AttributeError`` on
some malformed text: those are parse errors too, never a 500).

- Turtle and N-Triples: one linear scan (:func:`check_text`) refuses nesting deeper than
  ``MAX_DEPTH`` and a literal or IRI longer than its cap, before rdflib's recursive,
  quadratic-on-long-strings reader runs. N-Triples is read line by line, so an error
  names its line.
- RDF/XML: any ``<!DOCTYPE`` or ``<!ENTITY`` (any case, any spacing, anywhere — also in
  a comment or CDATA, which costs nothing legitimate) is refused before parsing, so no
  entity is declared, expanded (billion laughs) or resolved (XXE). The SAX reader also
  has external entities switched off, and is fed text, not bytes, so expat reads UTF-8
  whatever the XML declaration says (a UTF-16 or UTF-7 declaration cannot hide a DTD).
"""

from __future__ import annotations

import re
from xml.sax import SAXParseException, handler

from rdflib import Graph
from rdflib.exceptions import ParserError as RdflibParserError
from rdflib.parser import create_input_source
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.plugins.parsers.ntriples import NTGraphSink, W3CNTriplesParser
from rdflib.plugins.parsers.rdfxml import create_parser

from ...errors import InputError, ParseError, ScholarGateError
from ...terms import shown
from .upload_limits import (
    MAX_DEPTH,
    MAX_IRI_CHARS,
    MAX_LITERAL_CHARS,
    iri_too_long,
    literal_too_long,
    too_deep,
)

# ---- the scan of Turtle and N-Triples text ---------------------------------------------

_SPECIAL = re.compile(r"""[<"'#()\[\]\\]""")
# Each pattern's group 1 is the content: what the caps measure, closed or not.
_IRI = re.compile(r"<([^>\n\r]*+)>?")
_COMMENT = re.compile(r"#[^\n\r]*+")
_SHORT = {q: re.compile(rf"{q}((?:[^{q}\\\n\r]++|\\.)*+){q}?") for q in "\"'"}
_LONG = {
    q: re.compile(rf"{q * 3}((?:[^{q}\\]++|\\.|{q}(?!{q}{q}))*+)(?:{q * 3})?", re.S) for q in "\"'"
}


def check_text(text: str, syntax: str) -> None:
    """Refuse Turtle or N-Triples text nesting deeper than ``MAX_DEPTH`` or holding a
    string or IRI longer than its cap, in one pass that skips strings, IRIs and comments
    the way the grammar does. Text the grammar refuses is left for the parser to name."""
    depth = 0
    pos = 0
    while match := _SPECIAL.search(text, pos):
        start = match.start()
        char = text[start]
        if char in "([":
            depth += 1
            if depth > MAX_DEPTH:
                raise too_deep(syntax)
            pos = start + 1
        elif char in ")]":
            depth = max(depth - 1, 0)
            pos = start + 1
        elif char == "#":
            comment = _COMMENT.match(text, start)
            assert comment is not None  # the pattern matches any "#"
            pos = comment.end()
        elif char == "\\":  # an escape in a prefixed name (ex:a\#b)
            pos = start + 2
        elif char == "<":
            token = _IRI.match(text, start)
            assert token is not None  # the pattern matches any "<"
            if len(token.group(1)) > MAX_IRI_CHARS:
                raise iri_too_long(len(token.group(1)))
            pos = token.end()
        else:  # a quote
            pattern = _LONG[char] if text.startswith(char * 3, start) else _SHORT[char]
            token = pattern.match(text, start)
            assert token is not None  # the pattern matches any quote
            if len(token.group(1)) > MAX_LITERAL_CHARS:
                raise literal_too_long(len(token.group(1)))
            pos = token.end()


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ---- Turtle ----------------------------------------------------------------------------


def read_turtle(text: str, sink: Graph, base: str) -> None:
    """Parse Turtle ``text`` into ``sink``, relative IRIs resolved against ``base``."""
    check_text(text, "Turtle")
    try:
        sink.parse(data=text, format="turtle", publicID=base)
    except ScholarGateError:
        raise
    except BadSyntax as error:
        why = getattr(error, "_why", None) or "bad syntax"
        offset = getattr(error, "_i", None)
        if isinstance(offset, int) and 0 <= offset <= len(text):
            line, column = _line_column(text, offset)
            near = text[offset : offset + 30].split("\n", 1)[0].strip()
            hint = f" near {near!r}" if near else ""
            if not text[offset:].strip():
                hint = " at the end of the text"
            raise ParseError(f"not valid Turtle: {why}{hint}", line=line, column=column) from None
        raise ParseError(f"not valid Turtle: {why}", line=error.lines + 1) from None
    except RecursionError:
        raise too_deep("Turtle") from None
    except IndexError:
        raise ParseError(
            "not valid Turtle: the text ends inside a statement (a missing '.' or closing bracket?)"
        ) from None
    except AttributeError:  # rdflib's reader meets N3 it does not expect in Turtle
        raise ParseError(
            "not valid Turtle: N3 syntax such as ?variables or { formulas } is not Turtle"
        ) from None
    except Exception as error:
        raise ParseError(f"not valid Turtle: {shown(str(error)) or type(error).__name__}") from None


# ---- N-Triples -------------------------------------------------------------------------

_LINES = re.compile(r"\r\n|\r|\n")


def read_ntriples(text: str, sink: Graph) -> None:
    """Parse N-Triples ``text`` into ``sink``, one line at a time."""
    check_text(text, "N-Triples")
    parser = W3CNTriplesParser(NTGraphSink(sink), bnode_context={})
    for number, line in enumerate(_LINES.split(text), 1):
        parser.line = line
        try:
            parser.parseline()
        except RdflibParserError as error:
            rest = parser.line or ""
            raise ParseError(
                f"not valid N-Triples: {_nt_reason(str(error))}",
                line=number,
                column=len(line) - len(rest) + 1,
            ) from None


def _nt_reason(message: str) -> str:
    if message.startswith("Failed to eat"):
        return "expected a triple: <subject> <predicate> object, ending with '.'"
    return shown(message)


# ---- RDF/XML ---------------------------------------------------------------------------

_DTD = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_AT = re.compile(r"^.*?:(\d+):(\d+): (.*)$", re.S)


def refuse_dtd(text: str) -> None:
    """Refuse (400) RDF/XML that declares a DTD or an entity, anywhere in the text."""
    found = _DTD.search(text)
    if found is not None:
        line, column = _line_column(text, found.start())
        raise InputError(
            f"RDF/XML with a DTD or entity declaration ({found.group()!r} at line {line}, "
            f"column {column}) is not accepted: entities can read files or the network "
            "(XXE) or expand without end; send the document without its <!DOCTYPE …>",
            line=line,
            column=column,
        )


def read_rdfxml(text: str, sink: Graph, base: str) -> None:
    """Parse RDF/XML ``text`` into ``sink``, with no DTD and no external entity."""
    refuse_dtd(text)
    if "\x00" in text:
        raise InputError("RDF/XML may not hold a NUL character (is the body UTF-16?)")
    source = create_input_source(data=text, publicID=base)
    reader = create_parser(source, sink)
    reader.setFeature(handler.feature_external_ges, False)
    reader.setFeature(handler.feature_external_pes, False)
    try:
        reader.parse(source)
    except ScholarGateError:
        raise
    except SAXParseException as error:
        raise ParseError(
            f"not well-formed XML: {error.getMessage()}",
            line=error.getLineNumber(),
            column=error.getColumnNumber() + 1,
        ) from None
    except RdflibParserError as error:
        at = _AT.match(str(error))
        if at is None:
            raise ParseError(f"not valid RDF/XML: {shown(str(error))}") from None
        raise ParseError(
            f"not valid RDF/XML: {shown(at.group(3))}",
            line=int(at.group(1)),
            column=int(at.group(2)) + 1,
        ) from None
    except RecursionError:
        raise too_deep("RDF/XML") from None
    except Exception as error:
        raise ParseError(
            f"not valid RDF/XML: {shown(str(error)) or type(error).__name__}"
        ) from None
