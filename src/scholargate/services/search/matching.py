"""Finding a folded key's matches in a snapshot, best first: exact, inflected, prefix,
word, substring, fuzzy.

Every name of a :class:`~.snapshot.Snapshot` is numbered in ranking order, so within one
kind of match "best" is "lowest number": :func:`find` reads its candidates in that order
and stops as soon as it has enough. Whole names and prefixes come from the sorted names
(bisect); later words from the sorted vocabulary of words, each with the names it
occurs in; substrings from the vocabulary's trigrams (the words that contain the text)
and those words' names. A text made only of very common parts walks all names in rank
order instead, and stops after 200,000 of them: past that, only the lowest-ranked names
(long names of persons and works) are left unsearched. Names without their spaces,
in other inflections and with a word swapped for another one-word name of the same
resource come from ``forms.py`` (methods, fields, families and types);
names close to a key that found little from ``fuzzy.py``. Measured by bench/search.py.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from .fuzzy import SUGGEST_CUTOFF, close_names
from .variants import compact

if TYPE_CHECKING:
    from .snapshot import Snapshot

__all__ = ["did_you_mean", "find"]

# Candidate entries up to this many are sorted and checked in order; more, and the walk
# goes through all entries in rank order instead (they are then dense, so it stops soon).
_SORT_AT_MOST = 5_000
_MERGE_AT_MOST = 64  # posting lists merged lazily; more, and the walk goes through all entries
_INTERSECT_AT_MOST = 100_000  # entries in a candidate set built to intersect with another
_TOP = "\U0010ffff"  # after every character: [key, key + _TOP) holds the keys key starts
_DENSE = object()  # "too many candidates to list: walk every entry"
# A walk through all entries (a short or common text) reads at most this many names, so
# a query whose every part is common but whose whole is rare stays fast; the names past
# the cut-off are the lowest ranked (long names of persons and works).
_DENSE_WALK_AT_MOST = 200_000
_FEW = 3  # fewer matches than this (or than the limit) and names close to the key are looked for
Candidates = Any  # a sorted sequence of entries, an ascending iterator, or _DENSE
_Source = tuple[int, list]  # (number of entries, their posting lists)


def find(
    snapshot: Snapshot,
    key: str,
    limit: int,
    kinds: frozenset[int] | None,
    text: str | None = None,
) -> list[tuple[int, int]]:
    """Up to ``limit`` ``(entry, match)`` pairs, best first, one per subject; ``text``
    is the query as typed (its inflections are read from it; the key when None)."""
    found: dict[int, tuple[int, int]] = {}  # subject → (entry, match)
    keys, subject_of, kind_of = snapshot.keys, snapshot.subject, snapshot.entry_kind
    lo, hi = _bounds(snapshot, kinds)

    def take(entries: Iterable[int], match: int) -> bool:
        """Add entries (ascending) not yet found; True once ``limit`` is reached."""
        for entry in entries:
            if kinds is not None and kind_of[entry] not in kinds:
                continue
            subject = subject_of[entry]
            if subject not in found:
                found[subject] = (entry, match)
                if len(found) >= limit:
                    return True
        return False

    def walk(candidates: Candidates, keep: Callable[[int], bool]) -> Iterator[int]:
        """The candidates between lo and hi that ``keep``, ascending (``take`` stops
        early, so a long list is rarely read to its end)."""
        if isinstance(candidates, Iterator):  # a lazy merge of posting lists
            for entry in candidates:
                if entry >= hi:
                    return
                if entry >= lo and keep(entry):
                    yield entry
            return
        entries: Sequence[int]
        if candidates is _DENSE:  # in rank order, so a cut-off keeps the best
            entries = range(lo, min(hi, lo + _DENSE_WALK_AT_MOST))
        else:
            entries = candidates
            entries = entries[bisect_left(entries, lo) : bisect_left(entries, hi)]
        start, step = 0, 64  # checked a chunk at a time, growing
        while start < len(entries):
            yield from [e for e in entries[start : start + step] if keep(e)]
            start, step = start + step, min(step * 4, 4096)

    def done() -> list[tuple[int, int]]:
        return list(found.values())

    forms = snapshot.forms
    # 1. exact: the keys equal to the key in the sorted keys, then the names equal to it
    # without their spaces (نرمال سازی دسته ای = نرمال‌سازی دسته‌ای, drop out = dropout)
    first = bisect_left(snapshot.sorted_keys, key)
    if first < len(snapshot.sorted_keys) and snapshot.sorted_keys[first] == key:
        exact = snapshot.by_key[snapshot.key_start[first] : snapshot.key_start[first + 1]]
        if take(sorted(exact), 0):
            return done()
        first += 1
    joined = compact(key)
    if joined != key and take(_keys_from(snapshot, joined, exact=True), 0):
        return done()
    if take(forms.compact_exact(key), 0):
        return done()
    # 2. the whole name in other inflections (makineleri = makinesi, networks = network),
    # the closest spelling first
    inflected = forms.inflected(key if text is None else text)
    if len(inflected) > 1:
        inflected.sort(key=lambda e: (-fuzz.ratio(key, keys[e]), e))
    if take(inflected, 1):
        return done()
    # ... or with a word swapped for another name of the same thing (برت for BERT)
    if not found:
        for swapped in forms.swapped(key):
            if take(_keys_from(snapshot, swapped, exact=True), 1):
                return done()
    whole = bool(found)  # the query is a whole name as written: no typo to look for
    # 3. prefix: the keys in [key, key + top) of the sorted keys, then compact starts
    last = bisect_left(snapshot.sorted_keys, key + _TOP, first)
    candidates = _prefix_candidates(
        snapshot, key, snapshot.key_start[first], snapshot.key_start[last]
    )
    if candidates is not None and take(
        walk(candidates, lambda e: keys[e].startswith(key) and keys[e] != key), 2
    ):
        return done()
    if joined != key and len(joined) >= 3 and take(_keys_from(snapshot, joined, exact=False), 2):
        return done()
    if len(joined) >= 3 and take(forms.compact_prefix(key), 2):
        return done()
    # 4. a later word starts with the key
    word = " " + key
    candidates = _word_candidates(snapshot, key)
    if candidates is not None and take(
        walk(candidates, lambda e: word in keys[e] and not keys[e].startswith(key)), 3
    ):
        return done()
    # 5. anywhere else, for three characters or more
    candidates = _substring_candidates(snapshot, key) if len(key) >= 3 else None
    if candidates is not None and take(
        walk(
            candidates,
            lambda e: key in keys[e] and word not in keys[e] and not keys[e].startswith(key),
        ),
        4,
    ):
        return done()
    # 6. close to the key (a typo), when all of that found little and no whole name
    if not whole and len(found) < min(limit, _FEW):
        take((entry for entry, _ in close_names(snapshot, key, lo, hi)), 5)
    return done()


def did_you_mean(
    snapshot: Snapshot, key: str, limit: int, kinds: frozenset[int] | None
) -> list[int]:
    """Up to ``limit`` entries (one per subject) whose names are somewhat close to a key
    that found nothing: what to offer instead."""
    lo, hi = _bounds(snapshot, kinds)
    entries, subjects = [], set()
    for entry, _ in close_names(snapshot, key, lo, hi, SUGGEST_CUTOFF):
        subject = snapshot.subject[entry]
        if subject not in subjects and (kinds is None or snapshot.entry_kind[entry] in kinds):
            subjects.add(subject)
            entries.append(entry)
            if len(entries) >= limit:
                break
    return entries


def _keys_from(snapshot: Snapshot, key: str, *, exact: bool) -> list[int]:
    """The entries whose key is ``key`` (``exact``) or starts with it (not equal, at
    most _SORT_AT_MOST of them), ascending."""
    sorted_keys, starts = snapshot.sorted_keys, snapshot.key_start
    first = bisect_left(sorted_keys, key)
    equal = first < len(sorted_keys) and sorted_keys[first] == key
    if exact:
        return sorted(snapshot.by_key[starts[first] : starts[first + 1]]) if equal else []
    first += equal
    last = bisect_left(sorted_keys, key + _TOP, first)
    end = min(starts[last], starts[first] + _SORT_AT_MOST)
    return sorted(snapshot.by_key[starts[first] : end])


def _bounds(snapshot: Snapshot, kinds: frozenset[int] | None) -> tuple[int, int]:
    """Entries are ordered by kind first: the allowed kinds lie between these two."""
    if kinds is None:
        return 0, len(snapshot.keys)
    return (
        min(snapshot.kind_start[k] for k in kinds),
        max(snapshot.kind_start[k + 1] for k in kinds),
    )


# ---- candidates: entries that may match, ascending (or _DENSE: walk them all) ----


def _prefix_candidates(snapshot: Snapshot, key: str, start: int, end: int) -> Candidates | None:
    """Entries whose name starts with the key; ``by_key[start:end]`` are exactly those."""
    if start == end:
        return None
    if end - start <= _SORT_AT_MOST:
        return sorted(snapshot.by_key[start:end])
    head, *rest = key.split(" ")
    if rest:  # the names whose first word is the key's first word (a superset)
        return _whole(snapshot, head, snapshot.first)[1][0]
    first, last = _words_starting(snapshot, head)  # the first words the key starts
    return _union(_source(snapshot.first, snapshot.first_total, range(first, last)))


def _word_candidates(snapshot: Snapshot, key: str) -> Candidates | None:
    """Entries in which a word after the first may start the key."""
    *complete, tail = key.split(" ")
    first, last = _words_starting(snapshot, tail)
    if not complete:  # one word: the words it starts, where they are not first
        return _union(_source(snapshot.later, snapshot.later_total, range(first, last)))
    sources = [_whole(snapshot, word, snapshot.anywhere) for word in complete]
    sources.append(_source(snapshot.anywhere, snapshot.anywhere_total, range(first, last)))
    return _intersect(sources)


def _substring_candidates(snapshot: Snapshot, key: str) -> Candidates | None:
    """Entries that may contain the key starting inside a word (keys of three
    characters or more; a one-word key needs three itself, to look up its trigrams;
    a two-word key with a short first part, a last part that few words start)."""
    head, *rest = key.split(" ")
    if not rest:  # one word: the words that contain it, but do not start with it
        if len(head) < 3:
            return None
        inside = [
            w
            for w in _words_containing(snapshot, head)
            if not snapshot.vocabulary[w].startswith(head)
        ]
        return _union(_source(snapshot.anywhere, snapshot.anywhere_total, inside))
    *middle, tail = rest
    first, last = _words_starting(snapshot, tail)
    sources = [_whole(snapshot, word, snapshot.anywhere) for word in middle]
    sources.append(_source(snapshot.anywhere, snapshot.anywhere_total, range(first, last)))
    if len(head) >= 3:  # the words the key's first part ends
        ending = [
            w for w in _words_containing(snapshot, head) if snapshot.vocabulary[w].endswith(head)
        ]
        sources.append(_source(snapshot.anywhere, snapshot.anywhere_total, ending))
    elif not middle and sources[0][0] > 4 * _SORT_AT_MOST:
        return None  # "e t": only a short start and a common last part; not worth it
    return _intersect(sources)


def _words_starting(snapshot: Snapshot, text: str) -> tuple[int, int]:
    """The range of vocabulary words that start with ``text``."""
    first = bisect_left(snapshot.vocabulary, text)
    return first, bisect_left(snapshot.vocabulary, text + _TOP, first)


def _words_containing(snapshot: Snapshot, text: str) -> list[int]:
    """Vocabulary words that contain ``text`` (three characters or more)."""
    best: Sequence[int] = ()
    for i in range(len(text) - 2):
        words = snapshot.word_grams.get(text[i : i + 3])
        if words is None:
            return []
        if not best or len(words) < len(best):
            best = words
    vocabulary = snapshot.vocabulary
    return [w for w in best if text in vocabulary[w]]


def _whole(snapshot: Snapshot, word: str, postings: list[array]) -> _Source:
    """The entries that have ``word`` as a whole word (per ``postings``)."""
    number = bisect_left(snapshot.vocabulary, word)
    if number < len(snapshot.vocabulary) and snapshot.vocabulary[number] == word:
        return len(postings[number]), [postings[number]]
    return 0, [()]


def _source(postings: list[array], total: array, words: Sequence[int]) -> _Source:
    """The entries of ``words``: how many (with repeats), and their posting lists."""
    if isinstance(words, range):
        size = total[words.stop] - total[words.start]
    else:
        size = sum(len(postings[w]) for w in words)
    return size, [postings[w] for w in words] if size else []


def _union(source: _Source) -> Candidates | None:
    """The entries of one source in ascending order: the list itself, a sorted copy
    when small, a lazy merge of a few long lists, or _DENSE for many long lists (a
    short, common text, whose matches are everywhere)."""
    size, lists = source
    lists = [entries for entries in lists if entries]
    if not size or not lists:
        return None
    if len(lists) == 1:
        return lists[0]
    if size <= _SORT_AT_MOST:
        return sorted(chain.from_iterable(lists))
    if len(lists) <= _MERGE_AT_MOST:
        return heapq.merge(*lists)
    return _DENSE


def _intersect(sources: list[_Source]) -> Candidates | None:
    """The entries in every source, ascending, or a superset of them: the caller
    checks each name anyway. Smallest source first; another source is read only
    while that is cheaper than checking the names (few left, or a much larger
    source: stop). When even the smallest source is huge, every token of the key is
    common: walk all entries."""
    sources.sort(key=lambda source: source[0])
    size, lists = sources[0]
    if not size:
        return None
    if size > _INTERSECT_AT_MOST:
        return _DENSE
    result = set().union(*lists)
    for size, lists in sources[1:]:
        if len(result) <= 1000 or size > 3 * len(result):
            break
        result &= set().union(*lists)
    return sorted(result) if result else None
