"""Matching the source's entities to our works, persons and methods.

The rules prefer precision: a candidate needs evidence that names one entity, and
``conflicts.Decider`` then refuses any that something we hold contradicts.

* **Works** by identifier, in the mapping's order (for Wikidata: arXiv id, then DOI).
  Identifiers compare case-insensitively (Wikidata writes DOIs in upper case). A
  ``fallback`` identifier is asked only for works that nothing else linked. Once
  matched, the entity's own identifiers are read back: a work whose DOI (or arXiv id)
  differs from the entity's is a conflict (arXiv's own DOIs, ``10.48550/arXiv.*``,
  count as arXiv ids).
* **Persons** by ORCID iD, and as authors of a linked work: an author of the entity
  whose name equals the person's full name, or, failing that, ends with the person's
  family name and starts with the initial of their given name, and no other author of
  that work on either side fits the same way.
* **Methods** through their founding works: an entity that a linked founding work has
  as a subject (Wikidata: the work's P921 "main subject", or the entity's P1343
  "described by source" naming the work) *and* that has one of the method's English
  names (preferred or alternative, compared by ``search.folding.fold``) as a label or alias.
  A name alone is never enough, nor is the work alone.
"""

from __future__ import annotations

import re
from collections import defaultdict

from rdflib import URIRef

from ...errors import InputError
from ...namespaces import BIBO, SG
from ...terms import is_iri
from ..search.folding import fold
from .answers import Term
from .batches import Asker
from .conflicts import Decider
from .mappings import Identifier, Mapping
from .ours import Author, Ours
from .queries import (
    query_authors,
    query_by_identifier,
    query_identifiers,
    query_subjects,
    sendable,
    sparql_iri,
    sparql_value,
)
from .report import Link, LinkReport

# Our property for each kind of identifier a mapping may name.
WORK_IDENTIFIERS = {"arxiv": SG.arxivId, "doi": BIBO.doi}
PERSON_IDENTIFIERS = {"orcid": SG.orcid}
ARXIV_DOI = "10.48550/arxiv."  # arXiv's DataCite DOIs name the preprint: an arXiv id


def _their_identifiers(
    mapping: Mapping, rows: list[dict[str, Term]]
) -> dict[str, dict[str, set[str]]]:
    """item → identifier kind → our (folded) form of each value the source holds."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        item, prop, value = row.get("item"), row.get("property"), row.get("value")
        if item is None or prop is None or value is None:
            continue
        fitting = [i for i in mapping.works if i.property == prop.value]
        best = max(fitting, key=lambda i: i.specificity(value.value), default=None)
        if best is None or best.specificity(value.value) < 0:
            continue
        ours = best.ours(value.value)
        if ours is None:
            continue
        kind = best.name
        if kind == "doi" and ours.startswith(ARXIV_DOI):
            kind, ours = "arxiv", ours[len(ARXIV_DOI) :]
        found[item.value][kind].add(ours)
    return found


def _name_key(text: str, suffix: re.Pattern[str] | None) -> str:
    if suffix is not None:
        text = suffix.sub("", text)
    return fold(text)


def _match_authors(
    ours: list[Author], theirs: dict[str, set[str]]
) -> tuple[dict[URIRef, str], list[str]]:
    """Pair our authors of a work with the entity's authors (see the module docstring)."""
    pairs: dict[URIRef, str] = {}
    notes: list[str] = []
    full = {a.person: {t for t, names in theirs.items() if names & set(a.names)} for a in ours}
    for person, found in full.items():
        if len(found) == 1:
            pairs[person] = next(iter(found))
        elif len(found) > 1:
            notes.append(f"{person}: several authors share the name ({', '.join(sorted(found))})")
    taken = set(pairs.values())

    def by_family(author: Author, names: set[str]) -> bool:
        if not author.family:
            return False
        fits = any(n == author.family or n.endswith(" " + author.family) for n in names)
        return fits and (not author.initial or any(n.startswith(author.initial) for n in names))

    rest = [a for a in ours if not full[a.person]]
    family = {
        a.person: {t for t, names in theirs.items() if t not in taken and by_family(a, names)}
        for a in rest
    }
    for person, found in family.items():
        if len(found) == 1:
            (item,) = found
            rivals = [p for p, f in family.items() if item in f]
            if rivals == [person]:
                pairs[person] = item
            else:
                notes.append(f"{item}: fits several of our authors by family name")
        elif len(found) > 1:
            notes.append(
                f"{person}: several authors fit by family name ({', '.join(sorted(found))})"
            )
    return pairs, notes


def _ask_by_identifier(
    label: str,
    identifier: Identifier,
    sent: dict[str, set[str]],
    mapping: Mapping,
    asker: Asker,
    report: LinkReport,
    candidates: dict[str, dict[str, set[str]]],
) -> None:
    """Ask which entities carry the identifier values in ``sent`` (value → our IRIs) and
    add each answer to ``candidates`` (our IRI → entity → reasons). Values compare
    ignoring case (Wikidata stores DOIs in upper case)."""
    folded = {k.casefold(): v for k, v in sent.items()}
    rows = asker.ask(
        label,
        lambda chunk: query_by_identifier(identifier, chunk),
        (sparql_value(identifier, text) for text in sent if sendable(identifier, text)),
    )
    for row in rows:
        value, item = row.get("value"), row.get("item")
        if value is None or item is None:
            continue
        if item.kind != "uri" or not mapping.is_item(item.value):
            report.ignored += 1
            continue
        for ours in sent.get(value.value) or folded.get(value.value.casefold(), set()):
            candidates[ours][item.value].add(f"{identifier.name} {value.value}")


def link_works(
    mapping: Mapping, ours: Ours, asker: Asker, decider: Decider, report: LinkReport
) -> dict[str, Link]:
    """Works linked by identifier, their own identifiers read back (see the module's docstring)."""
    candidates: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for identifier in mapping.works:
        if identifier.name not in WORK_IDENTIFIERS:
            raise InputError(
                f"{mapping.source}: works.{identifier.name}: ScholarGate holds no such "
                f"identifier (known: {', '.join(WORK_IDENTIFIERS)})"
            )
        sent: dict[str, set[str]] = defaultdict(set)
        for work, ids in ours.works.items():
            if identifier.fallback and str(work) in candidates:
                continue
            for value in ids.get(identifier.name, ()):
                for text in identifier.values(value):
                    sent[text].add(str(work))
        _ask_by_identifier(
            f"works by {identifier.name}", identifier, sent, mapping, asker, report, candidates
        )
    # The entities' own identifiers: a work whose DOI or arXiv id differs is a conflict.
    items = {item for found in candidates.values() for item in found}
    properties = sorted({i.property for i in mapping.works})
    rows = asker.ask(
        "identifiers of the linked works",
        lambda chunk: query_identifiers(properties, chunk),
        (sparql_iri(i) for i in items if is_iri(i)),
    )
    theirs = _their_identifiers(mapping, rows)
    for work in sorted(candidates):
        mine = {k: {v.casefold() for v in vs} for k, vs in ours.works[URIRef(work)].items()}
        for item in sorted(candidates[work]):
            for kind, values in theirs.get(item, {}).items():
                if kind in mine and mine[kind].isdisjoint(values):
                    decider.conflict(
                        "work",
                        "identifier-disagrees",
                        [work],
                        [item],
                        f"our {kind} {', '.join(sorted(mine[kind]))}; "
                        f"theirs {', '.join(sorted(values))}",
                    )
                    del candidates[work][item]
                    break
        if not candidates[work]:
            del candidates[work]
    return decider.resolve("work", candidates)


def link_people(
    mapping: Mapping,
    ours: Ours,
    asker: Asker,
    decider: Decider,
    report: LinkReport,
    works: dict[str, Link],
) -> dict[str, Link]:
    """Persons linked by ORCID iD and as authors of the linked ``works``."""
    candidates: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for identifier in mapping.people:
        if identifier.name not in PERSON_IDENTIFIERS:
            raise InputError(
                f"{mapping.source}: people.{identifier.name}: ScholarGate holds no such "
                f"identifier (known: {', '.join(PERSON_IDENTIFIERS)})"
            )
        sent: dict[str, set[str]] = defaultdict(set)
        for person, orcids in ours.orcids.items():
            for orcid in orcids:
                for text in identifier.values(orcid):
                    sent[text].add(str(person))
        _ask_by_identifier(
            f"persons by {identifier.name}", identifier, sent, mapping, asker, report, candidates
        )
    if mapping.author_property and works:
        by_item = {link_.item: URIRef(work) for work, link_ in works.items()}
        rows = asker.ask(
            "authors of the linked works",
            lambda chunk: query_authors(mapping, chunk),
            (
                sparql_iri(item)
                for item in by_item
                if is_iri(item) and URIRef(by_item[item]) in ours.authors
            ),
        )
        authors: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for row in rows:
            work, author, name = row.get("work"), row.get("author"), row.get("name")
            if work is None or author is None or author.kind != "uri":
                continue
            if not mapping.is_item(author.value):
                report.ignored += 1
                continue
            names = authors[work.value][author.value]
            if name is not None:
                names.add(_name_key(name.value, mapping.author_name_suffix))
        for item, theirs in sorted(authors.items()):
            work = by_item.get(item)
            if work is None:
                continue
            pairs, notes = _match_authors(ours.authors.get(work, []), theirs)
            report.notes += [f"{work}: {note}" for note in notes]
            for person, author in pairs.items():
                candidates[str(person)][author].add(f"author of {item}")
    return decider.resolve("person", candidates)


def link_methods(
    mapping: Mapping,
    ours: Ours,
    asker: Asker,
    decider: Decider,
    report: LinkReport,
    works: dict[str, Link],
) -> dict[str, Link]:
    """Methods linked through their founding works among the linked ``works``, by name."""
    if not mapping.links_methods or not works:
        return {}
    founding = {
        method: {works[str(w)].item for w in founded if str(w) in works}
        for method, founded in ours.founded_by.items()
    }
    asked = {item for items in founding.values() for item in items}
    rows = asker.ask(
        "subjects of the linked works",
        lambda chunk: query_subjects(mapping, chunk),
        (sparql_iri(item) for item in asked if is_iri(item)),
    )
    subjects: dict[str, set[str]] = defaultdict(set)  # work entity → subject entities
    names: dict[str, set[str]] = defaultdict(set)  # subject entity → folded names
    for row in rows:
        work, item, name = row.get("work"), row.get("item"), row.get("name")
        if work is None or item is None or name is None or item.kind != "uri":
            continue
        if not mapping.is_item(item.value):
            report.ignored += 1
            continue
        subjects[work.value].add(item.value)
        names[item.value].add(fold(name.value))
    candidates: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for method, items in sorted(founding.items()):
        english = {
            fold(label)
            for lang, labels in ours.names.get(method, {}).items()
            if lang == "en" or lang.startswith("en-")
            for label in (*labels["pref"], *labels["alt"])
        } - {""}
        for work_item in sorted(items):
            for subject in sorted(subjects.get(work_item, ())):
                if subject in decider.used:
                    continue
                shared = names[subject] & english
                if shared:
                    candidates[str(method)][subject].add(
                        f"subject of {work_item} named {min(shared)!r}"
                    )
    return decider.resolve("method", candidates)
