"""Where the ≠ of a comparison row is decided: what each kind of cell compares.

A row differs when its cells' keys are not all equal (:func:`differs`). A cell's key
holds meanings, not strings, so that the ≠ marks real differences:

- resources (fields, families, originators…) compare by IRI, as sets: the same IRI
  shown in two languages is equal, and order does not count;
- years compare as numbers, counts as numbers;
- texts (a summary) compare every language's text, not only the one shown;
- aliases compare as a set of (text, language);
- citations compare by DOI (case-insensitively, with or without its ``https://doi.org/``
  prefix), else by arXiv id, else by the work's IRI.

The cell builders (``cells.py``) call one of these for each cell they make.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import Literal

from .model import Cell


def differs(cells: Iterable[Cell]) -> bool:
    """Whether a row's cells differ in meaning: the ≠ after a row's label."""
    return len({cell.key for cell in cells}) > 1


def resources_key(values: Iterable[object]) -> frozenset:
    """Resources (or a list's literals) as a set of their IRIs or texts."""
    return frozenset(str(v) for v in values)


def numbers_key(numbers: Iterable[int]) -> frozenset:
    """Years and counts: numbers, as a set."""
    return frozenset(numbers)


def texts_key(texts: Iterable[Literal]) -> frozenset:
    """Texts in languages: every (text, language), whichever one a cell shows."""
    return frozenset((str(t), t.language) for t in texts)


def aliases_key(aliases: Iterable[tuple[str, str | None]]) -> frozenset:
    """Aliases: a set of (text, language), whatever their order."""
    return frozenset(aliases)


def work_key(work: str, doi: str | None, arxiv: str | None) -> tuple[str, str] | str:
    """A cited work: its DOI (normalised), else its arXiv id, else its IRI."""
    return ("doi", normalise_doi(doi)) if doi else ("arxiv", arxiv) if arxiv else work


def normalise_doi(doi: str) -> str:
    doi = doi.strip().lower()
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi)
