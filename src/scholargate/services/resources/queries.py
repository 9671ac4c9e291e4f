"""The SPARQL behind a resource page: :func:`describe_query`, the one SELECT a page is
built from, and :func:`document_query`, the CONSTRUCT of its RDF document; and which
properties are read as a resource's names (``LABEL_PROPERTIES``)."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF

from ... import terms as checked
from ...namespaces import BIBO, CC, SCHEMA, SG, SKOSXL
from ..labels import LABEL_PROPERTIES as NAMING_PROPERTIES

# Properties that name a thing, best first: labels.LABEL_PROPERTIES, then the written
# form of a SKOS-XL label resource.
LABEL_PROPERTIES: tuple[URIRef, ...] = (*map(URIRef, NAMING_PROPERTIES), SKOSXL.literalForm)
LABEL_VALUES = " ".join(checked.iri(p) for p in LABEL_PROPERTIES)
_XL = (SKOSXL.prefLabel, SKOSXL.altLabel, SKOSXL.hiddenLabel)
# What a method page shows of each foundational work.
WORK_FIELDS = (DCTERMS.issued, BIBO.doi, SG.arxivId, SCHEMA.url, SG.venue)


def _labels_of(var: str) -> str:
    return f"OPTIONAL {{ {var} ?lp ?l VALUES ?lp {{ {LABEL_VALUES} }} }}"


def describe_query(iri: str, *, with_works: bool) -> str:
    """One SELECT for a page: ``?dir`` tells the branch each row comes from."""
    s = checked.iri(iri)
    xl = "|".join(checked.iri(p) for p in _XL)
    first, rest = checked.iri(RDF.first), checked.iri(RDF.rest)
    works = checked.iri(SG.foundationalWork)
    branches = [
        # the resource's own statements, with the labels of what they point to
        f'{{ {s} ?p ?v BIND("out" AS ?dir) {_labels_of("?v")} }}',
        # statements pointing at it (named subjects only), with their subjects' labels
        f'{{ ?v ?p {s} FILTER(!isBlank(?v)) BIND("in" AS ?dir) {_labels_of("?v")} }}',
        # RDF lists it points to (authors in order), member by member
        f"{{ {s} ?p ?v FILTER(isBlank(?v)) ?v {rest}* ?node . "
        f"?node {first} ?item ; {rest} ?next . "
        f'BIND("list" AS ?dir) {_labels_of("?item")} }}',
        # its SKOS-XL label resources: form, kind, source
        f'{{ {s} {xl} ?v . ?v ?p ?item BIND("alias" AS ?dir) {_labels_of("?item")} }}',
    ]
    # who a summary is from and under which licence, when it was taken from a source
    # that asks for credit (its graph's metadata has ``dcterms:source`` and
    # ``cc:attributionName``; ScholarGate's own graphs have no source): ?node the
    # graph, ?l the licence
    branches.append(
        f"{{ GRAPH ?node {{ {s} {checked.iri(SG.summary)} ?v }} "
        f"?node {checked.iri(CC.attributionName)} ?item ; {checked.iri(DCTERMS.license)} ?l ; "
        f"{checked.iri(DCTERMS.source)} [] "
        f'BIND("credit" AS ?dir) }}'
    )
    if with_works:
        fields = ", ".join(checked.iri(p) for p in WORK_FIELDS)
        branches += [
            f'{{ {s} {works} ?v . ?v ?p ?item FILTER(?p IN ({fields})) BIND("work" AS ?dir) }}',
            # the author lists of its foundational works: originators in author order
            f"{{ {s} {works} ?v . ?v {checked.iri(BIBO.authorList)} ?list . "
            f"?list {rest}* ?node . ?node {first} ?item ; {rest} ?next . "
            f'BIND("order" AS ?dir) {_labels_of("?item")} }}',
        ]
    union = "\n  UNION ".join(branches)
    return f"SELECT ?dir ?p ?v ?lp ?l ?node ?next ?item WHERE {{\n  {union}\n}}"


def document_query(iri: str) -> str:
    """The CONSTRUCT behind a resource's RDF document: its statements, its alias
    resources and RDF lists, the statements pointing at it, and the labels of every
    resource named in them."""
    s = checked.iri(iri)
    xl = "|".join(checked.iri(p) for p in _XL)
    first, rest = checked.iri(RDF.first), checked.iri(RDF.rest)
    labels = LABEL_VALUES
    return (
        "CONSTRUCT {\n"
        f"  {s} ?p ?o . ?o ?lp ?l .\n"
        "  ?a ?ap ?ao .\n"
        f"  ?node {first} ?item ; {rest} ?next . ?item ?ilp ?il .\n"
        f"  ?x ?q {s} . ?x ?xlp ?xl .\n"
        "} WHERE {\n"
        f"  {{ {s} ?p ?o OPTIONAL {{ ?o ?lp ?l VALUES ?lp {{ {labels} }} }} }}\n"
        f"  UNION {{ {s} {xl} ?a . ?a ?ap ?ao }}\n"
        f"  UNION {{ {s} ?p0 ?list FILTER(isBlank(?list)) ?list {rest}* ?node . "
        f"?node {first} ?item ; {rest} ?next "
        f"OPTIONAL {{ ?item ?ilp ?il VALUES ?ilp {{ {labels} }} }} }}\n"
        f"  UNION {{ ?x ?q {s} FILTER(!isBlank(?x)) "
        f"OPTIONAL {{ ?x ?xlp ?xl VALUES ?xlp {{ {labels} }} }} }}\n"
        "}"
    )
