"""The ontology page: named terms only, anonymous classes written out where they are used
(Manchester syntax), never listed as terms of their own."""

from __future__ import annotations

import re

from rdflib import OWL, RDF, BNode, URIRef
from rdflib.collection import Collection

from scholargate.formats import by_name
from scholargate.namespaces import ONTOLOGY_GRAPH
from scholargate.services.ontology import local_name, ontology_terms
from scholargate.store.oxigraph import OxigraphStore

HTML = {"Accept": "text/html"}


def _written(expression: list[dict[str, str]]) -> str:
    return "".join(s["text"] for s in expression)


def test_ontology_page_lists_no_blank_node_as_a_term(client, bundled_store) -> None:
    graph = bundled_store.graph(ONTOLOGY_GRAPH)
    anonymous = [n for n in graph.subjects(RDF.type, OWL.Class) if isinstance(n, BNode)]
    assert anonymous, "the bundled ontology has anonymous classes (owl:oneOf)"
    page = client.get("/ontology?lang=en", headers=HTML).get_data(as_text=True)
    anchors = set(re.findall(r'<dt id="([^"]+)"', page))
    named = {local_name(str(t)) for t in graph.subjects(RDF.type, None) if isinstance(t, URIRef)}
    assert anchors and anchors <= named, anchors - named
    for node in anonymous:
        assert str(node) not in page
        members = [local_name(str(m)) for m in Collection(graph, graph.value(node, OWL.oneOf))]
        # each enumeration is written out in the term that uses it, its members linked
        written = "{" + ", ".join(f'<a href="#{m}">{m}</a>' for m in members) + "}"
        assert written in page


def test_enumerations_are_folded_into_the_terms_that_use_them(bundled_store) -> None:
    terms = ontology_terms(bundled_store, "en")
    graph = bundled_store.graph(ONTOLOGY_GRAPH)
    users = {
        local_name(str(s))
        for s, _, o in graph
        if isinstance(s, URIRef) and isinstance(o, BNode) and (o, OWL.oneOf, None) in graph
    }
    assert len(users) >= 3
    by_local = {t["local"]: t for kind in terms.values() for t in kind}
    for local in users:
        shown = [_written(a["expression"]) for a in by_local[local]["axioms"]]
        assert any(s.startswith("{") and s.endswith("}") for s in shown), (local, shown)


ONTOLOGY = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix sg: <https://w3id.org/scholargate/ontology#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .

sg:A a owl:Class . sg:B a owl:Class . sg:C a owl:Class . sg:p a owl:ObjectProperty .
sg:Either a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:unionOf ( sg:A sg:B ) ] .
sg:Both a owl:Class ; owl:equivalentClass [ a owl:Class ;
    owl:intersectionOf ( sg:A [ a owl:Class ; owl:unionOf ( sg:B sg:C ) ] ) ] .
sg:NotA a owl:Class ; owl:equivalentClass [ a owl:Class ; owl:complementOf sg:A ] .
sg:WithP a owl:Class ; rdfs:subClassOf [ a owl:Restriction ; owl:onProperty sg:p ;
    owl:someValuesFrom foaf:Person ] ,
  [ a owl:Restriction ; owl:onProperty sg:p ; owl:maxCardinality "2"^^xsd:nonNegativeInteger ] .
sg:q a owl:ObjectProperty ; rdfs:domain sg:A ;
    rdfs:range [ a owl:Restriction ; owl:onProperty sg:p ; owl:allValuesFrom sg:C ] .
"""


def test_class_expressions_are_written_in_manchester_syntax() -> None:
    store = OxigraphStore()
    store.load(ONTOLOGY, by_name("ttl"), graph=ONTOLOGY_GRAPH)
    terms = ontology_terms(store, "en")
    by_local = {t["local"]: t for kind in terms.values() for t in kind}
    assert {t["local"] for t in terms["classes"]} == {
        "A",
        "B",
        "C",
        "Either",
        "Both",
        "NotA",
        "WithP",
    }

    def shown(local: str) -> list[str]:
        return [f"{a['keyword']}: {_written(a['expression'])}" for a in by_local[local]["axioms"]]

    assert shown("Either") == ["EquivalentTo: A or B"]
    assert shown("Both") == ["EquivalentTo: A and (B or C)"]
    assert shown("NotA") == ["EquivalentTo: not A"]
    assert sorted(shown("WithP")) == ["SubClassOf: p max 2", "SubClassOf: p some foaf:Person"]
    assert shown("q") == ["Domain: A", "Range: p only C"]
    links = {s["text"]: s.get("href") for a in by_local["WithP"]["axioms"] for s in a["expression"]}
    assert links["p"] == "#p" and links["foaf:Person"] == "http://xmlns.com/foaf/0.1/Person"
