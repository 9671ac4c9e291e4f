"""The ontology (ontology/scholargate.ttl) and its JSON-LD context (ontology/context.jsonld)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD

from scholargate.namespaces import CITO, FABIO, LANGUAGES, SG, SKOSXL, WD

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_IRI = URIRef("https://w3id.org/scholargate/ontology")
DECLARATIONS = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
}
SG_TERMS = sorted(SG._NS[name] for name in SG.__annotations__)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "scholargate.ttl")


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads((ROOT / "ontology" / "context.jsonld").read_text(encoding="utf-8"))


def _texts(g: Graph, s: URIRef, p: URIRef) -> dict[str, str]:
    return {o.language: str(o) for o in g.objects(s, p) if isinstance(o, Literal) and o.language}


def test_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(str(ONTOLOGY_IRI) + "/0.1.0")
    assert str(ontology.value(ONTOLOGY_IRI, OWL.versionInfo)) == "0.1.0"
    license_ = ontology.value(ONTOLOGY_IRI, DCTERMS.license)
    assert license_ == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.created) == Literal("2026-11-27", datatype=XSD.date)
    for p in (DCTERMS.title, DCTERMS.description):
        assert set(LANGUAGES) <= set(_texts(ontology, ONTOLOGY_IRI, p)), p


@pytest.mark.parametrize("term", SG_TERMS, ids=lambda t: t.fragment)
def test_every_term_is_declared_with_labels_and_comments(ontology: Graph, term: URIRef) -> None:
    types = set(ontology.objects(term, RDF.type))
    assert types & DECLARATIONS, f"{term} is not declared"
    for p in (RDFS.label, RDFS.comment):
        texts = _texts(ontology, term, p)
        assert set(LANGUAGES) <= set(texts), f"{term} {p} in {sorted(texts)}"
        assert all(t.strip() for t in texts.values())
        assert len([o for o in ontology.objects(term, p) if o.language == "en"]) == 1


def test_no_term_outside_the_namespace_class(ontology: Graph) -> None:
    """The ontology declares exactly the terms code uses (namespaces.SG)."""
    ns = str(SG._NS)
    declared = {s for s in ontology.subjects() if isinstance(s, URIRef) and s.startswith(ns)}
    assert declared == set(SG_TERMS)


def test_shapes_use_only_declared_terms(ontology: Graph) -> None:
    shapes = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        shapes.parse(path)
    ns = str(SG._NS)
    used = {t for triple in shapes for t in triple if isinstance(t, URIRef) and t.startswith(ns)}
    for path in shapes.objects(None, SH.select):  # terms inside SPARQL constraints
        used |= {SG._NS[name] for name in re.findall(r"\bsg:(\w+)", str(path))}
    assert used <= set(SG_TERMS), used - set(SG_TERMS)


def test_model(ontology: Graph) -> None:
    for cls in (SG.Method, SG.Field, SG.Family, SG.MethodType):
        assert (cls, RDFS.subClassOf, SKOS.Concept) in ontology
    assert (SG.Alias, RDFS.subClassOf, SKOSXL.Label) in ontology
    assert (SG.foundationalWork, RDFS.subPropertyOf, CITO.citesAsAuthority) in ontology
    assert ontology.value(SG.foundationalWork, RDFS.range) == FABIO.ScholarlyWork
    assert ontology.value(SG.yearIntroduced, RDFS.range) == XSD.gYear
    assert ontology.value(SG.introducedBy, RDFS.range) == URIRef("http://xmlns.com/foaf/0.1/Person")
    for p in (SG.field, SG.family, SG.methodType, SG.buildsOn):
        assert (p, RDFS.subPropertyOf, SKOS.semanticRelation) in ontology
    for kind in (
        SG.Abbreviation,
        SG.Translation,
        SG.Synonym,
        SG.FormerName,
        SG.FullName,
        SG.Variant,
    ):
        assert (kind, RDF.type, SG.AliasKind) in ontology
    displays = ontology.value(SG.display, RDFS.range)
    members = set(ontology.items(ontology.value(displays, OWL.oneOf)))
    assert members == {
        SG.LabelList,
        SG.Count,
        SG.Citation,
        SG.Year,
        SG.PersonList,
        SG.Text,
        SG.AliasList,
        SG.CitedAmong,
    }
    policies = ontology.value(SG.validationPolicy, RDFS.range)
    assert set(ontology.items(ontology.value(policies, OWL.oneOf))) == {SG.Strict, SG.Lenient}


def test_wikidata_alignment(ontology: Graph) -> None:
    assert (SG.introducedBy, SKOS.closeMatch, WD.P61) in ontology
    assert (SG.yearIntroduced, SKOS.closeMatch, WD.P575) in ontology
    assert (WD.P31, SKOS.closeMatch, RDF.type) in ontology


_ARABIC_LETTERS = re.compile("[يك]")  # Persian uses ی and ک
_DETACHED = re.compile(r"(^|\s)(ها|های|هایی|می|نمی)(\s|$)")  # needs a ZWNJ, not a space


def test_persian_spelling(ontology: Graph) -> None:
    persian = [str(o) for o in ontology.objects() if isinstance(o, Literal) and o.language == "fa"]
    assert len(set(persian)) > 70
    for text in persian:
        assert not _ARABIC_LETTERS.search(text), text
        assert not _DETACHED.search(text), text
    assert any("\u200c" in text for text in persian)


# ---- the JSON-LD context ----------------------------------------------------------


def _expand(context: dict, term: str) -> str:
    """The IRI a context term or compact IRI stands for."""
    ctx = context["@context"]
    value = ctx.get(term, term)
    iri = value["@id"] if isinstance(value, dict) else value
    prefix, _, local = iri.partition(":")
    if prefix in ctx and isinstance(ctx[prefix], str) and not local.startswith("//"):
        return ctx[prefix] + local
    return iri


def test_context_has_a_term_for_every_sg_term(context: dict) -> None:
    ctx = context["@context"]
    assert ctx["@version"] == 1.1
    expanded = {_expand(context, t) for t in ctx if not t.startswith("@")}
    missing = [t for t in SG_TERMS if str(t) not in expanded]
    assert not missing, missing


def test_context_types_match_the_ontology(context: dict, ontology: Graph) -> None:
    for term, value in context["@context"].items():
        if not isinstance(value, dict) or "@id" not in value:
            continue
        iri = URIRef(_expand(context, term))
        if (iri, RDF.type, OWL.ObjectProperty) in ontology:
            assert value.get("@type") in ("@id", "@vocab"), term
        if (iri, RDF.type, OWL.DatatypeProperty) in ontology:
            assert value.get("@type") != "@id", term
    assert context["@context"]["yearIntroduced"]["@type"] == "xsd:gYear"


def test_a_document_using_the_context_expands_to_the_expected_triples(context: dict) -> None:
    document = {
        "@context": context["@context"],
        "@graph": [
            {
                "id": "sgm:lora",
                "type": "Method",
                "inScheme": "sgs:methods",
                "prefLabel": {"en": "LoRA", "fa": "لورا"},
                "altLabel": {"en": "Low-Rank Adaptation"},
                "aliases": ["sga:lora-en-1"],
                "summary": {"en": "Adapts large models by training low-rank matrices."},
                "yearIntroduced": "2021",
                "introducedBy": ["sgp:edward-j-hu"],
                "foundationalWork": "sgw:lora-low-rank-adaptation-of-large-language",
                "field": "sgf:deep-learning",
                "family": "sgfam:machine-learning",
                "methodType": "sgt:parameter-efficient-fine-tuning",
                "related": ["sgm:prefix-tuning"],
                "buildsOn": "sgm:transformer",
            },
            {
                "id": "sga:lora-en-1",
                "type": "Alias",
                "literalForm": {"@value": "Low-Rank Adaptation", "@language": "en"},
                "aliasKind": "FullName",
                "source": "sgg:curated",
            },
            {
                "id": "sgw:lora-low-rank-adaptation-of-large-language",
                "type": ["ScholarlyWork", "ScholarlyArticle"],
                "title": {"@value": "LoRA: Low-Rank Adaptation of Large Language Models"},
                "issued": "2021",
                "authorList": ["sgp:edward-j-hu"],
                "arxivId": "2106.09685",
                "url": "https://arxiv.org/abs/2106.09685",
            },
            {
                "id": "sgp:edward-j-hu",
                "type": "Person",
                "name": "Edward J. Hu",
            },
        ],
    }
    got = Graph().parse(data=json.dumps(document), format="json-ld")
    expected = Graph().parse(
        data="""
        @prefix sg: <https://w3id.org/scholargate/ontology#> .
        @prefix sgm: <https://w3id.org/scholargate/method/> .
        @prefix sgp: <https://w3id.org/scholargate/person/> .
        @prefix sgw: <https://w3id.org/scholargate/work/> .
        @prefix sgf: <https://w3id.org/scholargate/field/> .
        @prefix sgfam: <https://w3id.org/scholargate/family/> .
        @prefix sgt: <https://w3id.org/scholargate/type/> .
        @prefix sga: <https://w3id.org/scholargate/alias/> .
        @prefix sgs: <https://w3id.org/scholargate/scheme/> .
        @prefix sgg: <https://w3id.org/scholargate/graph/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix skosxl: <http://www.w3.org/2008/05/skos-xl#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        @prefix fabio: <http://purl.org/spar/fabio/> .
        @prefix bibo: <http://purl.org/ontology/bibo/> .
        @prefix schema: <https://schema.org/> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

        sgm:lora a sg:Method ;
            skos:inScheme sgs:methods ;
            skos:prefLabel "LoRA"@en , "لورا"@fa ;
            skos:altLabel "Low-Rank Adaptation"@en ;
            skosxl:altLabel sga:lora-en-1 ;
            sg:summary "Adapts large models by training low-rank matrices."@en ;
            sg:yearIntroduced "2021"^^xsd:gYear ;
            sg:introducedBy sgp:edward-j-hu ;
            sg:foundationalWork sgw:lora-low-rank-adaptation-of-large-language ;
            sg:field sgf:deep-learning ;
            sg:family sgfam:machine-learning ;
            sg:methodType sgt:parameter-efficient-fine-tuning ;
            skos:related sgm:prefix-tuning ;
            sg:buildsOn sgm:transformer .

        sga:lora-en-1 a sg:Alias ;
            skosxl:literalForm "Low-Rank Adaptation"@en ;
            sg:aliasKind sg:FullName ;
            dcterms:source sgg:curated .

        sgw:lora-low-rank-adaptation-of-large-language
            a fabio:ScholarlyWork , schema:ScholarlyArticle ;
            dcterms:title "LoRA: Low-Rank Adaptation of Large Language Models" ;
            dcterms:issued "2021"^^xsd:gYear ;
            bibo:authorList ( sgp:edward-j-hu ) ;
            sg:arxivId "2106.09685" ;
            schema:url <https://arxiv.org/abs/2106.09685> .

        sgp:edward-j-hu a foaf:Person ; foaf:name "Edward J. Hu" .
        """,
        format="turtle",
    )
    assert isomorphic(got, expected), (
        got.serialize(format="nt") + "\n---\n" + expected.serialize(format="nt")
    )
