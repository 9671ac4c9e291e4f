"""The fields of a method's form, read from the SHACL shapes, as the comparison rows are.

A field is a property that ``sgsh:MethodShape`` gives a row (``sh:order``): its
``sh:name`` in each language is the field's label, and the constraints of every
property shape on the same path say how to ask for it: ``sh:datatype xsd:gYear`` a
year, ``rdf:langString`` a text with its language, ``sh:class`` or ``sh:node`` (a
concept of a scheme) a pick of a person, work, method, field, family or type;
``sh:maxCount 1`` one value, else repeatable; ``sh:minCount`` (a violation, or a warning,
which blocks in the curated graph a form writes) required. The preferred name comes
first: the shapes ask for one English ``skos:prefLabel`` (``sh:qualifiedMinCount``) and
give it no row, so its label is the property's name (``resources/property_names.py``).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import FOAF, RDF, SH, SKOS, XSD

from ...namespaces import SCHEME, SG, SHAPE, SHAPES_GRAPH
from ...store import Store
from ..compare.rows import METHOD_SHAPE
from ..labels import pick
from ..resources.property_names import PropertyNames

FABIO_WORK = URIRef("http://purl.org/spar/fabio/ScholarlyWork")

# what a pick offers: the kind (namespaces.RESOURCE_KINDS) of a sh:class …
CLASS_KINDS = {FOAF.Person: "person", FABIO_WORK: "work", SG.Method: "method"}
# … or of the scheme a sh:node shape says its values are in (sh:hasValue of skos:inScheme)
SCHEME_KINDS = {SCHEME["fields"]: "field", SCHEME["families"]: "family", SCHEME["types"]: "type"}

MAX_VALUES = 200  # values one field may take in one form
MAX_TEXT = 5000  # characters of one text value
MAX_FORM_FIELDS = 4000  # fields one form may post (MAX_PARAMS does not hold for it)


@dataclass(frozen=True)
class FieldSpec:
    """One field: ``key`` names its inputs (the path's local name)."""

    key: str
    path: URIRef
    order: float
    widget: str  # "year", "text" (language-tagged), "literal" (a language or none), "iri", "pick"
    names: dict[str, str] = field(hash=False, compare=False)
    kind: str | None = None  # for a pick: what it picks
    required: bool = False
    many: bool = True
    long: bool = False  # a paragraph, not a line
    #: what the shape requiring a value says when there is none, by language
    missing: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    #: for a required text: the language a value must have (the English preferred name)
    required_lang: str = ""

    def missing_message(self, lang: str) -> str:
        chosen = pick([Literal(v, lang=k or None) for k, v in self.missing.items()], lang)
        return str(chosen) if chosen is not None else ""

    def name(self, lang: str) -> str:
        chosen = pick([Literal(v, lang=k or None) for k, v in self.names.items()], lang)
        return str(chosen) if chosen is not None else self.key


SHAPES_OF = {"method": METHOD_SHAPE, "person": SHAPE["PersonShape"], "work": SHAPE["WorkShape"]}
"""The kinds with a form, and the node shape each form is made from."""


def method_fields(store: Store) -> list[FieldSpec]:
    """The form's fields for a method, in ``sh:order`` (the preferred name first)."""
    return form_fields(store, "method")


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def form_fields(store: Store, kind: str) -> list[FieldSpec]:
    """The form's fields for a ``kind`` of :data:`SHAPES_OF`. A shape with rows
    (``sh:order``: a method's) gives those, after the preferred name; one without gives
    every property shape on a single property, by name (a person's, a work's: a path
    such as a work's author list is edited through SPARQL, not here).

    Kept per store until a write changes it (its ``generation``): reading the shapes
    graph costs ~25 ms on the bundled graph."""
    generation, kept = _CACHE.get(store, (None, {}))
    if generation != store.generation:
        kept = {}
        _CACHE[store] = (store.generation, kept)
    if kind not in kept:
        shapes = store.graph(SHAPES_GRAPH)
        kept[kind] = _fields(shapes, SHAPES_OF[kind], PropertyNames(store).label)
    return list(kept[kind])


def _fields(shapes: Graph, shape: URIRef, label) -> tuple[FieldSpec, ...]:  # noqa: ANN001
    by_path: dict[URIRef, list] = {}
    for prop in shapes.objects(shape, SH.property):
        path = shapes.value(prop, SH.path)
        if isinstance(path, URIRef):
            by_path.setdefault(path, []).append(prop)
    rows = any(shapes.value(p, SH.order) is not None for ps in by_path.values() for p in ps)
    if not rows:
        specs = []
        for path, props in by_path.items():
            names = {code: label(str(path), code)[0] for code in ("en", "fa", "tr")}
            spec = _spec(shapes, path, props, 0.0, names)
            if spec.widget != "pick" or spec.kind:  # a list (authors) is no field
                specs.append(spec)
        return tuple(sorted(specs, key=lambda s: s.name("en").lower()))
    specs = [_pref_label(shapes, by_path.get(SKOS.prefLabel, []), label)]
    for path, props in by_path.items():
        ordered = [p for p in props if shapes.value(p, SH.order) is not None]
        if not ordered:
            continue
        row = ordered[0]
        names = {(n.language or ""): str(n) for n in shapes.objects(row, SH.name)}
        specs.append(_spec(shapes, path, props, float(shapes.value(row, SH.order)), names))
    return tuple(sorted(specs, key=lambda s: (s.order, s.key)))


def _values(shapes: Graph, props: list, predicate: URIRef) -> list:
    return [v for p in props for v in shapes.objects(p, predicate)]


def _spec(shapes: Graph, path: URIRef, props: list, order: float, names: dict) -> FieldSpec:
    datatypes = set(_values(shapes, props, SH.datatype))
    max_counts = [int(v) for v in _values(shapes, props, SH.maxCount)]
    requiring = [p for p in props if any(int(v) >= 1 for v in shapes.objects(p, SH.minCount))]
    kind = None
    node_kinds = set(_values(shapes, props, SH.nodeKind))
    classes = set(_values(shapes, props, SH["class"]))
    if XSD.gYear in datatypes:
        widget = "year"
    elif RDF.langString in datatypes:
        widget = "text"
    elif datatypes or SH.Literal in node_kinds:
        widget = "literal"  # a string, with a language or none
    elif SH.IRI in node_kinds and not classes and not _in_scheme(shapes, props):
        widget = "iri"  # a web address (a work's URL, a person's ORCID iD)
    else:
        widget = "pick"
        for cls in _values(shapes, props, SH["class"]):
            kind = kind or CLASS_KINDS.get(cls)
        for node in _values(shapes, props, SH.node):
            for constraint in shapes.objects(node, SH.property):
                kind = kind or SCHEME_KINDS.get(shapes.value(constraint, SH.hasValue))
    display = next((d for d in _values(shapes, props, SG.display)), None)
    return FieldSpec(
        key=_local(path),
        path=path,
        order=order,
        widget=widget,
        names=names,
        kind=kind,
        required=bool(requiring),
        many=not (max_counts and min(max_counts) <= 1),
        long=display == SG.Text,
        missing=_messages(shapes, requiring),
    )


def _in_scheme(shapes: Graph, props: list) -> bool:
    return any(
        shapes.value(c, SH.hasValue) in SCHEME_KINDS
        for node in _values(shapes, props, SH.node)
        for c in shapes.objects(node, SH.property)
    )


def _messages(shapes: Graph, props: list) -> dict[str, str]:
    return {(m.language or ""): str(m) for p in props[:1] for m in shapes.objects(p, SH.message)}


def _pref_label(shapes: Graph, props: list, label) -> FieldSpec:  # noqa: ANN001
    names = {code: label(str(SKOS.prefLabel), code)[0] for code in ("en", "fa", "tr")}
    requiring = [
        p for p in props if any(int(v) >= 1 for v in shapes.objects(p, SH.qualifiedMinCount))
    ]
    languages = [
        str(tag)
        for p in requiring
        for shape in shapes.objects(p, SH.qualifiedValueShape)
        for listed in shapes.objects(shape, SH.languageIn)
        for tag in Graph.items(shapes, listed)
    ]
    return FieldSpec(
        "prefLabel",
        SKOS.prefLabel,
        0.0,
        "text",
        names,
        required=bool(requiring),
        missing=_messages(shapes, requiring),
        required_lang=languages[0] if len(languages) == 1 else "",
    )


def _local(iri: URIRef) -> str:
    text = str(iri)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
