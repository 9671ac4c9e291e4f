"""What the home page (``/``) says about the graph: how many things of each kind, how
many methods are named and summarised in each language, methods per year, and a few
ready comparisons with their names in the page's language.

Three small queries over the store, none built from request text; their counts are
kept per store and per generation, so a write shows from the next request on.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import FOAF

from .. import terms as checked
from ..namespaces import FABIO, LANGUAGES, METHOD, SG, sparql_prefixes
from ..store import Store
from .compare.cells import year_of
from .labels import pick

# The kinds the home page counts, in the order it shows them, and each kind's class.
KIND_CLASSES: tuple[tuple[str, URIRef], ...] = (
    ("method", SG.Method),
    ("work", FABIO.ScholarlyWork),
    ("person", FOAF.Person),
    ("alias", SG.Alias),
    ("family", SG.Family),
    ("type", SG.MethodType),
    ("field", SG.Field),
    ("comparison", SG.Comparison),
)

# Ready comparisons: the seed page first, then a few families side by side. A method
# the graph lacks is left out; a comparison left with fewer than two is not offered.
READY: tuple[tuple[str, ...], ...] = (
    ("multi-head-self-attention", "bert-fine-tuning", "lora"),
    ("lora", "qlora", "prefix-tuning", "prompt-tuning"),
    ("additive-attention", "luong-attention", "scaled-dot-product-attention"),
    ("bert", "gpt", "elmo"),
    ("alexnet", "vgg", "resnet"),
    ("generative-adversarial-network", "variational-autoencoder"),
)

_KINDS = """SELECT ?class (COUNT(DISTINCT ?s) AS ?n)
WHERE {{ VALUES ?class {{ {classes} }} ?s a ?class }} GROUP BY ?class"""

_LANGUAGES = """SELECT ?what ?lang (COUNT(DISTINCT ?m) AS ?methods) (COUNT(?label) AS ?n)
WHERE {
  ?m a sg:Method .
  { ?m skos:prefLabel ?label BIND("named" AS ?what) }
  UNION { ?m sg:summary ?label BIND("summarised" AS ?what) }
  UNION { ?m skos:altLabel ?label BIND("aliases" AS ?what) }
  BIND(LANG(?label) AS ?lang)
}
GROUP BY ?what ?lang"""

_YEARS = """SELECT ?year (COUNT(DISTINCT ?m) AS ?n)
WHERE { ?m a sg:Method ; sg:yearIntroduced ?year } GROUP BY ?year"""

_LABELS = """SELECT ?m ?label WHERE {{ VALUES ?m {{ {methods} }} ?m skos:prefLabel ?label }}"""


@dataclass(frozen=True)
class LanguageCounts:
    lang: str
    named: int  # methods with a preferred name in this language
    summarised: int  # methods with a summary in it
    aliases: int  # other names in it


@dataclass(frozen=True)
class ReadyMethod:
    slug: str
    label: str
    lang: str  # the label's language ("" when it has none)


@dataclass(frozen=True)
class Overview:
    """What ``/`` shows: counts by kind and language, the timeline, ready comparisons."""

    lang: str
    kinds: list[tuple[str, int]]  # (kind, count), KIND_CLASSES' order, zero counts left out
    languages: list[LanguageCounts]  # en, fa, tr
    years: list[tuple[int, int]]  # (year, methods) in year order
    undated: int  # methods without a year
    ready: list[list[ReadyMethod]]

    @property
    def methods(self) -> int:
        return dict(self.kinds).get("method", 0)


@dataclass(frozen=True)
class _Counts:
    generation: int
    kinds: list[tuple[str, int]]
    languages: list[LanguageCounts]
    years: list[tuple[int, int]]
    labels: dict[str, list[Literal]]  # slug of a ready method → its preferred labels


_COUNTS: weakref.WeakKeyDictionary[Store, _Counts] = weakref.WeakKeyDictionary()


def overview(store: Store, lang: str) -> Overview:
    """The home page's :class:`Overview` of ``store`` in ``lang``."""
    counts = _COUNTS.get(store)
    if counts is None or counts.generation != store.generation:
        counts = _COUNTS[store] = _count(store)
    dated = sum(n for _, n in counts.years)
    ready = []
    for slugs in READY:
        methods = []
        for slug in slugs:
            if slug in counts.labels:
                label = pick(counts.labels[slug], lang)
                text, tag = (str(label), label.language or "") if label is not None else (slug, "")
                methods.append(ReadyMethod(slug, text, tag))
        if len(methods) > 1:
            ready.append(methods)
    return Overview(
        lang=lang,
        kinds=counts.kinds,
        languages=counts.languages,
        years=counts.years,
        undated=max(0, dict(counts.kinds).get("method", 0) - dated),
        ready=ready,
    )


def _count(store: Store) -> _Counts:
    generation = store.generation  # before reading: a write meanwhile counts again
    prefixes = sparql_prefixes()
    classes = " ".join(checked.iri(cls) for _, cls in KIND_CLASSES)
    found = {
        str(row["class"]): int(row["n"])  # type: ignore[call-overload]
        for row in store.select(prefixes + _KINDS.format(classes=classes))
    }
    kinds = [(kind, found[str(cls)]) for kind, cls in KIND_CLASSES if found.get(str(cls))]
    by_lang: dict[str, dict[str, int]] = defaultdict(dict)
    for row in store.select(prefixes + _LANGUAGES):
        what, tag = str(row["what"]), str(row["lang"])
        by_lang[tag][what] = int(row["n" if what == "aliases" else "methods"])  # type: ignore[call-overload]
    languages = [
        LanguageCounts(
            lang=code,
            named=by_lang[code].get("named", 0),
            summarised=by_lang[code].get("summarised", 0),
            aliases=by_lang[code].get("aliases", 0),
        )
        for code in LANGUAGES
    ]
    years: dict[int, int] = defaultdict(int)
    for row in store.select(prefixes + _YEARS):
        year = year_of(row.get("year"))
        if year is not None:
            years[year] += int(row["n"])  # type: ignore[call-overload]
    slugs = sorted({slug for group in READY for slug in group})
    methods = " ".join(checked.iri(METHOD[slug]) for slug in slugs)
    labels: dict[str, list[Literal]] = defaultdict(list)
    for row in store.select(prefixes + _LABELS.format(methods=methods)):
        label = row["label"]
        if isinstance(label, Literal):
            labels[str(row["m"])[len(str(METHOD)) :]].append(label)
    return _Counts(generation, kinds, languages, sorted(years.items()), dict(labels))


__all__ = ["KIND_CLASSES", "READY", "LanguageCounts", "Overview", "ReadyMethod", "overview"]
