"""Aliases from the Persian and Turkish translations of the Stanford ML cheatsheets.

The translations of Afshine and Shervine Amidi's CS 229 / CS 230 "VIP cheatsheets"
(MIT) are not glossaries but texts translated segment by segment: each Markdown file is
a run of ``**N. English text**`` segments, each followed by its translation
(``&#10230; Türkçe`` in the Turkish files, a ``<div dir="rtl">`` block in the Persian
ones) and a ``<br>``. Term pairs are read from three shapes of segment:

- a bracketed list ``[A, B, C]`` beside ``[a، b، c]``, paired by position when both
  lists have as many items;
- a definition ``Term ― explanation`` beside ``terim ― açıklama`` (the Persian files
  write the dash as ``–``): the parts before the dashes;
- a short heading (at most six words, no full stop) beside its translation.

A rendering is cleaned of Markdown, LaTeX dollars, parenthesised glosses ("Destek Vektör
Makineleri (DVM)") and zero-width non-joiners that join nothing; "Üçlü yitim/kayıp" is
two renderings; one that only repeats the English, or still has a slash between words,
is dropped. The
renderings of one English term across the files are kept together, since each
cheatsheet had its own translator. These sources only add aliases
(:func:`~.glossary.label_methods` with ``prefer=False``): the preferred labels stay
those of the curated data and the glossaries.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from rdflib import Graph, URIRef

from ...errors import InputError
from .common import MIT_TERMS, ImportResult, Progress, SourceInfo, normalise, read_text
from .glossary import Entry, label_methods

MIT_NOTICE = (
    "MIT License. Copyright (c) 2018 Shervine Amidi and Afshine Amidi. Translations by the "
    "contributors listed in CONTRIBUTORS of shervinea/cheatsheet-translation ({translators}).\n\n"
    + MIT_TERMS
)
REPOSITORY = URIRef("https://github.com/shervinea/cheatsheet-translation")
SNAPSHOT = "2019-06-30"  # the fa and CS 229/230 tr files were last changed then

FA = SourceInfo(
    name="fa-stanford-cheatsheets",
    title="Stanford CS 229 / CS 230 cheatsheets, Persian translation: term pairs",
    description=(
        "Persian aliases for methods, read from the Persian translation of the Stanford "
        "CS 229 and CS 230 cheatsheets by Afshine and Shervine Amidi "
        "(shervinea/cheatsheet-translation, fa/*.md, changed last on 2019-06-30): the "
        "renderings of method names that the graph does not already carry."
    ),
    source=REPOSITORY,
    license=URIRef("https://opensource.org/licenses/MIT"),
    rights=MIT_NOTICE.format(
        translators="fa: AlisterTA, Erfan Noury, Amirhosein Kazemnejad, Ehsan Kermani, "
        "Mohammad Reza; reviewers Mohammad Karimi, Erfan Noury"
    ),
    attribution_name="Afshine Amidi and Shervine Amidi, Stanford ML cheatsheets (Persian)",
    attribution_url=REPOSITORY,
    snapshot=SNAPSHOT,
    file_name="fa/*.md",
    other_titles=(
        ("fa", "برگه‌های تقلب یادگیری ماشین استنفورد، ترجمهٔ فارسی: جفت اصطلاح‌ها"),
        ("tr", "Stanford CS 229 / CS 230 özet kâğıtları, Farsça çeviri: terim çiftleri"),
    ),
)

TR = SourceInfo(
    name="tr-stanford-cheatsheets",
    title="Stanford CS 229 / CS 230 cheatsheets, Turkish translation: term pairs",
    description=(
        "Turkish aliases for methods, read from the Turkish translation of the Stanford "
        "CS 221, CS 229 and CS 230 cheatsheets by Afshine and Shervine Amidi "
        "(shervinea/cheatsheet-translation, tr/*.md, changed last in 2019): the "
        "renderings of method names that the graph does not already carry."
    ),
    source=REPOSITORY,
    license=URIRef("https://opensource.org/licenses/MIT"),
    rights=MIT_NOTICE.format(
        translators="tr: Ayyüce Kızrak, Başak Buluz, Yavuz Kömeçoğlu, Cemal Gurpinar, "
        "Ekrem Çetinkaya, Kadir Tekeli, Seray Beşer; reviewer Omer Bukte"
    ),
    attribution_name="Afshine Amidi and Shervine Amidi, Stanford ML cheatsheets (Turkish)",
    attribution_url=REPOSITORY,
    snapshot=SNAPSHOT,
    file_name="tr/*.md",
    other_titles=(
        ("fa", "برگه‌های تقلب یادگیری ماشین استنفورد، ترجمهٔ ترکی: جفت اصطلاح‌ها"),
        ("tr", "Stanford CS 229 / CS 230 özet kâğıtları, Türkçe çeviri: terim çiftleri"),
    ),
)

# Pairs read right but naming something else than the method they would match, left out
# with the reason (language, normalised English term → reason).
WRONG_PAIRS = {
    ("fa", "attentionmodel"): "an attention model in general, not Papers with Code's AM",
    ("tr", "attentionmodel"): "an attention model in general, not Papers with Code's AM",
    ("fa", "flip"): "flipping an image to augment data, not the FLIP method",
    ("tr", "flip"): "flipping an image to augment data, not the FLIP method",
    ("fa", "convolution"): "rendered by the adjective کانولوشنی (convolutional), not the noun",
    ("tr", "randomforest"): "misspelt: Rastegele for Rastgele",
}

_SEGMENT = re.compile(r"^\*\*(\d+)\.\s*(.+?)\*\*\s*$(.*?)(?=^\*\*\d+\.|\Z)", re.M | re.S)
_MARKUP = re.compile(r"<[^>]+>|&#10230;")
_STRAY_ZWNJ = re.compile(r"\u200c+(?=\s|$)|(?<=\s)\u200c+|^\u200c+")
_SLASHED = re.compile(r"^(.*\s)?([^\s/]+)/([^\s/]+)$")  # "Üçlü yitim/kayıp"
_PARENTHESIS = re.compile(r"\s*\([^()]*\)")
_DASH = re.compile(r"\s[―–]\s")
MAX_WORDS = 6


def _clean(text: str) -> str:
    text = _PARENTHESIS.sub("", _MARKUP.sub(" ", text).replace("$", ""))
    text = _STRAY_ZWNJ.sub("", text)  # "مقداردهی‌ اولیه": a ZWNJ before a space joins nothing
    return " ".join(text.replace("*", " ").split()).strip(" .:;,،")


def _alternatives(rendering: str) -> list[str]:
    """ "Üçlü yitim/kayıp" is "Üçlü yitim" or "Üçlü kayıp"; other text is one rendering."""
    match = _SLASHED.match(rendering)
    if not match:
        return [rendering]
    head = match.group(1) or ""
    return [head + match.group(2), head + match.group(3)]


def _items(text: str, lang: str) -> list[str] | None:
    text = text.strip()
    if not (text.startswith("[") and text.endswith("]")):
        return None
    body = text[1:-1]
    # the Persian lists use the Arabic comma; a few mix in the Latin one
    parts = re.split("[،,]" if lang == "fa" else ",", body)
    return [p.strip() for p in parts]


def _pairs(english: str, translation: str, lang: str) -> list[tuple[str, str]]:
    """The (English, rendering) term pairs of one segment."""
    translation = " ".join(_MARKUP.sub(" ", translation).split())
    left, right = _items(english, "en"), _items(translation, lang)
    if left is not None:
        if right is None or len(left) != len(right):
            return []
        return list(zip(left, right, strict=True))
    english_parts, translated_parts = _DASH.split(english, 1), _DASH.split(translation, 1)
    if len(english_parts) == 2:
        return [(english_parts[0], translated_parts[0])] if len(translated_parts) == 2 else []
    if len(english.split()) <= MAX_WORDS and "." not in english:
        return [(english, translation)]
    return []


def parse(folder: Path, lang: str) -> tuple[list[Entry], list[tuple[str, str]], str]:
    """The term pairs of every ``*.md`` in ``folder``; the sha256 is that of the list of
    the files' names and sha256s, so it changes when any file does."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder of cheatsheet translations (*.md)")
    files = sorted(folder.glob("*.md"))
    if not files:
        raise InputError(f"{folder}: no cheatsheet translations (*.md) in it")
    entries: list[Entry] = []
    rejected: list[tuple[str, str]] = []
    listing = []
    for path in files:
        text, sha256 = read_text(path)
        listing.append(f"{path.name}\t{sha256}\n")
        for match in _SEGMENT.finditer(text):
            number, english, translation = match.groups()
            for term, rendering in _pairs(english, translation, lang):
                term, rendering = _clean(term), _clean(rendering)
                if not term or not rendering or len(rendering.split()) > MAX_WORDS + 2:
                    continue
                if normalise(rendering) == normalise(term):
                    continue  # kept in English ("Leaky ReLU"): nothing to add
                where = f"{path.stem} {number} ({term})"
                wrong = WRONG_PAIRS.get((lang, normalise(term)))
                if wrong:
                    rejected.append((where, wrong))
                    continue
                # a slash left between words runs two names together ("A B/C D")
                names = [name for name in _alternatives(rendering) if "/" not in name]
                if names:
                    entries.append(Entry(where, term, names))
    digest = hashlib.sha256("".join(listing).encode()).hexdigest()
    return entries, rejected, digest


def import_cheatsheets(
    folder: Path, methods: Graph, lang: str, *, progress: Progress | None = None
) -> ImportResult:
    """Aliases in ``lang`` (fa or tr) for ``methods`` from the translated cheatsheets
    in ``folder`` (``fa/`` or ``tr/`` of the translation repository)."""
    info = {"fa": FA, "tr": TR}[lang]
    entries, rejected, sha256 = parse(folder, lang)
    return label_methods(
        entries, methods, lang, info, sha256, rejected, progress, merge=True, prefer=False
    )
