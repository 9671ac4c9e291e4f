"""The compiler of shapes into SPARQL: one query per constraint, finding every violation
of it over all its focus nodes at once.

Focus nodes come from the shape's targets (``rdf:type/rdfs:subClassOf*`` for classes).
A value constraint becomes ``FILTER (!condition(?value))`` over ``?this path ?value``;
cardinalities become ``GROUP BY ?this HAVING``; ``sh:node``, ``sh:or``, ``sh:not`` and
qualified value shapes become conditions built from ``EXISTS``; a SPARQL constraint gets
the focus-node pattern put first in its ``WHERE`` block, which is what pre-binding
``$this`` means for the queries SHACL allows. A shape that uses anything the compiler
does not know (:mod:`.features`) is refused with :class:`UnsupportedShapeError`.

Long on purpose: a little over 400 lines, because it is one class: the top-level
queries and the nested conditions (``sh:node``, ``sh:or``…) call each other, and SPARQL
constraints appear in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ...errors import InputError, ScholarGateError
from ..shacl_path import to_sparql
from .features import (
    ANNOTATION_NAMESPACES,
    KNOWN,
    MAX_NESTING,
    NODE_KIND,
    TARGETS,
    VALUE_COMPONENTS,
)


class UnsupportedShapeError(ScholarGateError):
    """The compiled engine does not know a feature the shapes use."""


FOCUS_NODES = "VALUES ?this { <urn:x-scholargate:focus-nodes> }"
"""What a focused compile (``Compiler(shapes, focused=True)``) puts in every focus
pattern, and first in the query's WHERE block and in each OPTIONAL that reads ``?this``:
:func:`~scholargate.services.validation.run.validate_nodes` replaces it with the nodes
a write touched. Oxigraph evaluates a sub-SELECT and an OPTIONAL's right side on their
own before joining them: in the focus pattern alone, the nodes would not bind ``?this``
for the rest, and every path from ``?this`` would be walked from every node."""


@dataclass(frozen=True)
class Query:
    """One SPARQL query that finds every violation of one constraint."""

    sparql: str
    shape: Node
    component: URIRef
    severity: URIRef
    messages: tuple[Literal, ...]
    path: Node | None = None
    #: the SPARQL constraint (sh:sparql) this query comes from
    constraint: Node | None = None
    #: a focused compile: the sub-SELECT of the shape's focus nodes among FOCUS_NODES
    #: (``validate_nodes`` asks it first, and skips the query when it finds none)
    focus: str | None = None


class Compiler:
    """Turns a shapes graph into :class:`Query` objects, one per constraint (the module
    docstring says how)."""

    def __init__(self, shapes: Graph, *, focused: bool = False) -> None:
        self.g = shapes
        self.focused = focused  # every focus pattern joined with FOCUS_NODES (a write's guard)
        self.bound = f"{FOCUS_NODES} " if focused else ""  # ?this bound to the nodes first
        self._fresh = 0
        self._depth = 0

    # -- helpers --

    def var(self) -> str:
        self._fresh += 1
        return f"?sg_v{self._fresh}"

    def term(self, node: Node) -> str:
        if isinstance(node, BNode):
            raise UnsupportedShapeError(f"a blank node as a constant: {node}")
        return node.n3()

    def items(self, node: Node) -> list[Node]:
        return list(Collection(self.g, node))

    def path(self, node: Node) -> str:
        try:
            return to_sparql(self.g, node, iri=URIRef.n3)
        except InputError:
            raise UnsupportedShapeError(f"a path the compiler does not know: {node}") from None

    def check_parameters(self, shape: Node) -> None:
        for p in self.g.predicates(shape, None):
            if p in KNOWN or str(p).startswith(ANNOTATION_NAMESPACES):
                continue
            raise UnsupportedShapeError(f"{shape} uses {p}")
        if (shape, SH.qualifiedValueShapesDisjoint, Literal(True)) in self.g:
            raise UnsupportedShapeError("sh:qualifiedValueShapesDisjoint")

    def severity(self, shape: Node) -> URIRef:
        severity = self.g.value(shape, SH.severity)
        return severity if isinstance(severity, URIRef) else SH.Violation

    def messages(self, node: Node) -> tuple[Literal, ...]:
        found = [m for m in self.g.objects(node, SH.message) if isinstance(m, Literal)]
        return tuple(sorted(found, key=lambda m: (m.language or "", str(m))))

    def deactivated(self, shape: Node) -> bool:
        return (shape, SH.deactivated, Literal(True)) in self.g

    # -- focus nodes --

    def focus(self, shape: Node) -> str | None:
        """A sub-SELECT binding ?this to every focus node of ``shape``, or None."""
        g = self.g
        parts = []
        for cls in g.objects(shape, SH.targetClass):
            parts.append(f"{{ ?this a/{RDFS.subClassOf.n3()}* {self.term(cls)} }}")
        if (shape, RDF.type, RDFS.Class) in g:
            parts.append(f"{{ ?this a/{RDFS.subClassOf.n3()}* {self.term(shape)} }}")
        nodes = list(g.objects(shape, SH.targetNode))
        if nodes:
            values = " ".join(self.term(n) for n in nodes)
            parts.append(f"{{ VALUES ?this {{ {values} }} }}")
        for p in g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{ ?this {self.term(p)} [] }}")
        for p in g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{{ [] {self.term(p)} ?this }}")
        if not parts:
            return None
        return "{ SELECT DISTINCT ?this WHERE { " + self.bound + " UNION ".join(parts) + " } }"

    # -- conditions: a SPARQL expression true when the node in `v` conforms --

    def value_condition(self, p: URIRef, o: Node, shape: Node, v: str) -> str:
        """The condition one value-type parameter puts on a value node ``v``."""
        g = self.g
        if p == SH["class"]:
            return f"EXISTS {{ {v} a/{RDFS.subClassOf.n3()}* {self.term(o)} }}"
        if p == SH.datatype:
            return f"(isLiteral({v}) && DATATYPE({v}) = {self.term(o)})"
        if p == SH.nodeKind:
            if o not in NODE_KIND:
                raise UnsupportedShapeError(f"sh:nodeKind {o}")
            return NODE_KIND[o].format(v=v)
        if p == SH.minLength:
            return f"(!isBlank({v}) && STRLEN(STR({v})) >= {int(o)})"
        if p == SH.maxLength:
            return f"(!isBlank({v}) && STRLEN(STR({v})) <= {int(o)})"
        if p == SH.pattern:
            flags = g.value(shape, SH.flags)
            extra = f", {Literal(str(flags)).n3()}" if flags is not None else ""
            return f"(!isBlank({v}) && REGEX(STR({v}), {Literal(str(o)).n3()}{extra}))"
        if p == SH["in"]:
            members = self.items(o)
            if not members:
                return "false"
            return "(" + " || ".join(f"sameTerm({v}, {self.term(m)})" for m in members) + ")"
        if p == SH.languageIn:
            tags = [str(t) for t in self.items(o)]
            if not tags:
                return "false"
            matches = " || ".join(f"langMatches(LANG({v}), {Literal(t).n3()})" for t in tags)
            return f"(isLiteral({v}) && ({matches}))"
        if p == SH.node:
            return self.conforms(o, v)
        if p == SH["or"]:
            return "(" + " || ".join(self.conforms(s, v) for s in self.items(o)) + ")"
        if p == SH["and"]:
            return "(" + " && ".join(self.conforms(s, v) for s in self.items(o)) + ")"
        if p == SH["not"]:
            return f"!({self.conforms(o, v)})"
        raise UnsupportedShapeError(f"{p} as a value constraint")

    def conforms(self, shape: Node, v: str) -> str:
        """A condition true when the node bound to ``v`` conforms to ``shape``."""
        if self._depth >= MAX_NESTING:
            raise UnsupportedShapeError(f"shapes nested deeper than {MAX_NESTING} (recursive?)")
        self._depth += 1
        try:
            return self._conforms(shape, v)
        finally:
            self._depth -= 1

    def _conforms(self, shape: Node, v: str) -> str:
        self.check_parameters(shape)
        g = self.g
        if self.deactivated(shape):
            return "true"
        conditions: list[str] = []
        path_node = g.value(shape, SH.path)
        if path_node is not None:
            conditions += self.property_conditions(shape, self.path(path_node), v)
        else:
            for p, o in g.predicate_objects(shape):
                if p in VALUE_COMPONENTS:
                    conditions.append(self.value_condition(p, o, shape, v))
                elif p == SH.hasValue:
                    conditions.append(f"sameTerm({v}, {self.term(o)})")
            for prop in g.objects(shape, SH.property):
                conditions.append(self.conforms(prop, v))
        for constraint in g.objects(shape, SH.sparql):
            if self.deactivated(constraint):
                continue
            body = _rename_variables(_where_body(self.select_of(constraint)), self._fresh_suffix())
            conditions.append(f"NOT EXISTS {{ {body.replace('$this', v)} }}")
        return "(" + " && ".join(conditions) + ")" if conditions else "true"

    def _fresh_suffix(self) -> str:
        self._fresh += 1
        return f"_sg{self._fresh}"

    def property_conditions(self, shape: Node, path: str, v: str) -> list[str]:
        """Conditions a property shape puts on a focus node ``v`` (nested use)."""
        g = self.g
        out: list[str] = []
        for p, o in g.predicate_objects(shape):
            x = self.var()
            if p == SH.minCount:
                n = int(o)
                if n > 1:
                    raise UnsupportedShapeError("sh:minCount > 1 inside sh:node/sh:or")
                if n == 1:
                    out.append(f"EXISTS {{ {v} {path} {x} }}")
            elif p == SH.maxCount:
                if int(o) != 0:
                    raise UnsupportedShapeError("sh:maxCount > 0 inside sh:node/sh:or")
                out.append(f"NOT EXISTS {{ {v} {path} {x} }}")
            elif p == SH.hasValue:
                out.append(f"EXISTS {{ {v} {path} {self.term(o)} }}")
            elif p in VALUE_COMPONENTS:
                cond = self.value_condition(p, o, shape, x)
                out.append(f"NOT EXISTS {{ {v} {path} {x} FILTER (!({cond})) }}")
            elif p in (SH.uniqueLang, SH.disjoint, SH.qualifiedValueShape, SH.property):
                raise UnsupportedShapeError(f"{p} inside sh:node/sh:or")
        return out

    def select_of(self, constraint: Node) -> str:
        select = self.g.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShapeError(f"SPARQL constraint {constraint} without sh:select")
        text = str(select)
        if "$PATH" in text:
            raise UnsupportedShapeError("$PATH in a SPARQL constraint")
        return text

    def prefixes(self) -> str:
        """PREFIX lines for every sh:declare of the shapes graph (one namespace a prefix)."""
        declared: dict[str, str] = {}
        for declaration in self.g.objects(None, SH.declare):
            prefix = str(self.g.value(declaration, SH.prefix))
            namespace = str(self.g.value(declaration, SH.namespace))
            if declared.setdefault(prefix, namespace) != namespace:
                raise UnsupportedShapeError(f"prefix {prefix}: declared twice")
        return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(declared.items()))

    # -- top-level queries --

    def compile(self) -> list[Query]:
        """Every query, each starting with the declared prefixes."""
        head = self.prefixes()
        return [replace(q, sparql=head + q.sparql) for q in self._compile()]

    def _compile(self) -> list[Query]:
        g = self.g
        queries: list[Query] = []
        shapes = {s for t in TARGETS for s in g.subjects(t, None)}
        shapes |= {s for s in g.subjects(RDF.type, SH.NodeShape) if (s, RDF.type, RDFS.Class) in g}
        for shape in sorted(shapes, key=str):
            if self.deactivated(shape):
                continue
            self.check_parameters(shape)
            select = self.focus(shape)
            if select is None:
                continue
            focus = self.bound + select
            found: list[Query] = []
            if g.value(shape, SH.path) is not None:
                found += self.property_queries(shape, shape, focus)
            else:
                found += self.node_queries(shape, focus)
                for prop in g.objects(shape, SH.property):
                    if self.deactivated(prop):
                        continue
                    self.check_parameters(prop)
                    found += self.property_queries(prop, shape, focus)
            if self.focused:
                found = [replace(q, focus=select) for q in found]
            queries += found
        return queries

    def node_queries(self, shape: Node, focus: str) -> list[Query]:
        g = self.g
        out: list[Query] = []
        severity = self.severity(shape)
        messages = self.messages(shape)
        for p, o in g.predicate_objects(shape):
            if p in VALUE_COMPONENTS:
                cond = self.value_condition(p, o, shape, "?this")
                sparql = (
                    f"SELECT DISTINCT ?this (?this AS ?value) "
                    f"WHERE {{ {focus} FILTER (!({cond})) }}"
                )
                out.append(Query(sparql, shape, VALUE_COMPONENTS[p], severity, messages))
            elif p == SH.hasValue:
                sparql = (
                    f"SELECT DISTINCT ?this (?this AS ?value) WHERE {{ {focus} "
                    f"FILTER (!sameTerm(?this, {self.term(o)})) }}"
                )
                out.append(Query(sparql, shape, SH.HasValueConstraintComponent, severity, messages))
        for constraint in g.objects(shape, SH.sparql):
            if self.deactivated(constraint):
                continue
            self.check_parameters_sparql(constraint)
            select = self.select_of(constraint).replace("$this", "?this")
            where = _where_start(select)
            sparql = select[:where] + f" {focus} " + select[where:]
            own = self.messages(constraint) or messages
            out.append(
                Query(sparql, shape, SH.SPARQLConstraintComponent, severity, own, None, constraint)
            )
        return out

    def check_parameters_sparql(self, constraint: Node) -> None:
        allowed = {RDF.type, SH.select, SH.message, SH.prefixes, SH.deactivated, RDFS.comment}
        for p in self.g.predicates(constraint, None):
            if p not in allowed:
                raise UnsupportedShapeError(f"{constraint} uses {p}")

    def property_queries(self, prop: Node, owner: Node, focus: str) -> list[Query]:
        g = self.g
        path_node = g.value(prop, SH.path)
        path = self.path(path_node)
        severity = self.severity(prop)
        messages = self.messages(prop)
        nodes = self.bound
        out: list[Query] = []

        def add(sparql: str, component: URIRef) -> None:
            out.append(Query(sparql, prop, component, severity, messages, path_node))

        for p, o in g.predicate_objects(prop):
            if p in VALUE_COMPONENTS:
                cond = self.value_condition(p, o, prop, "?value")
                add(
                    f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value "
                    f"FILTER (!({cond})) }}",
                    VALUE_COMPONENTS[p],
                )
            elif p == SH.minCount and int(o) > 0:
                add(
                    f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {nodes}?this {path} ?value }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {int(o)})",
                    SH.MinCountConstraintComponent,
                )
            elif p == SH.maxCount:
                add(
                    f"SELECT ?this WHERE {{ {focus} ?this {path} ?value }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {int(o)})",
                    SH.MaxCountConstraintComponent,
                )
            elif p == SH.hasValue:
                add(
                    f"SELECT ?this WHERE {{ {focus} "
                    f"FILTER NOT EXISTS {{ ?this {path} {self.term(o)} }} }}",
                    SH.HasValueConstraintComponent,
                )
            elif p == SH.uniqueLang and o.toPython() is True:
                add(
                    f"SELECT DISTINCT ?this ?lang WHERE {{ {focus} ?this {path} ?a . "
                    f"?this {path} ?b FILTER (!sameTerm(?a, ?b) && LANG(?a) != '' "
                    f"&& LCASE(LANG(?a)) = LCASE(LANG(?b))) BIND (LCASE(LANG(?a)) AS ?lang) }}",
                    SH.UniqueLangConstraintComponent,
                )
            elif p == SH.disjoint:
                add(
                    f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value . "
                    f"?this {self.term(o)} ?value }}",
                    SH.DisjointConstraintComponent,
                )
            elif p == SH.qualifiedValueShape:
                cond = self.conforms(o, "?value")
                having = []
                low = g.value(prop, SH.qualifiedMinCount)
                high = g.value(prop, SH.qualifiedMaxCount)
                for bound, op, component in (
                    (low, "<", SH.QualifiedMinCountConstraintComponent),
                    (high, ">", SH.QualifiedMaxCountConstraintComponent),
                ):
                    if bound is None:
                        continue
                    having.append((f"COUNT(DISTINCT ?value) {op} {int(bound)}", component))
                for clause, component in having:
                    add(
                        f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ {nodes}?this {path} ?value "
                        f"FILTER ({cond}) }} }} GROUP BY ?this HAVING ({clause})",
                        component,
                    )
            elif p in (SH.property, SH.sparql):
                raise UnsupportedShapeError(f"{p} on a property shape")
        return out


def _where_start(select: str) -> int:
    """The index just after the ``{`` that opens the WHERE block of a SELECT."""
    match = re.search(r"\bWHERE\s*\{", select, re.IGNORECASE)
    if match is None:
        match = re.search(r"\{", select)
    if match is None:
        raise UnsupportedShapeError("a SPARQL constraint without a WHERE block")
    return match.end()


def _where_body(select: str) -> str:
    """The inside of the WHERE block of a SELECT (up to its last closing brace)."""
    start = _where_start(select)
    end = select.rindex("}")
    return select[start:end]


_VARIABLE = re.compile(r"[?$](?!this\b)([A-Za-z_][A-Za-z0-9_]*)")


def _rename_variables(body: str, suffix: str) -> str:
    """Give every variable but $this a unique name, so a nested body cannot clash."""
    return _VARIABLE.sub(lambda m: f"?{m.group(1)}{suffix}", body)
