"""Where Persian, Arabic and Turkish spelling is folded: the key a name is matched by.

Search keys every name and query by it; the comparison (a method typed by name) and the
linker (a person's name) match names by the same key.

``fold(text)`` turns a label or a query into the key search compares. Two strings that a
reader takes for the same name get the same key:

* Unicode NFKC, so presentation forms (``ﻙ``), full-width letters and ligatures read as
  their plain letters;
* case folded; Turkish ``I ı İ i`` all fold to ``i`` (see below);
* accents and other combining marks dropped: Latin diacritics (``é`` → ``e``, and the
  Turkish ``ç ğ ö ş ü`` → ``c g o s u``, so ``oz dikkat`` finds ``öz-dikkat``), Arabic
  harakat (U+064B–U+065F), the superscript alef U+0670 and Quranic marks; the hamza
  carried by ``أ إ آ ؤ ئ ۀ`` goes with them;
* Arabic letter variants written as their Persian forms: ``ي ى ئ`` → ``ی``, ``ك`` → ``ک``,
  ``ة ۀ ە ھ ہ`` → ``ه``, ``أ إ آ ٱ`` → ``ا``, ``ؤ`` → ``و``;
* zero-width non-joiner and joiner, tatweel (U+0640), soft hyphens and bidi controls
  removed, so ``روشها`` = ``روش‌ها`` = ``روشـها``; and since a space is often typed
  where the non-joiner belongs, the Persian affixes ``ها های هایی تر ترین`` (after a
  word) and ``می نمی`` (before one) are joined to their word: ``روش ها`` = ``روش‌ها``;
* Persian (``۰–۹``) and Arabic-Indic (``٠–٩``) digits → ASCII digits;
* punctuation, hyphens and every kind of space collapse to one space, trimmed, so
  ``low rank adaptation`` = ``Low-Rank Adaptation``. Symbols (``+``, ``#``) are kept:
  ``C++`` is not ``C``.

Turkish i: lower-casing the Turkish way maps ``I`` → ``ı`` and ``İ`` → ``i``, the
English way ``I`` → ``i``. A query does not say which language its writer meant (a
Turkish reader on an English keyboard types ``istanbul``; an English name in a Turkish
interface is still English), so for matching the four letters are one: ``IŞIK``,
``ışık`` and ``isik`` share the key ``isik``, and ``istanbul`` finds ``İstanbul``. The
cost is that ``ı``/``i`` minimal pairs (``kır``/``kir``) also match each other, which a
search box can live with. Display text is never folded.

The standalone hamza ``ء`` is kept: dropping it would merge words that differ in it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

__all__ = ["fold", "MARKS"]

# Combining marks dropped after canonical decomposition: Latin/Greek/Cyrillic diacritics
# (U+0300–U+036F), Arabic honorifics and harakat (U+0610–U+061A, U+064B–U+065F), the
# superscript alef (U+0670) and Quranic annotation marks (U+06D6–U+06ED).
MARKS = re.compile("[\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06ed]+")

_PERSIAN_YEH, _PERSIAN_KAF, _HEH, _ALEF, _WAW = "\u06cc", "\u06a9", "\u0647", "\u0627", "\u0648"

_LETTERS = {
    "\u064a": _PERSIAN_YEH,  # ي Arabic yeh
    "\u0649": _PERSIAN_YEH,  # ى alef maksura
    "\u0626": _PERSIAN_YEH,  # ئ yeh with hamza (when not decomposed)
    "\u0643": _PERSIAN_KAF,  # ك Arabic kaf
    "\u0629": _HEH,  # ة teh marbuta
    "\u06c0": _HEH,  # ۀ heh with yeh above
    "\u06d5": _HEH,  # ە ae (what ۀ decomposes to)
    "\u06be": _HEH,  # ھ heh doachashmee
    "\u06c1": _HEH,  # ہ heh goal
    "\u06c2": _HEH,  # ۂ heh goal with hamza
    "\u0623": _ALEF,  # أ
    "\u0625": _ALEF,  # إ
    "\u0622": _ALEF,  # آ
    "\u0671": _ALEF,  # ٱ alef wasla
    "\u0624": _WAW,  # ؤ
    "\u0131": "i",  # ı dotless i (İ folds to i + U+0307, whose dot is dropped as a mark)
    # letters NFD does not split into a base and a mark
    "\u0142": "l",  # ł
    "\u00f8": "o",  # ø
    "\u0111": "d",  # đ
    "\u00e6": "ae",  # æ
    "\u0153": "oe",  # œ
}
_DELETED = (
    "\u200c\u200d"  # zero-width non-joiner, joiner
    "\u0640"  # tatweel
    "\u00ad"  # soft hyphen
    "\u200b\u2060\ufeff"  # zero-width space, word joiner, byte order mark
    "\u200e\u200f\u061c"  # left-to-right, right-to-left and Arabic letter marks
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidi embeddings, isolates
)


@cache
def _table() -> dict[int, str | None]:
    """The translation for text that is still not ASCII once its marks are gone.

    Built on first use (about 60 ms): the Basic Multilingual Plane's punctuation,
    separators and control characters become spaces; supplementary-plane punctuation
    (historic scripts) is left as it is.
    """
    table: dict[int, str | None] = {ord(k): v for k, v in _LETTERS.items()}
    for digit in range(10):
        table[0x06F0 + digit] = str(digit)  # Persian digits
        table[0x0660 + digit] = str(digit)  # Arabic-Indic digits
    for code in range(0x10000):
        if code not in table and _is_separator(chr(code)):
            table[code] = " "
    for char in _DELETED:  # after the loop: some of these are format characters (Cf)
        table[ord(char)] = None
    return table


def _is_separator(char: str) -> bool:
    """Punctuation, spaces, line breaks and control characters, except ``#`` (C#, F#)."""
    category = unicodedata.category(char)
    return (category[0] in "PZ" or category == "Cc") and char != "#"


# ASCII text takes a byte-table shortcut: letters, digits, ``#`` and symbols stay.
_ASCII = bytes(32 if _is_separator(chr(code)) else code for code in range(128)) + bytes(128)
# Persian affixes written with a zero-width non-joiner, often typed with a space instead
# (شبکه های = شبکه‌های, می شود = می‌شود): joined to their word, as the ZWNJ is dropped.
_PERSIAN_SUFFIX = re.compile("(?<=\\S) (هایی|های|ها|ترین|تر)(?= |$)")
_PERSIAN_PREFIX = re.compile("(^| )(نمی|می) (?=\\S)")
# A character that is neither ASCII nor a Latin combining mark.
_LATIN_MARKS_ONLY = re.compile("[^\x00-\x7f\u0300-\u036f]")


def fold(text: str) -> str:
    """The matching key of ``text``: what search compares, never what it shows.

    >>> fold("Low-Rank Adaptation")
    'low rank adaptation'
    >>> fold("روش‌ها") == fold("روشها") == fold("روشـها")
    True
    >>> fold("IŞIK") == fold("ışık") == "isik"
    True
    >>> fold("۲۰۱۷")
    '2017'
    """
    if text.isascii():
        return _fold_ascii(text.encode("ascii"))
    text = unicodedata.normalize("NFKC", text).casefold()
    text = unicodedata.normalize("NFD", text).replace("\u0131", "i")
    if _LATIN_MARKS_ONLY.search(text) is None:
        # Latin letters with accents (Turkish, French, ...): dropping the non-ASCII
        # characters drops exactly the marks, and the rest takes the fast path.
        return _fold_ascii(text.encode("ascii", "ignore"))
    text = MARKS.sub("", text).translate(_table())  # Persian, Arabic, other scripts
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if " " in text:  # a space typed where a zero-width non-joiner belongs
        text = _PERSIAN_PREFIX.sub(r"\1\2", _PERSIAN_SUFFIX.sub(r"\1", text))
    return text


def _fold_ascii(data: bytes) -> str:
    return " ".join(data.lower().translate(_ASCII).decode("ascii").split())
