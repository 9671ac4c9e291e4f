"""The rows of the comparison view, read from the SHACL shapes.

The rows are the property shapes of ``sgsh:MethodShape`` that have ``sh:order``: their
``sh:path`` says what to fetch, ``sh:name`` what to call the row in each language, and
``sg:display`` how to show and compare the values.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from rdflib import Literal
from rdflib.namespace import SH

from ...errors import InputError
from ...namespaces import SG, SHAPE, SHAPES_GRAPH
from ...store import Store
from ..labels import pick
from ..shacl_path import to_sparql

METHOD_SHAPE = SHAPE["MethodShape"]


@dataclass(frozen=True)
class RowSpec:
    id: str
    order: float
    path: str
    display: str
    names: dict[str, str] = field(hash=False, compare=False)
    group: str | None = None

    def name(self, lang: str) -> Literal | None:
        """The row's name in ``lang``, with the usual fallback."""
        return _row_name(tuple(sorted(self.names.items())), lang)


@functools.lru_cache(maxsize=256)
def _row_name(names: tuple[tuple[str, str], ...], lang: str) -> Literal | None:
    return pick([Literal(v, lang=k or None) for k, v in names], lang)


DISPLAYS = {
    "LabelList",
    "Count",
    "Citation",
    "Year",
    "PersonList",
    "Text",
    "AliasList",
    "CitedAmong",
}


def read_rows(store: Store) -> list[RowSpec]:
    """The rows of the comparison view, from the shapes graph, in ``sh:order``."""
    shapes = store.graph(SHAPES_GRAPH)
    specs = []
    for prop in shapes.objects(METHOD_SHAPE, SH.property):
        order = shapes.value(prop, SH.order)
        path = shapes.value(prop, SH.path)
        if order is None or path is None:
            continue  # a constraint, not a row
        display = shapes.value(prop, SG.display)
        name = str(display).rsplit("#", 1)[-1] if display is not None else "LabelList"
        if name not in DISPLAYS:
            raise InputError(f"{prop}: unknown sg:display {display}; use one of {DISPLAYS}")
        names = {(n.language or ""): str(n) for n in shapes.objects(prop, SH.name)}
        group = shapes.value(prop, SH.group)
        specs.append(
            RowSpec(
                id=str(prop),
                order=float(order.toPython()),
                path=to_sparql(shapes, path),
                display=name,
                names=names,
                group=str(group) if group is not None else None,
            )
        )
    return sorted(specs, key=lambda s: (s.order, s.id))
