"""Checked SPARQL terms: the one place where a value becomes part of a query's text.

Text from a request never reaches SPARQL by pasting. It is first checked (a slug
against :data:`SLUG`, a saved comparison's id against :data:`COMPARISON_ID`), then
written by :func:`iri`, :func:`literal` or :func:`term`, which refuse what a query
could misread or the store could not read (an IRI with ``>``, a space, a control
character or a backslash, one that is relative or malformed; a malformed language tag;
text that is not Unicode, such as a lone surrogate) and escape what a string may hold
(quotes, backslashes, line breaks, control characters). A refusal is an
:class:`~scholargate.errors.InputError` (400) whose message quotes the value, never the
query.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from .errors import InputError, NotFoundError

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")
"""A resource slug: lower-case letters, digits and hyphens (``multi-head-self-attention``)."""

COMPARISON_ID = re.compile(r"[0-9a-f]{12}")
"""A saved comparison's id: twelve hexadecimal digits."""

# SPARQL's IRIREF: no space, control character or any of <>"{}|^`\
_IRI = re.compile(r'[^\x00-\x20<>"{}|^`\\]*+')
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')
_SURROGATE = re.compile("[\ud800-\udfff]")
_LANG_STRING = str(RDF.langString)
_XSD_STRING = str(XSD.string)


def is_slug(text: str) -> bool:
    """Whether ``text`` is a well-formed resource slug."""
    return SLUG.fullmatch(text) is not None


def is_comparison_id(text: str) -> bool:
    """Whether ``text`` is a well-formed saved comparison id."""
    return COMPARISON_ID.fullmatch(text) is not None


def shown(text: str, most: int = 80) -> str:
    """``text`` cut at ``most`` characters (with "…"), for quoting in a message."""
    return text if len(text) <= most else text[:most] + "…"


def malformed_slug(kind: str, slug: str) -> NotFoundError:
    """The 404 for ``/{kind}/{slug}`` when ``slug`` cannot name anything (``x>``,
    ``LoRA``, ``a b``): nothing is looked up for it, and the message says what a slug
    looks like (the slug quoted, cut at 80 characters)."""
    return NotFoundError(
        f"no {kind} {shown(slug)!r}: a slug is lower-case letters, digits and hyphens, such as "
        "multi-head-self-attention; to find something by name, use /search?q=",
        kind=kind,
        reason="malformed-slug",
    )


def check_slug(kind: str, slug: str) -> str:
    """``slug`` when it is well-formed, else the 404 of :func:`malformed_slug`."""
    if not is_slug(slug):
        raise malformed_slug(kind, slug)
    return slug


def is_iri(value: str) -> bool:
    """Whether ``value`` is an absolute IRI that :func:`iri` writes into a query: only
    characters SPARQL's ``IRIREF`` allows, and well-formed (scheme, percent-encoding,
    host) as the store reads IRIs."""
    if not value or _IRI.fullmatch(value) is None:
        return False
    try:
        ox.NamedNode(value)
    except (ValueError, UnicodeError):
        return False
    return True


def iri(value: str) -> str:
    """``<value>`` for a SPARQL query; an IRI a query could misread is refused."""
    if not is_iri(value):
        raise InputError(f"not an IRI that a query may hold: {value[:80]!r}")
    return f"<{value}>"


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


def literal(text: str, *, lang: str | None = None, datatype: str | None = None) -> str:
    """A quoted SPARQL literal, escaped, with its language tag or datatype."""
    if _SURROGATE.search(text):
        raise InputError(f"not Unicode text (a lone surrogate): {text[:40]!r}")
    quoted = '"' + _NEEDS_ESCAPE.sub(_escape, text) + '"'
    if lang:
        if _LANGUAGE.fullmatch(lang) is None:
            raise InputError(f"not a language tag: {lang[:40]!r}")
        return f"{quoted}@{lang}"
    if datatype and datatype not in (_XSD_STRING, _LANG_STRING):
        return f"{quoted}^^{iri(datatype)}"
    return quoted


def term(node: Node) -> str:
    """An rdflib IRI or literal written as SPARQL."""
    if isinstance(node, URIRef):
        return iri(str(node))
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype is not None else None
        return literal(str(node), lang=node.language, datatype=datatype)
    raise InputError(f"a query may not hold {type(node).__name__} {node!r}")
