"""Import English → Persian and English → Turkish glossaries as method labels.

A glossary entry whose English term matches a method's English name (its prefLabel, or
else one of its altLabels, compared by :func:`~.common.normalise`) fills a gap: when the
method has no preferred label in the glossary's language, the entry's first translation
becomes ``skos:prefLabel`` and the other translations become aliases
(``sg:aliasKind sg:Translation``). A method that already has a label in that language
gets nothing. Persian text is kept as written, zero-width non-joiners included.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from ...errors import InputError
from ...namespaces import ALIAS, GRAPH, METHOD, SG, SKOSXL
from .common import (
    PROGRESS_EVERY,
    ImportResult,
    Progress,
    SourceInfo,
    alias_numbers,
    describe,
    english_names,
    methods_of,
    new_graph,
    normalise,
    read_text,
    read_yaml,
)

MIT_NOTICE = (
    "Copyright (c) 2023 Seyed Naser Razavi\n\n"
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
    'software and associated documentation files (the "Software"), to deal in the Software '
    "without restriction, including without limitation the rights to use, copy, modify, "
    "merge, publish, distribute, sublicense, and/or sell copies of the Software, and to "
    "permit persons to whom the Software is furnished to do so, subject to the following "
    "conditions:\n\n"
    "The above copyright notice and this permission notice shall be included in all copies "
    "or substantial portions of the Software.\n\n"
    'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, '
    "INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A "
    "PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT "
    "HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF "
    "CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE "
    "OR THE USE OR OTHER DEALINGS IN THE SOFTWARE."
)

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


def parse_tr(path: Path) -> tuple[list[Entry], list[tuple[str, str]], str]:
    """Entries of the Turkish terminology (Markdown, one ``english; türkçe`` a line);
    Turkish alternatives are separated by ','. Headings and ``:label:`` lines are
    skipped; a line with ``:`` instead of ``;`` is read the same way."""
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
        if not english.strip() or not translations:
            rejected.append((where, "needs an English term and a Turkish translation"))
            continue
        entries.append(Entry(f"{where} ({english.strip()})", english.strip(), translations))
    return entries, rejected, sha256


def _unambiguous(entries: list[Entry], rejected: list[tuple[str, str]]) -> list[Entry]:
    """Drop English terms listed twice with different translations (two senses, as
    with "bias"): which one names a method cannot be told. Exact repeats count once."""
    by_key: dict[str, list[Entry]] = {}
    for entry in entries:
        by_key.setdefault(normalise(entry.english), []).append(entry)
    kept: list[Entry] = []
    for entry in entries:
        group = by_key[normalise(entry.english)]
        if len({tuple(e.translations) for e in group}) > 1:
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


def _label(
    entries: list[Entry],
    methods: Graph,
    lang: str,
    info: SourceInfo,
    sha256: str,
    rejected: list[tuple[str, str]],
    progress: Progress | None,
) -> ImportResult:
    entries = _unambiguous(entries, rejected)
    candidates = sorted(methods_of(methods))
    index = english_names(methods, candidates)
    source = GRAPH[info.name]
    graph = new_graph()
    counts: Counter[str] = Counter()
    merged: list[tuple[str, URIRef, str]] = []
    labelled: set[URIRef] = set()
    used = alias_numbers(methods)

    def has_label(method: URIRef) -> bool:
        return method in labelled or any(
            isinstance(o, Literal) and (o.language or "").lower() == lang
            for o in methods.objects(method, SKOS.prefLabel)
        )

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
        if has_label(method):
            counts["already_labelled"] += 1
            continue
        existing = {
            str(o)
            for o in methods.objects(method, SKOS.altLabel)
            if isinstance(o, Literal) and (o.language or "").lower() == lang
        }
        names = [t for t in entry.translations if t not in existing]
        if not names:
            counts["already_labelled"] += 1
            continue
        labelled.add(method)
        merged.append((entry.id, method, "name"))
        graph.add((method, SKOS.prefLabel, Literal(names[0], lang=lang)))
        counts["labels"] += 1
        slug = str(method)[len(str(METHOD)) :] if str(method).startswith(str(METHOD)) else ""
        if not slug:
            continue
        for name in names[1:]:
            used[f"{slug}-{lang}"] += 1
            alias = ALIAS[f"{slug}-{lang}-{used[f'{slug}-{lang}']}"]
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
        merged=sorted(merged, key=lambda m: (str(m[1]), m[0])),
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
    return _label(entries, methods, "fa", FA, sha256, rejected, progress)


def import_glossary_tr(
    path: Path, methods: Graph, *, progress: Progress | None = None
) -> ImportResult:
    """Turkish labels from the d2l English → Turkish terminology at ``path`` for the
    methods in ``methods`` (the curated graph plus the Papers with Code import)."""
    entries, rejected, sha256 = parse_tr(path)
    return _label(entries, methods, "tr", TR, sha256, rejected, progress)
