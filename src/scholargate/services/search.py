"""Find methods (and persons, works, fields, families, types) by any of their names.

An in-memory index over every name in the graph, in every language: ``skos:prefLabel``,
``skos:altLabel`` and ``skos:hiddenLabel`` (plain, and SKOS-XL ``skosxl:literalForm``),
``foaf:name`` of persons, ``dcterms:title`` of works, and the IRI's slug. It is read
with one SPARQL query and keyed by :func:`~scholargate.services.normalize.fold`, so
``روشها`` finds ``روش‌ها``, ``IŞIK`` finds ``ışık`` and ``low rank adaptation`` finds
``Low-Rank Adaptation``. A SPARQL ``FILTER(CONTAINS(LCASE(...)))`` over the labels of a
100,000-method graph takes about a second; this answers in milliseconds (bench/search.py).

Ranking, best first:

1. how the query matches the name: **exact** (the whole name), **prefix** (the name
   starts with it), **word** (a later word of the name starts with it), **substring**
   (anywhere; only for queries of three characters or more);
2. what is found: methods, then fields, families and types, then persons, then works;
3. which name matched: a preferred name (``skos:prefLabel``, a person's ``foaf:name``,
   a work's title) before an alias (``skos:altLabel``), before a hidden name or slug;
4. the shorter name (a closer match);
5. the more connected resource (``skos:related`` and ``sg:buildsOn`` links, both ways);
6. the name, then the IRI, so equal cases come out in a stable order.

Every resource appears once, under its best-matching name. Language does not rank:
a Persian reader who types a Latin name wants that name found; the label *shown* is
picked for the asked language with :func:`scholargate.services.labels.pick`.

How it is fast: every name is numbered once in the order above (2–6), so within one
kind of match "best" is "lowest number", and a search reads its candidates in that
order and stops as soon as it has enough. Whole names and prefixes come from the
sorted names (bisect); later words from the sorted vocabulary of words, each with the
names it occurs in; substrings from the vocabulary's trigrams (the words that contain
the text) and those words' names. A text made only of very common parts walks all
names in rank order instead, and stops after 200,000 of them: past that, only the
lowest-ranked names (long names of persons and works) are left unsearched. Measured by
bench/search.py.

The index is built when first asked for (the web app asks at start), kept per store,
and rebuilt in the background when the store changes: a write through the store (its
``generation`` counter, checked on every search), a change in its named graphs or in
the triple counts the build records in ``sgg:metadata`` (checked at most every few
seconds, for writes made around the store object), or when a writer calls
:func:`invalidate`. The old index answers until the new one is ready;
``SearchIndex.refresh()`` rebuilds at once.
"""

from __future__ import annotations

import heapq
import re
import threading
import time
import weakref
from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from rdflib import Literal

from ..errors import InputError
from ..namespaces import BASE, SEARCH_KINDS, sparql_prefixes
from ..store import Store, from_tsv
from .labels import pick
from .normalize import fold

__all__ = [
    "MATCHES",
    "MAX_LIMIT",
    "MAX_QUERY",
    "Hit",
    "Results",
    "SearchIndex",
    "check_query",
    "control_character",
    "index_for",
    "invalidate",
    "search",
]

# What can be found, in ranking order (the kind is the IRI's first path segment), is
# namespaces.SEARCH_KINDS, derived from the one list of resource kinds.
# How a name can match, best first.
MATCHES = ("exact", "prefix", "word", "substring")
MAX_QUERY = 200  # characters; longer queries are refused (400)
MAX_LIMIT = 100

_SKOS = "http://www.w3.org/2004/02/skos/core#"
# The property a name comes from → (name in results, rank: 0 preferred, 1 alias, 2 hidden)
_PROPERTIES = {
    _SKOS + "prefLabel": ("prefLabel", 0),
    "http://xmlns.com/foaf/0.1/name": ("name", 0),
    "http://purl.org/dc/terms/title": ("title", 0),
    _SKOS + "altLabel": ("altLabel", 1),
    _SKOS + "hiddenLabel": ("hiddenLabel", 2),
    "slug": ("slug", 2),
}
_PROPERTY_NAMES = tuple(dict.fromkeys(name for name, _ in _PROPERTIES.values()))
_DISPLAYED = frozenset(("prefLabel", "name", "title"))

_QUERY = (
    sparql_prefixes()
    + """SELECT ?s ?p ?l ?n WHERE {
  {
    VALUES ?p { skos:prefLabel skos:altLabel skos:hiddenLabel foaf:name dcterms:title }
    ?s ?p ?l .
  } UNION {
    VALUES (?xl ?p) {
      (skosxl:prefLabel skos:prefLabel) (skosxl:altLabel skos:altLabel)
      (skosxl:hiddenLabel skos:hiddenLabel)
    }
    ?s ?xl ?label . ?label skosxl:literalForm ?l .
  } UNION {
    SELECT ?s (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s skos:related|sg:buildsOn|^sg:buildsOn ?o }
    GROUP BY ?s
  }
}"""
)
_STAMP_QUERY = sparql_prefixes() + (
    "SELECT ?g ?n WHERE { GRAPH sgg:metadata { ?g void:triples ?n } } ORDER BY ?g"
)

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_KIND_NUMBER = {kind: number for number, kind in enumerate(SEARCH_KINDS)}
_PROPERTY_NUMBER = {iri: _PROPERTY_NAMES.index(name) for iri, (name, _) in _PROPERTIES.items()}
_DISPLAYED_NUMBERS = frozenset(_PROPERTY_NAMES.index(name) for name in _DISPLAYED)
_PROPERTY_RANK = [next(r for n, r in _PROPERTIES.values() if n == name) for name in _PROPERTY_NAMES]
# Candidate entries up to this many are sorted and checked in order; more, and the walk
# goes through all entries in rank order instead (they are then dense, so it stops soon).
_SORT_AT_MOST = 5_000
_MERGE_AT_MOST = 64  # posting lists merged lazily; more, and the walk goes through all entries
_INTERSECT_AT_MOST = 100_000  # entries in a candidate set built to intersect with another
_TOP = "\U0010ffff"  # after every character: [key, key + _TOP) holds the keys key starts
_DENSE = object()  # "too many candidates to list: walk every entry"
_NONE = array("i")  # the empty posting list, shared (never changed)
# A walk through all entries (a short or common text) reads at most this many names, so
# a query whose every part is common but whose whole is rare stays fast; the names past
# the cut-off are the lowest ranked (long names of persons and works).
_DENSE_WALK_AT_MOST = 200_000
Candidates = Any  # a sorted sequence of entries, an ascending iterator, or _DENSE
_Source = tuple[int, list]  # (number of entries, their posting lists)


# ---- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One resource found: what it is, the name that matched, and the name to show."""

    iri: str
    kind: str  # method, field, family, type, person or work
    slug: str
    label: str  # the name to show, in the asked language along the fallback chain
    lang: str  # its language tag ("" when it has none)
    matched: str  # the name that matched, as written in the graph
    matched_lang: str
    property: str  # prefLabel, altLabel, hiddenLabel, name, title or slug
    match: str  # exact, prefix, word or substring

    @property
    def path(self) -> str:
        """The resource's page on this server: ``/method/lora``."""
        return "/" + self.iri[len(BASE) :]

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "type": self.kind,
            "slug": self.slug,
            "label": self.label,
            "lang": self.lang,
            "matched": self.matched,
            "matched_lang": self.matched_lang,
            "property": self.property,
            "match": self.match,
            "url": self.path,
        }


@dataclass
class Results:
    """The answer to one search: the hits, best first, and whether more were cut."""

    query: str
    key: str  # the query as matched (folded)
    lang: str
    hits: list[Hit] = field(default_factory=list)
    more: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "normalized": self.key,
            "lang": self.lang,
            "results": [hit.to_json() for hit in self.hits],
            "more": self.more,
        }


# ---- the index ----------------------------------------------------------------------------


def _running_total(postings: list[array]) -> array:
    total = array("q", [0])
    for entries in postings:
        total.append(total[-1] + len(entries))
    return total


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


class _Snapshot:
    """An immutable index over one state of the store.

    Entries (one per resource and distinct name key) are numbered in ranking order —
    kind, preferred/alias, length, popularity, key — so "best" is "lowest number"
    within one kind of match. Three structures find them:

    * the distinct keys, sorted, with ``by_key`` (entries in key order) and
      ``key_start`` (where each key's entries begin): exact and prefix matches;
    * the vocabulary (distinct words of all keys, sorted) with each word's entries
      (ascending): word-start matches, by bisecting the vocabulary;
    * the vocabulary's trigrams → words: substring matches, by finding the words that
      contain the text and taking their entries.
    """

    def __init__(self, rows: Iterable[tuple[str, str | None, str | None, str | None, int]]):
        self.iris: list[str] = []
        self.kinds = bytearray()
        self.slugs: list[str] = []
        self.names: list[list[tuple[str, str]]] = []  # displayable (text, lang) per subject
        popularity: list[int] = []
        numbers: dict[str, int] = {}
        found: list[tuple[int, int, str, str, str]] = []  # (subject, property, key, text, lang)
        slug_property = _PROPERTY_NAMES.index("slug")
        folded: dict[str, str] = {}

        for s, p, text, lang, links in rows:
            number = numbers.get(s)
            if number is None:
                kind, _, slug = (
                    s[len(BASE) :].partition("/") if s.startswith(BASE) else ("", "", "")
                )
                if kind not in _KIND_NUMBER or not slug or "/" in slug or "#" in slug:
                    continue
                number = numbers[s] = len(self.iris)
                self.iris.append(s)
                self.kinds.append(_KIND_NUMBER[kind])
                self.slugs.append(slug)
                self.names.append([])
                popularity.append(0)
                found.append((number, slug_property, fold(slug), slug, ""))
            if p is None or text is None:
                popularity[number] = max(popularity[number], links)
                continue
            prop = _PROPERTY_NUMBER[p]
            key = folded.get(text)
            if key is None:  # a name often comes twice (skos:altLabel and SKOS-XL)
                key = folded[text] = fold(text)
            if key:
                found.append((number, prop, key, text, lang or ""))
                if prop in _DISPLAYED_NUMBERS:
                    self.names[number].append((text, lang or ""))

        ranked = sorted(
            (
                self.kinds[number],
                _PROPERTY_RANK[prop],
                len(key),
                -popularity[number],
                key,
                number,
                lang,
                text,
                prop,
            )
            for number, prop, key, text, lang in found
        )
        del found, folded
        self.keys: list[str] = []
        self.subject = array("i")
        self.prop = bytearray()
        self.text: list[str] = []
        self.lang: list[str] = []
        seen: set[tuple[int, str]] = set()
        for _, _, _, _, key, number, lang, text, prop in ranked:
            if (number, key) in seen:  # the same name again (languages, SKOS-XL): keep best
                continue
            seen.add((number, key))
            self.keys.append(key)
            self.subject.append(number)
            self.prop.append(prop)
            self.text.append(text)
            self.lang.append(lang)
        del ranked, seen
        self.entry_kind = bytes(self.kinds[n] for n in self.subject)
        # kind_start[k]: the first entry of kind k (entries are sorted by kind first)
        self.kind_start = [bisect_left(self.entry_kind, k) for k in range(len(SEARCH_KINDS) + 1)]

        # exact and prefix: distinct keys sorted, and their entries in key order
        keys = self.keys
        self.by_key = array("i", sorted(range(len(keys)), key=keys.__getitem__))
        self.sorted_keys: list[str] = []
        self.key_start = array("i")
        previous = None
        for position, entry in enumerate(self.by_key):
            if keys[entry] != previous:
                previous = keys[entry]
                self.sorted_keys.append(previous)
                self.key_start.append(position)
        self.key_start.append(len(self.by_key))

        # the vocabulary: each word's entries (anywhere in the key, and after its first
        # word); its trigrams → words
        anywhere: dict[str, list[int]] = defaultdict(list)
        first_word: dict[str, list[int]] = defaultdict(list)
        later: dict[str, list[int]] = defaultdict(list)
        for entry, key in enumerate(keys):
            first, *rest = key.split(" ")
            anywhere[first].append(entry)
            first_word[first].append(entry)
            for word in set(rest):
                later[word].append(entry)
                if word != first:
                    anywhere[word].append(entry)
        self.vocabulary = sorted(anywhere)
        self.anywhere = [array("i", anywhere[w]) for w in self.vocabulary]
        self.first = [
            array("i", first_word[w]) if w in first_word else _NONE for w in self.vocabulary
        ]
        self.later = [array("i", later[w]) if w in later else _NONE for w in self.vocabulary]
        del anywhere, first_word, later
        # running totals of postings: the size of a range of words is one subtraction
        self.anywhere_total = _running_total(self.anywhere)
        self.first_total = _running_total(self.first)
        self.later_total = _running_total(self.later)
        grams: dict[str, list[int]] = defaultdict(list)
        for number, word in enumerate(self.vocabulary):
            for gram in {word[i : i + 3] for i in range(len(word) - 2)}:
                grams[gram].append(number)
        self.word_grams = {g: array("i", words) for g, words in grams.items()}
        self._shown: dict[tuple[int, str], tuple[str, str]] = {}

    def __len__(self) -> int:
        return len(self.keys)

    # ---- searching ----

    def search(self, key: str, limit: int, kinds: frozenset[int] | None) -> list[tuple[int, int]]:
        """Up to ``limit`` ``(entry, match)`` pairs, best first, one per subject."""
        found: dict[int, tuple[int, int]] = {}  # subject → (entry, match)
        keys, subject_of, kind_of = self.keys, self.subject, self.entry_kind
        # entries are ordered by kind first: the allowed kinds lie between lo and hi
        lo, hi = 0, len(keys)
        if kinds is not None:
            lo = min(self.kind_start[k] for k in kinds)
            hi = max(self.kind_start[k + 1] for k in kinds)

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

        # 1. exact and 2. prefix: the keys in [key, key + top) of the sorted keys
        first = bisect_left(self.sorted_keys, key)
        if first < len(self.sorted_keys) and self.sorted_keys[first] == key:
            exact = self.by_key[self.key_start[first] : self.key_start[first + 1]]
            if take(sorted(exact), 0):
                return done()
            first += 1
        last = bisect_left(self.sorted_keys, key + _TOP, first)
        candidates = self._prefix_candidates(key, self.key_start[first], self.key_start[last])
        if candidates is not None and take(
            walk(candidates, lambda e: keys[e].startswith(key) and keys[e] != key), 1
        ):
            return done()
        # 3. a later word starts with the key
        word = " " + key
        candidates = self._word_candidates(key)
        if candidates is not None and take(
            walk(candidates, lambda e: word in keys[e] and not keys[e].startswith(key)), 2
        ):
            return done()
        # 4. anywhere else, for three characters or more
        candidates = self._substring_candidates(key) if len(key) >= 3 else None
        if candidates is not None:
            take(
                walk(
                    candidates,
                    lambda e: (
                        key in keys[e] and word not in keys[e] and not keys[e].startswith(key)
                    ),
                ),
                3,
            )
        return done()

    # ---- candidates: entries that may match, ascending (or _DENSE: walk them all) ----

    def _prefix_candidates(self, key: str, start: int, end: int) -> Candidates | None:
        """Entries whose name starts with the key; ``by_key[start:end]`` are exactly those."""
        if start == end:
            return None
        if end - start <= _SORT_AT_MOST:
            return sorted(self.by_key[start:end])
        head, *rest = key.split(" ")
        if rest:  # the names whose first word is the key's first word (a superset)
            return self._whole(head, self.first)[1][0]
        first, last = self._words_starting(head)  # the first words the key starts
        return self._union(self._source(self.first, self.first_total, range(first, last)))

    def _word_candidates(self, key: str) -> Candidates | None:
        """Entries in which a word after the first may start the key."""
        *complete, tail = key.split(" ")
        first, last = self._words_starting(tail)
        if not complete:  # one word: the words it starts, where they are not first
            return self._union(self._source(self.later, self.later_total, range(first, last)))
        sources = [self._whole(word, self.anywhere) for word in complete]
        sources.append(self._source(self.anywhere, self.anywhere_total, range(first, last)))
        return self._intersect(sources)

    def _substring_candidates(self, key: str) -> Candidates | None:
        """Entries that may contain the key starting inside a word (keys of three
        characters or more; a one-word key needs three itself, to look up its trigrams;
        a two-word key with a short first part, a last part that few words start)."""
        head, *rest = key.split(" ")
        if not rest:  # one word: the words that contain it, but do not start with it
            if len(head) < 3:
                return None
            inside = [
                w for w in self._words_containing(head) if not self.vocabulary[w].startswith(head)
            ]
            return self._union(self._source(self.anywhere, self.anywhere_total, inside))
        *middle, tail = rest
        first, last = self._words_starting(tail)
        sources = [self._whole(word, self.anywhere) for word in middle]
        sources.append(self._source(self.anywhere, self.anywhere_total, range(first, last)))
        if len(head) >= 3:  # the words the key's first part ends
            ending = [w for w in self._words_containing(head) if self.vocabulary[w].endswith(head)]
            sources.append(self._source(self.anywhere, self.anywhere_total, ending))
        elif not middle and sources[0][0] > 4 * _SORT_AT_MOST:
            return None  # "e t": only a short start and a common last part; not worth it
        return self._intersect(sources)

    def _words_starting(self, text: str) -> tuple[int, int]:
        """The range of vocabulary words that start with ``text``."""
        first = bisect_left(self.vocabulary, text)
        return first, bisect_left(self.vocabulary, text + _TOP, first)

    def _words_containing(self, text: str) -> list[int]:
        """Vocabulary words that contain ``text`` (three characters or more)."""
        best: Sequence[int] = ()
        for i in range(len(text) - 2):
            words = self.word_grams.get(text[i : i + 3])
            if words is None:
                return []
            if not best or len(words) < len(best):
                best = words
        vocabulary = self.vocabulary
        return [w for w in best if text in vocabulary[w]]

    def _whole(self, word: str, postings: list[array]) -> _Source:
        """The entries that have ``word`` as a whole word (per ``postings``)."""
        number = bisect_left(self.vocabulary, word)
        if number < len(self.vocabulary) and self.vocabulary[number] == word:
            return len(postings[number]), [postings[number]]
        return 0, [()]

    @staticmethod
    def _source(postings: list[array], total: array, words: Sequence[int]) -> _Source:
        """The entries of ``words``: how many (with repeats), and their posting lists."""
        if isinstance(words, range):
            size = total[words.stop] - total[words.start]
        else:
            size = sum(len(postings[w]) for w in words)
        return size, [postings[w] for w in words] if size else []

    @staticmethod
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

    @staticmethod
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

    # ---- presenting ----

    def shown(self, subject: int, lang: str) -> tuple[str, str]:
        """The name to show for ``subject`` in ``lang`` (labels.pick), cached."""
        cached = self._shown.get((subject, lang))
        if cached is None:
            names = self.names[subject] or [(self.slugs[subject], "")]
            chosen = pick([Literal(text, lang=code or None) for text, code in names], lang)
            cached = (str(chosen), chosen.language or "") if chosen is not None else ("", "")
            if len(self._shown) > 100_000:
                self._shown.clear()
            self._shown[(subject, lang)] = cached
        return cached

    def hit(self, entry: int, match: int, lang: str) -> Hit:
        subject = self.subject[entry]
        label, label_lang = self.shown(subject, lang)
        return Hit(
            iri=self.iris[subject],
            kind=SEARCH_KINDS[self.kinds[subject]],
            slug=self.slugs[subject],
            label=label,
            lang=label_lang,
            matched=self.text[entry],
            matched_lang=self.lang[entry],
            property=_PROPERTY_NAMES[self.prop[entry]],
            match=MATCHES[match],
        )


class SearchIndex:
    """The search index of one store; rebuilt when the store changes."""

    def __init__(
        self,
        store: Store,
        *,
        check_every: float = 5.0,
        min_interval: float = 10.0,
        background: bool = True,
    ) -> None:
        self.store = store
        self.check_every = check_every  # seconds between looks at the store's metadata
        self.min_interval = min_interval  # seconds between background rebuilds, at least
        self.background = background
        self._snapshot: _Snapshot | None = None
        self._stamp: tuple | None = None
        self._built_generation: int | None = None
        self._checked = self._built_at = 0.0
        self._lock = threading.Lock()
        self._rebuilding = False
        self.built_in = 0.0  # seconds the last build took

    # ---- building ----

    def refresh(self) -> None:
        """Rebuild the index from the store now."""
        with self._lock:
            self._build()

    def invalidate(self) -> None:
        """The store changed: rebuild now (in the background unless ``background=False``)."""
        self._ensure_fresh(asked=True)

    def _build(self) -> None:
        started = time.perf_counter()
        generation = self._generation()
        stamp = self._read_stamp()
        snapshot = _Snapshot(self._rows())
        self._snapshot, self._stamp, self._built_generation = snapshot, stamp, generation
        self._checked = self._built_at = time.monotonic()
        self.built_in = time.perf_counter() - started

    def _rows(self) -> Iterator[tuple[str, str | None, str | None, str | None, int]]:
        """``(subject, property, text, language, links)`` for every name (``links`` 0)
        and every linked subject (``property`` None), read from the store's TSV cells:
        the text and language of a name are sliced out of its cell, and only a cell
        with an escape in it is parsed (``from_tsv``), which keeps rdflib terms off this
        hot path."""
        cells = self.store.select_cells(_QUERY)
        at = cells.variables
        s_at, p_at, l_at, n_at = at["s"], at["p"], at["l"], at["n"]
        for row in cells.rows:
            s = row[s_at]
            if not s.startswith("<") or s.startswith("<<"):  # a blank node or a triple
                continue
            s = s[1:-1] if "\\" not in s else str(from_tsv(s))
            n = row[n_at]
            if n:
                yield s, None, None, None, int(n) if n.isdigit() else int(from_tsv(n))
                continue
            cell = row[l_at]
            if not cell.startswith('"'):  # not a literal
                continue
            end = cell.rfind('"')
            text = cell[1:end]
            if "\\" in text:
                label = from_tsv(cell)
                yield s, row[p_at][1:-1], str(label), label.language, 0
            else:
                tail = cell[end + 1 :]  # @lang (perhaps --direction) or ^^<datatype>
                lang = tail[1:].partition("--")[0] if tail.startswith("@") else None
                yield s, row[p_at][1:-1], text, lang, 0

    def _generation(self) -> int:
        """The count of writes made through the store (0 for a store that keeps none)."""
        return self.store.generation

    def _read_stamp(self) -> tuple:
        counts = tuple((str(r["g"]), str(r["n"])) for r in self.store.select(_STAMP_QUERY))
        return (tuple(str(g) for g in self.store.graph_names()), counts)

    def _ensure_fresh(self, *, asked: bool = False) -> _Snapshot:
        """The current snapshot; when the store changed, start rebuilding it (at once
        when ``asked`` by a writer or ``background=False``; otherwise no sooner than
        ``min_interval`` seconds, or twice the last build's time, after the last build,
        so that a stream of small writes does not keep a core busy rebuilding)."""
        snapshot = self._snapshot
        if snapshot is None:
            with self._lock:
                if self._snapshot is None:
                    self._build()
            return self._snapshot  # type: ignore[return-value]
        if self._rebuilding:
            return snapshot
        if not asked and self._generation() == self._built_generation:  # no write through it
            now = time.monotonic()
            if now - self._checked < self.check_every:
                return snapshot
            self._checked = now
            if self._stamp is not None and self._read_stamp() == self._stamp:
                return snapshot
        if not self.background:
            self.refresh()
            return self._snapshot  # type: ignore[return-value]
        gap = max(self.min_interval, 2 * self.built_in)
        if not asked and time.monotonic() - self._built_at < gap:
            return snapshot  # stale, but rebuilt only a moment ago: later
        self._rebuilding = True

        def rebuild() -> None:
            try:
                self.refresh()
            finally:
                self._rebuilding = False

        threading.Thread(target=rebuild, name="search-index", daemon=True).start()
        return snapshot  # the old index answers until the new one is ready

    # ---- searching ----

    def __len__(self) -> int:
        """Number of names in the index."""
        return len(self._ensure_fresh())

    def search(
        self,
        query: str,
        *,
        lang: str = "en",
        limit: int = 20,
        kinds: Iterable[str] | None = None,
    ) -> Results:
        """The resources whose names match ``query``, best first (see the module doc).

        ``kinds`` restricts the answer (``["method"]``); ``limit`` is 1–100.
        """
        key = check_query(query)
        if not 1 <= limit <= MAX_LIMIT:
            raise InputError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
        allowed = None
        if kinds is not None:
            kinds = list(kinds)
            unknown = [k for k in kinds if k not in SEARCH_KINDS]
            if unknown:
                raise InputError(
                    f"unknown type {unknown[0]!r}; choose among: {', '.join(SEARCH_KINDS)}",
                    reason="type",
                )
            allowed = frozenset(SEARCH_KINDS.index(k) for k in kinds) if kinds else None
        snapshot = self._ensure_fresh()
        found = snapshot.search(key, limit + 1, allowed)
        hits = [snapshot.hit(entry, match, lang) for entry, match in found[:limit]]
        return Results(query=query, key=key, lang=lang, hits=hits, more=len(found) > limit)


_INDEXES: weakref.WeakKeyDictionary[Store, SearchIndex] = weakref.WeakKeyDictionary()
_INDEXES_LOCK = threading.Lock()


def index_for(store: Store) -> SearchIndex:
    """The search index of ``store`` (one per store, built on first use)."""
    index = _INDEXES.get(store)
    if index is None:
        with _INDEXES_LOCK:
            index = _INDEXES.get(store)
            if index is None:
                index = _INDEXES[store] = SearchIndex(store)
    return index


def invalidate(store: Store) -> None:
    """Tell search that ``store`` changed (writers call this after a write)."""
    index = _INDEXES.get(store)
    if index is not None:
        index.invalidate()


def search(store: Store, query: str, *, lang: str = "en", limit: int = 20, **options) -> Results:
    """Search the names of ``store``'s resources (see :meth:`SearchIndex.search`)."""
    return index_for(store).search(query, lang=lang, limit=limit, **options)
