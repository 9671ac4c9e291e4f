"""The links graph's description for ``sgg:metadata``: where the links come from and
how they were made.

:func:`describe` states the source, its licence and endpoint, the date, the questions
asked (each a ``sh:SPARQLSelectExecutable``), the ``prov:Activity`` of the run and the
``void:Linkset`` of its ``skos:exactMatch`` links.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SH, SKOS, VOID, XSD

from ... import __version__
from ...namespaces import CC, DATASET, SD, SG
from .mappings import Mapping
from .report import LinkReport
from .staging import new_graph

SCHEMA_LINKSET = "exactMatch"


def describe(
    mapping: Mapping,
    graph: URIRef,
    data: Graph,
    templates: dict[str, str],
    report: LinkReport,
    started: datetime,
    finished: datetime,
) -> Graph:
    """The graph's description for ``sgg:metadata``: source, licence, endpoint, date,
    the queries asked, the activity that made it, and its linkset."""
    meta = new_graph()
    meta.bind("cc", CC)
    meta.bind("sd", SD)
    activity = URIRef(f"{graph}#run")
    linkset = URIRef(f"{graph}#{SCHEMA_LINKSET}")
    source = URIRef(mapping.homepage)
    endpoint = URIRef(report.endpoint)
    licence = URIRef(mapping.licence)
    when = Literal(finished.isoformat(), datatype=XSD.dateTime)
    links = sum(1 for _ in data.triples((None, SKOS.exactMatch, None)))

    meta.add((graph, RDF.type, VOID.Dataset))
    meta.add((graph, RDF.type, PROV.Entity))
    for lang, title in mapping.titles:
        meta.add((graph, DCTERMS.title, Literal(title, lang=lang)))
    meta.add(
        (
            graph,
            DCTERMS.description,
            Literal(
                f"Links from ScholarGate's works, persons and methods to {mapping.title} "
                f"(skos:exactMatch), and the names of linked methods in en, fa and tr that "
                f"ScholarGate lacked, found by `scholargate link {mapping.name}` through "
                f"{mapping.title}'s SPARQL endpoint.",
                lang="en",
            ),
        )
    )
    meta.add((graph, DCTERMS.license, licence))
    meta.add((graph, DCTERMS.source, source))
    meta.add((graph, DCTERMS.created, when))
    meta.add((graph, PROV.generatedAtTime, when))
    meta.add((graph, PROV.wasGeneratedBy, activity))
    meta.add((graph, PROV.wasDerivedFrom, endpoint))
    meta.add((graph, CC.attributionName, Literal(mapping.title)))
    meta.add((graph, CC.attributionURL, source))
    meta.add((graph, SG.validationPolicy, SG.Lenient))
    meta.add((graph, VOID.subset, linkset))

    meta.add((linkset, RDF.type, VOID.Linkset))
    meta.add((linkset, VOID.linkPredicate, SKOS.exactMatch))
    meta.add((linkset, VOID.subjectsTarget, DATASET))
    meta.add((linkset, VOID.objectsTarget, source))
    meta.add((linkset, VOID.triples, Literal(links, datatype=XSD.integer)))

    meta.add((source, RDF.type, VOID.Dataset))
    meta.add((source, DCTERMS.title, Literal(mapping.title)))
    meta.add((source, DCTERMS.license, licence))
    meta.add((source, VOID.uriSpace, Literal(mapping.uri_space)))
    meta.add((source, VOID.sparqlEndpoint, URIRef(mapping.endpoint)))

    meta.add((endpoint, RDF.type, SD.Service))
    meta.add((endpoint, RDF.type, PROV.Entity))
    meta.add((endpoint, SD.endpoint, endpoint))

    agent = BNode()
    meta.add((agent, RDF.type, PROV.SoftwareAgent))
    meta.add((agent, RDFS.label, Literal(f"ScholarGate {__version__}")))
    meta.add((activity, RDF.type, PROV.Activity))
    meta.add((activity, RDFS.label, Literal(f"scholargate link {mapping.name}", lang="en")))
    meta.add((activity, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    meta.add((activity, PROV.endedAtTime, when))
    meta.add((activity, PROV.wasAssociatedWith, agent))
    meta.add((activity, PROV.used, endpoint))
    meta.add(
        (
            activity,
            RDFS.comment,
            Literal(
                f"{report.batches} batches of at most {mapping.client.batch_size} values "
                f"({report.requests} requests, {report.reused} answers kept from an "
                f"interrupted run); mapping {Path(mapping.source.split(' + ')[-1]).name} "
                f"(sha256 {mapping.fingerprint[:16]}); {len(report.conflicts)} conflicts "
                "reported and not written.",
                lang="en",
            ),
        )
    )
    for position, (label, text) in enumerate(sorted(templates.items()), start=1):
        query = URIRef(f"{graph}#query-{position}")
        meta.add((activity, PROV.used, query))
        meta.add((query, RDF.type, SH.SPARQLSelectExecutable))
        meta.add((query, RDF.type, PROV.Plan))
        meta.add((query, RDFS.label, Literal(label, lang="en")))
        meta.add((query, SH.select, Literal(text)))
    return meta
