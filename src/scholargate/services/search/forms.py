"""The index of other forms of each name: compact (no spaces) and inflected.

Built with a :class:`~.snapshot.Snapshot` from its entries, for the kinds people look up
by a term (methods, fields, families, types; not persons' names or works' titles) and
names of at most :data:`~.variants.MAX_WORDS` words. Kept small at 100,000 methods:

* ``compact``: the compact keys (``variants.compact``) of names with a space in them,
  sorted, with their entries: whole compact names and their starts, by bisecting;
* ``filed``: each name filed under a 64-bit hash of its words' starts (the first four
  letters of each form, as written and stemmed, ``variants.starts``), as two parallel
  sorted arrays; a query looks up the hashes of its own words' starts and checks the few
  names filed there with ``variants.compatible``;
* ``one_word``: each one-word name's key → the other one-word names of the same
  resource (``برت`` → ``bert``), so that a query naming a thing by another of its names
  inside a longer name finds that name: ``تنظیم دقیق برت`` is ``تنظیم دقیق BERT``.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from itertools import islice, product

from .variants import MAX_WORDS, compact, compatible, name_forms, query_forms, starts

__all__ = ["Forms"]

_TOP = "\U0010ffff"
_MAX_NAME = 60  # characters; longer names are titles and descriptions, not terms
_MAX_FILINGS = 8  # a name is filed under at most this many combinations of its starts
_MAX_SYNONYMS = 4  # one-word names of the same resource a word may stand for
_MAX_SWAPS = 16  # queries tried with words swapped for other names of the same thing


def _hash(parts: Sequence[str]) -> int:
    return hash("\x1f".join(parts))


class Forms:
    """Compact and inflected forms of the names ``entries`` (numbers into a snapshot)."""

    def __init__(
        self,
        keys: Sequence[str],
        texts: Sequence[str],
        langs: Sequence[str],
        entries: range,
        subjects: Sequence[int],
    ) -> None:
        self._texts, self._langs = texts, langs
        by_subject: dict[int, set[str]] = {}
        for e in entries:
            if " " not in keys[e] and len(keys[e]) >= 2:
                by_subject.setdefault(subjects[e], set()).add(keys[e])
        self.one_word: dict[str, tuple[str, ...]] = {}
        for names in by_subject.values():
            for name in names:
                others = sorted(names - {name})[:_MAX_SYNONYMS]
                if others:
                    known = self.one_word.get(name, ())
                    self.one_word[name] = tuple(dict.fromkeys(known + tuple(others)))[
                        :_MAX_SYNONYMS
                    ]
        del by_subject
        pairs = sorted(
            (compact(keys[e]), e) for e in entries if " " in keys[e] and len(keys[e]) <= _MAX_NAME
        )
        self.compact_keys = [key for key, _ in pairs]
        self.compact_entries = array("i", (e for _, e in pairs))
        del pairs
        filed: list[tuple[int, int]] = []
        for e in entries:
            if len(keys[e]) > _MAX_NAME or keys[e].count(" ") >= MAX_WORDS:
                continue
            forms = name_forms(texts[e], langs[e])
            if forms is None:
                continue
            for combination in islice(product(*map(sorted, map(starts, forms))), _MAX_FILINGS):
                filed.append((_hash(combination), e))
        filed.sort()
        self.filed_hashes = array("q", (h for h, _ in filed))
        self.filed_entries = array("i", (e for _, e in filed))

    def compact_exact(self, key: str) -> list[int]:
        """Entries whose compact name is the key's compact form, ascending."""
        ckey = compact(key)
        first = bisect_left(self.compact_keys, ckey)
        last = bisect_right(self.compact_keys, ckey, first)
        return sorted(self.compact_entries[first:last])

    def compact_prefix(self, key: str, at_most: int = 5000) -> list[int]:
        """Entries whose compact name starts with the key's compact form (not equal),
        ascending; at most ``at_most`` are read."""
        ckey = compact(key)
        first = bisect_right(self.compact_keys, ckey)
        last = bisect_left(self.compact_keys, ckey + _TOP, first)
        return sorted(self.compact_entries[first : min(last, first + at_most)])

    def swapped(self, key: str) -> list[str]:
        """The key with some of its words (two to MAX_WORDS of them) replaced by other
        one-word names of the same resource, at most _MAX_SWAPS of them, not the key."""
        words = key.split(" ")
        if not 2 <= len(words) <= MAX_WORDS:
            return []
        choices = [(word, *self.one_word.get(word, ())) for word in words]
        if all(len(c) == 1 for c in choices):
            return []
        return [" ".join(c) for c in islice(product(*choices), 1, _MAX_SWAPS + 1)]

    def inflected(self, text: str) -> list[int]:
        """Entries whose name has the query's words in other inflections, ascending."""
        forms = query_forms(text)
        if forms is None:
            return []
        found: set[int] = set()
        for combination in islice(product(*map(sorted, map(starts, forms))), 64):
            h = _hash(combination)
            at = bisect_left(self.filed_hashes, h)
            while at < len(self.filed_hashes) and self.filed_hashes[at] == h:
                found.add(self.filed_entries[at])
                at += 1
        return sorted(e for e in found if self._fits(forms, e))

    def _fits(self, forms, entry: int) -> bool:
        name = name_forms(self._texts[entry], self._langs[entry])
        return name is not None and compatible(forms, name)
