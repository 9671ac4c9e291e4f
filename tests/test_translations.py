"""Our Persian and Turkish names (data/translations/, sgg:translations): what they name,
in which language, and written how (docs/terminology.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from scholargate.namespaces import SG

ZWNJ = "\u200c"


@pytest.fixture(scope="module")
def translations(project_root: Path) -> Graph:
    graph = Graph()
    for path in sorted((project_root / "data" / "translations").glob("*.ttl")):
        graph.parse(path)
    return graph


@pytest.fixture(scope="module")
def others(project_root: Path) -> Graph:
    """Every other data file: the curated data and the imports."""
    graph = Graph()
    for path in [
        *sorted((project_root / "data" / "curated").glob("*.ttl")),
        *sorted((project_root / "data" / "imported").glob("*.ttl")),
    ]:
        if not path.name.endswith(".meta.ttl"):
            graph.parse(path)
    return graph


def test_only_preferred_names_in_persian_and_turkish(translations: Graph) -> None:
    assert len(translations) > 0
    for _, predicate, literal in translations:
        assert predicate == SKOS.prefLabel
        assert isinstance(literal, Literal) and literal.language in ("fa", "tr")


def test_each_names_a_method_or_concept_with_no_name_in_that_language(
    translations: Graph, others: Graph
) -> None:
    kinds = {SG.Method, SG.Field, SG.Family, SG.MethodType}
    for subject, _, literal in translations:
        assert kinds & set(others.objects(subject, RDF.type)), f"{subject} is no method or concept"
        elsewhere = [
            o for o in others.objects(subject, SKOS.prefLabel) if o.language == literal.language
        ]
        assert elsewhere == [], f"{subject} already has a {literal.language} name: {elsewhere}"


def test_every_curated_method_and_concept_of_the_curated_data_has_both(
    translations: Graph, others: Graph, project_root: Path
) -> None:
    curated = Graph()
    for path in sorted((project_root / "data" / "curated").glob("*.ttl")):
        curated.parse(path)
    every = others + translations
    subjects = set(curated.subjects(RDF.type, SG.Method))
    for kind in (SG.Field, SG.Family, SG.MethodType):
        subjects |= set(every.subjects(RDF.type, kind))
    for subject in subjects:
        langs = {o.language for o in every.objects(subject, SKOS.prefLabel)}
        assert {"fa", "tr"} <= langs, f"{subject} lacks { ({'fa', 'tr'} - langs) }"


def test_persian_is_written_in_persian_letters_with_its_joiners(translations: Graph) -> None:
    persian = [str(o) for o in translations.objects() if o.language == "fa"]
    assert any(ZWNJ in text for text in persian)
    for text in persian:
        assert not re.search("[\u064a\u0643]", text), f"Arabic yeh or kaf in {text!r}"
        assert not re.search(r"(^|\s)(ها|های|ای)(\s|$)", text), f"suffix without ZWNJ: {text!r}"
        assert not re.search(f"(^{ZWNJ}|{ZWNJ}$|\\s{ZWNJ}|{ZWNJ}\\s|{ZWNJ}{ZWNJ})", text), text
        assert text == text.strip() and "  " not in text


def test_turkish_keeps_its_letters(translations: Graph) -> None:
    turkish = [str(o) for o in translations.objects() if o.language == "tr"]
    assert sum(1 for t in turkish if re.search("[çğıöşüÇĞİÖŞÜ]", t)) > len(turkish) / 3
    for text in turkish:
        assert " veya " not in text and text == text.strip()


def test_an_acronym_stays_as_it_is(translations: Graph) -> None:
    for slug in ("bert", "gpt-3", "t5", "roberta", "qlora"):
        names = {
            o.language: str(o)
            for o in translations.objects(
                URIRef(f"https://w3id.org/scholargate/method/{slug}"), SKOS.prefLabel
            )
        }
        assert names["fa"] == names["tr"] and names["fa"].isascii(), names
