"""The search index over one state of the store: every name numbered in ranking order.

A :class:`Snapshot` is built from :func:`~.names.read_names`'s rows and never changes;
:class:`~.index.SearchIndex` swaps in a new one when the store changes. Its entries
(one per resource and distinct name key) are sorted by the ranking of the package doc
(2–6: kind, preferred/alias, length, popularity, key), so :func:`~.matching.find` can
stop at the first matches it reads. It also picks the name a hit shows.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable

from rdflib import Literal

from ...namespaces import BASE, SEARCH_KINDS
from ..labels import pick
from .folding import fold
from .forms import Forms
from .names import DISPLAYED, PROPERTIES, PROPERTY_NAMES, USAGE, Row
from .results import MATCHES, Hit

__all__ = ["Snapshot"]

# What can be found, in ranking order (the kind is the IRI's first path segment), is
# namespaces.SEARCH_KINDS, derived from the one list of resource kinds.
_KIND_NUMBER = {kind: number for number, kind in enumerate(SEARCH_KINDS)}
_PROPERTY_NUMBER = {iri: PROPERTY_NAMES.index(name) for iri, (name, _) in PROPERTIES.items()}
_DISPLAYED_NUMBERS = frozenset(PROPERTY_NAMES.index(name) for name in DISPLAYED)
_PROPERTY_RANK = [next(r for n, r in PROPERTIES.values() if n == name) for name in PROPERTY_NAMES]
_NONE = array("i")  # the empty posting list, shared (never changed)


def _running_total(postings: list[array]) -> array:
    total = array("q", [0])
    for entries in postings:
        total.append(total[-1] + len(entries))
    return total


class Snapshot:
    """An immutable index over one state of the store.

    Entries (one per resource and distinct name key) are numbered in ranking order —
    kind, preferred/alias, length, usage (how many papers use it), links, key — so
    "best" is "lowest number" within one kind of match. Three structures find them:

    * the distinct keys, sorted, with ``by_key`` (entries in key order) and
      ``key_start`` (where each key's entries begin): exact and prefix matches;
    * the vocabulary (distinct words of all keys, sorted) with each word's entries
      (ascending): word-start matches, by bisecting the vocabulary;
    * the vocabulary's trigrams → words: substring matches, by finding the words that
      contain the text and taking their entries.
    """

    def __init__(self, rows: Iterable[Row]):
        self.iris: list[str] = []
        self.kinds = bytearray()
        self.slugs: list[str] = []
        self.names: list[list[tuple[str, str]]] = []  # displayable (text, lang) per subject
        popularity: list[int] = []
        usage: list[int] = []
        numbers: dict[str, int] = {}
        found: list[tuple[int, int, str, str, str]] = []  # (subject, property, key, text, lang)
        slug_property = PROPERTY_NAMES.index("slug")
        folded: dict[str, str] = {}

        iris, kinds, slugs, names = self.iris, self.kinds, self.slugs, self.names
        base, after_base = BASE, len(BASE)
        for s, p, text, lang, links in rows:
            number = numbers.get(s)
            if number is None:
                kind, _, slug = (
                    s[after_base:].partition("/") if s.startswith(base) else ("", "", "")
                )
                if kind not in _KIND_NUMBER or not slug or "/" in slug or "#" in slug:
                    continue
                number = numbers[s] = len(iris)
                iris.append(s)
                kinds.append(_KIND_NUMBER[kind])
                slugs.append(slug)
                names.append([])
                popularity.append(0)
                usage.append(0)
                found.append((number, slug_property, fold(slug), slug, ""))
            if p == USAGE:
                usage[number] = max(usage[number], links)
                continue
            if p is None or text is None:
                if links > popularity[number]:
                    popularity[number] = links
                continue
            prop = _PROPERTY_NUMBER[p]
            key = folded.get(text)
            if key is None:  # a name often comes twice (skos:altLabel and SKOS-XL)
                key = folded[text] = fold(text)
            if key:
                found.append((number, prop, key, text, lang or ""))
                if prop in _DISPLAYED_NUMBERS:
                    names[number].append((text, lang or ""))

        ranked = sorted(
            (
                self.kinds[number],
                _PROPERTY_RANK[prop],
                len(key),
                -usage[number],
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
        add_key, add_subject, add_prop = self.keys.append, self.subject.append, self.prop.append
        add_text, add_lang = self.text.append, self.lang.append
        for *_, key, number, lang, text, prop in ranked:
            if (number, key) in seen:  # the same name again (languages, SKOS-XL): keep best
                continue
            seen.add((number, key))
            add_key(key)
            add_subject(number)
            add_prop(prop)
            add_text(text)
            add_lang(lang)
        del ranked, seen
        self.entry_kind = bytes(map(kinds.__getitem__, self.subject))
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
            if " " not in key:  # one word
                anywhere[key].append(entry)
                first_word[key].append(entry)
                continue
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
        # other forms of the names people look up by a term (not persons, not works)
        terms = range(0, self.kind_start[SEARCH_KINDS.index("person")])
        self.forms = Forms(self.keys, self.text, self.lang, terms, self.subject)
        self._shown: dict[tuple[int, str], tuple[str, str]] = {}

    def __len__(self) -> int:
        return len(self.keys)

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
            property=PROPERTY_NAMES[self.prop[entry]],
            match=MATCHES[match],
        )
