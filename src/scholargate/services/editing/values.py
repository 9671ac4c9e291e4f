"""A method's values in a form: read from the store, read back from what was typed, and
the delta that makes the store say what the form says.

What was typed is kept as :class:`Entry` rows (the text, its language, or a pick's
slug) so that a refused form shows it again as typed. :func:`read_form` checks each
value (a four-digit year, a language the site knows, a pick that names an existing
resource of its kind) and gives the terms, or a message per field. :func:`form_delta`
removes the method's values on the form's paths that the form no longer has, wherever
they are, and adds the new ones to the curated graph (new methods also get their class
and scheme there); the write path then checks it like any other write.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD
from rdflib.term import Node

from ... import terms
from ...namespaces import BASE, CURATED_GRAPH, LANGUAGES, METHOD, SCHEME, SG
from ...store import Store
from ..writes.delta import Delta, effective
from .fields import MAX_TEXT, MAX_VALUES, FieldSpec

_YEAR = re.compile(r"[0-9]{4}\Z")
_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


@dataclass(frozen=True)
class Entry:
    """One value as the form shows it: text (a year, a name, a pick's slug) and, for a
    language-tagged text, its language."""

    text: str
    lang: str = ""


class Message(Protocol):
    """``t(key, **values)`` in the page's language, which it names as ``lang``."""

    lang: str

    def __call__(self, key: str, **values: object) -> str: ...


def current_entries(
    store: Store, method: URIRef, fields: Sequence[FieldSpec]
) -> dict[str, list[Entry]]:
    """The method's values for each field, as the form shows them."""
    found = current_quads(store, method, fields)
    entries: dict[str, list[Entry]] = {f.key: [] for f in fields}
    by_path = {f.path: f for f in fields}
    for _s, p, o, _g in sorted(found, key=lambda q: (str(q[1]), str(q[2]))):
        spec = by_path[p]
        if isinstance(o, Literal):
            entries[spec.key].append(Entry(str(o), o.language or ""))
        elif spec.kind and str(o).startswith(f"{BASE}{spec.kind}/"):
            entries[spec.key].append(Entry(str(o)[len(f"{BASE}{spec.kind}/") :]))
        else:
            entries[spec.key].append(Entry(str(o)))
    return entries


def current_quads(store: Store, method: URIRef, fields: Sequence[FieldSpec]) -> set:
    """Every quad of ``method`` on the fields' paths, in whichever graph holds it."""
    paths = " ".join(terms.term(f.path) for f in fields)
    subject = terms.term(method)
    rows = store.select(
        f"SELECT ?p ?o ?g WHERE {{ VALUES ?p {{ {paths} }} GRAPH ?g {{ {subject} ?p ?o }} }}"
    )
    return {(method, r["p"], r["o"], r["g"]) for r in rows}


def typed_entries(form: Mapping[str, Sequence[str]], fields: Sequence[FieldSpec]) -> dict:
    """What was typed, field by field (empty rows dropped, at most MAX_VALUES + 1 kept
    so that too many is still seen)."""
    entries: dict[str, list[Entry]] = {}
    for spec in fields:
        texts = list(form.get(f"f-{spec.key}", ()))[: MAX_VALUES + 1]
        langs = list(form.get(f"f-{spec.key}-lang", ()))
        rows = []
        for i, text in enumerate(texts):
            lang = langs[i].strip() if i < len(langs) else ""
            if text.strip():
                rows.append(Entry(text.strip(), lang))
        entries[spec.key] = rows
    return entries


def read_form(
    store: Store,
    fields: Sequence[FieldSpec],
    entries: Mapping[str, list[Entry]],
    t: Message,
    *,
    had: set[str] | None = None,
) -> tuple[dict[URIRef, set[Node]], dict[str, list[str]]]:
    """The terms each path gets, and the messages of the fields that do not read. A
    required field left empty is refused when the method had a value there (``had``:
    the keys of those fields) or is new (``had`` None): as the write's guard does, an
    edit is refused only for what it brings, not for what an imported method lacked."""
    values: dict[URIRef, set[Node]] = {}
    errors: dict[str, list[str]] = {}
    picked = {
        iri
        for spec in fields
        for entry in entries.get(spec.key, [])[:MAX_VALUES]
        if (iri := _pick_iri(spec, entry.text)) is not None
    }
    existing = _existing(store, picked)
    for spec in fields:
        rows = entries.get(spec.key, [])
        found: set[Node] = set()
        if len(rows) > MAX_VALUES:
            errors.setdefault(spec.key, []).append(t("curate.too_many", n=MAX_VALUES))
            rows = []
        for entry in rows:
            value, problem = _term(spec, entry, existing, t)
            if problem:
                errors.setdefault(spec.key, []).append(problem)
            elif value is not None:
                found.add(value)
        checked = had is None or spec.key in had
        if checked and spec.key not in errors and _lacks(spec, found):
            errors[spec.key] = [spec.missing_message(t.lang) or t("curate.required")]
        values[spec.path] = found
    return values, errors


def _existing(store: Store, iris: set[URIRef]) -> set[URIRef]:
    """Those of ``iris`` the graph has as resources (they have a class), asked in
    batches of 200."""
    ordered = sorted(iris, key=str)
    found: set[URIRef] = set()
    for start in range(0, len(ordered), 200):
        batch = " ".join(terms.term(i) for i in ordered[start : start + 200])
        rows = store.select(f"SELECT DISTINCT ?s WHERE {{ VALUES ?s {{ {batch} }} ?s a ?c }}")
        found |= {r["s"] for r in rows}
    return found


def _lacks(spec: FieldSpec, found: set[Node]) -> bool:
    """Whether a required field has no value (of the language it requires)."""
    if not spec.required:
        return False
    if spec.required_lang:
        return not any(isinstance(v, Literal) and v.language == spec.required_lang for v in found)
    return not found


def _term(
    spec: FieldSpec, entry: Entry, existing: set[URIRef], t: Message
) -> tuple[Node | None, str]:
    text = entry.text
    if len(text) > MAX_TEXT:
        return None, t("curate.too_long", n=MAX_TEXT)
    if spec.widget == "year":
        year = text.translate(_DIGITS)
        if not _YEAR.match(year):
            return None, t("curate.bad_year")
        return Literal(year, datatype=XSD.gYear), ""
    if spec.widget == "text":
        if entry.lang not in LANGUAGES:
            return None, t("curate.bad_lang")
        try:
            terms.literal(text, lang=entry.lang)  # refuses what the store could not hold
        except Exception:  # noqa: BLE001 - an InputError: text that is not Unicode
            return None, t("curate.too_long", n=MAX_TEXT)
        return Literal(text, lang=entry.lang), ""
    if spec.widget == "literal":
        if entry.lang and entry.lang not in LANGUAGES:
            return None, t("curate.bad_lang")
        return Literal(text, lang=entry.lang or None), ""
    if spec.widget == "iri":
        if not text.startswith(("https://", "http://")) or not terms.is_iri(text):
            return None, t("curate.bad_iri")
        return URIRef(text), ""
    iri = _pick_iri(spec, text)
    if iri is None or iri not in existing:
        return None, t("curate.unknown_pick", value=terms.shown(text, 60))
    return iri, ""


def _pick_iri(spec: FieldSpec, text: str) -> URIRef | None:
    """The IRI of the pick's kind that ``text`` names by its slug or its IRI (None for
    anything else, or a field that is no pick)."""
    if spec.widget != "pick" or not spec.kind:
        return None
    prefix = f"{BASE}{spec.kind}/"
    slug = text[len(prefix) :] if text.startswith(prefix) else text
    return URIRef(prefix + slug) if terms.is_slug(slug) else None


def form_delta(
    store: Store,
    method: URIRef,
    fields: Sequence[FieldSpec],
    values: Mapping[URIRef, set[Node]],
    *,
    new: bool,
) -> Delta:
    """What the store must lose and gain for ``method`` to have ``values`` on the
    fields' paths; effective on the store as it is now."""
    have = current_quads(store, method, fields)
    wanted = {(p, o) for p, objects in values.items() for o in objects}
    removed = {q for q in have if (q[1], q[2]) not in wanted}
    present = {(q[1], q[2]) for q in have}
    added = {(method, p, o, CURATED_GRAPH) for p, o in wanted if (p, o) not in present}
    if new:
        added |= {
            (method, RDF.type, SG.Method, CURATED_GRAPH),
            (method, SKOS.inScheme, SCHEME["methods"], CURATED_GRAPH),
        }
    return effective(store, removed, added)


def new_method_iri(store: Store, values: Mapping[URIRef, set[Node]]) -> URIRef | None:
    """The IRI a new method gets: its English name made a slug (None without one)."""
    english = sorted(
        str(v)
        for v in values.get(SKOS.prefLabel, ())
        if isinstance(v, Literal) and v.language == "en"
    )
    if not english:
        return None
    slug = re.sub(r"[^a-z0-9]+", "-", english[0].lower()).strip("-")[:80].strip("-")
    return METHOD[slug] if slug and terms.is_slug(slug) else None


def exists(store: Store, iri: URIRef) -> bool:
    return store.ask(f"ASK {{ {terms.term(iri)} ?p ?o }}")
