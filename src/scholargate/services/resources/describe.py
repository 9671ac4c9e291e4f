"""One resource's page, assembled: a :class:`~.page.Description` from the rows of the
page's one SELECT (``queries.describe_query``). Each value gets its label along the
language fallback chain (``services/labels.py``), RDF lists are walked in order, the
originators of a method follow the author order of its foundational works, and the rows
are sorted the way a page shows them."""

from __future__ import annotations

from collections import defaultdict

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS
from rdflib.term import Node

from ...namespaces import BIBO, SCHEMA, SG, SKOSXL
from ..compare import normalise_doi
from ..labels import pick, pick_by_property
from .iris import curie, local_of
from .links import links_of
from .page import Credit, Description, Property, Value, Work, licence_name, year_of
from .property_names import INCOMING_ORDER, PROPERTY_ORDER, PropertyNames
from .queries import LABEL_PROPERTIES

INCOMING_LIMIT = 200  # values shown per incoming property (the count says how many in all)
_NAME_PROPERTIES = tuple(map(str, LABEL_PROPERTIES))


def best_label(labels: dict[str, list[Literal]], lang: str) -> Literal | None:
    """The label of a thing in ``lang`` from its labels by property: labels.py's rule
    over ``LABEL_PROPERTIES`` (SKOS-XL written forms last)."""
    return pick_by_property(labels, lang, _NAME_PROPERTIES)


def _lang_order(lang: str):  # noqa: ANN202
    """Sort key for literals: the page's language first, then English, then the rest."""

    def key(value: Value) -> tuple:
        return (value.lang != lang, value.lang != "en", value.lang, value.text.casefold())

    return key


def _walk(head: str, nodes: dict[str, tuple[str, Node]]) -> list[Node]:
    """The members of the RDF list starting at ``head``, given each node's (next, item)."""
    members, node, seen = [], head, set()
    while node in nodes and node not in seen:
        seen.add(node)
        nxt, item = nodes[node]
        members.append(item)
        node = nxt
    return members


def assemble(
    names: PropertyNames, iri: str, kind: str, slug: str, lang: str, rows: list[dict[str, Node]]
) -> Description:
    """The page of ``iri`` in ``lang`` from the rows of ``describe_query``; properties are
    named by ``names``."""
    labels: dict[str, dict[str, list[Literal]]] = defaultdict(lambda: defaultdict(list))
    out: dict[str, list[Node]] = defaultdict(list)
    inc: dict[str, list[Node]] = defaultdict(list)
    lists: dict[str, dict[str, dict[str, tuple[str, Node]]]] = defaultdict(dict)  # p → head → …
    orders: dict[str, dict[str, tuple[str, Node]]] = defaultdict(dict)  # work → node → …
    aliases: dict[str, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
    works: dict[str, dict[str, Node]] = defaultdict(dict)
    credits: dict[Node, Credit] = {}  # summary → who it is from

    seen: set[tuple] = set()

    def add_label(row: dict[str, Node], subject: Node | None) -> None:
        if subject is not None and "lp" in row and isinstance(row.get("l"), Literal):
            key = ("label", subject, row["lp"], row["l"])
            if key not in seen:
                seen.add(key)
                labels[str(subject)][str(row["lp"])].append(row["l"])  # type: ignore[arg-type]

    for row in rows:
        direction = str(row["dir"])
        p = str(row.get("p", ""))
        if direction in ("out", "in"):
            target = out if direction == "out" else inc
            v = row["v"]
            if (direction, p, v) not in seen:
                seen.add((direction, p, v))
                target[p].append(v)
            add_label(row, v)
        elif direction == "list":
            heads = lists[p].setdefault(str(row["v"]), {})
            heads[str(row["node"])] = (str(row["next"]), row["item"])
            add_label(row, row["item"])
        elif direction == "order":
            orders[str(row["v"])][str(row["node"])] = (str(row["next"]), row["item"])
            add_label(row, row["item"])
        elif direction == "alias":
            if ("alias", row["v"], p, row["item"]) not in seen:
                seen.add(("alias", row["v"], p, row["item"]))
                aliases[str(row["v"])][p].append(row["item"])
            add_label(row, row["item"])
        elif direction == "work":
            works[str(row["v"])][p] = row["item"]
        elif direction == "credit":
            licence = str(row["l"])
            credits[row["v"]] = Credit(str(row["item"]), licence, licence_name(licence))

    picked: dict[str, Literal | None] = {}  # the label of each resource, picked once

    def value_of(term: Node, prop: str) -> Value:
        if isinstance(term, Literal):
            href = None
            if prop == str(BIBO.doi):
                href = f"https://doi.org/{normalise_doi(str(term))}"
            elif prop == str(SG.arxivId):
                href = f"https://arxiv.org/abs/{term}"
            datatype = str(term.datatype) if term.datatype is not None else None
            return Value(str(term), term.language or "", href=href, datatype=datatype)
        text_iri = str(term)
        if text_iri not in picked:
            picked[text_iri] = best_label(labels.get(text_iri, {}), lang)
        chosen = picked[text_iri]
        local = local_of(text_iri)
        if chosen is not None:
            text, text_lang = str(chosen), chosen.language or ""
        elif local:
            text, text_lang = local[1], ""
        else:
            text, text_lang = curie(text_iri), ""
        note = note_lang = ""
        if text_iri in aliases:  # an alias resource: its written form and kind
            record = aliases[text_iri]
            forms = [f for f in record.get(str(SKOSXL.literalForm), []) if isinstance(f, Literal)]
            if forms:
                text, text_lang = str(forms[0]), forms[0].language or ""
            kinds = record.get(str(SG.aliasKind), [])
            if kinds:
                kind_label = best_label(labels.get(str(kinds[0]), {}), lang)
                if kind_label is not None:
                    note, note_lang = str(kind_label), kind_label.language or ""
        return Value(
            text,
            text_lang,
            iri=text_iri,
            local=local,
            href=None if local else text_iri,
            note=note,
            note_lang=note_lang,
        )

    # originators in the author order of the foundational works, then by name
    rank: dict[str, tuple[int, int]] = {}
    for w_index, (_, nodes) in enumerate(sorted(orders.items())):
        pointed = {nxt for nxt, _ in nodes.values()}
        heads = [n for n in nodes if n not in pointed]
        for position, person in enumerate(_walk(heads[0], nodes) if heads else []):
            rank.setdefault(str(person), (w_index, position))

    properties: list[Property] = []
    for p, terms in out.items():
        if p in lists and all(isinstance(x, BNode) for x in terms):
            members = [m for head in terms for m in _walk(str(head), lists[p].get(str(head), {}))]
            values = [value_of(m, p) for m in members]
            ordered = True
        else:
            values = [value_of(x, p) for x in terms if not isinstance(x, BNode)]
            ordered = False
            if p == str(SG.introducedBy) and rank:
                far = (len(orders) + 1, 0)
                values.sort(key=lambda v: (rank.get(v.iri or "", far), v.text.casefold()))
                ordered = True
            elif all(v.is_literal for v in values):
                values.sort(key=_lang_order(lang))
            else:
                values.sort(key=lambda v: (v.text.casefold(), v.iri or ""))
        label, label_lang = names.label(p, lang)
        properties.append(
            Property(p, curie(p), label, label_lang, values, ordered=ordered, total=len(values))
        )
    properties.sort(key=_property_order(PROPERTY_ORDER))

    own_related = {str(x) for x in out.get(str(SKOS.related), [])}
    incoming: list[Property] = []
    for p, terms in inc.items():
        if p == str(SKOS.related):  # symmetric: what is also stated outwards is shown there
            terms = [x for x in terms if str(x) not in own_related]
        if not terms:
            continue
        total = len(terms)
        if total > INCOMING_LIMIT:  # a hub: the first ones by IRI, labelled (cheaper)
            terms = sorted(terms, key=str)[:INCOMING_LIMIT]
        values = sorted(
            (value_of(x, p) for x in terms), key=lambda v: (v.text.casefold(), v.iri or "")
        )
        label, label_lang = names.label(p, lang, inverse=True)
        incoming.append(Property(p, curie(p), label, label_lang, values, inverse=True, total=total))
    incoming.sort(key=_property_order(INCOMING_ORDER))

    own = {
        prop: [x for x in out.get(prop, []) if isinstance(x, Literal)]
        for prop in map(str, LABEL_PROPERTIES)
    }
    chosen = best_label(own, lang)
    if kind == "alias":
        forms = [x for x in out.get(str(SKOSXL.literalForm), []) if isinstance(x, Literal)]
        chosen = forms[0] if forms else chosen
    label = Value(str(chosen), chosen.language or "", iri=iri) if chosen else Value(slug, iri=iri)
    summaries = [
        x for prop in (SG.summary, SKOS.definition, DCTERMS.description)
        for x in out.get(str(prop), []) if isinstance(x, Literal)
    ]  # fmt: skip
    summary = pick(summaries, lang)
    all_names = [
        value_of(x, str(prop))
        for prop in (SKOS.prefLabel, SKOS.altLabel, FOAF.name, DCTERMS.title)
        for x in out.get(str(prop), [])
        if isinstance(x, Literal)
    ]
    found_works = [
        _work(w, works.get(w, {}), labels.get(w, {}), orders.get(w, {}), labels, lang)
        for w in sorted(map(str, out.get(str(SG.foundationalWork), [])))
    ]
    return Description(
        iri=iri,
        kind=kind,
        slug=slug,
        lang=lang,
        label=label,
        summary=Value(str(summary), summary.language or "") if summary is not None else None,
        summary_credit=credits.get(summary) if summary is not None else None,
        types=[value_of(x, str(RDF.type)) for x in out.get(str(RDF.type), [])],
        properties=properties,
        incoming=incoming,
        links=links_of(out),
        names=all_names,
        works=found_works,
    )


def _property_order(order: tuple[URIRef, ...]):  # noqa: ANN202
    position = {str(p): i for i, p in enumerate(order)}

    def key(prop: Property) -> tuple:
        return (position.get(prop.iri, len(order)), prop.label.casefold(), prop.iri)

    return key


def _work(
    iri: str,
    fields: dict[str, Node],
    own_labels: dict[str, list[Literal]],
    nodes: dict[str, tuple[str, Node]],
    labels: dict[str, dict[str, list[Literal]]],
    lang: str,
) -> Work:
    title = best_label(own_labels, lang)
    pointed = {nxt for nxt, _ in nodes.values()}
    heads = [n for n in nodes if n not in pointed]
    authors = []
    for person in _walk(heads[0], nodes) if heads else []:
        name = best_label(labels.get(str(person), {}), lang)
        authors.append(str(name) if name is not None else str(person).rsplit("/", 1)[-1])

    def text(prop: URIRef) -> str | None:
        term = fields.get(str(prop))
        return str(term) if term is not None else None

    local = local_of(iri)
    return Work(
        iri=iri,
        slug=local[1] if local else iri,
        title=str(title) if title is not None else iri.rsplit("/", 1)[-1],
        title_lang=(title.language or "") if title is not None else "",
        year=year_of(fields.get(str(DCTERMS.issued))),
        authors=authors,
        doi=text(BIBO.doi),
        arxiv=text(SG.arxivId),
        url=text(SCHEMA.url),
        venue=text(SG.venue),
    )
