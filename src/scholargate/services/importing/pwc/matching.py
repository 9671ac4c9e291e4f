"""Which records name a curated method, and so are merged: the same IRI; the same name,
up to case, spaces and separators but not symbols such as + or # (UNet++ is not U-Net);
or the only record and the only curated method founded on one arXiv paper."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from ....namespaces import BIBO, SG
from ..common import english_names, marked, methods_of
from .identifiers import parse_arxiv
from .records import Record
from .years import PREPRINT, VENUE


@dataclass
class Curated:
    """What the import needs to know about the curated graph."""

    graph: Graph
    subjects: set[URIRef] = field(default_factory=set)
    methods: set[URIRef] = field(default_factory=set)
    work_by_arxiv: dict[str, URIRef] = field(default_factory=dict)
    work_by_doi: dict[str, URIRef] = field(default_factory=dict)
    sole_arxiv: dict[str, list[URIRef]] = field(default_factory=dict)  # arXiv id → methods
    # curated work → (its year, the basis of that year): what a method founded on it takes
    work_years: dict[URIRef, tuple[int, URIRef]] = field(default_factory=dict)

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
        curated.work_years = _work_years(graph)
        return curated

    def defines(self, iri: URIRef) -> bool:
        return iri in self.subjects


def match_curated(
    records: list[Record], curated: Curated
) -> tuple[dict[str, tuple[URIRef, str]], list[tuple[str, str]]]:
    """Which records are curated methods: record id → (curated IRI, reason)."""
    merged: dict[str, tuple[URIRef, str]] = {}
    notes: list[tuple[str, str]] = []
    # names are compared with the symbols that tell them apart: UNet++ is not U-Net
    names = english_names(curated.graph, curated.methods, key=marked)
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


def _work_years(graph: Graph) -> dict[URIRef, tuple[int, URIRef]]:
    """The year of each curated work and its basis: the year its curated methods agree
    on (else the work's ``dcterms:issued``); venue when the work names its venue."""
    years: dict[URIRef, tuple[int, URIRef]] = {}
    for work in {w for w in graph.objects(None, SG.foundationalWork) if isinstance(w, URIRef)}:
        said = {
            str(y)
            for m in graph.subjects(SG.foundationalWork, work)
            for y in graph.objects(m, SG.yearIntroduced)
        }
        issued = graph.value(work, DCTERMS.issued)
        text = said.pop() if len(said) == 1 else (str(issued) if issued is not None else "")
        if not text.isdigit():
            continue
        basis = graph.value(work, SG.yearBasis)
        if basis not in (VENUE, PREPRINT):
            basis = VENUE if graph.value(work, SG.venue) is not None else PREPRINT
        years[work] = (int(text), basis)
    return years
