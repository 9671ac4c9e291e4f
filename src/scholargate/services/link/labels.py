"""Names of linked methods that we lack, read from the source.

For linked methods (new links and the ones already in our data) the source's labels in
the mapping's languages (en, fa and tr) that we lack are added: ``skos:prefLabel`` in a
language where the method has none in any graph, and only from the source's preferred
label; every other new name becomes an alias (``skos:altLabel`` and an ``sg:Alias`` with
``dcterms:source`` the external entity), kind ``sg:Synonym`` in English and
``sg:Translation`` otherwise.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from ...namespaces import ALIAS, METHOD, SG, SKOSXL
from ..search.folding import fold
from .batches import Asker
from .mappings import Mapping
from .ours import Ours
from .queries import query_labels, sparql_iri
from .report import Link, LinkReport


def add_labels(
    mapping: Mapping,
    ours: Ours,
    asker: Asker,
    report: LinkReport,
    data: Graph,
    methods: dict[str, Link],
) -> None:
    """Add to ``data`` the names we lack of the linked ``methods`` and of the methods our
    data already links to one entity; count them in ``report`` (see the module's docstring)."""
    if not (mapping.label_preferred or mapping.label_alternative):
        return
    targets: dict[str, str] = {}  # item → method
    for method, link_ in methods.items():
        targets[link_.item] = method
    for method in ours.names:
        have = ours.existing.get(str(method), set())
        if len(have) == 1 and str(method) not in methods:
            item = next(iter(have))
            if mapping.is_item(item) and item not in targets:
                targets[item] = str(method)
    if not targets:
        return
    rows = asker.ask(
        "labels of the linked methods",
        lambda chunk: query_labels(mapping, chunk),
        (sparql_iri(item) for item in targets),
    )
    preferred = set(mapping.label_preferred)
    found: dict[str, dict[str, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        item, prop, label = row.get("item"), row.get("property"), row.get("label")
        if item is None or prop is None or label is None or label.kind != "literal":
            continue
        lang = label.lang.split("-")[0] if label.lang else ""
        if item.value not in targets or lang not in mapping.label_languages:
            continue
        text = " ".join(label.value.split())
        if text:
            found[item.value][lang].append((0 if prop.value in preferred else 1, text))
    for item in sorted(found):
        method = URIRef(targets[item])
        slug = str(method)[len(str(METHOD)) :] if str(method).startswith(str(METHOD)) else ""
        for lang in sorted(found[item]):
            mine = ours.names.get(method, {}).get(lang, {"pref": [], "alt": []})
            known = {fold(t) for t in (*mine["pref"], *mine["alt"])}
            fresh: list[str] = []
            fresh_preferred = False
            for rank, text in sorted(set(found[item][lang])):
                key = fold(text)
                if key and key not in known:
                    known.add(key)
                    fresh.append(text)
                    fresh_preferred = fresh_preferred or (rank == 0 and len(fresh) == 1)
            if not fresh:
                continue
            if not mine["pref"] and fresh_preferred:
                # a preferred label only from the source's preferred label, never an alias
                data.add((method, SKOS.prefLabel, Literal(fresh.pop(0), lang=lang)))
                report.labels += 1
            if not slug:
                continue
            for text in fresh:
                prefix = f"{slug}-{lang}"
                ours.alias_numbers[prefix] += 1
                alias = ALIAS[f"{prefix}-{ours.alias_numbers[prefix]}"]
                literal = Literal(text, lang=lang)
                data.add((method, SKOS.altLabel, literal))
                data.add((method, SKOSXL.altLabel, alias))
                data.add((alias, RDF.type, SG.Alias))
                data.add((alias, SKOSXL.literalForm, literal))
                data.add((alias, SG.aliasKind, SG.Synonym if lang == "en" else SG.Translation))
                data.add((alias, DCTERMS.source, URIRef(item)))
                report.aliases += 1
