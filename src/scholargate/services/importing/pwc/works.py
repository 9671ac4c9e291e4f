"""The works (papers) behind the records: one per paper, several methods often sharing
one, each named by the curated work it is or by the first words of its title."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef

from ....namespaces import WORK, slugify
from ..common import normalise
from .identifiers import ArxivId, work_slug
from .matching import Curated
from .records import Record


@dataclass
class Work:
    key: tuple[str, str]
    titles: Counter[str] = field(default_factory=Counter)
    arxiv: ArxivId | None = None
    dois: set[str] = field(default_factory=set)
    urls: set[str] = field(default_factory=set)
    pages: set[str] = field(default_factory=set)
    venue_year: int | None = None
    iri: URIRef | None = None
    curated: bool = False  # the curated graph describes it; state nothing about it

    @property
    def title(self) -> str:
        return sorted(self.titles.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def works_of(records: list[Record], curated: Curated) -> dict[str, Work]:
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
            if paper.venue_year:
                work.venue_year = paper.venue_year
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
