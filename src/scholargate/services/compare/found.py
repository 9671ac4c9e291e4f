"""What the query found, sorted by row and column before it becomes cells:
``table.assemble`` fills these from the answer, ``cells.py`` reads them."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from rdflib import Literal
from rdflib.term import Node

from .names import author_lists


@dataclass
class Found:
    """What the query found for one row of one method."""

    # each value, with what the scan found about it under DETAILS' names, in order found
    values: dict[Node, dict[str, list[Node]]] = field(default_factory=dict)
    authors: list[dict[str, Node]] = field(default_factory=list)  # author-list nodes
    first_author: list[dict[str, Node]] = field(default_factory=list)  # other works

    @functools.cached_property
    def author_lists(self) -> dict[str, list[tuple[str, str]]]:
        return author_lists(self.authors)


@dataclass
class MethodFound:
    """What the cells of one method's column share."""

    names: list[Literal] = field(default_factory=list)  # its skos:prefLabel
    alias_nodes: dict[Literal, str] = field(default_factory=dict)  # alias text -> resource
    # its foundational works' years and author IRIs: originators who wrote one of them
    # together show as "X et al."
    founding: list[tuple[int, list[str]]] = field(default_factory=list)
