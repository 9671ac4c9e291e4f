"""Validate data against the ScholarGate shapes, with the project's severity policy.

The shapes (``shapes/*.ttl``) mark well-formedness as ``sh:Violation`` and completeness
that imported data cannot always meet as ``sh:Warning``. A result *blocks* when it is a
violation, or a warning whose focus node comes from a strict (curated) graph. A report
conforms when nothing blocks. Messages come from the shapes' ``sh:message`` language tags.

Two engines give the same results (tests/test_shapes.py runs every example through both):

- ``compiled`` (the default): every constraint of the shapes becomes one SPARQL query over
  *all* its focus nodes, evaluated by Oxigraph — or by any :class:`~scholargate.store.Store`
  in place. It knows the SHACL Core and SHACL-SPARQL features the shapes use and refuses
  others (:class:`UnsupportedShapeError`), in which case ``auto`` falls back to pySHACL.
- ``pyshacl``: the reference implementation, node by node. It is fine for a write's delta
  but takes minutes on the whole graph (each focus node costs ~50 shape evaluations and a
  re-parsed SPARQL query per SPARQL constraint).

Inference is off in both.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from typing import Literal as Lit

import pyoxigraph as ox
import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from ..errors import InputError, ScholarGateError
from ..namespaces import GRAPH, bind_prefixes, sparql_prefixes
from ..store.oxigraph import to_oxigraph, to_rdflib
from .shacl_path import to_sparql

__all__ = [
    "Engine",
    "UnsupportedShapeError",
    "ValidationReport",
    "ValidationResult",
    "validate",
    "validate_store",
]

Engine = Lit["auto", "compiled", "pyshacl"]

#: Graphs of a store that describe the data rather than being data.
NON_DATA_GRAPHS = frozenset({GRAPH.ontology, GRAPH.shapes, GRAPH.metadata})

_SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}

# The few words of the text report that are not messages from the shapes.
_TEXT = {
    "en": {
        "conforms": "Conforms",
        "fails": "Does not conform",
        "results": "results",
        "blocking": "blocking",
        "not_blocking": "not blocking",
        "value": "value",
        "shape": "shape",
    },
    "fa": {
        "conforms": "معتبر است",
        "fails": "معتبر نیست",
        "results": "نتیجه",
        "blocking": "مانع",
        "not_blocking": "غیرمانع",
        "value": "مقدار",
        "shape": "شکل",
    },
    "tr": {
        "conforms": "Uygun",
        "fails": "Uygun değil",
        "results": "sonuç",
        "blocking": "engelleyici",
        "not_blocking": "engelleyici değil",
        "value": "değer",
        "shape": "şekil",
    },
}


class UnsupportedShapeError(ScholarGateError):
    """The compiled engine does not know a feature the shapes use."""


class _GraphSource(Protocol):
    """What :func:`validate_store` needs from a store."""

    def graph_names(self) -> list[URIRef]: ...

    def graph(self, name: URIRef) -> Graph: ...

    def select(self, sparql: str) -> list[dict[str, Node]]: ...


# ---- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``, with the message in the asked language."""

    focus_node: Node
    path: Node | None
    value: Node | None
    source_shape: Node
    severity: URIRef
    message: str
    blocking: bool
    #: sh:sourceConstraint (a SPARQL constraint), else sh:sourceConstraintComponent
    constraint: Node | None = None
    #: every message of the result as (language, text)
    messages: tuple[tuple[str, str], ...] = ()
    #: the path written as a SPARQL property path, with the project's prefixes
    path_text: str = ""

    def message_in(self, lang: str) -> str:
        """The message in ``lang``, falling back to English, then to any language."""
        return _pick(self.messages, lang) or self.message

    @property
    def severity_name(self) -> str:
        return _SEVERITY_NAMES.get(self.severity, str(self.severity))


@dataclass
class ValidationReport:
    """The outcome of a validation: ``conforms``, the results, and the SHACL report graph.

    Unpacks like ``pyshacl.validate``: ``conforms, graph, text = report``. ``conforms``
    follows the project's policy (nothing blocks); the graph's ``sh:conforms`` follows
    SHACL (no result at all).
    """

    conforms: bool
    results: list[ValidationResult]
    #: the SHACL report graph; built on first access when ``graph_factory`` is given
    graph: Graph = field(default=None, repr=False)  # type: ignore[assignment]
    lang: str = "en"
    #: which engine produced the results: "compiled" or "pyshacl"
    engine: str = "compiled"
    seconds: float = field(default=0.0, compare=False)
    graph_factory: Callable[[], Graph] | None = field(default=None, repr=False, compare=False)

    def __getattribute__(self, name: str) -> Any:
        if name == "graph" and object.__getattribute__(self, "__dict__").get("graph") is None:
            factory = object.__getattribute__(self, "graph_factory")
            object.__setattr__(self, "graph", factory() if factory is not None else Graph())
        return object.__getattribute__(self, name)

    def __iter__(self) -> Iterator[Any]:
        yield self.conforms
        yield self.graph
        yield self.text(self.lang)

    @property
    def blocking(self) -> list[ValidationResult]:
        return [r for r in self.results if r.blocking]

    def text(self, lang: str | None = None, *, every: bool = True) -> str:
        """A readable report, one result per line, in ``lang`` (default: the asked language).

        With ``every=False`` the results that do not block are counted per shape instead
        of listed one by one (the imported graphs carry thousands of such warnings).
        """
        lang = lang or self.lang
        if not every:
            return self._summary(lang)
        words = _TEXT.get(lang, _TEXT["en"])
        nblock = len(self.blocking)
        head = words["conforms"] if self.conforms else words["fails"]
        lines = [
            f"{head} ({len(self.results)} {words['results']}: "
            f"{nblock} {words['blocking']}, {len(self.results) - nblock} {words['not_blocking']})"
        ]
        for r in sorted(self.results, key=_result_sort_key):
            flag = words["blocking"] if r.blocking else words["not_blocking"]
            where = _n3(r.focus_node) + (f" {r.path_text}" if r.path_text else "")
            value = f" {words['value']}={_n3(r.value)}" if r.value is not None else ""
            lines.append(
                f"[{r.severity_name}, {flag}] {where}{value}: {r.message_in(lang)} "
                f"({words['shape']} {_n3(r.source_shape)})"
            )
        return "\n".join(lines)

    def _summary(self, lang: str) -> str:
        full = self.text(lang).split("\n")
        head, lines = full[0], full[1:]
        blocking = [
            line
            for line, r in zip(lines, sorted(self.results, key=_result_sort_key), strict=True)
            if r.blocking
        ]
        counts: dict[tuple[str, str], int] = {}
        for r in self.results:
            if not r.blocking:
                key = (_n3(r.source_shape), r.message_in(lang))
                counts[key] = counts.get(key, 0) + 1
        rest = [
            f"  {n} × {msg} ({shape})"
            for (shape, msg), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
        return "\n".join([head, *blocking, *rest])

    def to_json(self) -> dict[str, Any]:
        """Plain data for a JSON response."""
        return {
            "conforms": self.conforms,
            "lang": self.lang,
            "blocking": len(self.blocking),
            "results": [
                {
                    "focusNode": _json_term(r.focus_node),
                    "path": r.path_text or None,
                    "value": _json_term(r.value),
                    "sourceShape": _json_term(r.source_shape),
                    "constraint": _json_term(r.constraint),
                    "severity": r.severity_name,
                    "blocking": r.blocking,
                    "message": r.message,
                    "messages": dict(r.messages),
                }
                for r in sorted(self.results, key=_result_sort_key)
            ],
        }


# ---- entry points ----------------------------------------------------------------------


def validate(
    data: Graph,
    *,
    shapes: Graph,
    ontology: Graph | None = None,
    strict_nodes: frozenset[Node] = frozenset(),
    lang: str = "en",
    engine: Engine = "auto",
) -> ValidationReport:
    """Validate ``data`` against ``shapes``; warnings on ``strict_nodes`` block.

    ``ontology`` triples are added to the data (the class hierarchy for ``sh:class``),
    never inferred from. ``data`` is not modified.
    """
    if engine != "pyshacl":
        try:
            queries = _Compiler(shapes).compile()
        except UnsupportedShapeError:
            if engine == "compiled":
                raise
        else:
            store = ox.Store()
            store.bulk_extend(_quads(data))
            if ontology is not None:
                store.bulk_extend(_quads(ontology))
            return _run_compiled(queries, _oxigraph_runner(store), shapes, strict_nodes, lang)
    work = data
    if ontology is not None:
        work = Graph()
        work += data
        work += ontology
    return _run_pyshacl(work, shapes, strict_nodes, lang)


def validate_store(
    store: _GraphSource, *, lang: str = "en", engine: Engine = "auto"
) -> ValidationReport:
    """Validate the data graphs of a store (everything but ontology, shapes and metadata).

    Graphs whose metadata says ``sg:validationPolicy sg:Strict`` are strict: a warning on
    any subject of such a graph blocks. The compiled engine queries the store in place,
    with the data graphs and the ontology as its default graph.
    """
    rows = store.select(
        sparql_prefixes() + "SELECT DISTINCT ?g WHERE { ?g sg:validationPolicy sg:Strict }"
    )
    strict_graphs = sorted({row["g"] for row in rows if "g" in row})
    names = [n for n in store.graph_names() if n not in NON_DATA_GRAPHS]
    strict: set[Node] = set()
    for name in strict_graphs:
        if name in names:
            answer = store.select(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
            strict.update(row["s"] for row in answer)
    shapes = store.graph(GRAPH.shapes)
    default = [*names, GRAPH.ontology]
    if engine != "pyshacl":
        try:
            queries = _Compiler(shapes).compile()
        except UnsupportedShapeError:
            if engine == "compiled":
                raise
        else:
            runner = _store_runner(store, [str(n) for n in default])
            return _run_compiled(queries, runner, shapes, frozenset(strict), lang)
    work = Graph()
    for name in default:
        work += store.graph(name)
    return _run_pyshacl(work, shapes, frozenset(strict), lang)


def validate_files(
    store: _GraphSource, paths: Sequence[Path], *, lang: str = "en", engine: Engine = "auto"
) -> ValidationReport:
    """Validate new Turtle files as curated (strict) data, in the context of the graph
    they refer to: the store's data graphs and ontology. A file that does not parse is
    an error naming its path, line and column; nothing is written anywhere.

    (An edit of a file the store is built from needs no FILES: the store is rebuilt
    from the files before a plain ``validate``.)
    """
    from ..formats import for_path
    from ..store.oxigraph import OxigraphStore

    scratch = OxigraphStore()
    for number, path in enumerate(paths):
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise InputError(f"{path}: cannot read: {error.strerror}") from None
        scratch.load(data, for_path(str(path)), graph=GRAPH[f"file-{number}"], source=str(path))
    added = Graph()
    for name in scratch.graph_names():
        added += scratch.graph(name)
    strict = frozenset(added.subjects())
    work = Graph()
    for name in store.graph_names():
        if name not in NON_DATA_GRAPHS or name == GRAPH.ontology:
            work += store.graph(name)
    work += added
    return validate(
        work, shapes=store.graph(GRAPH.shapes), strict_nodes=strict, lang=lang, engine=engine
    )


# ---- the compiled engine --------------------------------------------------------------

Rows = list[dict[str, Node]]
Runner = Callable[[str], Rows]

_MAX_NESTING = 32  # sh:node / sh:or nesting the compiler follows before refusing


@dataclass(frozen=True)
class _Query:
    """One SPARQL query that finds every violation of one constraint."""

    sparql: str
    shape: Node
    component: URIRef
    severity: URIRef
    messages: tuple[Literal, ...]
    path: Node | None = None
    #: the SPARQL constraint (sh:sparql) this query comes from
    constraint: Node | None = None


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

# Parameters the compiler understands; anything else in a shape makes it refuse.
_KNOWN = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    SH.path,
    SH.property,
    SH.sparql,
    SH.message,
    SH.severity,
    SH.deactivated,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.minCount,
    SH.maxCount,
    SH.minLength,
    SH.maxLength,
    SH.pattern,
    SH.flags,
    SH["in"],
    SH.languageIn,
    SH.hasValue,
    SH.uniqueLang,
    SH.disjoint,
    SH.node,
    SH["or"],
    SH["and"],
    SH["not"],
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    *_TARGETS,
}
_ANNOTATION_NAMESPACES = ("https://w3id.org/scholargate/ontology#",)

_NODE_KIND = {
    SH.IRI: "isIRI({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNode: "isBlank({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})",
    SH.BlankNodeOrLiteral: "!isIRI({v})",
    SH.IRIOrLiteral: "!isBlank({v})",
}

_VALUE_COMPONENTS = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
}


class _Compiler:
    """Turns a shapes graph into :class:`_Query` objects, one per constraint.

    Focus nodes come from the shape's targets (``rdf:type/rdfs:subClassOf*`` for classes).
    A value constraint becomes ``FILTER (!condition(?value))`` over ``?this path ?value``;
    cardinalities become ``GROUP BY ?this HAVING``; ``sh:node``, ``sh:or``, ``sh:not`` and
    qualified value shapes become conditions built from ``EXISTS``; a SPARQL constraint gets
    the focus-node pattern put first in its ``WHERE`` block, which is what pre-binding
    ``$this`` means for the queries SHACL allows.
    """

    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
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
            if p in _KNOWN or str(p).startswith(_ANNOTATION_NAMESPACES):
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
        return "{ SELECT DISTINCT ?this WHERE { " + " UNION ".join(parts) + " } }"

    # -- conditions: a SPARQL expression true when the node in `v` conforms --

    def value_condition(self, p: URIRef, o: Node, shape: Node, v: str) -> str:
        """The condition one value-type parameter puts on a value node ``v``."""
        g = self.g
        if p == SH["class"]:
            return f"EXISTS {{ {v} a/{RDFS.subClassOf.n3()}* {self.term(o)} }}"
        if p == SH.datatype:
            return f"(isLiteral({v}) && DATATYPE({v}) = {self.term(o)})"
        if p == SH.nodeKind:
            if o not in _NODE_KIND:
                raise UnsupportedShapeError(f"sh:nodeKind {o}")
            return _NODE_KIND[o].format(v=v)
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
        if self._depth >= _MAX_NESTING:
            raise UnsupportedShapeError(f"shapes nested deeper than {_MAX_NESTING} (recursive?)")
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
                if p in _VALUE_COMPONENTS:
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
            elif p in _VALUE_COMPONENTS:
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

    def compile(self) -> list[_Query]:
        """Every query, each starting with the declared prefixes."""
        head = self.prefixes()
        return [
            _Query(
                head + q.sparql, q.shape, q.component, q.severity, q.messages, q.path, q.constraint
            )
            for q in self._compile()
        ]

    def _compile(self) -> list[_Query]:
        g = self.g
        queries: list[_Query] = []
        shapes = {s for t in _TARGETS for s in g.subjects(t, None)}
        shapes |= {s for s in g.subjects(RDF.type, SH.NodeShape) if (s, RDF.type, RDFS.Class) in g}
        for shape in sorted(shapes, key=str):
            if self.deactivated(shape):
                continue
            self.check_parameters(shape)
            focus = self.focus(shape)
            if focus is None:
                continue
            if g.value(shape, SH.path) is not None:
                queries += self.property_queries(shape, shape, focus)
                continue
            queries += self.node_queries(shape, focus)
            for prop in g.objects(shape, SH.property):
                if self.deactivated(prop):
                    continue
                self.check_parameters(prop)
                queries += self.property_queries(prop, shape, focus)
        return queries

    def node_queries(self, shape: Node, focus: str) -> list[_Query]:
        g = self.g
        out: list[_Query] = []
        severity = self.severity(shape)
        messages = self.messages(shape)
        for p, o in g.predicate_objects(shape):
            if p in _VALUE_COMPONENTS:
                cond = self.value_condition(p, o, shape, "?this")
                sparql = (
                    f"SELECT DISTINCT ?this (?this AS ?value) "
                    f"WHERE {{ {focus} FILTER (!({cond})) }}"
                )
                out.append(_Query(sparql, shape, _VALUE_COMPONENTS[p], severity, messages))
            elif p == SH.hasValue:
                sparql = (
                    f"SELECT DISTINCT ?this (?this AS ?value) WHERE {{ {focus} "
                    f"FILTER (!sameTerm(?this, {self.term(o)})) }}"
                )
                out.append(
                    _Query(sparql, shape, SH.HasValueConstraintComponent, severity, messages)
                )
        for constraint in g.objects(shape, SH.sparql):
            if self.deactivated(constraint):
                continue
            self.check_parameters_sparql(constraint)
            select = self.select_of(constraint).replace("$this", "?this")
            where = _where_start(select)
            sparql = select[:where] + f" {focus} " + select[where:]
            own = self.messages(constraint) or messages
            out.append(
                _Query(sparql, shape, SH.SPARQLConstraintComponent, severity, own, None, constraint)
            )
        return out

    def check_parameters_sparql(self, constraint: Node) -> None:
        allowed = {RDF.type, SH.select, SH.message, SH.prefixes, SH.deactivated, RDFS.comment}
        for p in self.g.predicates(constraint, None):
            if p not in allowed:
                raise UnsupportedShapeError(f"{constraint} uses {p}")

    def property_queries(self, prop: Node, owner: Node, focus: str) -> list[_Query]:
        g = self.g
        path_node = g.value(prop, SH.path)
        path = self.path(path_node)
        severity = self.severity(prop)
        messages = self.messages(prop)
        out: list[_Query] = []

        def add(sparql: str, component: URIRef) -> None:
            out.append(_Query(sparql, prop, component, severity, messages, path_node))

        for p, o in g.predicate_objects(prop):
            if p in _VALUE_COMPONENTS:
                cond = self.value_condition(p, o, prop, "?value")
                add(
                    f"SELECT DISTINCT ?this ?value WHERE {{ {focus} ?this {path} ?value "
                    f"FILTER (!({cond})) }}",
                    _VALUE_COMPONENTS[p],
                )
            elif p == SH.minCount and int(o) > 0:
                add(
                    f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value }} }} "
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
                        f"SELECT ?this WHERE {{ {focus} OPTIONAL {{ ?this {path} ?value "
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


def _oxigraph_runner(store: ox.Store) -> Runner:
    def run(sparql: str) -> Rows:
        return _oxigraph_rows(store.query(sparql))

    return run


def _store_runner(store: Any, default_graphs: Sequence[str]) -> Runner:
    native = getattr(store, "native", None)
    if isinstance(native, ox.Store):

        def run_native(sparql: str) -> Rows:
            answer = native.query(sparql, default_graph=[ox.NamedNode(g) for g in default_graphs])
            return _oxigraph_rows(answer)

        return run_native

    def run(sparql: str) -> Rows:
        return store.query(sparql, default_graphs=list(default_graphs)).rows

    return run


def _oxigraph_rows(answer: Any) -> Rows:
    names = [v.value for v in answer.variables]
    rows: Rows = []
    for solution in answer:
        row: dict[str, Node] = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = to_rdflib(term)
        rows.append(row)
    return rows


def _run_compiled(
    queries: list[_Query],
    run: Runner,
    shapes: Graph,
    strict_nodes: frozenset[Node],
    lang: str,
) -> ValidationReport:
    started = time.perf_counter()
    found: list[tuple[_Query, Node, Node | None, Node | None]] = []
    seen: set[tuple] = set()
    for query in queries:
        for row in run(query.sparql):
            focus = row.get("this")
            if focus is None:
                continue
            value = row.get("value")
            path = query.path if query.constraint is None else row.get("path")
            key = (focus, value, query.shape, query.component, query.constraint, row.get("lang"))
            if key not in seen:
                seen.add(key)
                found.append((query, focus, value, path))
    path_texts: dict[Node, str] = {}
    results = []
    for query, focus, value, path in found:
        if query.constraint is not None:
            bindings = {"this": focus, "value": value, "path": path}
            messages = tuple((m.language or "", _fill(str(m), bindings)) for m in query.messages)
        else:
            messages = tuple((m.language or "", str(m)) for m in query.messages)
        if path is not None and path not in path_texts:
            path_texts[path] = _path_text(shapes if isinstance(path, BNode) else _NS_GRAPH, path)
        blocking = query.severity == SH.Violation or (
            query.severity == SH.Warning and focus in strict_nodes
        )
        results.append(
            ValidationResult(
                focus_node=focus,
                path=path,
                value=value,
                source_shape=query.shape,
                severity=query.severity,
                message=_pick(messages, lang),
                blocking=blocking,
                constraint=query.constraint or query.component,
                messages=messages,
                path_text=path_texts.get(path, "") if path is not None else "",
            )
        )
    found_for_graph = list(zip(found, results, strict=True))
    return ValidationReport(
        conforms=not any(r.blocking for r in results),
        results=results,
        lang=lang,
        engine="compiled",
        seconds=time.perf_counter() - started,
        graph_factory=lambda: _report_graph(found_for_graph, shapes),
    )


def _report_graph(
    found: list[tuple[tuple[_Query, Node, Node | None, Node | None], ValidationResult]],
    shapes: Graph,
) -> Graph:
    """The SHACL validation report of the compiled engine, as pySHACL would write it."""
    report = Graph()
    bind_prefixes(report)
    root = BNode()
    report.add((root, RDF.type, SH.ValidationReport))
    report.add((root, SH.conforms, Literal(not found)))
    for (query, focus, value, path), result in found:
        node = BNode()
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.focusNode, focus))
        report.add((node, SH.sourceShape, query.shape))
        report.add((node, SH.sourceConstraintComponent, query.component))
        report.add((node, SH.resultSeverity, query.severity))
        if query.constraint is not None:
            report.add((node, SH.sourceConstraint, query.constraint))
        if value is not None:
            report.add((node, SH.value, value))
        if path is not None:
            report.add((node, SH.resultPath, path))
            _copy_path(shapes, report, path)
        for language, text in result.messages:
            report.add((node, SH.resultMessage, Literal(text, lang=language or None)))
    return report


def _copy_path(shapes: Graph, report: Graph, path: Node) -> None:
    """Copy the blank nodes of a complex path into the report graph."""
    todo = [path]
    while todo:
        node = todo.pop()
        if not isinstance(node, BNode):
            continue
        for p, o in shapes.predicate_objects(node):
            if (node, p, o) not in report:
                report.add((node, p, o))
                todo.append(o)


# ---- pySHACL ---------------------------------------------------------------------------


def _run_pyshacl(
    data: Graph, shapes: Graph, strict_nodes: frozenset[Node], lang: str
) -> ValidationReport:
    started = time.perf_counter()
    _, report_graph, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=False,
        allow_warnings=False,
        inplace=True,
    )
    if not isinstance(report_graph, Graph):  # pySHACL returns its failure instead of a graph
        raise RuntimeError(f"the shapes could not be applied: {report_graph}")
    nodes = list(report_graph.objects(None, SH.result))  # top level only, not sh:detail
    _restore_sparql_messages(report_graph, shapes, nodes)
    return _report(report_graph, nodes, strict_nodes, lang, "pyshacl", started)


def _restore_sparql_messages(report: Graph, shapes: Graph, nodes: list[Node]) -> None:
    """Give SPARQL-constraint results their messages back with language tags.

    pySHACL fills ``{$this}``/``{?value}`` into the messages of a SPARQL constraint but
    returns them untagged; this rewrites them from the tagged ``sh:message`` values.
    """
    for node in nodes:
        constraint = report.value(node, SH.sourceConstraint)
        if constraint is None:
            continue
        tagged = [m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal)]
        if not tagged:
            continue
        bindings = {
            "this": report.value(node, SH.focusNode),
            "value": report.value(node, SH.value),
            "path": report.value(node, SH.resultPath),
        }
        report.remove((node, SH.resultMessage, None))
        for message in tagged:
            text = _fill(str(message), bindings)
            report.add((node, SH.resultMessage, Literal(text, lang=message.language)))


# ---- shared internals ------------------------------------------------------------------


def _report(
    report_graph: Graph,
    nodes: list[Node],
    strict_nodes: frozenset[Node],
    lang: str,
    engine: str,
    started: float,
) -> ValidationReport:
    bind_prefixes(report_graph)
    results = [_result(report_graph, node, strict_nodes, lang) for node in nodes]
    return ValidationReport(
        conforms=not any(r.blocking for r in results),
        results=results,
        graph=report_graph,
        lang=lang,
        engine=engine,
        seconds=time.perf_counter() - started,
    )


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def _fill(template: str, bindings: dict[str, Node | None]) -> str:
    """Replace ``{$this}``, ``{?value}``, ``{?path}`` with readable terms."""

    def one(match: re.Match[str]) -> str:
        term = bindings.get(match.group(1))
        if term is None:
            return match.group(0)
        return str(term) if isinstance(term, Literal) else _n3(term)

    return _PLACEHOLDER.sub(one, template)


def _result(
    report: Graph, node: Node, strict_nodes: frozenset[Node], lang: str
) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    severity = report.value(node, SH.resultSeverity)
    if not isinstance(severity, URIRef):
        severity = SH.Violation
    path = report.value(node, SH.resultPath)
    messages = tuple(
        (m.language or "", str(m))
        for m in sorted(
            report.objects(node, SH.resultMessage), key=lambda m: (m.language or "", str(m))
        )
        if isinstance(m, Literal)
    )
    blocking = severity == SH.Violation or (severity == SH.Warning and focus in strict_nodes)
    return ValidationResult(
        focus_node=focus,
        path=path,
        value=report.value(node, SH.value),
        source_shape=report.value(node, SH.sourceShape),
        severity=severity,
        message=_pick(messages, lang),
        blocking=blocking,
        constraint=report.value(node, SH.sourceConstraint)
        or report.value(node, SH.sourceConstraintComponent),
        messages=messages,
        path_text=_path_text(report, path) if path is not None else "",
    )


def _pick(messages: tuple[tuple[str, str], ...], lang: str) -> str:
    """The message in ``lang``, else English, else the first one, else ''."""
    by_lang: dict[str, str] = {}
    for tag, text in messages:
        by_lang.setdefault(tag.lower(), text)
        by_lang.setdefault(tag.lower().split("-")[0], text)
    for wanted in (lang.lower(), "en"):
        if wanted in by_lang:
            return by_lang[wanted]
    return messages[0][1] if messages else ""


def _path_text(g: Graph, path: Node) -> str:
    """A SHACL property path as SPARQL property-path syntax, with prefixes."""
    try:
        return to_sparql(g, path, iri=lambda iri: _n3(iri, g))
    except InputError:
        return _n3(path, g)


def _n3(term: Node | None, g: Graph | None = None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return term.n3((g or _NS_GRAPH).namespace_manager)
    return term.n3()


def _json_term(term: Node | None) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        out: dict[str, str] = {"value": str(term)}
        if term.language:
            out["language"] = term.language
        elif term.datatype:
            out["datatype"] = str(term.datatype)
        return out
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _result_sort_key(r: ValidationResult) -> tuple[int, str, str, str, str]:
    order = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}
    rank = (0 if r.blocking else 10) + order.get(r.severity, 3)
    return rank, str(r.focus_node), r.path_text, str(r.source_shape), str(r.value)


def _quads(g: Graph) -> Iterator[ox.Quad]:
    for s, p, o in g:
        yield ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))


_NS_GRAPH = Graph()
bind_prefixes(_NS_GRAPH)
