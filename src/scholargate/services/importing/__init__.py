"""Importers: openly licensed sources turned into named graphs under ``data/imported/``.

Each importer returns an :class:`ImportResult` (the graph, its metadata sidecar, what was
merged into existing resources and what was rejected, with counts);
:func:`write_import` writes ``X.ttl`` and ``X.meta.ttl`` atomically. :func:`run_import`
is what ``scholargate import SOURCE FILE`` calls.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import InputError
from .ai_dictionary import import_ai_dictionary
from .cheatsheets import import_cheatsheets
from .common import (
    ImportResult,
    Progress,
    read_curated,
    read_methods,
    read_named,
    write_import,
)
from .glossary import import_glossary_fa, import_glossary_tr
from .pwc import import_pwc
from .pwc.mapping import MAPPING_FILE

SOURCES = ("pwc", "glossary-fa", "glossary-tr", "cheatsheets-fa", "cheatsheets-tr", "dictionary-tr")
# the sources read from a folder rather than a file
FOLDER_SOURCES = ("cheatsheets-fa", "cheatsheets-tr")


def run_import(
    source: str, file: Path, root: Path, out: Path, *, progress: Progress | None = None
) -> ImportResult:
    """Import ``file`` as ``source`` (one of :data:`SOURCES`) against the data under the
    project ``root`` and write the result to ``out`` (``X.ttl`` and ``X.meta.ttl``).

    Papers with Code is matched against ``data/curated/*.ttl``; the glossaries label the
    curated methods and those in ``data/imported/pwc-methods.ttl``, so import Papers with
    Code first. The cheatsheets and the Turkish AI dictionary only add aliases, matched
    against all of those (:func:`~.common.read_named`), so import them last.
    """
    if source == "pwc":
        result = import_pwc(
            file, read_curated(root), mapping=root / MAPPING_FILE, progress=progress
        )
    elif source == "glossary-fa":
        result = import_glossary_fa(file, read_methods(root), progress=progress)
    elif source == "glossary-tr":
        result = import_glossary_tr(file, read_methods(root), progress=progress)
    elif source in ("cheatsheets-fa", "cheatsheets-tr"):
        lang = source.rpartition("-")[2]
        result = import_cheatsheets(file, read_named(root), lang, progress=progress)
    elif source == "dictionary-tr":
        result = import_ai_dictionary(file, read_named(root), progress=progress)
    else:
        raise InputError(f"unknown import source {source!r}; expected one of {', '.join(SOURCES)}")
    write_import(result, out)
    return result


__all__ = [
    "FOLDER_SOURCES",
    "SOURCES",
    "ImportResult",
    "import_ai_dictionary",
    "import_cheatsheets",
    "import_glossary_fa",
    "import_glossary_tr",
    "import_pwc",
    "read_curated",
    "read_methods",
    "read_named",
    "run_import",
    "write_import",
]
