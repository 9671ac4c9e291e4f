"""Import the Papers with Code methods dump as the named graph ``sgg:pwc-methods``.

Facts only: names and full names, the founding paper (title, arXiv id, DOI or link),
collections (families) and areas (fields), and the links between methods that the
descriptions make. The description prose is never copied.

Years come from the founding paper's arXiv id. The dump's ``introduced_year`` is the
placeholder 2000 in almost every record; the few other values belong to records with no
paper at all, so nothing in the dump backs them up, and some of them are visibly off (the
year of a textbook or of a later re-statement rather than of the method). They are not
used: a method without a paper gets no year, which the shapes report as a warning for
imported graphs.

A record that names a method the curated graph already has (same IRI; same normalised
name; or, failing that, the only record and the only curated method founded on one arXiv
paper) is *merged*: it adds only ``rdfs:seeAlso <its Papers with Code page>`` to the
curated method, and links between it and other methods are dropped, because curated
related sets are checked by hand.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from ...errors import InputError
from ...namespaces import (
    ALIAS,
    BIBO,
    FABIO,
    FAMILY,
    FIELD,
    GRAPH,
    METHOD,
    SCHEMA,
    SCHEME,
    SG,
    SKOSXL,
    WORK,
    slugify,
)
from .common import (
    PROGRESS_EVERY,
    ImportResult,
    Progress,
    SourceInfo,
    describe,
    english_names,
    methods_of,
    new_graph,
    normalise,
    read_json,
    tidy,
)

NAME = "pwc-methods"
GRAPH_IRI = GRAPH[NAME]
PLACEHOLDER_YEAR = 2000

SOURCE = SourceInfo(
    name=NAME,
    title="Papers with Code methods",
    description=(
        "Methods from the Papers with Code methods dump (snapshot 2024-03-29): names, "
        "full names, founding papers, collections, areas and the links between methods. "
        "Descriptions are not copied. Records that name a curated method only add a "
        "link to their Papers with Code page."
    ),
    source=URIRef("https://paperswithcode.com/"),
    license=URIRef("https://creativecommons.org/licenses/by-sa/4.0/"),
    rights=(
        "Contains data from Papers with Code (https://paperswithcode.com/), licensed "
        "CC BY-SA 4.0; this derived graph is shared under the same licence."
    ),
    attribution_name="Papers with Code",
    attribution_url=URIRef("https://paperswithcode.com/"),
    snapshot="2024-03-29",
    file_name="methods.json",
    other_titles=(("fa", "روش‌های Papers with Code"), ("tr", "Papers with Code yöntemleri")),
)

_METHOD_URL = re.compile(r"^https?://(?:www\.)?paperswithcode\.com/method/([^/?#\s]+)", re.I)
# the target of a Markdown link to another method: [text](https://paperswithcode.com/method/x)
_METHOD_LINK = re.compile(
    r"\]\(\s*<?https?://(?:www\.)?paperswithcode\.com/method/([A-Za-z0-9_.~-]+)", re.I
)
_ARXIV_URL = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?/?$", re.I
)
_ARXIV_NEW = re.compile(r"^(\d{2})(\d{2})\.(\d{4,5})(?:v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z][a-z-]*(?:\.[A-Za-z-]+)?)/(\d{2})(\d{2})(\d{3})(?:v\d+)?$")
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.I)
_SAFE_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


# ---- identifiers ---------------------------------------------------------------------


@dataclass(frozen=True)
class ArxivId:
    """An arXiv identifier without its version, and the year it was first submitted."""

    id: str
    year: int


def parse_arxiv(text: str) -> ArxivId | None:
    """The arXiv id in an arXiv URL or a bare id, without its version (``v3``).

    New-style ids ``YYMM.NNNN(N)`` started in April 2007 (``0704``), with five digits
    from January 2015; old-style ids ``archive/YYMMNNN`` ran from August 1991 to March
    2007, so ``YY >= 91`` means 19YY.

    >>> parse_arxiv("https://arxiv.org/abs/1706.03762v7")
    ArxivId(id='1706.03762', year=2017)
    >>> parse_arxiv("http://arxiv.org/abs/hep-th/9901001")
    ArxivId(id='hep-th/9901001', year=1999)
    """
    text = text.strip()
    match = _ARXIV_URL.match(text)
    candidate = match.group(1) if match else text
    new = _ARXIV_NEW.match(candidate)
    if new:
        yy, mm, number = int(new.group(1)), int(new.group(2)), new.group(3)
        if not 1 <= mm <= 12 or yy * 100 + mm < 704:
            return None
        if len(number) != (5 if yy * 100 + mm >= 1501 else 4):
            return None
        return ArxivId(f"{new.group(1)}{new.group(2)}.{number}", 2000 + yy)
    old = _ARXIV_OLD.match(candidate)
    if old:
        yy, mm = int(old.group(2)), int(old.group(3))
        year = 1900 + yy if yy >= 91 else 2000 + yy
        if not 1 <= mm <= 12 or (year, mm) < (1991, 8) or (year, mm) > (2007, 3):
            return None
        return ArxivId(f"{old.group(1)}/{old.group(2)}{old.group(3)}{old.group(4)}", year)
    return None


def parse_doi(url: str) -> str | None:
    """The DOI in a doi.org URL, lower case, without the resolver."""
    match = _DOI_URL.match(url.strip())
    return unquote(match.group(1)).lower() if match else None


def work_slug(title: str, words: int = 6) -> str:
    """``slugify(title)`` cut to its first ``words`` words (the contract's work slug)."""
    return "-".join(slugify(title).split("-")[:words])


# ---- records ------------------------------------------------------------------------


@dataclass
class Paper:
    title: str
    arxiv: ArxivId | None = None
    doi: str | None = None
    url: str | None = None  # a link, when the source is neither arXiv nor a DOI
    page: str | None = None  # the paper's Papers with Code page


@dataclass
class Record:
    id: str  # the slug of the record's Papers with Code URL
    url: str
    name: str
    full_name: str
    paper: Paper | None
    collections: list[tuple[str, str]]  # (collection, area)
    links: list[str]  # slugs of the methods its description links to
    year_field: Any = None

    @property
    def iri(self) -> URIRef:
        return METHOD[self.id]


def _safe_url(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and _SAFE_URL.match(value.strip()) else None


def _paper(raw: dict[str, Any]) -> Paper | None:
    paper = raw.get("paper")
    if not isinstance(paper, dict):
        return None
    title = tidy(paper.get("title"))
    if not slugify(title):
        return None
    result = Paper(title=title, page=_safe_url(paper.get("url")))
    source = _safe_url(raw.get("source_url"))
    source_title = tidy(raw.get("source_title"))
    # A source whose title is another document's (a blog post cited for a paper) is
    # not a link to this paper.
    if source and (not source_title or normalise(source_title) == normalise(title)):
        result.arxiv = parse_arxiv(source)
        result.doi = parse_doi(source)
        if not result.arxiv and not result.doi:
            result.url = source
    return result


def parse_record(raw: Any, position: int) -> Record | tuple[str, str]:
    """A record, or (record id, reason) when it cannot be imported."""
    if not isinstance(raw, dict):
        return f"record {position}", "not a JSON object"
    url = raw.get("url")
    match = _METHOD_URL.match(url.strip()) if isinstance(url, str) else None
    if not match:
        return f"record {position}", "no Papers with Code method URL in its 'url' field"
    slug = slugify(unquote(match.group(1)))
    if not slug:
        return f"record {position}", f"its URL {url!r} has no usable slug"
    name = tidy(raw.get("name"))
    if not name:
        return slug, "no name"
    if not slugify(name):
        return slug, f"its name {name!r} has no ASCII letter or digit, so it cannot be matched"
    collections = []
    for item in raw.get("collections") or []:
        if isinstance(item, dict):
            collections.append((tidy(item.get("collection")), tidy(item.get("area"))))
    description = raw.get("description") if isinstance(raw.get("description"), str) else ""
    links = [slugify(unquote(m)) for m in _METHOD_LINK.findall(description)]
    return Record(
        id=slug,
        url=url.strip(),
        name=name,
        full_name=tidy(raw.get("full_name")),
        paper=_paper(raw),
        collections=collections,
        links=[link for link in links if link],
        year_field=raw.get("introduced_year"),
    )


# ---- the curated side -----------------------------------------------------------


@dataclass
class Curated:
    """What the import needs to know about the curated graph."""

    graph: Graph
    subjects: set[URIRef] = field(default_factory=set)
    methods: set[URIRef] = field(default_factory=set)
    work_by_arxiv: dict[str, URIRef] = field(default_factory=dict)
    work_by_doi: dict[str, URIRef] = field(default_factory=dict)
    sole_arxiv: dict[str, list[URIRef]] = field(default_factory=dict)  # arXiv id → methods

    @classmethod
    def of(cls, graph: Graph) -> Curated:
        curated = cls(graph=graph)
        curated.subjects = {s for s in graph.subjects() if isinstance(s, URIRef)}
        curated.methods = methods_of(graph)
        for work, value in graph.subject_objects(SG.arxivId):
            parsed = parse_arxiv(str(value))
            if isinstance(work, URIRef) and parsed:
                curated.work_by_arxiv.setdefault(parsed.id, work)
        for work, value in graph.subject_objects(BIBO.doi):
            if isinstance(work, URIRef):
                curated.work_by_doi.setdefault(str(value).lower(), work)
        for method in sorted(curated.methods):
            works = set(graph.objects(method, SG.foundationalWork))
            if len(works) != 1:
                continue
            values = graph.objects(works.pop(), SG.arxivId)
            ids = {parsed.id for v in values if (parsed := parse_arxiv(str(v)))}
            if len(ids) == 1:
                curated.sole_arxiv.setdefault(ids.pop(), []).append(method)
        return curated

    def defines(self, iri: URIRef) -> bool:
        return iri in self.subjects


def _match(
    records: list[Record], curated: Curated
) -> tuple[dict[str, tuple[URIRef, str]], list[tuple[str, str]]]:
    """Which records are curated methods: record id → (curated IRI, reason)."""
    merged: dict[str, tuple[URIRef, str]] = {}
    notes: list[tuple[str, str]] = []
    names = english_names(curated.graph, curated.methods)
    for record in records:
        if curated.defines(record.iri):
            merged[record.id] = (record.iri, "iri")
            continue
        pref, alt = names.lookup([record.name, record.full_name])
        hits = pref or alt
        if len(hits) == 1:
            merged[record.id] = (next(iter(hits)), "name")
        elif hits:
            notes.append(
                (
                    record.id,
                    "name matches several curated methods, not merged: "
                    + ", ".join(sorted(str(h) for h in hits)),
                )
            )
    # arXiv: exactly one record and exactly one curated method (founded on that paper
    # alone) share an arXiv id; curated methods that already have their record are left.
    taken = {iri for iri, _ in merged.values()}
    by_arxiv: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if record.paper and record.paper.arxiv:
            by_arxiv[record.paper.arxiv.id].append(record)
    for arxiv_id, methods in sorted(curated.sole_arxiv.items()):
        candidates = by_arxiv.get(arxiv_id, [])
        if len(methods) != 1 or len(candidates) != 1:
            continue
        record, method = candidates[0], methods[0]
        if record.id not in merged and method not in taken:
            merged[record.id] = (method, "arxiv")
            taken.add(method)
    return merged, notes


# ---- works ----------------------------------------------------------------------


@dataclass
class Work:
    key: tuple[str, str]
    titles: Counter[str] = field(default_factory=Counter)
    arxiv: ArxivId | None = None
    dois: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)
    iri: URIRef | None = None
    curated: bool = False  # the curated graph describes it; state nothing about it

    @property
    def title(self) -> str:
        return sorted(self.titles.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def _works(records: list[Record], curated: Curated) -> dict[str, Work]:
    """One work per paper (several methods often share one), keyed by record id."""
    groups: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        if record.paper:
            groups[normalise(record.paper.title)].append(record)
    works: dict[tuple[str, str], Work] = {}
    of_record: dict[str, Work] = {}
    for title_key, members in sorted(groups.items()):
        ids = {r.paper.arxiv.id for r in members if r.paper and r.paper.arxiv}
        for record in members:
            paper = record.paper
            assert paper is not None
            # papers that share a title but not an arXiv id are different works
            key = (title_key, paper.arxiv.id if paper.arxiv and len(ids) > 1 else "")
            work = works.setdefault(key, Work(key=key))
            work.titles[paper.title] += 1
            if paper.arxiv:
                work.arxiv = paper.arxiv
            if paper.doi:
                work.dois.add(paper.doi)
            if paper.url:
                work.urls.add(paper.url)
            if paper.page:
                work.pages.add(paper.page)
            of_record[record.id] = work
    _name_works(list(works.values()), curated)
    return of_record


def _name_works(works: list[Work], curated: Curated) -> None:
    """Give each work its IRI: the curated work with the same arXiv id or DOI, else
    ``sgw:`` + the first six words of its title, extended word by word (then by
    identifier) until works that share a beginning differ."""
    remaining = []
    for work in works:
        known = (curated.work_by_arxiv.get(work.arxiv.id) if work.arxiv else None) or next(
            (curated.work_by_doi[d] for d in sorted(work.dois) if d in curated.work_by_doi), None
        )
        if known is not None:
            work.iri, work.curated = known, True
        else:
            remaining.append(work)
    by_base: dict[str, list[Work]] = defaultdict(list)
    for work in remaining:
        by_base[work_slug(work.title)].append(work)
    for base, group in sorted(by_base.items()):
        slugs = {id(w): base for w in group}
        if len(group) > 1:
            longest = max(len(slugify(w.title).split("-")) for w in group)
            for words in range(7, longest + 1):
                if len({slugs[id(w)] for w in group}) == len(group):
                    break
                slugs = {id(w): work_slug(w.title, words) for w in group}
            seen: Counter[str] = Counter(slugs.values())
            for work in sorted(group, key=lambda w: w.key):
                if seen[slugs[id(work)]] > 1:
                    slugs[id(work)] += "-" + slugify(_identifier(work) or "pwc")
        for work in group:
            slug = slugs[id(work)]
            iri = WORK[slug]
            if curated.defines(iri):  # a curated work with this slug but other identifiers
                iri = WORK[f"{slug}-{slugify(_identifier(work) or 'pwc')}"]
            work.iri = iri


def _identifier(work: Work) -> str | None:
    if work.arxiv:
        return work.arxiv.id
    return min(work.dois) if work.dois else None


# ---- the import -----------------------------------------------------------------


def import_pwc(path: Path, curated: Graph, *, progress: Progress | None = None) -> ImportResult:
    """Read the Papers with Code methods dump at ``path`` and build ``sgg:pwc-methods``.

    ``curated`` is the union of ``data/curated/*.ttl``: records that name its methods
    are merged into them, and nothing it defines is labelled again.
    """
    data, sha256 = read_json(Path(path))
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a JSON array of method records")
    records: list[Record] = []
    rejected: list[tuple[str, str]] = []
    seen: set[str] = set()
    for position, raw in enumerate(data, start=1):
        parsed = parse_record(raw, position)
        if isinstance(parsed, tuple):
            rejected.append(parsed)
        elif parsed.id in seen:
            rejected.append((parsed.id, "a second record with the same Papers with Code URL"))
        else:
            seen.add(parsed.id)
            records.append(parsed)
        if progress and position % PROGRESS_EVERY == 0:
            progress(position)
    if progress:
        progress(len(data))

    facts = Curated.of(curated)
    merged, notes = _match(records, facts)
    work_of = _works(records, facts)
    by_id = {r.id: r for r in records}
    graph = new_graph()
    counts: Counter[str] = Counter()

    def final(record_id: str) -> URIRef:
        return merged[record_id][0] if record_id in merged else METHOD[record_id]

    families: dict[URIRef, str] = {}
    fields: dict[URIRef, str] = {}
    used_works: dict[URIRef, Work] = {}
    for record in records:
        if record.id in merged:
            graph.add((merged[record.id][0], RDFS.seeAlso, URIRef(record.url)))
            continue
        method = record.iri
        counts["methods"] += 1
        graph.add((method, RDF.type, SG.Method))
        graph.add((method, SKOS.inScheme, SCHEME.methods))
        graph.add((method, SKOS.prefLabel, Literal(record.name, lang="en")))
        graph.add((method, RDFS.seeAlso, URIRef(record.url)))
        if record.full_name and record.full_name.casefold() != record.name.casefold():
            alias = ALIAS[f"{record.id}-en-1"]
            graph.add((method, SKOS.altLabel, Literal(record.full_name, lang="en")))
            graph.add((method, SKOSXL.altLabel, alias))
            graph.add((alias, RDF.type, SG.Alias))
            graph.add((alias, SKOSXL.literalForm, Literal(record.full_name, lang="en")))
            graph.add((alias, SG.aliasKind, SG.FullName))
            graph.add((alias, DCTERMS.source, GRAPH_IRI))
            counts["aliases"] += 1
        work = work_of.get(record.id)
        if work is not None and work.iri is not None:
            graph.add((method, SG.foundationalWork, work.iri))
            used_works[work.iri] = work
            if work.arxiv:
                year = Literal(str(work.arxiv.year), datatype=XSD.gYear)
                graph.add((method, SG.yearIntroduced, year))
                counts["methods_with_year"] += 1
        else:
            counts["methods_without_paper"] += 1
        if record.year_field not in (None, PLACEHOLDER_YEAR):
            counts["introduced_year_ignored"] += 1
        for collection, area in record.collections:
            if slugify(collection):
                family = FAMILY[slugify(collection)]
                families.setdefault(family, collection)
                graph.add((method, SG.family, family))
            if slugify(area):
                field_iri = FIELD[slugify(area)]
                fields.setdefault(field_iri, area)
                graph.add((method, SG.field, field_iri))

    for iri, work in sorted(used_works.items()):
        if work.curated:
            counts["works_curated"] += 1
            continue
        counts["works"] += 1
        graph.add((iri, RDF.type, FABIO.ScholarlyWork))
        graph.add((iri, RDF.type, SCHEMA.ScholarlyArticle))
        graph.add((iri, DCTERMS.title, Literal(work.title, lang="en")))
        if work.arxiv:
            graph.add((iri, SG.arxivId, Literal(work.arxiv.id)))
            graph.add((iri, DCTERMS.issued, Literal(str(work.arxiv.year), datatype=XSD.gYear)))
        if work.dois:
            # one DOI per work; a second one would be a slip in the dump
            graph.add((iri, BIBO.doi, Literal(min(work.dois))))
        # a work is found by a DOI, an arXiv id or a link; the paper's Papers with Code
        # page is the link of last resort
        for url in sorted(work.urls) or ([] if work.arxiv or work.dois else sorted(work.pages)):
            graph.add((iri, SCHEMA.url, URIRef(url)))
        for page in sorted(work.pages):
            graph.add((iri, RDFS.seeAlso, URIRef(page)))

    _concepts(graph, families, SG.Family, SCHEME.families, facts, counts, "families")
    _concepts(graph, fields, SG.Field, SCHEME.fields, facts, counts, "fields")
    _related(graph, records, by_id, merged, final, counts)

    for reason in ("iri", "name", "arxiv"):
        counts[f"merged_{reason}"] = sum(1 for _, r in merged.values() if r == reason)
    counts.update(records=len(data), merged=len(merged), rejected=len(rejected))
    merged_list = [(rid, iri, reason) for rid, (iri, reason) in sorted(merged.items())]
    return ImportResult(
        graph=graph,
        metadata=describe(SOURCE, sha256, graph),
        merged=merged_list,
        rejected=rejected,
        counts=dict(sorted(counts.items())),
        name=NAME,
        notes=notes,
    )


def _concepts(
    graph: Graph,
    concepts: dict[URIRef, str],
    kind: URIRef,
    scheme: URIRef,
    curated: Curated,
    counts: Counter[str],
    counter: str,
) -> None:
    """Describe families or fields, except those the curated graph already has."""
    for iri, label in sorted(concepts.items()):
        if curated.defines(iri):
            counts[f"{counter}_curated"] += 1
            continue
        counts[counter] += 1
        graph.add((iri, RDF.type, SKOS.Concept))
        graph.add((iri, RDF.type, kind))
        graph.add((iri, SKOS.inScheme, scheme))
        graph.add((iri, SKOS.prefLabel, Literal(label, lang="en")))


def _related(
    graph: Graph,
    records: Iterable[Record],
    by_id: dict[str, Record],
    merged: dict[str, tuple[URIRef, str]],
    final: Any,
    counts: Counter[str],
) -> None:
    """``skos:related`` for every description link between two records of the dump,
    stated once per pair; links that touch a curated method are dropped."""
    kept: set[tuple[URIRef, URIRef]] = set()
    dropped: set[tuple[URIRef, URIRef]] = set()
    unresolved = 0
    for record in records:
        for target in record.links:
            if target == record.id:
                continue
            if target not in by_id:
                unresolved += 1
                continue
            a, b = sorted((final(record.id), final(target)))
            if record.id in merged or target in merged:
                dropped.add((a, b))
            elif a != b:
                kept.add((a, b))
    for a, b in sorted(kept):
        graph.add((a, SKOS.related, b))
    counts["related_kept"] = len(kept)
    counts["related_dropped"] = len(dropped)
    counts["related_unresolved"] = unresolved
