"""The Persian and Turkish glossary importers: fixtures, then the real glossaries."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from scholargate.errors import InputError, ParseError
from scholargate.namespaces import ALIAS, GRAPH, METHOD, SG, SKOSXL, TYPE
from scholargate.services.importing import (
    common,
    import_glossary_fa,
    import_glossary_tr,
    import_pwc,
    read_curated,
    write_import,
)
from scholargate.services.importing.common import read_turtle

FIXTURES = Path(__file__).parent / "fixtures" / "glossary"
ZWNJ = "\u200c"


@pytest.fixture(scope="module")
def methods() -> Graph:
    return read_turtle([FIXTURES / "methods-small.ttl"])


@pytest.fixture(scope="module")
def fa(methods: Graph) -> common.ImportResult:
    return import_glossary_fa(FIXTURES / "fa-small.yaml", methods)


@pytest.fixture(scope="module")
def tr(methods: Graph) -> common.ImportResult:
    return import_glossary_tr(FIXTURES / "tr-small.md", methods)


def labels(graph: Graph, method: URIRef, lang: str) -> list[str]:
    return sorted(str(o) for o in graph.objects(method, SKOS.prefLabel) if o.language == lang)


def aliases(graph: Graph, method: URIRef, lang: str) -> list[str]:
    return sorted(str(o) for o in graph.objects(method, SKOS.altLabel) if o.language == lang)


# ---- Persian ---------------------------------------------------------------------


def test_first_alternative_is_the_label_and_the_rest_aliases(fa: common.ImportResult) -> None:
    g = fa.graph
    transformer = METHOD["transformer"]
    assert labels(g, transformer, "fa") == ["تبدیل" + ZWNJ + "گر"]  # ZWNJ kept
    assert aliases(g, transformer, "fa") == ["مبدل"]
    alias = ALIAS["transformer-fa-1"]
    assert (transformer, SKOSXL.altLabel, alias) in g
    assert (alias, RDF.type, SG.Alias) in g
    assert (alias, SKOSXL.literalForm, Literal("مبدل", lang="fa")) in g
    assert (alias, SG.aliasKind, SG.Translation) in g
    assert (alias, DCTERMS.source, GRAPH["fa-ml-glossary"]) in g


def test_altlabel_match_trims_and_numbers_after_existing_aliases(fa: common.ImportResult) -> None:
    g = fa.graph
    gan = METHOD["gan"]
    assert labels(g, gan, "fa") == ["شبکه مولد خصمانه"]  # surrounding spaces stripped
    # "جی‌ان" is already a curated alias (sga:gan-fa-1): not repeated; the new one is 2
    assert aliases(g, gan, "fa") == ["شبکه مولد رقابتی"]
    assert (gan, SKOSXL.altLabel, ALIAS["gan-fa-2"]) in g
    assert (ALIAS["gan-fa-1"], None, None) not in g


def test_a_method_with_a_label_in_the_language_gets_nothing(fa: common.ImportResult) -> None:
    assert (METHOD["dropout"], None, None) not in fa.graph
    assert fa.counts["already_labelled"] == 1


def test_only_methods_are_labelled(fa: common.ImportResult) -> None:
    assert (TYPE["attention-mechanism"], None, None) not in fa.graph
    assert fa.counts["unmatched"] == 2  # Accuracy, Attention Mechanism


def test_fa_merged_lists_what_was_labelled(fa: common.ImportResult) -> None:
    assert [iri for _, iri, _ in fa.merged] == [METHOD["gan"], METHOD["transformer"]]
    assert fa.counts["labels"] == 2
    assert fa.counts["aliases"] == 2


def test_fa_entries_without_a_translation_are_rejected(fa: common.ImportResult) -> None:
    assert len(fa.rejected) == 1
    record, reason = fa.rejected[0]
    assert record.startswith("entry 5")
    assert "persian" in reason


def test_fa_metadata_keeps_the_mit_notice(fa: common.ImportResult) -> None:
    meta = fa.metadata
    name = GRAPH["fa-ml-glossary"]
    assert (name, DCTERMS.license, URIRef("https://opensource.org/licenses/MIT")) in meta
    rights = str(meta.value(name, DCTERMS.rights))
    assert "Copyright (c) 2023 Seyed Naser Razavi" in rights
    assert "Permission is hereby granted" in rights
    assert (name, SG.validationPolicy, SG.Lenient) in meta
    sha = hashlib.sha256((FIXTURES / "fa-small.yaml").read_bytes()).hexdigest()
    assert (
        name,
        URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"),
        URIRef(f"urn:sha256:{sha}"),
    ) in meta


def test_bad_yaml_names_file_line_and_column(methods: Graph) -> None:
    broken = FIXTURES / "fa-broken.yaml"
    with pytest.raises(ParseError) as caught:
        import_glossary_fa(broken, methods)
    assert caught.value.message.startswith(f"{broken}:")
    assert caught.value.line is not None and caught.value.column is not None
    assert "\n" not in caught.value.message


def test_yaml_that_is_not_a_list_is_refused(methods: Graph, tmp_path: Path) -> None:
    path = tmp_path / "glossary.yaml"
    path.write_text("english: Adam\npersian: آدام\n", encoding="utf-8")
    with pytest.raises(InputError, match="list"):
        import_glossary_fa(path, methods)


def test_a_missing_glossary_names_the_file(methods: Graph, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file") as caught:
        import_glossary_tr(tmp_path / "TERMINOLOGY.md", methods)
    assert str(tmp_path / "TERMINOLOGY.md") in caught.value.message


# ---- Turkish ---------------------------------------------------------------------


def test_tr_pairs_and_comma_alternatives(tr: common.ImportResult) -> None:
    g = tr.graph
    assert labels(g, METHOD["softmax"], "tr") == ["eşiksiz en büyük işlev"]
    assert aliases(g, METHOD["softmax"], "tr") == ["softmaks"]
    assert (ALIAS["softmax-tr-1"], SG.aliasKind, SG.Translation) in g
    assert (ALIAS["softmax-tr-1"], DCTERMS.source, GRAPH["tr-d2l-terminology"]) in g
    assert labels(g, METHOD["dropout"], "tr") == ["hattan düşme"]  # two spaces stripped


def test_tr_reads_a_colon_and_the_parts_of_a_parenthesis(tr: common.ImportResult) -> None:
    assert labels(tr.graph, METHOD["transformer"], "tr") == ["dönüştürücü"]
    # "api (application programming interface)" names the method by its long form
    assert labels(tr.graph, METHOD["api-example"], "tr") == ["uygulama programlama arayüzü"]


def test_tr_terms_with_two_meanings_are_rejected(tr: common.ImportResult) -> None:
    rejected = dict(tr.rejected)
    assert {"line 6 (bias)", "line 8 (bias)"} <= set(rejected)
    assert (METHOD["bias-example"], None, None) not in tr.graph
    assert any(record.startswith("line 16") for record in rejected)  # no separator
    assert len(rejected) == 3
    assert [record.split()[1] for record, _ in tr.rejected] == ["6", "8", "16"]  # file order


def test_tr_metadata(tr: common.ImportResult) -> None:
    name = GRAPH["tr-d2l-terminology"]
    meta = tr.metadata
    assert (
        name,
        DCTERMS.license,
        URIRef("https://creativecommons.org/licenses/by-sa/4.0/"),
    ) in meta
    assert "Dive into Deep Learning" in str(meta.value(name, DCTERMS.rights))
    assert (name, SG.validationPolicy, SG.Lenient) in meta


def test_glossary_output_round_trips(tr: common.ImportResult, tmp_path: Path) -> None:
    write_import(tr, tmp_path / "tr-d2l-terminology")
    again = Graph().parse(tmp_path / "tr-d2l-terminology.ttl", format="turtle")
    assert again.isomorphic(tr.graph)
    first = (tmp_path / "tr-d2l-terminology.ttl").read_bytes()
    write_import(tr, tmp_path / "tr-d2l-terminology.ttl")
    assert (tmp_path / "tr-d2l-terminology.ttl").read_bytes() == first


def test_glossary_progress(methods: Graph) -> None:
    seen: list[tuple[int, int]] = []
    import_glossary_tr(FIXTURES / "tr-small.md", methods, progress=lambda *a: seen.append(a))
    assert seen and seen[-1] == (4, 4)


# ---- the real glossaries, against the curated data and the real PwC dump ----------


@pytest.fixture(scope="module")
def real_methods(data_candidates: Path, project_root: Path) -> Graph:
    curated = read_curated(project_root)
    pwc = import_pwc(data_candidates / "pwc-methods-2024" / "methods.json", curated)
    return curated + pwc.graph


REAL = {
    "fa": (import_glossary_fa, "fa-ml-glossary/Glossary_sorted_en.yaml"),
    "tr": (import_glossary_tr, "tr-d2l-terminology/TERMINOLOGY.md"),
}


@pytest.fixture(scope="module", params=sorted(REAL))
def real(
    request: pytest.FixtureRequest, data_candidates: Path, real_methods: Graph
) -> tuple[str, common.ImportResult]:
    importer, relative = REAL[request.param]
    return request.param, importer(data_candidates / relative, real_methods)


def test_real_glossaries_fill_gaps_only(
    real: tuple[str, common.ImportResult], real_methods: Graph
) -> None:
    lang, result = real
    g = result.graph
    assert result.counts["labels"] >= 1
    for method in set(g.subjects(SKOS.prefLabel)):
        assert labels(real_methods, method, lang) == [], f"{method} already had a {lang} label"
        assert len(labels(g, method, lang)) == 1
        assert (method, RDF.type, SG.Method) in real_methods
        assert set(labels(g, method, lang)).isdisjoint(aliases(g, method, lang))
    for literal in g.objects(None, SKOS.prefLabel):
        assert literal.language == lang
        assert str(literal) == str(literal).strip()


def test_real_glossaries_keep_their_script(real: tuple[str, common.ImportResult]) -> None:
    lang, result = real
    texts = [str(o) for o in result.graph.objects() if isinstance(o, Literal)]
    if lang == "fa":
        assert any(ZWNJ in text for text in texts)  # zero-width non-joiners survive
        assert all(any("\u0600" <= ch <= "\u06ff" for ch in text) for text in texts)
    else:
        assert sum(1 for record, _ in result.rejected if "(bias)" in record) == 2


def test_committed_glossaries_are_up_to_date(
    real: tuple[str, common.ImportResult], project_root: Path
) -> None:
    """data/imported/{fa-ml-glossary,tr-d2l-terminology}.ttl are what the importers make
    from today's curated data and Papers with Code import; when this fails, re-run
    `scholargate import glossary-fa|glossary-tr FILE` and commit."""
    _, result = real
    committed = Graph().parse(project_root / "data" / "imported" / f"{result.name}.ttl")
    assert set(committed) == set(result.graph), f"{result.name}.ttl is stale"
