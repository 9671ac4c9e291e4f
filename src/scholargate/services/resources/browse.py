"""The ``/methods`` listing: methods narrowed by :class:`Filters` (field, family, type, a
year range), one page of them sorted by name or year, the count of methods per facet
value and the timeline (methods per year). :class:`MethodListing` runs it on one store."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Literal
from rdflib.namespace import SKOS, XSD

from ... import terms as checked
from ...errors import InputError, NotFoundError
from ...i18n import direction
from ...namespaces import BASE, SG, sparql_prefixes
from ...store import Store
from ..labels import pick
from ..store_ref import StoreRef
from .iris import local_of
from .page import year_of

PAGE_SIZE = 50

# facet name → (query parameter) → the property it filters on and the IRI prefix of values
FACETS = {"field": "field/", "family": "family/", "type": "type/"}
_FACET_PROPERTY = {"field": SG.field, "family": SG.family, "type": SG.methodType}
# a name written in the Arabic script (Persian), as a SPARQL test on ?own
_ARABIC_SCRIPT = 'REGEX(STR(?own), "^[\\u0600-\\u06FF]")'


# How /methods can be sorted: by name; by year, newest first; by usage (how many papers
# use a method, sg:usageCount), most used first.
SORTS = ("name", "year", "usage")


@dataclass(frozen=True)
class Filters:
    """What /methods is narrowed to: facet values as slugs, a year range, a sort."""

    field: tuple[str, ...] = ()
    family: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "name"

    def __post_init__(self) -> None:
        for name in FACETS:
            for slug in getattr(self, name):
                if not checked.is_slug(slug):
                    raise InputError(
                        f"{name}={checked.shown(slug)!r} is not a slug (lower-case letters, "
                        "digits and hyphens, such as deep-learning)",
                        reason="malformed-slug",
                    )
        if self.sort not in SORTS:
            raise InputError(f"sort={checked.shown(self.sort)!r}: sort by name, year or usage")
        if (
            self.year_from is not None
            and self.year_to is not None
            and self.year_from > self.year_to
        ):
            raise InputError(f"the year range {self.year_from}–{self.year_to} is empty")

    @property
    def active(self) -> bool:
        return bool(self.field or self.family or self.type or self.year_from or self.year_to)

    def where(self) -> str:
        """The graph pattern of the methods these filters keep (binds ?m)."""
        parts = [f"?m a {checked.iri(SG.Method)} ."]
        for name, prefix in FACETS.items():
            prop = checked.iri(_FACET_PROPERTY[name])
            for slug in getattr(self, name):
                parts.append(f"?m {prop} {checked.iri(BASE + prefix + slug)} .")
        if self.year_from is not None or self.year_to is not None:
            tests = []
            if self.year_from is not None:
                tests.append(f"?fy >= {int(self.year_from)}")
            if self.year_to is not None:
                tests.append(f"?fy <= {int(self.year_to)}")
            parts.append(
                f"?m {checked.iri(SG.yearIntroduced)} ?fyear . "
                f"BIND({checked.iri(XSD.integer)}(STR(?fyear)) AS ?fy) "
                f"FILTER({' && '.join(tests)})"
            )
        return " ".join(parts)


@dataclass(frozen=True)
class FacetValue:
    iri: str
    slug: str
    label: str
    lang: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Item:
    iri: str
    slug: str
    label: str
    lang: str
    year: int | None
    key: str = ""
    first: int = 0  # 0 before 1 before 2: see _items
    usage: int | None = None  # how many papers use it (sg:usageCount), when known


@dataclass
class Listing:
    items: list[Item]
    total: int
    page: int
    pages: int
    page_size: int
    facets: dict[str, list[FacetValue]]
    years: list[tuple[int, int]]  # (year, methods) in year order: the timeline
    filters: Filters = field(default_factory=Filters)


def count_query(where: str, *, by_values: bool = False) -> str:
    """Methods per facet value and per year, in one pass over the methods. (A branch
    counting every method here makes Oxigraph 0.5 take seconds: the total is asked
    apart.)

    A UNION of one branch per facet on the embedded store; ``by_values``, one triple
    pattern whose predicate and facet name come from a VALUES table — the same
    answers, asked of SPARQL servers: Virtuoso 7.2 miscounts the UNION's groups on a
    new database (measured: 6 methods of 2015 where there are 19), and Oxigraph takes
    a third longer on it (51 vs 39 ms on the bundled graph)."""
    properties = {**_FACET_PROPERTY, "year": SG.yearIntroduced}
    if by_values:
        table = " ".join(
            f"({checked.literal(name)} {checked.iri(prop)})" for name, prop in properties.items()
        )
        body = f"VALUES (?facet ?p) {{ {table} }} ?m ?p ?v"
    else:
        body = " UNION ".join(
            f"{{ ?m {checked.iri(prop)} ?v BIND({checked.literal(name)} AS ?facet) }}"
            for name, prop in properties.items()
        )
    return (
        sparql_prefixes()
        + f"SELECT ?facet ?v (COUNT(?m) AS ?n) WHERE {{ {where} {body} }} GROUP BY ?facet ?v"
    )


def _facet_values(
    counts: dict[str, int], labels: dict[str, list[Literal]], selected: tuple[str, ...], lang: str
) -> list[FacetValue]:
    values = []
    for iri, count in counts.items():
        local = local_of(iri)
        slug = local[1] if local else iri
        label = pick(labels.get(iri, []), lang)
        values.append(
            FacetValue(
                iri=iri,
                slug=slug,
                label=str(label) if label is not None else slug,
                lang=(label.language or "") if label is not None else "",
                count=count,
                selected=slug in selected,
            )
        )
    values.sort(key=lambda v: (not v.selected, -v.count, v.label.casefold()))
    return values


class MethodListing:
    """Pages of ``/methods`` of one store; remembers the labels of fields, families and
    types (there are few) until :meth:`refresh`."""

    store = StoreRef()  # weakly: see services/store_ref.py

    def __init__(self, store: Store) -> None:
        self.store = store
        self._concepts: dict[str, list[Literal]] = {}

    def refresh(self) -> None:
        self._concepts = {}

    def browse(self, filters: Filters, lang: str = "en", page: int = 1) -> Listing:
        """One page of methods matching ``filters``, with facet counts and the timeline.

        Three queries: the total, the methods per facet value and per year, and the
        page; facet labels come from a cache of concept labels.
        """
        if page < 1:
            raise InputError(f"page must be 1 or more, got {page}")
        where = filters.where()
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        years: dict[int, int] = defaultdict(int)
        found = self.store.select(f"SELECT (COUNT(?m) AS ?n) WHERE {{ {where} }}")
        total = int(found[0]["n"]) if found else 0  # type: ignore[call-overload]
        for row in self.store.select(count_query(where, by_values=self.store.remote)):
            facet, n = str(row["facet"]), int(row["n"])  # type: ignore[call-overload]
            if facet == "year":
                year = year_of(row.get("v"))
                if year is not None:
                    years[year] += n
            elif "v" in row:
                counts[facet][str(row["v"])] = n
        pages = max(1, -(-total // PAGE_SIZE))
        if page > pages:
            raise NotFoundError(f"page {page} is past the last page ({pages})", pages=pages)
        labels = self.concept_labels([iri for found in counts.values() for iri in found])
        return Listing(
            items=self._items(where, lang, page, filters.sort),
            total=total,
            page=page,
            pages=pages,
            page_size=PAGE_SIZE,
            facets={
                name: _facet_values(counts.get(name, {}), labels, getattr(filters, name), lang)
                for name in FACETS
            },
            years=sorted(years.items()),
            filters=filters,
        )

    def concept_labels(self, iris: list[str]) -> dict[str, list[Literal]]:
        """The preferred labels of fields, families and types (cached: there are few)."""
        missing = [i for i in iris if i not in self._concepts]
        if missing:
            values = " ".join(checked.iri(i) for i in missing if checked.is_iri(i))
            found: dict[str, list[Literal]] = {iri: [] for iri in missing}
            pref = checked.iri(SKOS.prefLabel)
            query = f"SELECT ?c ?l WHERE {{ VALUES ?c {{ {values} }} ?c {pref} ?l }}"
            for row in self.store.select(query):
                if isinstance(row["l"], Literal):
                    found[str(row["c"])].append(row["l"])
            self._concepts.update(found)  # whole entries only: other threads read it
        return {i: self._concepts[i] for i in iris}

    def _items(self, where: str, lang: str, page: int, sort: str) -> list[Item]:
        # At most one skos:prefLabel per language (docs/modelling.md), so one row per
        # method: no GROUP BY, and the engine keeps only the top of the sort.
        # The year and the usage count are joined inside the sort only when they are
        # its key (the year costs a third of the query); otherwise for the page's fifty
        # methods alone. Unknown years and counts sort last.
        # By name, the methods named in the page's language come first, and in a
        # right-to-left language those whose name is written in its script (Persian
        # names before acronyms kept in Latin letters, before English fallbacks).
        joins = {
            "year": " OPTIONAL { ?m sg:yearIntroduced ?year }",
            "usage": " OPTIONAL { ?m sg:usageCount ?usage }",
        }
        inner = joins.get(sort, "")
        outer = "".join(join for name, join in joins.items() if name != sort)
        order = {"year": "DESC(?year) ?key ?m", "usage": "DESC(?usage) ?key ?m"}
        own_script = _ARABIC_SCRIPT if direction(lang) == "rtl" else "true"
        rows = self.store.select(
            sparql_prefixes()
            + "SELECT ?m ?key ?first ?year ?usage ?l WHERE { { SELECT ?m ?key ?first"
            + (f" ?{sort}" if sort in joins else "")
            + " WHERE { "
            + where
            + f" OPTIONAL {{ ?m skos:prefLabel ?own FILTER(LANG(?own) = {checked.literal(lang)}) }}"
            ' OPTIONAL { ?m skos:prefLabel ?en FILTER(LANG(?en) = "en") }'
            + inner
            + f" BIND(IF(BOUND(?own), IF({own_script}, 0, 1), 2) AS ?first)"
            + " BIND(LCASE(STR(COALESCE(?own, ?en, STR(?m)))) AS ?key) } "
            + f"ORDER BY {order.get(sort, '?first ?key ?m')} "
            + f"LIMIT {PAGE_SIZE} OFFSET {(page - 1) * PAGE_SIZE} }}"
            + outer
            + " OPTIONAL { ?m skos:prefLabel ?l } }",
        )
        found: dict[str, dict] = {}
        for row in rows:
            entry = found.setdefault(
                str(row["m"]),
                {
                    "key": str(row.get("key", "")),
                    "first": int(row["first"].toPython()) if "first" in row else 0,
                    "year": row.get("year"),
                    "usage": row.get("usage"),
                    "l": [],
                },
            )
            if isinstance(row.get("l"), Literal) and row["l"] not in entry["l"]:
                entry["l"].append(row["l"])
        items = []
        for iri, entry in found.items():
            label = pick(entry["l"], lang)
            local = local_of(iri)
            items.append(
                Item(
                    iri=iri,
                    slug=local[1] if local else iri,
                    label=str(label) if label is not None else iri.rsplit("/", 1)[-1],
                    lang=(label.language or "") if label is not None else "",
                    year=year_of(entry["year"]),
                    key=entry["key"],
                    first=entry["first"],
                    usage=_count(entry["usage"]),
                )
            )
        if sort == "year":
            items.sort(key=lambda i: (-(i.year if i.year is not None else -(10**6)), i.key, i.iri))
        elif sort == "usage":
            items.sort(key=lambda i: (-(i.usage if i.usage is not None else -1), i.key, i.iri))
        else:
            items.sort(key=lambda i: (i.first, i.key, i.iri))
        return items


def _count(term: object) -> int | None:
    """A usage count's value, or None when there is none (or it is not a number)."""
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, int):
            return value
    return None
