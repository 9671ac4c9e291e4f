"""Turning the query's answer into the comparison table.

:func:`assemble` reads the answer's TSV cells once, sorts what they say by row and
column (``found.py``), has ``cells.py`` build every cell, and flags each row whose cells
differ (``differences.py``). Each cell of the answer becomes an rdflib term once
(``from_tsv`` is cached), and only the cells that are read.
"""

from __future__ import annotations

import functools
from collections import defaultdict

from rdflib import Literal
from rdflib.namespace import SKOS

from ...namespaces import METHOD, SKOSXL
from ...store import Cells, from_tsv
from ..labels import pick
from .cells import BUILDERS, natural, work_year
from .differences import differs
from .found import Found, MethodFound
from .model import Column, Comparison, Row
from .query import DETAILS, from_scan
from .rows import RowSpec

# the details and the two properties read apart, as TSV cells
_CELL_DETAILS = {f"<{iri}>": name for iri, name in DETAILS.items()}
_PREF_LABEL, _ALT_LABEL_XL = f"<{SKOS.prefLabel}>", f"<{SKOSXL.altLabel}>"


def assemble(
    specs: list[RowSpec],
    methods: list[str],
    answer: Cells,
    lang: str,
    sparql: str,
    shapes_version: str,
) -> Comparison:
    """The table for ``methods`` from ``answer``, the answer to ``sparql``."""
    rows_of: dict[str, list[int]] = defaultdict(list)  # a scanned property -> its rows
    for i, spec in enumerate(specs):
        if from_scan(spec):
            rows_of[spec.path].append(i)
    found: dict[tuple[int, int], Found] = defaultdict(Found)  # (row, column) -> values
    columns = [MethodFound() for _ in methods]
    at = answer.variables
    c_at, row_at, part_at, p_at, v_at, q_at, x_at = (
        at[name] for name in ("c", "row", "part", "p", "v", "q", "x")
    )
    for cells in answer.rows:  # the three shapes of solution: see query._query_template
        c = _number(cells[c_at])
        if cells[part_at]:
            into = found[(_number(cells[row_at]), c)]
            solution = {name: from_tsv(cells[i]) for name, i in at.items() if cells[i]}
            part = str(solution["part"])
            if part == "author":
                into.authors.append(solution)
            elif part == "first-author":
                into.first_author.append(solution)
            else:
                raise ValueError(f"the comparison query gave an unknown part {part!r}")
            continue
        value = from_tsv(cells[v_at])
        detail = _CELL_DETAILS.get(cells[q_at])
        x = from_tsv(cells[x_at]) if detail else None
        if cells[row_at]:
            targets: list[int] = [_number(cells[row_at])]
        else:
            p = cells[p_at]
            targets = rows_of.get(p, [])  # also when p is one of the two below
            if p == _PREF_LABEL and isinstance(value, Literal):
                columns[c].names.append(value)
            elif p == _ALT_LABEL_XL and detail == "form":
                nodes = columns[c].alias_nodes
                nodes[x] = min(nodes.get(x, str(value)), str(value), key=natural)  # type: ignore[index, call-overload]
        for i in targets:
            values = found[(i, c)].values
            details = values.get(value)
            if details is None:
                details = values[value] = defaultdict(list)
            if detail:
                details[detail].append(x)  # type: ignore[arg-type]

    for i, spec in enumerate(specs):
        if spec.display == "Citation":
            for c, column in enumerate(columns):
                cited = found.get((i, c), Found())
                years = {str(v): work_year(d) or 0 for v, d in cited.values.items()}
                for work, authors in cited.author_lists.items():
                    column.founding.append((years.get(work, 0), [iri for iri, _ in authors]))
    rows = []
    for i, spec in enumerate(specs):
        build = BUILDERS[spec.display]
        row_cells = [
            build(found.get((i, c), Found()), lang, column) for c, column in enumerate(columns)
        ]
        if spec.display == "CitedAmong" and not any(cell.values for cell in row_cells):
            continue  # no compared method's source cites another: no row (shapes/method.ttl)
        label = spec.name(lang)
        rows.append(
            Row(
                id=spec.id,
                label=str(label) if label is not None else spec.id.rsplit("-", 1)[-1],
                label_lang=(label.language or "") if label is not None else "",
                path=spec.path,
                display=spec.display,
                order=spec.order,
                group=spec.group,
                cells=row_cells,
                differs=differs(row_cells),
            )
        )
    return Comparison(lang, _columns(methods, columns, lang), rows, sparql, shapes_version)


def _columns(methods: list[str], found: list[MethodFound], lang: str) -> list[Column]:
    columns = []
    for m, method in zip(methods, found, strict=True):
        label = pick(method.names, lang)
        slug = m[len(str(METHOD)) :] if m.startswith(str(METHOD)) else m
        columns.append(
            Column(m, slug, str(label) if label else slug, (label.language or "") if label else "")
        )
    return columns


@functools.lru_cache(maxsize=256)
def _number(cell: str) -> int:
    """A column or row number, as a TSV cell (``5``, or ``"5"^^xsd:integer``)."""
    return int(from_tsv(cell))
