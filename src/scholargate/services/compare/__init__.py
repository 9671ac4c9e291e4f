"""Comparison views, generated from the shapes.

The rows are the property shapes of ``sgsh:MethodShape`` that have ``sh:order``: their
``sh:path`` says what to fetch, ``sh:name`` what to call the row in each language, and
``sg:display`` how to show and compare the values. :func:`compare` writes one SPARQL
query for the whole table, runs it, and returns a :class:`Comparison`: one column per
method, one row per property shape, each row flagged when its values differ in meaning.

Where things happen, in the order a comparison is made:

- ``comparer.py`` — the entry point (:func:`compare`, :class:`Comparer`) and its caches;
- ``resolve.py`` — the names asked for (slugs, IRIs, labels) to method IRIs;
- ``rows.py`` — the rows, read from the SHACL shapes;
- ``query.py`` — the one SPARQL query that fetches every cell;
- ``table.py`` — the query's answer sorted by row and column (``found.py``) and
  assembled into the table;
- ``cells.py`` — each cell's values, one builder per ``sg:display``;
- ``differences.py`` — the ≠ of a row: what each kind of cell compares;
- ``names.py`` — people as a row names them (``"Vaswani, A."``) and authors in order;
- ``model.py`` — what the service returns (:class:`Comparison`, :class:`Row`,
  :class:`Cell`, :class:`Value`, :class:`Column`).
"""

from __future__ import annotations

from .comparer import Comparer, compare, comparer_for
from .differences import normalise_doi
from .model import Cell, Column, Comparison, Row, Value
from .names import initials, person_short
from .query import build_query
from .resolve import MAX_METHODS, MAX_NAME, distinct_names
from .rows import METHOD_SHAPE, RowSpec, read_rows

__all__ = [
    "MAX_METHODS",
    "MAX_NAME",
    "METHOD_SHAPE",
    "Cell",
    "Column",
    "Comparer",
    "Comparison",
    "Row",
    "RowSpec",
    "Value",
    "build_query",
    "compare",
    "comparer_for",
    "distinct_names",
    "initials",
    "normalise_doi",
    "person_short",
    "read_rows",
]
