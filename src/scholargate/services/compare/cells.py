"""The cells of a comparison: one builder per ``sg:display`` (LabelList, Year, Count,
Text, AliasList, PersonList, Citation, CitedAmong) turns what the query found for one row of one
method into the values a cell shows, and the key its row's ≠ compares
(``differences.py``).

Each value keeps the rdflib term it was made from (:attr:`Value.term`): a cell reads
each term once, for its text and for the RDF rendering alike.
"""

from __future__ import annotations

import functools
import re

from rdflib import Literal, URIRef
from rdflib.term import Node

from ..authors import author_list
from ..labels import pick
from .differences import (
    aliases_key,
    normalise_doi,
    numbers_key,
    resources_key,
    texts_key,
    work_key,
)
from .found import Found, MethodFound
from .model import Cell, Value
from .names import person_short


@functools.lru_cache(maxsize=4096)  # alias IRIs, compared again in every comparison
def natural(text: str) -> tuple:
    """A sort key that puts ``alias-2`` before ``alias-10``."""
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text))


def year_of(term: Node | None) -> int | None:
    if term is None:
        return None
    match = re.match(r"-?\d+", str(term))
    return int(match.group(0)) if match else None


def work_year(details: dict[str, list[Node]]) -> int | None:
    """A work's year: the earliest, should it have two."""
    years = [y for y in map(year_of, details.get("year", ())) if y is not None]
    return min(years) if years else None


def _first(details: dict[str, list[Node]], name: str) -> Node | None:
    found = details.get(name)
    return found[0] if found else None


def _str(term: Node | None) -> str | None:
    return str(term) if term is not None else None


def _as_is(term: Literal) -> Literal | None:
    """``term`` when the RDF rendering writes it unchanged (a plain or language-tagged
    literal: its text and language are all it has)."""
    return term if term.datatype is None else None


def _label_list(found: Found, lang: str, method: MethodFound) -> Cell:
    values = []
    for v, details in found.values.items():
        if isinstance(v, Literal):
            values.append(Value(str(v), v.language, term=_as_is(v)))
            continue
        label = pick([x for x in details.get("label", ()) if isinstance(x, Literal)], lang)
        text = str(label) if label is not None else str(v).rsplit("/", 1)[-1]
        values.append(
            Value(
                text,
                label.language if label is not None else None,
                iri=str(v),
                term=v if isinstance(v, URIRef) else None,
            )
        )
    values.sort(key=lambda x: x.text.casefold())
    return Cell(values, resources_key(found.values))


def _year_cell(found: Found, lang: str, method: MethodFound) -> Cell:
    years = sorted({y for y in (year_of(v) for v in found.values) if y is not None})
    return Cell([Value(str(y)) for y in years], numbers_key(years))


def _count_cell(found: Found, lang: str, method: MethodFound) -> Cell:
    n = int(next(iter(found.values))) if found.values else 0
    return Cell([Value(str(n))], numbers_key([n]))


def _text_cell(found: Found, lang: str, method: MethodFound) -> Cell:
    texts = [v for v in found.values if isinstance(v, Literal)]
    chosen = pick(texts, lang)
    values = (
        [Value(str(chosen), chosen.language, term=_as_is(chosen))] if chosen is not None else []
    )
    return Cell(values, texts_key(texts))


def _alias_cell(found: Found, lang: str, method: MethodFound) -> Cell:
    entries: dict[tuple[str, str | None], str] = {}
    terms: dict[tuple[str, str | None], Literal] = {}
    for v in found.values:
        if not isinstance(v, Literal):
            continue
        key = (str(v), v.language)
        node = method.alias_nodes.get(v, "~")
        entries[key] = min(entries.get(key, node), node, key=natural)
        terms.setdefault(key, v)

    def order(item: tuple[tuple[str, str | None], str]) -> tuple:
        (text, alias_lang), node = item
        # the page's language first, then other languages, English last; then as curated
        return (alias_lang != lang, alias_lang == "en", alias_lang or "", natural(node), text)

    values = [
        Value(text, alias_lang, term=_as_is(terms[(text, alias_lang)]))
        for (text, alias_lang), _ in sorted(entries.items(), key=order)
    ]
    return Cell(values, aliases_key(entries))


def _person_cell(found: Found, lang: str, method: MethodFound) -> Cell:
    people: dict[str, str] = {}
    terms: dict[str, Node] = {}
    for v, details in found.values.items():
        people[str(v)] = person_short(
            _str(_first(details, "given")),
            _str(_first(details, "family")),
            _str(_first(details, "name")),
        )
        terms[str(v)] = v
    # works whose authors are all originators: "First et al.", foundational ones first
    works: list[tuple[bool, int, list[str]]] = [(False, y, a) for y, a in method.founding]
    others: dict[str, tuple[str, set[str], int]] = {}
    for s in found.first_author:
        first, authors, year = others.setdefault(str(s["w"]), (str(s["v"]), set(), 0))
        authors.add(str(s["co"]))
        others[str(s["w"])] = (first, authors, year_of(s.get("year")) or year)
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
    values = [Value(text) for text in groups] + [
        Value(people[p], iri=p, term=_resource(terms[p])) for p in rest
    ]
    return Cell(values, resources_key(people))


def _resource(term: Node) -> URIRef | None:
    return term if isinstance(term, URIRef) else None


def _citation_cell(found: Found, lang: str, method: MethodFound) -> Cell:
    authors = found.author_lists
    values, keys = [], set()
    for v, details in found.values.items():
        doi = _str(_first(details, "doi"))
        arxiv = _str(_first(details, "arxiv"))
        url = _str(_first(details, "url"))
        by = author_list([name for _, name in authors.get(str(v), [])])
        year = work_year(details)
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
        values.append(Value(text, iri=str(v), href=href, link_label=link, term=_resource(v)))
        keys.add(work_key(str(v), doi, arxiv))
    values.sort(key=lambda x: x.text)
    return Cell(values, frozenset(keys))


BUILDERS = {
    "LabelList": _label_list,
    "Year": _year_cell,
    "Count": _count_cell,
    "Text": _text_cell,
    "AliasList": _alias_cell,
    "PersonList": _person_cell,
    "Citation": _citation_cell,
    "CitedAmong": _label_list,  # the cited methods, by their labels
}
