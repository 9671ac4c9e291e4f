"""An update request read into :class:`~.operation.Operation` objects, and checked,
before anything runs: :func:`parse_update`."""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping

from pyparsing import ParseBaseException
from rdflib import BNode, URIRef, Variable
from rdflib.plugins.sparql import algebra as rdflib_algebra
from rdflib.plugins.sparql.parser import Update1, parseUpdate
from rdflib.term import Node

from ....errors import ParseError, QueryRefusedError
from ....terms import iri, is_iri
from ...sparql.analysis import analyse
from ...sparql.checks import Limits, check_complexity
from ...sparql.tokens import spans
from .data import DeleteData, InsertData
from .graphs import DEFAULT, ClearGraph, CreateGraph, Transfer
from .operation import Operation, Pattern
from .patterns import Modify, WhereQuery
from .sections import Section, position, sections

MAX_OPERATIONS = 50
"""How many operations one request may hold, by default."""

_KEYWORDS = {  # rdflib's name of an operation -> the keywords it may start with
    "InsertData": {"INSERT"},
    "DeleteData": {"DELETE"},
    "DeleteWhere": {"DELETE"},
    "Modify": {"INSERT", "DELETE", "WITH"},
    "Load": {"LOAD"},
    "Clear": {"CLEAR"},
    "Drop": {"DROP"},
    "Create": {"CREATE"},
    "Add": {"ADD"},
    "Move": {"MOVE"},
    "Copy": {"COPY"},
}


def parse_update(
    text: str,
    *,
    base: str | None = None,
    prefixes: Mapping[str, str] | None = None,
    max_operations: int = MAX_OPERATIONS,
    limits: Limits | None = None,
) -> list[Operation]:
    """The operations of a SPARQL 1.1 Update request, in order, checked and not run.

    ``base`` resolves relative IRIs (none: a relative IRI is refused); ``prefixes`` are
    declared before the request's own. Raises ``ParseError`` (400, with the line and
    column of the failing operation or term) on bad syntax or a term where the grammar
    forbids it (a variable in DATA, a blank node in a DELETE), ``QueryRefusedError``
    (400) for LOAD, SERVICE, more than ``max_operations`` operations, and nesting or
    a WHERE clause past ``limits`` (the endpoint's ``MAX_NESTING``, ``MAX_CHAIN``).
    """
    limits = limits or Limits()
    analysis = analyse(text)
    if analysis.depth > limits.max_nesting:
        raise QueryRefusedError(
            f"the update is nested {analysis.depth} deep; the limit is {limits.max_nesting}",
            depth=analysis.depth,
            limit=limits.max_nesting,
        )
    cut = sections(text)
    if len(cut) > max_operations:
        raise QueryRefusedError(
            f"the update holds {len(cut)} operations; one request may hold at most "
            f"{max_operations}: send it as several requests",
            operations=len(cut),
            limit=max_operations,
        )
    algebra = _algebra(text, cut, base, prefixes)
    if len(algebra) != len(cut) or any(
        section.keyword not in _KEYWORDS.get(op.name, ())
        for op, section in zip(algebra, cut, strict=True)
    ):
        raise ParseError("the update's operations could not be told apart; check the ';'s")
    for op, section in zip(algebra, cut, strict=True):
        if op.name == "Load":
            raise QueryRefusedError(
                "LOAD is refused: the store never fetches a document; send the data in "
                "an INSERT DATA or through the Graph Store protocol",
                keyword="LOAD",
                **_at(text, section),
            )
    if analysis.services:
        raise QueryRefusedError("SERVICE is refused in an update: a write reads only this store")
    operations = [
        _operation(op, section, text, base, prefixes or {}, limits)
        for op, section in zip(algebra, cut, strict=True)
    ]
    _check_blank_labels(algebra, cut, text)
    return operations


def _algebra(
    text: str, cut: list[Section], base: str | None, prefixes: Mapping[str, str] | None
) -> list:
    try:
        return _translate(parseUpdate(text), base, dict(prefixes or {}))
    except ParseBaseException as error:
        raise _syntax_error(text, cut, error) from None
    except RecursionError:
        raise QueryRefusedError(
            "the update nests too deep for the update parser: flatten its brackets"
        ) from None
    except Exception as error:  # rdflib's own: an undeclared prefix, a bad IRI
        message = str(error)
        line = column = None
        if message.startswith("Unknown namespace prefix"):
            prefix = message.rsplit(":", 1)[-1].strip()
            line, column = _pname_position(text, prefix)
            message = f"undeclared prefix {prefix}: (declare it with PREFIX {prefix}: <…>)"
        raise ParseError(message, line=line, column=column) from None


def _translate(parsed, base: str | None, prefixes: dict[str, str]) -> list:
    """rdflib's ``translateUpdate``, except that the triples of a DATA block or a template
    are kept as written: rdflib sorts them into an evaluation order (``reorderTriples``,
    quadratic: a 3,000-triple INSERT DATA took 50 s in it), but here they are a set of
    quads, and rdflib never evaluates them."""
    operations = []
    prologue = None
    for head, op in zip(parsed.prologue or (), parsed.request or (), strict=False):
        prologue = rdflib_algebra.translatePrologue(head, base, prefixes, prologue)
        names = functools.partial(rdflib_algebra.translatePName, prologue=prologue)
        op = rdflib_algebra.traverse(op, visitPost=names)
        op = rdflib_algebra._traverse(op, rdflib_algebra._simplifyFilters)
        op = rdflib_algebra.traverse(op, visitPost=rdflib_algebra.translatePath)
        if op.name in ("InsertData", "DeleteData", "DeleteWhere"):
            op["triples"], op["quads"] = _quads(op.quads)
        elif op.name == "Modify":
            for clause in (op.delete, op.insert):
                if clause:
                    clause["triples"], clause["quads"] = _quads(clause.quads)
            op["where"] = rdflib_algebra.translateGroupGraphPattern(op.where)
        op.prologue = prologue
        operations.append(op)
    return operations


def _quads(block) -> tuple[list, dict]:
    """A parsed block's triples, and its GRAPH blocks' triples by graph, in order."""

    def triples(parts) -> list:
        terms = list(itertools.chain.from_iterable(parts))
        return [tuple(terms[i : i + 3]) for i in range(0, len(terms), 3)]

    quads: dict = defaultdict(list)
    for graph in block.quadsNotTriples or ():
        if graph.triples:
            quads[graph.term] += triples(graph.triples)
    return (triples(block.triples) if block.triples else []), quads


def _syntax_error(text: str, cut: list[Section], error: ParseBaseException) -> ParseError:
    """The request's syntax error where it is: rdflib's parser of the whole request
    stops at the start of the operation that fails, so that operation alone is parsed
    again, which stops nearer the fault."""
    loc, message = error.loc, error.msg
    failing = [s for s in cut if s.start <= loc < max(s.end, s.start + 1)]
    if failing:
        section = failing[-1]
        try:
            Update1.parse_string(text[section.start : section.end], parse_all=True)
        except ParseBaseException as inner:
            loc, message = section.start + inner.loc, inner.msg
        except RecursionError:
            pass
    near = text[loc : loc + 30].split("\n")[0]
    line, column = position(text, loc)
    return ParseError(
        f"SPARQL Update syntax error at {near!r}: {message}", line=line, column=column
    )


def _pname_position(text: str, prefix: str) -> tuple[int | None, int | None]:
    for kind, token, start in spans(text):
        if kind == "pname" and token.startswith(prefix + ":"):
            return position(text, start)
    return None, None


def _at(text: str, section: Section) -> dict[str, int]:
    line, column = position(text, section.start)
    return {"line": line, "column": column}


def _error(message: str, text: str, section: Section) -> ParseError:
    line, column = position(text, section.start)
    return ParseError(message, line=line, column=column)


def _operation(
    op, section: Section, text: str, base: str | None, prefixes: Mapping[str, str], limits: Limits
) -> Operation:
    name = op.name
    silent = bool(op.silent)
    if name in ("InsertData", "DeleteData"):
        quads = _patterns(op, text, section, data=True, blank=name == "InsertData")
        return InsertData(quads) if name == "InsertData" else DeleteData(quads)
    if name in ("Clear", "Drop"):
        target = op.graphiri
        return ClearGraph(name.upper(), _graph(target, text, section), silent)
    if name == "Create":
        return CreateGraph(_graph(op.graphiri, text, section), silent)  # type: ignore[arg-type]
    if name in ("Add", "Move", "Copy"):
        source, target = (_graph(g, text, section) for g in op.graph)
        return Transfer(name.upper(), source, target, silent)
    where = _where(text, section, base, prefixes, limits, op)
    if name == "DeleteWhere":
        deletes = _patterns(op, text, section, data=False, blank=False)
        return Modify(deletes, (), where, delete_where=True)
    deletes = _patterns(op.delete, text, section, data=False, blank=False) if op.delete else ()
    inserts = _patterns(op.insert, text, section, data=False, blank=True) if op.insert else ()
    using = [u["default"] for u in op.using or () if "default" in u]
    using_named = [u["named"] for u in op.using or () if "named" in u]
    for graph in (op.withClause, *using, *using_named):
        if graph is not None:
            _graph(graph, text, section)
    return Modify(
        deletes,
        inserts,
        where,
        with_graph=op.withClause,
        using=using if op.using else None,
        using_named=using_named if op.using else None,
    )


def _graph(ref: object, text: str, section: Section) -> URIRef | str:
    """A graph named by an operation: an absolute IRI, or DEFAULT, NAMED, ALL."""
    if isinstance(ref, URIRef):
        _check_iri(ref, text, section)
        return ref
    if ref in (DEFAULT, "NAMED", "ALL"):
        return str(ref)
    raise _error(f"not a graph: {ref!r}", text, section)


def _check_iri(node: URIRef, text: str, section: Section) -> None:
    if not is_iri(str(node)):
        raise _error(
            f"<{node}> is not an absolute IRI (a relative one needs a BASE)", text, section
        )


def _patterns(clause, text: str, section: Section, *, data: bool, blank: bool) -> list[Pattern]:
    """The triples of a DATA block or template with their graph (None: no GRAPH)."""
    found: list[Pattern] = [(s, p, o, None) for s, p, o in clause.triples or ()]
    for graph, triples in (clause.quads or {}).items():
        found.extend((s, p, o, graph) for s, p, o in triples)
    what = "DATA" if data else "a template"
    for pattern in found:
        for node in pattern:
            if isinstance(node, Variable) and data:
                raise _error(
                    f"a variable (?{node}) in {what}: DATA holds only terms", text, section
                )
            if isinstance(node, BNode) and not blank:
                raise _error(
                    "a blank node in a DELETE: it would match nothing; use a variable",
                    text,
                    section,
                )
            if isinstance(node, URIRef):
                _check_iri(node, text, section)
        if pattern[3] is not None and not isinstance(pattern[3], (URIRef, Variable)):
            raise _error(f"not a graph: {pattern[3]!r}", text, section)
    return found


def _where(
    text: str, section: Section, base: str | None, prefixes: Mapping[str, str], limits: Limits, op
) -> WhereQuery:
    """The SELECT that evaluates the operation's WHERE clause, cut from ``text``."""
    if section.where is None:
        raise _error("no WHERE group found in the operation", text, section)
    start, end = section.where
    patterns: list[Pattern] = []
    clauses = [op] if op.name == "DeleteWhere" else [c for c in (op.delete, op.insert) if c]
    for clause in clauses:
        patterns.extend(_patterns(clause, text, section, data=False, blank=True))
    names = sorted(_variables(patterns))
    if op.insert and any(isinstance(n, BNode) for q in _patterns_raw(op.insert) for n in q):
        projection, limit = "DISTINCT *", ""
    elif names:
        projection, limit = "DISTINCT " + " ".join(f"?{n}" for n in names), ""
    else:
        projection, limit = "*", " LIMIT 1"
    header = " ".join(
        [f"PREFIX {p}: {iri(ns)}" for p, ns in prefixes.items()]
        + ([f"BASE {iri(base)}"] if base else [])
        + ([section.prologue] if section.prologue else [])
        + [f"SELECT {projection} WHERE "]
    )
    query = header + text[start:end] + limit
    check_complexity(analyse(query), limits)
    line, column = position(text, start)
    return WhereQuery(query, len(header), line, column)


def _variables(patterns: Iterable[Pattern]) -> set[str]:
    return {str(n) for p in patterns for n in p if isinstance(n, Variable)}


def _check_blank_labels(algebra: list, cut: list[Section], text: str) -> None:
    """The same blank node label in two INSERT DATA operations of a request is refused,
    as the grammar says (in INSERT templates, each operation's are its own)."""
    seen: set[Node] = set()
    for op, section in zip(algebra, cut, strict=True):
        if op.name != "InsertData":
            continue
        mine = {n for s, _p, o, _g in _patterns_raw(op) for n in (s, o) if isinstance(n, BNode)}
        if mine & seen:
            raise _error(
                f"the blank node _:{sorted(mine & seen)[0]} is in two INSERT DATA "
                "operations: a label names one node in the whole request",
                text,
                section,
            )
        seen |= mine


def _patterns_raw(clause) -> Iterable[tuple[Node, Node, Node, Node | None]]:
    for s, p, o in clause.triples or ():
        yield s, p, o, None
    for graph, triples in (clause.quads or {}).items():
        for s, p, o in triples:
            yield s, p, o, graph
