"""Comparison views, generated from the shapes.

The rows are the property shapes of ``sgsh:MethodShape`` that have ``sh:order``: their
``sh:path`` says what to fetch, ``sh:name`` what to call the row in each language, and
``sg:display`` how to show and compare the values. :func:`compare` writes one SPARQL
query for the whole table, runs it, and returns a :class:`Comparison`: one column per
method, one row per property shape, each row flagged when its values differ in meaning.
"""

from __future__ import annotations

import difflib
import functools
import re
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal
from rdflib.namespace import DCTERMS, FOAF, RDFS, SH, SKOS
from rdflib.term import Node

from ..errors import InputError, NotFoundError
from ..namespaces import BIBO, METHOD, SCHEMA, SG, SHAPE, SHAPES_GRAPH, SKOSXL, sparql_prefixes
from ..store import Store
from ..store.tsv import Cells, from_tsv
from ..terms import iri as iri_term
from ..terms import is_slug
from .authors import author_list
from .labels import pick
from .search.folding import fold
from .shacl_path import to_sparql

MAX_METHODS = 20  # columns of one comparison
MAX_NAME = 200  # characters of one name (slug, IRI or label) a request may give
METHOD_SHAPE = SHAPE["MethodShape"]


# ---- what the service returns ---------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """One value in a cell, ready to show: text in a language, maybe a link."""

    text: str
    lang: str | None = None
    iri: str | None = None  # the value itself, when it is a resource
    href: str | None = None  # an outside link (DOI, arXiv, web page)
    link_label: str | None = None  # "DOI", "arXiv" or "link"


@dataclass
class Cell:
    values: list[Value]
    key: frozenset  # what "differs" compares: meanings, not strings


@dataclass
class Row:
    id: str  # the property shape's IRI
    label: str
    label_lang: str
    path: str  # the SPARQL property path
    display: str  # local name of the sg:display value
    order: float
    group: str | None
    cells: list[Cell]
    differs: bool


@dataclass
class Column:
    iri: str
    slug: str
    label: str
    label_lang: str


@dataclass
class Comparison:
    lang: str
    columns: list[Column]
    rows: list[Row]
    sparql: str
    shapes_version: str

    @property
    def differing(self) -> list[Row]:
        return [row for row in self.rows if row.differs]


# ---- rows from the shapes ------------------------------------------------------------


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


_DISPLAYS = {"LabelList", "Count", "Citation", "Year", "PersonList", "Text", "AliasList"}


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
        if name not in _DISPLAYS:
            raise InputError(f"{prop}: unknown sg:display {display}; use one of {_DISPLAYS}")
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


# ---- the one query -------------------------------------------------------------------

# What is fetched about each resource a row shows (a field, a person, a work, an alias),
# and the name it is kept under: one scan of the resource's triples, not one lookup each.
_DETAILS = {
    str(SKOS.prefLabel): "label",
    str(RDFS.label): "label",
    str(FOAF.givenName): "given",
    str(FOAF.familyName): "family",
    str(FOAF.name): "name",
    str(DCTERMS.title): "title",
    str(DCTERMS.issued): "year",
    str(SG.venue): "venue",
    str(BIBO.doi): "doi",
    str(SG.arxivId): "arxiv",
    str(SCHEMA.url): "url",
    str(SKOSXL.literalForm): "form",
}
_IRI = re.compile(r"<[^<>\s]*>")


def _from_scan(row: RowSpec) -> bool:
    """Whether the row's values come with the scan of each method's triples: its path
    is one property and its display shows the values (a Count row has its own branch)."""
    return row.display != "Count" and _IRI.fullmatch(row.path) is not None


def build_query(rows: list[RowSpec], methods: list[str]) -> str:
    """One SELECT that fetches every row's values, and what is needed to show them.

    On an on-disk store each lookup costs tens of microseconds, so the query makes few:
    one scan of each method's triples gives the values of every row whose path is one
    property (and the column names), one scan of each value gives its labels, names or
    citation details. Every part starts from the VALUES of the methods, so the engine
    joins from a few methods outwards, and returns the column number ``?c`` instead of
    the method's IRI (an IRI costs a dictionary read in every solution).
    """
    values = (
        "VALUES (?m ?c) { " + " ".join(f"({iri_term(m)} {i})" for i, m in enumerate(methods)) + " }"
    )
    return _query_template(tuple(rows)).replace(_METHODS, values)


_METHODS = "VALUES ?methods {}"  # where the methods go in a query template


@functools.lru_cache(maxsize=16)
def _query_template(rows: tuple[RowSpec, ...]) -> str:
    """The comparison query for ``rows``, with ``_METHODS`` where the methods go.

    Its solutions come in three shapes, which ``_assemble`` tells apart by what is bound:
    ``?part`` bound: a node of a citation's author list ("author") or another work an
    originator wrote first ("first-author"), for row ``?row``; else ``?row`` bound: a
    value of row ``?row`` (a row with a longer path, or a count); else a triple of the
    scan, ``?m ?p ?v``, which is a value of every row whose path is ``?p``. In the last
    two, ``?q ?x`` is one detail of the value (a label, a name, a DOI…), when it has one.
    """
    values = _METHODS
    details = "OPTIONAL { ?v ?q ?x FILTER(?q IN (" + ", ".join(f"<{d}>" for d in _DETAILS) + ")) }"
    scanned = [f"<{SKOS.prefLabel}>"]  # the column names
    if any(row.display == "AliasList" for row in rows):
        scanned.append(f"<{SKOSXL.altLabel}>")  # alias resources, for the curated order
    branches = []
    cited = next((r.path for r in rows if r.display == "Citation"), None)
    for i, row in enumerate(rows):
        if _from_scan(row):
            scanned.append(row.path)
        elif row.display == "Count":
            branches.append(
                f"{{ SELECT ?c (COUNT(DISTINCT ?x) AS ?v) ({i} AS ?row) "
                f"WHERE {{ {values} OPTIONAL {{ ?m {row.path} ?x }} }} GROUP BY ?c }}"
            )
        else:
            branches.append(f"{{ {values} ?m {row.path} ?v . {details} BIND({i} AS ?row) }}")
        if row.display == "PersonList":
            # Originators are grouped ("X et al.") by the foundational works they wrote
            # together, whose author lists come with the citations. An originator who
            # wrote none of them is grouped by works they wrote first with other
            # originators: only those are looked up, in a subquery so that the engine
            # filters before it walks author lists (walking them for every originator
            # doubled the query's time at 100,000 methods).
            unfounded = (
                f"MINUS {{ {values} ?m {cited} ?fw . ?fw dcterms:creator ?v }}" if cited else ""
            )
            branches.append(
                f"{{ {{ SELECT ?c ?v WHERE {{ {values} ?m {row.path} ?v {unfounded} }} }} "
                "?v ^rdf:first/^bibo:authorList ?w . ?w dcterms:creator ?co . "
                "OPTIONAL { ?w dcterms:issued ?year } "
                f'BIND({i} AS ?row) BIND("first-author" AS ?part) }}'
            )
        elif row.display == "Citation":
            branches.append(  # each author list, node by node, with the authors' names
                f"{{ {values} ?m {row.path} ?v . ?v bibo:authorList/rdf:rest* ?node . "
                "?node rdf:first ?co ; rdf:rest ?next . "
                "OPTIONAL { ?co foaf:givenName ?given } OPTIONAL { ?co foaf:familyName ?family } "
                f'OPTIONAL {{ ?co foaf:name ?name }} BIND({i} AS ?row) BIND("author" AS ?part) }}'
            )
    properties = ", ".join(dict.fromkeys(scanned))
    branches.insert(0, f"{{ {values} ?m ?p ?v FILTER(?p IN ({properties})) {details} }}")
    union = "\n  UNION ".join(branches)
    return (
        sparql_prefixes() + "# ?c is the column: the method's place in the VALUES list\n"
        "SELECT ?c ?row ?part ?p ?v ?q ?x ?given ?family ?name ?year ?w ?co ?node ?next\n"
        f"WHERE {{\n  {union}\n}}"
    )


# ---- resolving what the user named ---------------------------------------------------


def _fold(text: str) -> str:
    """The same matching key search uses: script variants, ZWNJ, Turkish i, case."""
    return fold(text)


class _MethodIndex:
    """Slugs and labels of every method, for resolving names and suggesting near ones."""

    def __init__(self, store: Store) -> None:
        rows = store.select(
            sparql_prefixes() + "SELECT ?m ?l WHERE { ?m a sg:Method "
            "OPTIONAL { ?m skos:prefLabel|skos:altLabel ?l } }"
        )
        self.by_key: dict[str, str] = {}
        self.slugs: dict[str, str] = {}
        for r in rows:
            iri = str(r["m"])
            if not iri.startswith(str(METHOD)):
                continue
            slug = iri[len(str(METHOD)) :]
            self.slugs[slug] = iri
            self.by_key.setdefault(_fold(slug), iri)
            if "l" in r:
                self.by_key.setdefault(_fold(str(r["l"])), iri)

    def resolve(self, name: str) -> str | None:
        """The IRI (as the graph has it) of the method a slug, IRI or name denotes."""
        name = name.strip()
        if name.startswith(str(METHOD)):
            slug = name[len(str(METHOD)) :]
            return self.slugs.get(slug) if is_slug(slug) else None
        if is_slug(name) and name in self.slugs:
            return self.slugs[name]
        return self.by_key.get(_fold(name))

    def suggest(self, name: str, n: int = 5) -> list[str]:
        folded = _fold(name)
        close = difflib.get_close_matches(folded, list(self.by_key), n=n * 3, cutoff=0.6)
        slugs: list[str] = []
        for key in close:
            slug = self.by_key[key][len(str(METHOD)) :]
            if slug not in slugs:
                slugs.append(slug)
        return slugs[:n]


def distinct_names(names: list[str]) -> list[str]:
    """The names in ``names`` (each may hold several, comma-separated), stripped, each
    once, in the order given; a 400 past ``MAX_METHODS`` names or ``MAX_NAME`` characters."""
    wanted: dict[str, None] = {}
    for item in names:
        for part in item.split(","):
            name = part.strip()
            if not name or name in wanted:
                continue
            if len(name) > MAX_NAME:
                raise InputError(
                    f"a method name of {len(name)} characters; a name, slug or IRI may have "
                    f"at most {MAX_NAME}",
                    limit=MAX_NAME,
                )
            wanted[name] = None
            if len(wanted) > MAX_METHODS:
                raise InputError(
                    f"more than {MAX_METHODS} methods named; a comparison shows at most "
                    f"{MAX_METHODS}",
                    limit=MAX_METHODS,
                )
    return list(wanted)


# ---- the comparer --------------------------------------------------------------------


class Comparer:
    """Compares methods on one store; caches the rows and the method index until the
    shapes or the data change (``refresh``)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._rows: list[RowSpec] | None = None
        self._index: _MethodIndex | None = None
        self._version: str | None = None

    def refresh(self) -> None:
        self._rows = self._index = self._version = None

    @property
    def rows(self) -> list[RowSpec]:
        if self._rows is None:
            self._rows = read_rows(self.store)
        return self._rows

    @property
    def index(self) -> _MethodIndex:
        if self._index is None:
            self._index = _MethodIndex(self.store)
        return self._index

    @property
    def shapes_version(self) -> str:
        if self._version is None:
            found = self.store.select(
                sparql_prefixes()
                + "SELECT ?v WHERE { GRAPH sgg:metadata { ?d sg:shapesVersion ?v } }"
            )
            self._version = str(found[0]["v"]) if found else ""
        return self._version

    def resolve(self, names: list[str]) -> list[str]:
        """IRIs for slugs, IRIs or names, in the order given, each once.

        Each item may hold several names separated by commas. At most ``MAX_METHODS``
        different names of at most ``MAX_NAME`` characters (400 beyond); the work is
        linear in the length of what was given.
        """
        wanted = distinct_names(names)
        if not wanted:
            raise InputError("name at least one method to compare, e.g. ?m=lora,bert-fine-tuning")
        iris: dict[str, None] = {}
        for name in wanted:
            iri = self.index.resolve(name)
            if iri is None:
                hints = self.index.suggest(name)
                hint = f"; did you mean: {', '.join(hints)}?" if hints else ""
                raise NotFoundError(
                    f"no method {name!r} in the graph{hint}", method=name, suggestions=hints
                )
            iris.setdefault(iri)
        return list(iris)

    def compare(self, methods: list[str], lang: str = "en") -> Comparison:
        iris = self.resolve(methods)
        rows = self.rows
        sparql = build_query(rows, iris)
        answer = self.store.select_cells(sparql)
        return _assemble(rows, iris, answer, lang, sparql, self.shapes_version)


_COMPARERS: weakref.WeakKeyDictionary[Store, Comparer] = weakref.WeakKeyDictionary()


def comparer_for(store: Store) -> Comparer:
    """The comparer of ``store`` (one per store, made on first use)."""
    comparer = _COMPARERS.get(store)
    if comparer is None:
        comparer = _COMPARERS[store] = Comparer(store)
    return comparer


def compare(store: Store, methods: list[str], lang: str = "en") -> Comparison:
    """Compare ``methods`` (slugs, IRIs or names) with labels in ``lang``."""
    return comparer_for(store).compare(methods, lang)


# ---- turning solutions into a table --------------------------------------------------


def initials(given: str) -> str:
    """``"E. J."`` for ``"Edward J."``, ``"M.-W."`` for ``"Ming-Wei"``."""
    parts = []
    for word in given.split():
        pieces = [p for p in word.split("-") if p]
        parts.append("-".join(p[0] + "." for p in pieces))
    return " ".join(parts)


@functools.lru_cache(maxsize=4096)  # the same authors come back in comparison after comparison
def person_short(given: str | None, family: str | None, name: str | None) -> str:
    """``"Vaswani, A."`` — family name and initials."""
    if family:
        return f"{family}, {initials(given)}" if given else family
    if name:
        words = name.split()
        if len(words) > 1:
            return f"{words[-1]}, {initials(' '.join(words[:-1]))}"
        return name
    return ""


def normalise_doi(doi: str) -> str:
    doi = doi.strip().lower()
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi)


def _natural(text: str) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text)]


def _year(term: Node | None) -> int | None:
    if term is None:
        return None
    match = re.match(r"-?\d+", str(term))
    return int(match.group(0)) if match else None


@dataclass
class _Found:
    """What the query found for one row of one method."""

    # each value, with what the scan found about it under _DETAILS' names, in order found
    values: dict[Node, dict[str, list[Node]]] = field(default_factory=dict)
    authors: list[dict[str, Node]] = field(default_factory=list)  # author-list nodes
    first_author: list[dict[str, Node]] = field(default_factory=list)  # other works

    @functools.cached_property
    def author_lists(self) -> dict[str, list[tuple[str, str]]]:
        return _author_lists(self.authors)


@dataclass
class _Method:
    """What the cells of one method's column share."""

    names: list[Literal] = field(default_factory=list)  # its skos:prefLabel
    alias_nodes: dict[Literal, str] = field(default_factory=dict)  # alias text -> resource
    # its foundational works' years and author IRIs: originators who wrote one of them
    # together show as "X et al."
    founding: list[tuple[int, list[str]]] = field(default_factory=list)


# the details and the two properties read apart, as TSV cells
_CELL_DETAILS = {f"<{iri}>": name for iri, name in _DETAILS.items()}
_PREF_LABEL, _ALT_LABEL_XL = f"<{SKOS.prefLabel}>", f"<{SKOSXL.altLabel}>"


def _assemble(
    specs: list[RowSpec],
    methods: list[str],
    answer: Cells,
    lang: str,
    sparql: str,
    shapes_version: str,
) -> Comparison:
    rows_of: dict[str, list[int]] = defaultdict(list)  # a scanned property -> its rows
    for i, spec in enumerate(specs):
        if _from_scan(spec):
            rows_of[spec.path].append(i)
    found: dict[tuple[int, int], _Found] = defaultdict(_Found)  # (row, column) -> values
    columns = [_Method() for _ in methods]
    at = answer.variables
    c_at, row_at, part_at, p_at, v_at, q_at, x_at = (
        at[name] for name in ("c", "row", "part", "p", "v", "q", "x")
    )
    for cells in answer.rows:  # the three shapes of solution: see _query_template
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
                nodes[x] = min(nodes.get(x, str(value)), str(value), key=_natural)  # type: ignore[index, call-overload]
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
                cited = found.get((i, c), _Found())
                years = {str(v): _work_year(d) or 0 for v, d in cited.values.items()}
                for work, authors in cited.author_lists.items():
                    column.founding.append((years.get(work, 0), [iri for iri, _ in authors]))
    rows = []
    for i, spec in enumerate(specs):
        build = _CELL_BUILDERS[spec.display]
        row_cells = [
            build(found.get((i, c), _Found()), lang, column) for c, column in enumerate(columns)
        ]
        keys = {cell.key for cell in row_cells}
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
                differs=len(keys) > 1,
            )
        )
    return Comparison(lang, _columns(methods, columns, lang), rows, sparql, shapes_version)


def _columns(methods: list[str], found: list[_Method], lang: str) -> list[Column]:
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


def _work_year(details: dict[str, list[Node]]) -> int | None:
    """A work's year: the earliest, should it have two."""
    years = [y for y in map(_year, details.get("year", ())) if y is not None]
    return min(years) if years else None


def _first(details: dict[str, list[Node]], name: str) -> Node | None:
    found = details.get(name)
    return found[0] if found else None


def _label_list(found: _Found, lang: str, method: _Method) -> Cell:
    values = []
    for v, details in found.values.items():
        if isinstance(v, Literal):
            values.append(Value(str(v), v.language))
            continue
        label = pick([x for x in details.get("label", ()) if isinstance(x, Literal)], lang)
        text = str(label) if label is not None else str(v).rsplit("/", 1)[-1]
        values.append(Value(text, label.language if label is not None else None, iri=str(v)))
    values.sort(key=lambda x: x.text.casefold())
    return Cell(values, frozenset(str(v) for v in found.values))


def _year_cell(found: _Found, lang: str, method: _Method) -> Cell:
    years = sorted({y for y in (_year(v) for v in found.values) if y is not None})
    return Cell([Value(str(y)) for y in years], frozenset(years))


def _count_cell(found: _Found, lang: str, method: _Method) -> Cell:
    n = int(next(iter(found.values))) if found.values else 0
    return Cell([Value(str(n))], frozenset([n]))


def _text_cell(found: _Found, lang: str, method: _Method) -> Cell:
    texts = [v for v in found.values if isinstance(v, Literal)]
    chosen = pick(texts, lang)
    values = [Value(str(chosen), chosen.language)] if chosen is not None else []
    return Cell(values, frozenset((str(t), t.language) for t in texts))


def _alias_cell(found: _Found, lang: str, method: _Method) -> Cell:
    entries: dict[tuple[str, str | None], str] = {}
    for v in found.values:
        if not isinstance(v, Literal):
            continue
        key = (str(v), v.language)
        node = method.alias_nodes.get(v, "~")
        entries[key] = min(entries.get(key, node), node, key=_natural)

    def order(item: tuple[tuple[str, str | None], str]) -> tuple:
        (text, alias_lang), node = item
        # the page's language first, then other languages, English last; then as curated
        return (alias_lang != lang, alias_lang == "en", alias_lang or "", _natural(node), text)

    values = [
        Value(text, alias_lang) for (text, alias_lang), _ in sorted(entries.items(), key=order)
    ]
    return Cell(values, frozenset(entries))


def _person_cell(found: _Found, lang: str, method: _Method) -> Cell:
    people: dict[str, str] = {}
    for v, details in found.values.items():
        people[str(v)] = person_short(
            _str(_first(details, "given")),
            _str(_first(details, "family")),
            _str(_first(details, "name")),
        )
    # works whose authors are all originators: "First et al.", foundational ones first
    works: list[tuple[bool, int, list[str]]] = [(False, y, a) for y, a in method.founding]
    others: dict[str, tuple[str, set[str], int]] = {}
    for s in found.first_author:
        first, authors, year = others.setdefault(str(s["w"]), (str(s["v"]), set(), 0))
        authors.add(str(s["co"]))
        others[str(s["w"])] = (first, authors, _year(s.get("year")) or year)
    for first, authors, year in others.values():
        works.append((True, year, [first, *sorted(authors - {first})]))
    groups: list[str] = []
    covered: set[str] = set()
    candidates = [w for w in works if len(set(w[2])) > 1 and set(w[2]) <= set(people)]
    candidates.sort(key=lambda w: (w[0], -len(set(w[2])), w[1]))
    for _, _, authors in candidates:
        first, together = authors[0], set(authors)
        if first in covered or not (together - covered):
            continue
        # a row cell is shorter than a citation: two names, else the first "et al."
        groups.append(author_list([people[a] for a in dict.fromkeys(authors)], most=2))
        covered |= together
    rest = sorted((p for p in people if p not in covered), key=lambda p: people[p].casefold())
    values = [Value(text) for text in groups] + [Value(people[p], iri=p) for p in rest]
    return Cell(values, frozenset(people))


def _citation_cell(found: _Found, lang: str, method: _Method) -> Cell:
    authors = found.author_lists
    values, keys = [], set()
    for v, details in found.values.items():
        doi = _str(_first(details, "doi"))
        arxiv = _str(_first(details, "arxiv"))
        url = _str(_first(details, "url"))
        by = author_list([name for _, name in authors.get(str(v), [])])
        year = _work_year(details)
        title = _str(pick(details.get("title", []), lang)) or str(v)  # type: ignore[arg-type]
        venue = _str(_first(details, "venue"))
        text = " ".join(
            part
            for part in (
                f"{by}" if by else "",
                f"({year})." if year else "",
                title.rstrip(".") + ".",
                f"{venue}." if venue else "",
            )
            if part
        )
        if doi:
            href, link = f"https://doi.org/{normalise_doi(doi)}", "DOI"
        elif arxiv:
            href, link = f"https://arxiv.org/abs/{arxiv}", "link"
        elif url:
            href, link = url, "link"
        else:
            href = link = None
        values.append(Value(text, iri=str(v), href=href, link_label=link))
        keys.add(("doi", normalise_doi(doi)) if doi else ("arxiv", arxiv) if arxiv else str(v))
    values.sort(key=lambda x: x.text)
    return Cell(values, frozenset(keys))


def _author_lists(solutions: list[dict[str, Node]]) -> dict[str, list[tuple[str, str]]]:
    """Each work's authors in list order, as (IRI, "Family, I."), from the solutions
    that give every node of its author list with the node after it."""
    nodes: dict[str, dict[str, tuple[str, str, str]]] = defaultdict(dict)
    for s in solutions:
        nodes[str(s["v"])][str(s["node"])] = (
            str(s.get("next", "")),
            str(s["co"]),
            person_short(_str(s.get("given")), _str(s.get("family")), _str(s.get("name"))),
        )
    return {work: _walk(found) for work, found in nodes.items()}


def _walk(nodes: dict[str, tuple[str, str, str]]) -> list[tuple[str, str]]:
    """Walk an RDF list from its head, given each node's (next, item, name)."""
    pointed = {nxt for nxt, _, _ in nodes.values()}
    heads = [n for n in nodes if n not in pointed]
    node = heads[0] if heads else next(iter(nodes))
    items, seen = [], set()
    while node in nodes and node not in seen:
        seen.add(node)
        nxt, item, name = nodes[node]
        items.append((item, name))
        node = nxt
    return items


def _str(term: Node | None) -> str | None:
    return str(term) if term is not None else None


_CELL_BUILDERS = {
    "LabelList": _label_list,
    "Year": _year_cell,
    "Count": _count_cell,
    "Text": _text_cell,
    "AliasList": _alias_cell,
    "PersonList": _person_cell,
    "Citation": _citation_cell,
}
