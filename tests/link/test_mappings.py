"""The mapping files: the shipped ones load, ``extends`` changes only what it states, and
a wrong key or value is an error that names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from scholargate.errors import InputError
from scholargate.services.link.client import user_agent
from scholargate.services.link.mapping_files import load_mapping, shipped
from scholargate.services.link.mappings import Identifier

WDT = "http://www.wikidata.org/prop/direct/"


def test_shipped_mappings_are_wikidata_dblp_and_opencitations() -> None:
    assert shipped() == ["dblp", "opencitations", "wikidata"]


@pytest.mark.parametrize("name", shipped())
def test_shipped_mapping_loads(name: str) -> None:
    mapping = load_mapping(name)
    assert mapping.name == name
    assert mapping.licence == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert mapping.endpoint.startswith("https://")
    if name == "opencitations":  # citations only: our works by their DOIs
        assert not mapping.works and not mapping.people and mapping.links_citations
        assert mapping.citation_works == ("http://dx.doi.org/{}",)
    else:
        assert {i.name for i in mapping.works} == {"arxiv", "doi"}
        assert [i.name for i in mapping.people] == ["orcid"]
    assert mapping.client.batch_size > 0 and mapping.client.min_interval >= 1
    assert {lang for lang, _ in mapping.titles} == {"en", "fa", "tr"}
    agent = user_agent(mapping.client.user_agent)
    assert agent.startswith("ScholarGate/0.") and "https://w3id.org/scholargate/" in agent
    assert "SPARQLWrapper/" in agent


def test_wikidata_properties() -> None:
    mapping = load_mapping("wikidata")
    by_name = {i.name: i for i in mapping.works}
    assert by_name["arxiv"].property == WDT + "P818"
    assert by_name["doi"].property == WDT + "P356"
    assert mapping.people[0].property == WDT + "P496"
    assert mapping.author_property == WDT + "P50"
    assert mapping.subject_of_work == (WDT + "P921",)
    assert mapping.described_by_work == (WDT + "P1343",)
    assert mapping.links_methods
    assert mapping.is_item("http://www.wikidata.org/entity/Q42")
    assert not mapping.is_item("http://www.wikidata.org/entity/P31")
    assert not mapping.is_item("http://www.wikidata.org/entity/Q42/extra")


def test_dblp_has_no_methods_and_falls_back_to_arxiv() -> None:
    mapping = load_mapping("dblp")
    assert not mapping.links_methods
    assert [(i.name, i.fallback) for i in mapping.works] == [("doi", False), ("arxiv", True)]
    assert mapping.author_name_suffix is not None
    assert mapping.author_name_suffix.sub("", "Lu Wang 0001") == "Lu Wang"


# identifier, our value → the values sent
IDENTIFIER_VALUES = [
    (Identifier("doi", WDT + "P356", variants=("upper", "asis")), "10.18653/v1/n19-1423",
     ["10.18653/V1/N19-1423", "10.18653/v1/n19-1423"]),
    (Identifier("arxiv", WDT + "P818"), "1706.03762", ["1706.03762"]),
    (Identifier("doi", "https://dblp.org/rdf/schema#doi", form="iri",
                templates=("https://doi.org/{}",)), "10.1000/a b", []),
    (Identifier("arxiv", "https://dblp.org/rdf/schema#doi", form="iri",
                templates=("https://doi.org/10.48550/arXiv.{}",
                           "https://doi.org/10.48550/ARXIV.{}")), "2106.09685",
     ["https://doi.org/10.48550/arXiv.2106.09685", "https://doi.org/10.48550/ARXIV.2106.09685"]),
]  # fmt: skip


@pytest.mark.parametrize(("identifier", "ours", "sent"), IDENTIFIER_VALUES)
def test_identifier_values(identifier: Identifier, ours: str, sent: list[str]) -> None:
    assert identifier.values(ours) == sent


def test_identifier_reads_back_the_most_specific_template() -> None:
    doi = Identifier("doi", "p", form="iri", templates=("https://doi.org/{}",))
    arxiv = Identifier("arxiv", "p", form="iri", templates=("https://doi.org/10.48550/arXiv.{}",))
    theirs = "https://doi.org/10.48550/ARXIV.1706.03762"
    assert arxiv.specificity(theirs) > doi.specificity(theirs) >= 0
    assert arxiv.ours(theirs) == "1706.03762"
    assert doi.ours("https://doi.org/10.18653/V1/N19-1423") == "10.18653/v1/n19-1423"
    assert doi.ours("https://example.org/x") is None


def test_extends_changes_only_what_it_states(tmp_path: Path) -> None:
    path = tmp_path / "mirror.toml"
    path.write_text(
        'extends = "wikidata"\nendpoint = "http://127.0.0.1:9/sparql"\n[client]\nbatch_size = 7\n',
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    base = load_mapping("wikidata")
    assert mapping.endpoint == "http://127.0.0.1:9/sparql"
    assert mapping.client.batch_size == 7
    assert mapping.client.min_interval == base.client.min_interval
    assert mapping.works == base.works
    assert mapping.fingerprint != base.fingerprint
    assert "wikidata.toml" in mapping.source and "mirror.toml" in mapping.source


def test_with_endpoint_keeps_everything_else() -> None:
    base = load_mapping("wikidata")
    moved = base.with_endpoint("http://127.0.0.1:1/sparql")
    assert moved.client.endpoint == moved.endpoint == "http://127.0.0.1:1/sparql"
    assert moved.works == base.works and moved.client.batch_size == base.client.batch_size


BROKEN = {
    "unknown_key": ('extends = "wikidata"\n[client]\nbatchsize = 3\n', "batchsize"),
    "unknown_prefix": ('extends = "wikidata"\n[works.doi]\nproperty = "xx:P1"\n', "xx"),
    "unknown_identifier_form": ('extends = "wikidata"\n[works.doi]\nform = "blob"\n', "form"),
    "bad_variant": ('extends = "wikidata"\n[works.doi]\nvariants = ["title"]\n', "variants"),
    "bad_endpoint": ('extends = "wikidata"\nendpoint = "ftp://x/"\n', "http"),
    "not_toml": ("name = \n", "TOML"),
    "wrong_type": ('extends = "wikidata"\n[client]\ntimeout = "soon"\n', "client.timeout"),
    "circle": ('extends = "circle.toml"\n', "circle"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_mapping_is_refused(tmp_path: Path, case: str) -> None:
    text, needle = BROKEN[case]
    path = tmp_path / "circle.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_mapping(path)
    assert needle in caught.value.message


def test_unknown_source_names_the_shipped_ones() -> None:
    with pytest.raises(InputError) as caught:
        load_mapping("orkg")
    assert "dblp, opencitations, wikidata" in caught.value.message


def test_bad_endpoint_override_is_refused() -> None:
    with pytest.raises(InputError):
        load_mapping("wikidata").with_endpoint("file:///etc/passwd")


def test_citations_table_is_checked() -> None:
    """[citations] names a property, or a citing and a cited property with templates."""
    from scholargate.services.link.mapping_files import build

    base = load_mapping("opencitations").settings
    for table, fragment in (
        ({"citing": "cito:a"}, "citing and cited together"),
        ({"property": "cito:p", "citing": "cito:a", "cited": "cito:b"}, "citing and cited"),
        ({"citing": "cito:a", "cited": "cito:b"}, "citations.works"),
        ({"citing": "cito:a", "cited": "cito:b", "works": ["http://dx.doi.org/"]}, "one {}"),
        ({"property": "cito:p"}, "[works.*]"),  # no works to ask about
    ):
        with pytest.raises(InputError) as caught:
            build({**base, "citations": table}, "test")
        assert fragment in caught.value.message, table
    assert build(dict(base), "test").citation_cited == "http://purl.org/spar/cito/hasCitedEntity"
    wikidata = load_mapping("wikidata")
    assert wikidata.cites_property == "http://www.wikidata.org/prop/direct/P2860"
