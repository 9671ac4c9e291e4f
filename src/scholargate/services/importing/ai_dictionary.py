"""Aliases from AI Safety Türkiye's English → Turkish AI dictionary (CC BY 4.0).

The dictionary is a CSV with a header row ``Kategori,İngilizce Terim,Türkçe Çeviriler``
(category, English term, Turkish renderings separated by ``;``). An English term with an
abbreviation in parentheses, "Generative Adversarial Network (GAN)", names a method by
either part. The source only adds aliases (:func:`~.glossary.label_methods` with
``prefer=False``); "varyasyonel otomatik kodlayıcı/enkoder" is read as its two
renderings.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from rdflib import Graph, URIRef

from ...errors import InputError
from .common import ImportResult, Progress, SourceInfo, normalise, read_text
from .glossary import Entry, label_methods

REPOSITORY = URIRef("https://github.com/AI-Safety-Turkiye/english-turkish-ai-dictionary")

INFO = SourceInfo(
    name="tr-ai-dictionary",
    title="AI Safety Türkiye English–Turkish AI dictionary",
    description=(
        "Turkish aliases for methods, from the English–Turkish advanced AI dictionary "
        "(Türkçe Gelişmiş Yapay Zeka Sözlüğü) of AI Safety Türkiye "
        "(english-turkish-ai-dictionary.csv, second draft of 2025-12-12): the renderings "
        "of method names that the graph does not already carry."
    ),
    source=REPOSITORY,
    license=URIRef("https://creativecommons.org/licenses/by/4.0/"),
    rights=(
        "From the Türkçe Gelişmiş Yapay Zeka Sözlüğü by Sayhan Yalvaçer (author) and "
        "Bengüsu Özcan (editor), AI Safety Türkiye (https://aisafetyturkiye.org), licensed "
        "CC BY 4.0; only the renderings of method names are taken, unchanged."
    ),
    attribution_name="AI Safety Türkiye, Türkçe Gelişmiş Yapay Zeka Sözlüğü",
    attribution_url=REPOSITORY,
    snapshot="2025-12-12",
    file_name="english-turkish-ai-dictionary.csv",
    other_titles=(
        ("fa", "واژه‌نامهٔ انگلیسی به ترکی هوش مصنوعی AI Safety Türkiye"),
        ("tr", "AI Safety Türkiye Türkçe Gelişmiş Yapay Zeka Sözlüğü"),
    ),
)

HEADER = ["Kategori", "İngilizce Terim", "Türkçe Çeviriler"]


def _renderings(text: str) -> list[str]:
    names: list[str] = []
    for part in text.split(";"):
        part = " ".join(part.split())
        head, slash, tail = part.rpartition("/")
        if slash and " " not in tail and head:  # "otomatik kodlayıcı/enkoder"
            stem = head.rsplit(" ", 1)[0] + " " if " " in head else ""
            candidates = [head, stem + tail]
        else:
            candidates = [part]
        names.extend(c for c in candidates if c and c not in names)
    return names


def parse(path: Path) -> tuple[list[Entry], list[tuple[str, str]], str]:
    """The dictionary's entries; a row without an English term or a rendering is
    rejected with its line number."""
    text, sha256 = read_text(Path(path))
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [cell.strip() for cell in rows[0]] != HEADER:
        raise InputError(f"{path}: expected a CSV whose header is {','.join(HEADER)}")
    entries: list[Entry] = []
    rejected: list[tuple[str, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"line {number}"
        if len(row) != 3 or not row[1].strip() or not row[2].strip():
            rejected.append((where, "needs a category, an English term and a rendering"))
            continue
        english = " ".join(row[1].split())
        entry = Entry(f"{where} ({english})", english, [])
        same = {normalise(name) for name in entry.names()}
        # a rendering that keeps the English ("Dropout") adds nothing
        entry.translations = [r for r in _renderings(row[2]) if normalise(r) not in same]
        if entry.translations:
            entries.append(entry)
    return entries, rejected, sha256


def import_ai_dictionary(
    path: Path, methods: Graph, *, progress: Progress | None = None
) -> ImportResult:
    """Turkish aliases for ``methods`` from the dictionary's CSV at ``path``."""
    entries, rejected, sha256 = parse(path)
    return label_methods(entries, methods, "tr", INFO, sha256, rejected, progress, prefer=False)
