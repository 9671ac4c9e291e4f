"""The import: records, matches and works turned into the graph ``sgg:pwc-methods``."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from ....errors import InputError
from ....namespaces import (
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
    slugify,
)
from ..common import (
    PROGRESS_EVERY,
    ImportResult,
    Progress,
    SourceInfo,
    describe,
    new_graph,
    read_json,
)
from .matching import Curated, match_curated
from .records import Record, parse_record
from .works import Work, works_of

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
            progress(position, len(data))
    if progress:
        progress(len(data), len(data))

    facts = Curated.of(curated)
    merged, notes = match_curated(records, facts)
    work_of = works_of(records, facts)
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
