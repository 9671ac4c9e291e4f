"""Who may write where: the two roles and the graphs each may change.

A *writer* changes the curated graph, the contributed graph (where a write that names
no graph lands) and the saved comparisons; an *admin* changes any graph, the ontology,
the shapes and the imported graphs included, and may clear them all.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import URIRef

from ...errors import ForbiddenError
from ...namespaces import COMPARISONS_GRAPH, CONTRIBUTED_GRAPH, CURATED_GRAPH

ROLES = ("writer", "admin")

WRITER_GRAPHS = frozenset({CURATED_GRAPH, CONTRIBUTED_GRAPH, COMPARISONS_GRAPH})
"""The graphs a writer may change."""


def may_write(role: str, graph: URIRef) -> bool:
    """Whether ``role`` may change ``graph``."""
    return role == "admin" or (role == "writer" and graph in WRITER_GRAPHS)


def check_graphs(role: str, graphs: Iterable[URIRef]) -> None:
    """Refuse (403) a write by ``role`` that touches a graph the role may not change."""
    refused = sorted(str(g) for g in graphs if not may_write(role, g))
    if refused:
        allowed = ", ".join(f"<{g}>" for g in sorted(WRITER_GRAPHS))
        raise ForbiddenError(
            f"a {role} token may not change <{refused[0]}>"
            + (f" (nor {len(refused) - 1} more graphs)" if len(refused) > 1 else "")
            + f"; a writer changes {allowed}, an admin token any graph",
            graphs=refused,
        )
