"""Typos: names close to a query that matches nothing better, and "did you mean".

Only when exact, inflected, prefix, word and substring matches found little does
:func:`~.matching.find` ask here, and what this finds ranks below all of those (its
hits say ``match: fuzzy``). Bounded at every step, so a miss stays fast at 100,000
methods (bench/search.py):

1. each word of the query that no name uses (four letters or more) is corrected to the
   vocabulary's words within one edit (two from eight letters on; a swap of two
   neighbours is one edit, rapidfuzz's OSA distance), found through the trigrams they
   share: a word with d edits keeps all but 4·d of its trigrams, so only words sharing
   that many are compared (the rarest trigrams first, ``_GRAM_BUDGET`` postings at most);
2. the names holding a corrected word are the candidates: the rarest words' names first,
   at most ``_CANDIDATES`` of them, in rank order;
3. each candidate's key is scored against the query's with rapidfuzz's ``fuzz.ratio``
   (0–100); those at ``cutoff`` or above are the answer, best score first, then rank.

:func:`did_you_mean` is the same with a lower cutoff, for a query that found nothing.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from itertools import chain
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

if TYPE_CHECKING:
    from .snapshot import Snapshot

__all__ = ["CUTOFF", "SUGGEST_CUTOFF", "close_names", "near_words"]

CUTOFF = 75  # fuzz.ratio a name needs to be a fuzzy hit
SUGGEST_CUTOFF = 55  # ... to be offered as "did you mean"
_CANDIDATES = 1500  # names scored at most, per query
_GRAM_BUDGET = 20_000  # trigram postings read at most, per word
_NEAR = 8  # corrections kept per word


def _distance(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def near_words(snapshot: Snapshot, word: str) -> list[int]:
    """Vocabulary words within the allowed edits of ``word``, closest first (just itself
    when it is one); numbers into ``snapshot.vocabulary``."""
    vocabulary = snapshot.vocabulary
    found: list[int] = []
    at = bisect_left(vocabulary, word)
    if at < len(vocabulary) and vocabulary[at] == word:
        return [at]  # a word the names use: taken as it is
    most = _distance(word)
    if not most:
        return found
    grams = {word[i : i + 3] for i in range(len(word) - 2)}
    lists = sorted((snapshot.word_grams[g] for g in grams if g in snapshot.word_grams), key=len)
    needed = max(1, len(grams) - 4 * most)
    if len(lists) < needed:
        return found
    # the rarest grams first, within the budget; a close word shares enough of them
    read, kept = 0, []
    for words in lists:
        if read + len(words) > _GRAM_BUDGET and kept:
            break
        kept.append(words)
        read += len(words)
    needed = max(1, needed - (len(lists) - len(kept)))
    counts = Counter(chain.from_iterable(kept))
    size = len(word)
    candidates = [
        w
        for w, n in counts.items()
        if n >= needed and abs(len(vocabulary[w]) - size) <= most and w not in found
    ]
    scored = process.extract(
        word,
        [vocabulary[w] for w in candidates],
        scorer=OSA.distance,
        score_cutoff=most,
        limit=_NEAR,
    )
    found += [candidates[i] for _, _, i in sorted(scored, key=lambda s: (s[1], s[2]))]
    return found


def close_names(
    snapshot: Snapshot, key: str, lo: int, hi: int, cutoff: int = CUTOFF
) -> list[tuple[int, float]]:
    """``(entry, score)`` of the names between ``lo`` and ``hi`` close to ``key``,
    best score first, then rank."""
    postings = []
    for word in key.split(" "):
        for number in near_words(snapshot, word):
            postings.append(snapshot.anywhere[number])
    if not postings:
        return []
    postings.sort(key=len)  # the rarest words' names first
    candidates: set[int] = set()
    for entries in postings:
        start, end = bisect_left(entries, lo), bisect_left(entries, hi)
        candidates.update(entries[start : min(end, start + _CANDIDATES - len(candidates))])
        if len(candidates) >= _CANDIDATES:
            break
    ordered = sorted(candidates)
    keys = snapshot.keys
    scored = process.extract(
        key,
        [keys[e] for e in ordered],
        scorer=fuzz.ratio,
        score_cutoff=cutoff,
        limit=None,
    )
    return sorted(((ordered[i], score) for _, score, i in scored), key=lambda s: (-s[1], s[0]))
