"""What a search may ask: the one place its input is checked.

:func:`check_query` refuses a text too long, one holding a control character, or one
with nothing to search for, and gives the folded key to match; :func:`check_options`
checks the number of results and the kinds asked for. The web views call these (and
translate the messages) instead of checking a second time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ...errors import InputError
from ...namespaces import SEARCH_KINDS
from .folding import fold

__all__ = ["MAX_LIMIT", "MAX_QUERY", "check_options", "check_query", "control_character"]

MAX_QUERY = 200  # characters; longer queries are refused (400)
MAX_LIMIT = 100

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def control_character(text: str) -> int | None:
    """The 1-based position of the first control character (C0, DEL or C1: a NUL, a
    line break, a tab) in ``text``, or None. Format characters such as the zero-width
    non-joiner and bidi marks are text, not control characters."""
    found = _CONTROL.search(text)
    return found.start() + 1 if found else None


def check_query(query: str) -> str:
    """The folded key of ``query``, or an InputError a person can act on: too long, a
    control character in it, or nothing to search for."""
    if len(query) > MAX_QUERY:
        raise InputError(
            f"the search text is {len(query)} characters long; at most {MAX_QUERY} are allowed",
            reason="too-long",
        )
    at = control_character(query)
    if at is not None:
        raise InputError(
            f"the search text holds a control character (such as a line break or NUL) at "
            f"position {at}; send only the words to search for",
            reason="control",
        )
    key = fold(query)
    if not key:
        raise InputError(
            "give some text to search for, e.g. ?q=lora (letters or digits, in any language)",
            reason="empty",
        )
    return key


def check_options(
    limit: int, kinds: Iterable[str] | None, *, max_limit: int = MAX_LIMIT
) -> frozenset[int] | None:
    """The numbers (places in ``SEARCH_KINDS``) of the kinds asked for, None for every
    kind; or an InputError when ``limit`` is not 1–``max_limit`` (reason ``limit``) or a
    kind is unknown (reason ``type``, the kind in ``type``)."""
    if not 1 <= limit <= max_limit:
        raise InputError(f"limit must be between 1 and {max_limit}, got {limit}", reason="limit")
    if kinds is None:
        return None
    kinds = list(kinds)
    unknown = [k for k in kinds if k not in SEARCH_KINDS]
    if unknown:
        raise InputError(
            f"unknown type {unknown[0]!r}; choose among: {', '.join(SEARCH_KINDS)}",
            reason="type",
            type=unknown[0],
        )
    return frozenset(SEARCH_KINDS.index(k) for k in kinds) if kinds else None
