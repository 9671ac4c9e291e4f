"""Text normalisation for search: real cases as a table (DESIGN.md, "Languages")."""

from __future__ import annotations

import pytest

from scholargate.services.search.folding import fold

# (typed, written in the graph, why they are the same name)
SAME = [
    ("روشها", "روش‌ها", "zero-width non-joiner absent / present"),
    ("روش ها", "روش‌ها", "a space typed for the ZWNJ before ها"),
    ("شبکه های عصبی", "شبکه‌های عصبی", "a space typed for the ZWNJ before های"),
    ("بزرگ ترین", "بزرگ‌ترین", "a space typed for the ZWNJ before ترین"),
    ("می شود", "می‌شود", "a space typed for the ZWNJ after می"),
    ("روشـــها", "روشها", "tatweel"),
    ("علي", "علی", "Arabic yeh / Persian yeh"),
    ("مصطفى", "مصطفی", "alef maksura / Persian yeh"),
    ("كتاب", "کتاب", "Arabic kaf / Persian kaf"),
    ("ﻛﺘﺎﺏ", "کتاب", "Arabic presentation forms (NFKC)"),
    ("مقايسة", "مقایسهٔ", "teh marbuta and heh with hamza / heh"),
    ("مقایسه", "مقایسۀ", "heh with yeh above / heh"),
    ("مُدَل", "مدل", "harakat"),
    ("اموزش", "آموزش", "alef with madda / alef"),
    ("مسأله", "مساله", "alef with hamza / alef"),
    ("رئيس", "رئیس", "Arabic yeh beside yeh with hamza"),
    ("۲۰۱۷", "2017", "Persian digits"),
    ("٢٠١٧", "2017", "Arabic-Indic digits"),
    ("IŞIK", "ışık", "Turkish dotless I, upper / lower"),
    ("isik", "ışık", "Turkish letters typed on an English keyboard"),
    ("istanbul", "İstanbul", "dotted capital İ"),
    ("ISTANBUL", "İstanbul", "capital I for the dotted i"),
    ("öz dikkat", "öz-dikkat", "hyphen / space"),
    ("oz dikkat", "Öz-Dikkat", "Turkish ö and case"),
    ("cok basli", "Çok başlı", "Turkish ç, ş, ı"),
    ("ince ayari", "İnce Ayarı", "Turkish İ and ı"),
    ("lora", "LoRA", "case"),
    ("low rank adaptation", "Low-Rank Adaptation", "hyphen and case"),
    ("multi head self attention", "Multi-head self-attention", "hyphens"),
    ("resume", "résumé", "Latin accents"),
    ("strasse", "Straße", "sharp s"),
    ("lukasz kaiser", "Łukasz Kaiser", "Polish ł"),
    ("bert", "ＢＥＲＴ", "full-width letters (NFKC)"),
    ("word2vec", "word2vec\u200b", "zero-width space"),
    ("gpt 4", "GPT\u20114", "non-breaking hyphen"),
    ("o brien", "O'Brien", "apostrophe"),
    ("روش ها", "«روش»، ها؟", "Persian quotation marks and punctuation"),
    ("x y", "x\u200f y", "right-to-left mark"),
    ("a b", "  a \t b\n", "runs of white space"),
]


@pytest.mark.parametrize(("typed", "written", "why"), SAME, ids=[c[2] for c in SAME])
def test_the_same_name_folds_to_the_same_key(typed: str, written: str, why: str) -> None:
    assert fold(typed) == fold(written), why


# (text, its key)
KEYS = [
    ("Low-Rank Adaptation", "low rank adaptation"),
    ("توجه به خود چند-سری", "توجه به خود چند سری"),
    ("Çok başlı öz-dikkat", "cok basli oz dikkat"),
    ("IŞIK", "isik"),
    ("C++", "c++"),
    ("C#", "c#"),
    ("F# and C++", "f# and c++"),
    ("---", ""),
    ("", ""),
    ("‌", ""),  # a lone zero-width non-joiner
    ("東京", "東京"),
    ("한국어", "한국어"),  # Hangul survives decomposition and recomposition
]


@pytest.mark.parametrize(("text", "key"), KEYS)
def test_keys(text: str, key: str) -> None:
    assert fold(text) == key


# Different names must stay different.
DIFFERENT = [
    ("C++", "C"),
    ("C#", "C"),
    ("روش", "روشن"),
    ("ها", "هاء"),  # the standalone hamza is kept
    ("مدل زبانی", "مدلزبانی"),  # only the ZWNJ affixes join, not any two words
    ("2017", "2071"),
    ("bert", "bart"),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_names_stay_different(a: str, b: str) -> None:
    assert fold(a) != fold(b)


def test_folding_is_idempotent() -> None:
    for typed, written, _ in SAME:
        for text in (typed, written):
            assert fold(fold(text)) == fold(text)
