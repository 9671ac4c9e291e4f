"""The forms of a word that name the same thing: inflections, and where its parts split.

Search matches a name by its folded key (``folding.py``); these are the forms it also
accepts when the key itself finds nothing better (issue 19):

* **compact**: the key without its spaces, so that a space, a zero-width non-joiner and no
  separator between the parts of a word are the same: ``نرمال سازی دسته ای`` =
  ``نرمال‌سازی دسته‌ای``, ``drop out`` = ``dropout``, ``multihead attention`` =
  ``multi-head attention``;
* **inflected**: each word with its endings taken off by the Snowball stemmers (Turkish
  for Turkish names, English for English ones; a query, whose language is not known,
  by both), and for Persian the plural ``ها های هایی`` (``شبکه‌های`` → ``شبکه``). Two
  names match when they have as many words and each pair is *compatible*: a form in
  common, or a stem of the query's word or any form of the name's starting the other
  word as written, with four letters and three fifths of it at least (``makineleri`` →
  ``makine``, a start of ``makinesi``; ``sönümünü`` → ``sönüm``, a start of ``sönümü``;
  ``networks`` → ``network``). A stem alone does not start another word: ``TransE``
  stems to ``trans``, which must not make it an inflection of ``transformer``.

The stemmers are snowballstemmer's, in C when PyStemmer is installed (about 1 µs a word).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from .folding import fold

__all__ = ["MAX_WORDS", "compact", "compatible", "name_forms", "query_forms"]

MAX_WORDS = 6  # names and queries of more words are not matched by their inflections
_MIN_START = 4  # a form that starts another must be this long
_STEMMERS = {"tr": snowballstemmer.stemmer("turkish"), "en": snowballstemmer.stemmer("english")}
_PERSIAN_PLURAL = re.compile("(?<=..)(هایی|های|ها)$")
_WORDS = re.compile(r"[^\W_]+|#", re.UNICODE)  # letters and digits, as fold splits them


def compact(key: str) -> str:
    """A folded key without its spaces."""
    return key.replace(" ", "")


def _lower(text: str) -> str:
    """Lower case the Turkish way for the stemmer (``İ`` → ``i``, ``I`` → ``ı``), and
    the rest as usual."""
    text = text.replace("İ", "i").replace("I", "ı") if _has_turkish(text) else text
    return unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text).lower()).replace(
        "i\u0307", "i"
    )


def _has_turkish(text: str) -> bool:
    return any(c in "çğışöüÇĞİŞÖÜ" for c in text)


@lru_cache(maxsize=65536)
def _stem(word: str, lang: str) -> str:
    return _STEMMERS[lang].stemWord(word)


Forms = tuple[str, ...]  # a word's folded forms: as written first, then its stems


def _forms(word: str, langs: tuple[str, ...]) -> Forms:
    """The folded forms of one lower-cased word: as written, then stemmed."""
    written = fold(word)
    stems = {fold(_stem(word, lang)) for lang in langs}
    plural = _PERSIAN_PLURAL.sub("", written)
    if plural != written:
        stems.add(plural)
    stems.discard(written)
    stems.discard("")
    return (written, *sorted(stems))


def name_forms(text: str, lang: str) -> tuple[Forms, ...] | None:
    """Each word's forms in a name written in ``lang``; None for a name of more than
    ``MAX_WORDS`` words, or one whose words are not its key's."""
    words = _words(text)
    if not words or len(words) > MAX_WORDS:
        return None
    langs = ("tr",) if lang == "tr" else ("en",) if lang in ("en", "") else ()
    return tuple(_forms(word, langs) for word in words)


def query_forms(text: str) -> tuple[Forms, ...] | None:
    """Each word's forms in a query (stemmed as Turkish and as English)."""
    words = _words(text)
    if not words or len(words) > MAX_WORDS:
        return None
    return tuple(_forms(word, ("tr", "en")) for word in words)


def _words(text: str) -> list[str]:
    """The words of ``text`` lower-cased for a stemmer; the folded key's words where
    folding joined some (a Persian affix typed apart: ``شبکه های``)."""
    words = _WORDS.findall(_lower(text))
    folded = fold(text).split()
    return words if len(words) == len(folded) else folded


def _starts(short: str, long: str) -> bool:
    return len(short) >= max(_MIN_START, 0.6 * len(long)) and long.startswith(short)


def _close(query: Forms, name: Forms) -> bool:
    """A query word and a name's word alike: a form in common, a stem of the query word
    starting the name's word as written, or a form of the name's word starting the query
    word as written (the query word has more endings). The query word as written
    starting the name's word is a prefix, not an inflection."""
    return (
        not set(query).isdisjoint(name)
        or any(_starts(form, name[0]) for form in query[1:])
        or any(_starts(form, query[0]) for form in name)
    )


def compatible(query: tuple[Forms, ...], name: tuple[Forms, ...]) -> bool:
    """As many words, and each query word close to the name's word in its place."""
    return len(query) == len(name) and all(map(_close, query, name))


def starts(forms: Forms) -> frozenset[str]:
    """Where a word's forms are filed: their first four letters (or the whole, shorter)."""
    return frozenset(form[:_MIN_START] for form in forms)
