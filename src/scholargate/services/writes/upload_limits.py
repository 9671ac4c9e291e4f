"""The caps on one upload, and the sink that counts triples while a parser adds them.

The route caps the body's bytes (``MAX_BODY``); these cap what a body of that size could
still make expensive: how many triples it holds (``max_triples``, counted as the parser
adds them, so parsing stops at the first one over), how deeply it nests (rdflib's Turtle
and JSON-LD readers recurse, and a few hundred levels end in a ``RecursionError``), and
how long one literal or IRI is (rdflib's Turtle reader takes time quadratic in a string's
length: a megabyte-long literal costs seconds).
"""

from __future__ import annotations

from rdflib.plugins.stores.memory import Memory

from ...errors import InputError, PayloadTooLargeError

MAX_DEPTH = 64
"""The deepest nesting of brackets (Turtle's ``(`` and ``[``) or of JSON arrays and objects."""

MAX_LITERAL_CHARS = 100_000
"""The longest literal, in characters (as written in Turtle or N-Triples; as read otherwise)."""

MAX_IRI_CHARS = 4_096
"""The longest IRI, in characters."""


def too_deep(what: str) -> InputError:
    return InputError(
        f"the {what} nests more than {MAX_DEPTH} levels deep, the most an upload may",
        limit=MAX_DEPTH,
    )


def literal_too_long(length: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"a literal of {length:,} characters is longer than the {MAX_LITERAL_CHARS:,} "
        "an upload may hold",
        limit=MAX_LITERAL_CHARS,
    )


def iri_too_long(length: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"an IRI of {length:,} characters is longer than the {MAX_IRI_CHARS:,} an upload may hold",
        limit=MAX_IRI_CHARS,
    )


def too_many_triples(most: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"the upload holds more than {most:,} triples, the most one request may write; "
        "send it in parts (POST merges into a graph)",
        limit=most,
    )


class CountedMemory(Memory):
    """rdflib's in-memory store that refuses (413) the triple that would make it hold
    more than ``most`` distinct triples, as the parser adds it."""

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most = most

    def add(self, triple, context, quoted=False) -> None:  # type: ignore[no-untyped-def]
        super().add(triple, context, quoted)
        if len(self) > self.most:  # the store keeps its count: no walk
            raise too_many_triples(self.most)
