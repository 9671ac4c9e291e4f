"""Who may write where: the two roles and the graphs each may change.

A *writer* changes the curated graph, the contributed graph (where a write that names
no graph lands), the graphs a Graph Store POST to ``/store`` creates under it
(``…/graph/contributed/<id>``) and the saved comparisons; an *admin* changes any graph,
the ontology, the shapes and the imported graphs included, and may clear them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import URIRef

from ...errors import ForbiddenError
from ...namespaces import (
    COMPARISONS_GRAPH,
    CONTRIBUTED_GRAPH,
    CONTRIBUTED_GRAPHS,
    CURATED_GRAPH,
)

ROLES = ("writer", "admin")

WRITER_GRAPHS = frozenset({CURATED_GRAPH, CONTRIBUTED_GRAPH, COMPARISONS_GRAPH})
"""The graphs a writer may change, besides those under :data:`CONTRIBUTED_GRAPHS`."""

# One path segment after …/graph/contributed/ (the minted ids are 32 hex digits): no
# "/", no ".." that would make a name look like another graph's.
_CONTRIBUTED_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,199}")


def is_contributed(graph: URIRef) -> bool:
    """Whether ``graph`` is one of the graphs under ``…/graph/contributed/``."""
    prefix = str(CONTRIBUTED_GRAPHS)
    name = str(graph)
    return name.startswith(prefix) and _CONTRIBUTED_ID.fullmatch(name[len(prefix) :]) is not None


def may_write(role: str, graph: URIRef) -> bool:
    """Whether ``role`` may change ``graph``."""
    return role == "admin" or (
        role == "writer" and (graph in WRITER_GRAPHS or is_contributed(graph))
    )


def check_graphs(role: str, graphs: Iterable[URIRef]) -> None:
    """Refuse (403) a write by ``role`` that touches a graph the role may not change."""
    refused = sorted(str(g) for g in graphs if not may_write(role, g))
    if refused:
        allowed = ", ".join(f"<{g}>" for g in sorted(WRITER_GRAPHS))
        allowed += f", the graphs under <{CONTRIBUTED_GRAPHS}>"
        raise ForbiddenError(
            f"a {role} token may not change <{refused[0]}>"
            + (f" (nor {len(refused) - 1} more graphs)" if len(refused) > 1 else "")
            + f"; a writer changes {allowed}, an admin token any graph",
            graphs=refused,
        )
