"""Import English → Persian and English → Turkish glossaries as method labels.

A glossary entry whose English term matches a method's English name (its prefLabel, or
else one of its altLabels, compared by :func:`~.common.normalise`) names the method in the
glossary's language. When the method has no preferred label in that language, the entry's
first translation becomes ``skos:prefLabel``; every other translation, and all of them
when the method already has a label, becomes an alias (``sg:aliasKind sg:Translation``,
``dcterms:source`` the glossary's graph) unless the method already carries that name
(compared case-folded, with spaces collapsed). So the terms people use beside the ones
chosen are found by search and by the method picker. Persian text is kept as written,
zero-width non-joiners included. An alias is ``sga:{slug}-{graph}-{n}``, so two
sources never mint the same alias.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from ...errors import InputError
from ...namespaces import ALIAS, GRAPH, METHOD, SG, SKOSXL
from .common import (
    MIT_TERMS,
    PROGRESS_EVERY,
    ImportResult,
    Progress,
    SourceInfo,
    describe,
    english_names,
    methods_of,
    new_graph,
    normalise,
    read_text,
    read_yaml,
)

MIT_NOTICE = "Copyright (c) 2023 Seyed Naser Razavi\n\n" + MIT_TERMS

FA = SourceInfo(
    name="fa-ml-glossary",
    title="Persian AI and machine learning glossary (English to Persian)",
    description=(
        "Persian labels for methods, from the English-Persian AI and machine learning "
        "glossary by Seyed Naser Razavi (Glossary_sorted_en.yaml, last committed "
        "2023-05-03). Only methods without a Persian label receive one."
    ),
    source=URIRef("https://github.com/snrazavi/Persian-AI-and-Machine-Learning-Glossary"),
    license=URIRef("https://opensource.org/licenses/MIT"),
    rights=MIT_NOTICE,
    attribution_name="Seyed Naser Razavi, Persian AI and Machine Learning Glossary",
    attribution_url=URIRef("https://github.com/snrazavi/Persian-AI-and-Machine-Learning-Glossary"),
    snapshot="2023-05-03",
    file_name="Glossary_sorted_en.yaml",
    other_titles=(
        ("fa", "واژه‌نامهٔ انگلیسی به فارسی هوش مصنوعی و یادگیری ماشین"),
        ("tr", "Farsça yapay zekâ ve makine öğrenmesi sözlüğü (İngilizce–Farsça)"),
    ),
)

TR = SourceInfo(
    name="tr-d2l-terminology",
    title="Dive into Deep Learning, Turkish edition: terminology (English to Turkish)",
    description=(
        "Turkish labels for methods, from the terminology list of the Turkish translation "
        "of Dive into Deep Learning (d2l-ai/d2l-tr, TERMINOLOGY.md, changed last on "
        "2022-10-23). Only methods without a Turkish label receive one."
    ),
    source=URIRef("https://github.com/d2l-ai/d2l-tr"),
    license=URIRef("https://creativecommons.org/licenses/by-sa/4.0/"),
    rights=(
        "Terminology from Aston Zhang, Zachary C. Lipton, Mu Li and Alexander J. Smola, "
        "Dive into Deep Learning, Turkish translation (d2l-ai/d2l-tr, translator notes by "
        "Murat Semerci), licensed CC BY-SA 4.0; this derived graph is shared under the "
        "same licence."
    ),
    attribution_name="Dive into Deep Learning, Turkish translation (d2l-ai/d2l-tr)",
    attribution_url=URIRef("https://github.com/d2l-ai/d2l-tr"),
    snapshot="2022-10-23",
    file_name="TERMINOLOGY.md",
    other_titles=(
        ("fa", "اصطلاح‌نامهٔ ترکی کتاب Dive into Deep Learning (انگلیسی به ترکی)"),
        ("tr", "Dive into Deep Learning Türkçe çevirisi: terimler (İngilizce–Türkçe)"),
    ),
)

_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)\s*")
_VEYA = re.compile(r"\s+veya\s+")


@dataclass
class Entry:
    id: str  # where the entry is: "line 12" or "entry 5"
    english: str
    translations: list[str]

    def names(self) -> list[str]:
        """The English term, and for "api (application programming interface)" also
        "api" and "application programming interface"."""
        names = [self.english]
        inner = _PARENTHESIS.findall(self.english)
        if inner:
            names.append(_PARENTHESIS.sub(" ", self.english).strip())
            names.extend(inner)
        return names


def _position(record: str) -> int:
    """The number in "line 12 (bias)" or "entry 5", to list rejections in file order."""
    match = re.search(r"\d+", record)
    return int(match.group()) if match else 0


def _split(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    for part in text.split(separator):
        part = part.strip()
        if part and part not in parts:
            parts.append(part)
    return parts


def parse_fa(path: Path) -> tuple[list[Entry], list[tuple[str, str]], str]:
    """Entries of the Persian glossary (a YAML list of ``{english, persian}``);
    Persian alternatives are separated by the Arabic semicolon '؛'."""
    data, sha256 = read_yaml(Path(path))
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a YAML list of {{english, persian}} entries")
    entries: list[Entry] = []
    rejected: list[tuple[str, str]] = []
    for position, item in enumerate(data, start=1):
        where = f"entry {position}"
        if not isinstance(item, dict):
            rejected.append((where, "not a mapping with 'english' and 'persian'"))
            continue
        english, persian = item.get("english"), item.get("persian")
        english = english.strip() if isinstance(english, str) else ""
        translations = _split(persian, "؛") if isinstance(persian, str) else []
        if not english or not translations:
            rejected.append((where, "needs both an 'english' and a 'persian' text"))
            continue
        entries.append(Entry(f"{where} ({english})", english, translations))
    return entries, rejected, sha256


def _or_split(text: str) -> list[str]:
    """Two Turkish names joined by "veya" (or) as two names: "eşiksiz en büyük işlev veya
    softmaks" → "eşiksiz en büyük işlev", "softmaks". A one-word alternative before a
    two-word term shares its last word: "kayıp veya yitim fonksiyonu" → "kayıp
    fonksiyonu", "yitim fonksiyonu"."""
    parts = [p.strip() for p in _VEYA.split(text) if p.strip()]
    if len(parts) == 2 and len(parts[0].split()) == 1 and len(parts[1].split()) == 2:
        head = parts[1].split()[1]
        return [f"{parts[0]} {head}", parts[1]]
    return parts


def parse_tr(path: Path) -> tuple[list[Entry], list[tuple[str, str]], str]:
    """Entries of the Turkish terminology (Markdown, one ``english; türkçe`` a line);
    Turkish alternatives are separated by ',' or joined by "veya" (:func:`_or_split`).
    Headings and ``:label:`` lines are skipped; a line with ``:`` instead of ``;`` is
    read the same way."""
    text, sha256 = read_text(Path(path))
    entries: list[Entry] = []
    rejected: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith(("#", ":")):
            continue
        where = f"line {number}"
        separator = ";" if ";" in line else ":" if ":" in line else None
        if separator is None:
            rejected.append((where, f"no 'english; türkçe' pair in {line[:60]!r}"))
            continue
        english, _, turkish = line.partition(separator)
        translations = _split(turkish, ",")
        translations = list(dict.fromkeys(n for t in translations for n in _or_split(t)))
        if not english.strip() or not translations:
            rejected.append((where, "needs an English term and a Turkish translation"))
            continue
        entries.append(Entry(f"{where} ({english.strip()})", english.strip(), translations))
    return entries, rejected, sha256


def _unambiguous(
    entries: list[Entry], rejected: list[tuple[str, str]], *, merge: bool = False
) -> list[Entry]:
    """Drop English terms listed twice with different translations (two senses, as
    with "bias"): which one names a method cannot be told. Exact repeats count once.
    With ``merge`` (a translated text, where one term is rendered in several places
    by different translators) the renderings of one English term are kept together
    instead, in the order first seen."""
    by_key: dict[str, list[Entry]] = {}
    for entry in entries:
        by_key.setdefault(normalise(entry.english), []).append(entry)
    kept: list[Entry] = []
    for entry in entries:
        group = by_key[normalise(entry.english)]
        if merge:
            if entry is group[0]:
                names = list(dict.fromkeys(t for e in group for t in e.translations))
                kept.append(Entry(entry.id, entry.english, names))
        elif len({tuple(e.translations) for e in group}) > 1:
            rejected.append(
                (
                    entry.id,
                    "the English term is listed more than once with different "
                    "translations; which one names a method is unclear",
                )
            )
        elif entry is group[0]:
            kept.append(entry)
    return kept


def _key(text: str) -> str:
    """Two names of one language are the same name when this is equal."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def label_methods(
    entries: list[Entry],
    methods: Graph,
    lang: str,
    info: SourceInfo,
    sha256: str,
    rejected: list[tuple[str, str]],
    progress: Progress | None,
    *,
    merge: bool = False,
    prefer: bool = True,
) -> ImportResult:
    """The graph that names ``methods`` in ``lang`` from a glossary's ``entries``: a
    preferred label where a method has none (unless ``prefer`` is false: a source that
    only adds aliases), aliases for the other renderings."""
    entries = _unambiguous(entries, rejected, merge=merge)
    candidates = sorted(methods_of(methods))
    index = english_names(methods, candidates)
    source = GRAPH[info.name]
    graph = new_graph()
    counts: Counter[str] = Counter()
    merged: list[tuple[str, URIRef, str]] = []
    labelled: set[URIRef] = set()
    used: Counter[str] = Counter()

    def names_in_lang(method: URIRef) -> tuple[set[str], set[str]]:
        """The method's keys of preferred labels, and of all its names, in ``lang``."""
        pref: set[str] = set()
        every: set[str] = set()
        for predicate in (SKOS.prefLabel, SKOS.altLabel):
            for o in chain(methods.objects(method, predicate), graph.objects(method, predicate)):
                if isinstance(o, Literal) and (o.language or "").lower() == lang:
                    every.add(_key(str(o)))
                    if predicate == SKOS.prefLabel:
                        pref.add(_key(str(o)))
        return pref, every

    # an entry naming a method's preferred label goes before one naming an alias
    matches: list[tuple[int, int, Entry, URIRef]] = []
    for position, entry in enumerate(entries, start=1):
        pref, alt = index.lookup(entry.names())
        if pref:
            matches.extend((0, position, entry, m) for m in sorted(pref))
        elif alt:
            matches.extend((1, position, entry, m) for m in sorted(alt))
        else:
            counts["unmatched"] += 1
        if progress and position % PROGRESS_EVERY == 0:
            progress(position, len(entries))
    if progress:
        progress(len(entries), len(entries))

    for _, _, entry, method in sorted(matches, key=lambda m: (m[0], m[1], m[3])):
        counts["matches"] += 1
        preferred, existing = names_in_lang(method)
        names = list({_key(t): t for t in reversed(entry.translations)}.values())[::-1]
        names = [t for t in names if _key(t) not in existing]
        if not names:
            counts["already_named"] += 1
            continue
        if prefer and not preferred and method not in labelled:
            labelled.add(method)
            merged.append((entry.id, method, "name"))
            graph.add((method, SKOS.prefLabel, Literal(names.pop(0), lang=lang)))
            counts["labels"] += 1
        slug = str(method)[len(str(METHOD)) :] if str(method).startswith(str(METHOD)) else ""
        if not slug or not names:
            continue
        merged.append((entry.id, method, "alias"))
        for name in names:
            prefix = f"{slug}-{info.name}"
            used[prefix] += 1
            alias = ALIAS[f"{prefix}-{used[prefix]}"]
            graph.add((method, SKOS.altLabel, Literal(name, lang=lang)))
            graph.add((method, SKOSXL.altLabel, alias))
            graph.add((alias, RDF.type, SG.Alias))
            graph.add((alias, SKOSXL.literalForm, Literal(name, lang=lang)))
            graph.add((alias, SG.aliasKind, SG.Translation))
            graph.add((alias, DCTERMS.source, source))
            counts["aliases"] += 1
    counts["entries"] = len(entries)
    counts["matched_entries"] = len({m[2].id for m in matches})
    counts["rejected"] = len(rejected)
    rejected.sort(key=lambda item: _position(item[0]))
    return ImportResult(
        graph=graph,
        metadata=describe(info, sha256, graph),
        merged=sorted(merged, key=lambda m: (str(m[1]), m[0], m[2])),
        rejected=rejected,
        counts=dict(sorted(counts.items())),
        name=info.name,
    )


def import_glossary_fa(
    path: Path, methods: Graph, *, progress: Progress | None = None
) -> ImportResult:
    """Persian labels from the English → Persian glossary at ``path`` for the methods in
    ``methods`` (the curated graph plus the Papers with Code import)."""
    entries, rejected, sha256 = parse_fa(path)
    return label_methods(entries, methods, "fa", FA, sha256, rejected, progress)


def import_glossary_tr(
    path: Path, methods: Graph, *, progress: Progress | None = None
) -> ImportResult:
    """Turkish labels from the d2l English → Turkish terminology at ``path`` for the
    methods in ``methods`` (the curated graph plus the Papers with Code import)."""
    entries, rejected, sha256 = parse_tr(path)
    return label_methods(entries, methods, "tr", TR, sha256, rejected, progress)
