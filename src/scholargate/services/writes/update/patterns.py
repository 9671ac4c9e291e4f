"""DELETE/INSERT … WHERE and DELETE WHERE: the WHERE evaluated by the store, the
templates instantiated once per solution (SPARQL 1.1 Update §3.1.3).

The WHERE clause is the text the user wrote, cut out of the request and asked as
``SELECT DISTINCT <the templates' variables> WHERE { … }`` with the request's prologue
(``reading.py`` builds it), so the store's own engine evaluates exactly that pattern,
over the dataset WITH or USING name. Solutions are taken as a set: a triple held by two
graphs is one triple of the union, not two solutions. When the INSERT template has
blank nodes, every variable is kept (``SELECT DISTINCT *``) and each solution gets its
own fresh nodes.

A template triple without GRAPH is deleted from every graph that holds it (or from the
WITH graph), and inserted into the insert graph (or the WITH graph). Blank nodes from
the store are checked here, since the delta's :func:`~..delta.effective` cannot write
them into a query: a quad with one is removed only when its graph holds it, and added
only when its graph lacks it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import BNode, URIRef
from rdflib.term import Node

from ....errors import InputError, LimitExceededError, ParseError
from ....store import AnswerRequest, Quad, Store, rows_from_tsv
from ..delta import Delta, effective
from .lookups import holders
from .operation import MAX_QUADS, Budget, Operation, Pattern, Triple, instantiate

NO_GRAPH = "urn:x-scholargate:no-graph"
"""A graph no one writes: what an empty part of a USING dataset is made of."""

_POSITION = re.compile(r"^(?:[^:\s]*:)?\d+:\d+: ")


@dataclass(frozen=True)
class WhereQuery:
    """The SELECT that evaluates a WHERE clause, and where the clause sits in the
    request (to move the store's syntax error positions back into it)."""

    text: str
    header: int  # length of the one-line header before the WHERE group
    line: int  # line and column of the WHERE group's "{" in the request
    column: int

    def moved(self, error: ParseError) -> ParseError:
        """``error`` (from the store, in :attr:`text`) at its place in the request."""
        message = _POSITION.sub("", error.message)
        if error.line is None:
            return ParseError(message, line=self.line, column=self.column)
        if error.line == 1:
            column = self.column + max(0, (error.column or 1) - 1 - self.header)
            return ParseError(message, line=self.line, column=column)
        return ParseError(message, line=self.line + error.line - 1, column=error.column)


@dataclass(frozen=True, repr=False)
class Modify(Operation):
    """``DELETE { … } INSERT { … } WHERE { … }`` with its WITH and USING clauses, or
    ``DELETE WHERE { … }`` (the same quads deleted as matched)."""

    deletes: Sequence[Pattern]
    inserts: Sequence[Pattern]
    where: WhereQuery
    with_graph: URIRef | None = None
    using: Sequence[URIRef] | None = None  # None: no USING nor USING NAMED clause
    using_named: Sequence[URIRef] | None = None
    delete_where: bool = False
    #: seconds the WHERE may run; set (``update.bounded``) for a request, so the WHERE runs
    #: where it can be stopped: the store's ``answer`` (the embedded store's query
    #: processes, killed at the deadline; a server under its timeout)
    timeout: float | None = None

    @property
    def summary(self) -> str:
        if self.delete_where:
            return f"DELETE WHERE ({_patterns(len(self.deletes))})"
        parts = [f"WITH <{self.with_graph}> "] if self.with_graph is not None else []
        if self.deletes and self.inserts:
            parts.append(
                f"DELETE/INSERT … WHERE ({_patterns(len(self.deletes))} deleted, "
                f"{len(self.inserts)} inserted)"
            )
        elif self.deletes:
            parts.append(f"DELETE … WHERE ({_patterns(len(self.deletes))})")
        else:
            parts.append(f"INSERT … WHERE ({_patterns(len(self.inserts))})")
        return "".join(parts)

    def dataset(self) -> tuple[list[str] | None, list[str] | None]:
        """The WHERE's default and named graphs: USING and USING NAMED when there are
        any, else the WITH graph, else the union and every graph. A part left empty
        (USING without USING NAMED, or the reverse) is named by :data:`NO_GRAPH`, a
        graph that holds nothing: a store may read an empty list as "not given"."""
        if self.using is not None or self.using_named is not None:
            return (
                [str(g) for g in self.using or ()] or [NO_GRAPH],
                [str(g) for g in self.using_named or ()] or [NO_GRAPH],
            )
        if self.with_graph is not None:
            return [str(self.with_graph)], None
        return None, None

    def solutions(self, store: Store, budget: Budget) -> list[dict[str, Node]]:
        default_graphs, named_graphs = self.dataset()
        if self.timeout is not None:
            return self._bounded(store, budget, default_graphs, named_graphs, self.timeout)
        try:
            answer = store.query(
                self.where.text,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                max_rows=budget.max_quads + 1,
            )
        except ParseError as error:
            raise self.where.moved(error) from None
        except RuntimeError as error:  # the engine cannot evaluate it (an unknown function)
            raise InputError(
                f"the WHERE clause of {self.summary} cannot be evaluated: {error}",
                line=self.where.line,
                column=self.where.column,
            ) from None
        if answer.truncated:
            budget.check(budget.max_quads + 1)
        return answer.rows

    def _bounded(
        self,
        store: Store,
        budget: Budget,
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
        timeout: float,
    ) -> list[dict[str, Node]]:
        """The WHERE's solutions through ``store.answer``, stopped at ``timeout``."""
        request = AnswerRequest(
            sparql=self.where.text,
            fmt="tsv",
            default_graphs=tuple(default_graphs) if default_graphs is not None else None,
            named_graphs=tuple(named_graphs) if named_graphs is not None else None,
            union_default_graph=default_graphs is None,
            max_rows=budget.max_quads + 1,
            timeout=timeout,
        )
        try:
            answer = store.answer(request)
        except ParseError as error:
            raise self.where.moved(error) from None
        except LimitExceededError as error:
            if "limit_seconds" not in error.details:
                raise
            raise LimitExceededError(
                f"the WHERE clause of {self.summary} ran past {timeout:g} s and was stopped: "
                "narrow it (fewer unbound variables, a more selective pattern first)",
                limit_seconds=timeout,
            ) from None
        if answer.truncated:
            budget.check(budget.max_quads + 1)
        return rows_from_tsv(answer.body)[1]

    def delta(self, store: Store, *, insert_graph: URIRef, max_quads: int = MAX_QUADS) -> Delta:
        budget = Budget(max_quads, self.summary)
        everywhere: set[Triple] = set()  # deleted from every graph that holds them
        gone: set[Quad] = set()
        new: set[Quad] = set()
        minted: set[Node] = set()
        into = self.with_graph if self.with_graph is not None else insert_graph
        for row in self.solutions(store, budget):
            for pattern in self.deletes:
                made = instantiate(pattern, row, None)
                if made is None:
                    continue
                triple, graph = made
                graph = self.with_graph if graph is None else graph
                if graph is None:
                    everywhere.add(triple)
                else:
                    gone.add((*triple, graph))  # type: ignore[arg-type]
            fresh: dict[BNode, BNode] = {}
            for pattern in self.inserts:
                made = instantiate(pattern, row, fresh)
                if made is not None:
                    triple, graph = made
                    new.add((*triple, into if graph is None else graph))  # type: ignore[arg-type]
            minted.update(fresh.values())
            budget.check(len(everywhere) + len(gone) + len(new))
        return self._effective(store, budget, everywhere, gone, new, minted)

    @staticmethod
    def _effective(
        store: Store,
        budget: Budget,
        everywhere: set[Triple],
        gone: set[Quad],
        new: set[Quad],
        minted: set[Node],
    ) -> Delta:
        """The delta of these deletions and insertions against the store as it is."""

        def stored_blank(quad: Quad) -> bool:
            return any(isinstance(t, BNode) and t not in minted for t in (quad[0], quad[2]))

        blank_gone = {q for q in gone if stored_blank(q)}
        blank_new = {q for q in new if stored_blank(q)}
        held = holders(store, everywhere | {q[:3] for q in blank_gone | blank_new})
        for triple in everywhere:
            found = {(*triple, g) for g in held[triple]}
            gone.update(found)  # type: ignore[arg-type]
            blank_gone.update(q for q in found if stored_blank(q))  # type: ignore[misc]
        budget.check(len(gone) + len(new))
        there = {q for q in blank_gone | blank_new if q[3] in held[q[:3]]}
        # a quad with a stored blank node: removed when there and not inserted again,
        # added when not there; the rest is effective()'s to decide
        gone -= {q for q in blank_gone if q not in there or q in blank_new}
        new -= {q for q in blank_new if q in there}
        return effective(store, gone, new)


def _patterns(n: int) -> str:
    return f"{n} triple pattern" + ("" if n == 1 else "s")
