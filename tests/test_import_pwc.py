"""The Papers with Code importer: hand-made fixture records, then the real dump."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from itertools import chain
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from scholargate.errors import InputError, ParseError
from scholargate.namespaces import ALIAS, BIBO, FAMILY, FIELD, GRAPH, METHOD, SCHEMA, SG, TYPE, WORK
from scholargate.services.importing import common, import_pwc, read_curated, write_import
from scholargate.services.importing.common import read_turtle
from scholargate.services.importing.pwc import ArxivId, parse_arxiv, parse_doi, work_slug
from scholargate.services.importing.pwc.mapping import MAPPING_FILE, read_mapping
from scholargate.services.importing.pwc.summaries import summary_of
from scholargate.services.importing.pwc.years import venue_year

FIXTURES = Path(__file__).parent / "fixtures" / "pwc"
SMALL = FIXTURES / "methods-small.json"


@pytest.fixture(scope="module")
def curated_small() -> Graph:
    return read_turtle([FIXTURES / "curated-small.ttl"])


@pytest.fixture(scope="module")
def small(curated_small: Graph) -> common.ImportResult:
    return import_pwc(SMALL, curated_small)


def literals(graph: Graph) -> list[Literal]:
    return [o for o in graph.objects() if isinstance(o, Literal)]


# ---- identifiers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://arxiv.org/abs/1706.03762v7", ArxivId("1706.03762", 2017)),
        ("http://arxiv.org/abs/1412.6980", ArxivId("1412.6980", 2014)),
        ("https://arxiv.org/pdf/2106.09685v2.pdf", ArxivId("2106.09685", 2021)),
        ("0704.0001", ArxivId("0704.0001", 2007)),  # the first new-style id
        ("1501.00001", ArxivId("1501.00001", 2015)),  # five digits from 2015
        ("https://arxiv.org/abs/hep-th/9711200v3", ArxivId("hep-th/9711200", 1997)),
        ("math/0211159", ArxivId("math/0211159", 2002)),
        ("math.GT/0309136", ArxivId("math.GT/0309136", 2003)),
        ("cs/9108001", ArxivId("cs/9108001", 1991)),
        ("0703.0001", None),  # new style did not exist yet
        ("1412.00001", None),  # five digits before 2015
        ("1501.0001", None),  # four digits after 2015
        ("1713.00001", None),  # no month 13
        ("hep-th/0801001", None),  # old style ended in March 2007
        ("https://example.org/abs/1706.03762", None),
        ("not an id", None),
    ],
)
def test_parse_arxiv(text: str, expected: ArxivId | None) -> None:
    assert parse_arxiv(text) == expected


def test_parse_doi_lower_cases_and_strips_the_resolver() -> None:
    assert parse_doi("https://doi.org/10.1109/TAI.1994.346442") == "10.1109/tai.1994.346442"
    assert parse_doi("http://dx.doi.org/10.1000/ABC%2F1") == "10.1000/abc/1"
    assert parse_doi("https://example.org/10.1000/x") is None


def test_work_slug_keeps_six_words() -> None:
    assert work_slug("Attention Is All You Need") == "attention-is-all-you-need"
    assert work_slug("BERT: Pre-training of Deep Bidirectional Transformers for X") == (
        "bert-pre-training-of-deep-bidirectional"
    )


# ---- the fixture ---------------------------------------------------------------


def test_each_record_becomes_a_method_at_its_pwc_slug(small: common.ImportResult) -> None:
    g = small.graph
    method = METHOD["multi-head-attention"]
    assert (method, RDF.type, SG.Method) in g
    assert (method, SKOS.inScheme, URIRef("https://w3id.org/scholargate/scheme/methods")) in g
    assert list(g.objects(method, SKOS.prefLabel)) == [Literal("Multi-Head Attention", lang="en")]
    assert (
        method,
        RDFS.seeAlso,
        URIRef("https://paperswithcode.com/method/multi-head-attention"),
    ) in g
    # the slug comes from the URL, not from the name
    assert (
        METHOD["scaled"],
        SKOS.prefLabel,
        Literal("Scaled Dot-Product Attention", lang="en"),
    ) in g


def test_every_imported_method_has_see_also_and_one_english_label(
    small: common.ImportResult,
) -> None:
    g = small.graph
    methods = set(g.subjects(RDF.type, SG.Method))
    assert len(methods) == small.counts["methods"]
    for method in methods:
        assert (method, RDFS.seeAlso, None) in g
        labels = [o for o in g.objects(method, SKOS.prefLabel) if o.language == "en"]
        assert len(labels) == 1, method


def test_full_name_becomes_an_alias_only_when_it_differs(small: common.ImportResult) -> None:
    g = small.graph
    alias = ALIAS["nfn-en-1"]
    assert (METHOD["nfn"], SKOS.altLabel, Literal("Neo-fuzzy-neuron", lang="en")) in g
    assert (METHOD["nfn"], URIRef("http://www.w3.org/2008/05/skos-xl#altLabel"), alias) in g
    assert (alias, RDF.type, SG.Alias) in g
    assert (alias, SG.aliasKind, SG.FullName) in g
    assert (alias, DCTERMS.source, GRAPH["pwc-methods"]) in g
    # "Dot-product attention" differs from "Dot-Product Attention" only in case
    assert (METHOD["dot-product-attention"], SKOS.altLabel, None) not in g


def test_years_come_from_new_and_old_style_arxiv_ids(small: common.ImportResult) -> None:
    g = small.graph

    def year(slug: str) -> Literal | None:
        return g.value(METHOD[slug], SG.yearIntroduced)

    assert year("multi-head-attention") == Literal("2017", datatype=XSD.gYear)
    assert year("old-style-example") == Literal("2002", datatype=XSD.gYear)
    assert year("nineties-example") == Literal("1997", datatype=XSD.gYear)
    work = g.value(METHOD["nineties-example"], SG.foundationalWork)
    assert g.value(work, SG.arxivId) == Literal("hep-th/9711200")  # version stripped
    assert g.value(work, DCTERMS.issued) == Literal("1997", datatype=XSD.gYear)


@pytest.mark.parametrize(
    ("url", "year"),
    [
        ("http://openaccess.thecvf.com/content_cvpr_2017/html/X_CVPR_2017_paper.html", 2017),
        ("http://openaccess.thecvf.com/content_ECCV_2018/html/Y_ECCV_2018_paper.html", 2018),
        ("https://openaccess.thecvf.com/content/WACV2024/html/Z_WACV_2024_paper.html", 2024),
        ("https://www.ecva.net/papers/eccv_2020/papers_ECCV/html/7039_ECCV_2020_paper.php", 2020),
        ("http://proceedings.neurips.cc/paper/2020/hash/7d97-Abstract.html", 2020),
        ("https://aclanthology.org/2021.naacl-main.376", 2021),
        ("https://aclanthology.org/D14-1162", 2014),
        ("https://aclanthology.org/K16-1006", 2016),
        ("https://proceedings.mlr.press/v162/li22c.html", 2022),
        ("http://jmlr.org/papers/v15/srivastava14a.html", 2014),
        ("https://icml.cc/Conferences/2018/Schedule?showEvent=2268", 2018),
        ("https://icml.cc/2011/papers/438_icmlpaper.pdf", 2011),
        ("https://proceedings.icml.cc/static/paper_files/icml/2020/5691-Paper.pdf", 2020),
        ("https://www.ijcai.org/proceedings/2021/105", 2021),
        ("https://www.aaai.org/ocs/index.php/AAAI/AAAI18/paper/viewPaper/17146", 2018),
        ("https://www.kdd.org/kdd2016/papers/files/rfp0191-wangAemb.pdf", 2016),
        # no year in the address: none is guessed
        ("http://papers.nips.cc/paper/4824-imagenet-classification", None),
        ("https://openreview.net/forum?id=r1lyTjAqYX", None),
        ("https://doi.org/10.1109/TAI.1994.346442", None),
        ("https://ieeexplore.ieee.org/document/8578843", None),
        (None, None),
    ],
)
def test_venue_year_is_read_only_from_addresses_that_carry_it(
    url: str | None, year: int | None
) -> None:
    assert venue_year(url) == year


def test_one_meaning_of_year_with_its_basis(small: common.ImportResult) -> None:
    """A method's year is its work's: the venue's year when known, else the preprint's;
    the work says which (sg:yearBasis)."""
    g = small.graph

    def year(slug: str) -> str | None:
        value = g.value(METHOD[slug], SG.yearIntroduced)
        return None if value is None else str(value)

    # AdaMax shares the curated Adam paper: ICLR 2015, not its arXiv id's 2014
    assert year("adamax") == "2015"
    assert (
        g.value(METHOD["adamax"], SG.foundationalWork)
        == WORK["adam-a-method-for-stochastic-optimization"]
    )
    # a curated work is not described again, its basis included
    assert (WORK["adam-a-method-for-stochastic-optimization"], None, None) not in g
    # Dropout's link is JMLR volume 15: the venue's year, 2014
    dropout = g.value(METHOD["dropout"], SG.foundationalWork)
    assert year("dropout") == "2014"
    assert g.value(dropout, DCTERMS.issued) == Literal("2014", datatype=XSD.gYear)
    assert g.value(dropout, SG.yearBasis) == SG.VenueYear
    # arXiv only: the preprint's year
    old = g.value(METHOD["old-style-example"], SG.foundationalWork)
    assert g.value(old, SG.yearBasis) == SG.PreprintYear
    # a work without a year has no basis either
    nfn = g.value(METHOD["nfn"], SG.foundationalWork)
    assert (nfn, DCTERMS.issued, None) not in g and (nfn, SG.yearBasis, None) not in g
    assert small.counts["methods_with_venue_year"] >= 2


def test_introduced_year_is_never_used(small: common.ImportResult) -> None:
    g = small.graph
    # 2013 in the record, 2015 from its arXiv id
    assert g.value(METHOD["dot-product-attention"], SG.yearIntroduced) == Literal(
        "2015", datatype=XSD.gYear
    )
    # 1997 in the record, no paper: no year
    assert (METHOD["lstm"], SG.yearIntroduced, None) not in g
    assert (METHOD["lstm"], SG.foundationalWork, None) not in g
    assert small.counts["introduced_year_ignored"] == 2
    years = {str(o) for o in g.objects(None, SG.yearIntroduced)}
    assert "2000" not in years


def test_doi_and_other_links(small: common.ImportResult) -> None:
    g = small.graph
    nfn = g.value(METHOD["nfn"], SG.foundationalWork)
    assert g.value(nfn, BIBO.doi) == Literal("10.1109/tai.1994.346442")
    assert (nfn, SG.arxivId, None) not in g
    assert (nfn, SCHEMA.url, None) not in g
    assert (METHOD["nfn"], SG.yearIntroduced, None) not in g
    dropout = g.value(METHOD["dropout"], SG.foundationalWork)
    assert g.value(dropout, SCHEMA.url) == URIRef("http://jmlr.org/papers/v15/srivastava14a.html")
    assert (dropout, RDF.type, URIRef("http://purl.org/spar/fabio/ScholarlyWork")) in g
    assert (dropout, RDF.type, SCHEMA.ScholarlyArticle) in g
    assert g.value(dropout, DCTERMS.title) == Literal(
        "Dropout: A Simple Way to Prevent Neural Networks from Overfitting", lang="en"
    )


def test_methods_that_share_a_paper_share_one_work(small: common.ImportResult) -> None:
    g = small.graph
    works = {
        g.value(METHOD[s], SG.foundationalWork)
        for s in ("dot-product-attention", "location-based-attention")
    }
    assert works == {WORK["effective-approaches-to-attention-based-neural"]}
    titled = [
        w
        for w, t in g.subject_objects(DCTERMS.title)
        if str(t) == "Effective Approaches to Attention-based Neural Machine Translation"
    ]
    assert len(titled) == 1


def test_curated_works_are_linked_not_restated(small: common.ImportResult) -> None:
    g = small.graph
    work = WORK["attention-is-all-you-need"]
    for slug in ("multi-head-attention", "scaled"):
        assert g.value(METHOD[slug], SG.foundationalWork) == work
    assert (work, None, None) not in g
    assert small.counts["works_curated"] == 2  # Attention Is All You Need and Adam


def test_merges_by_iri_name_and_arxiv(small: common.ImportResult) -> None:
    assert small.merged == [
        ("adam", METHOD["adam-optimizer"], "name"),
        ("bert", METHOD["bert-fine-tuning"], "arxiv"),
        ("transformer", METHOD["transformer"], "iri"),
        ("u-net", METHOD["u-net"], "iri"),
    ]


def test_names_that_differ_by_a_symbol_are_not_merged(small: common.ImportResult) -> None:
    """UNet++ (record "unet") is not U-Net, whose other name "UNet" differs from it only
    by "++": it is a method of its own; the record "u-net" is U-Net's page."""
    g = small.graph
    merged = {record: iri for record, iri, _ in small.merged}
    assert "unet" not in merged and merged["u-net"] == METHOD["u-net"]
    assert g.value(METHOD["unet"], SKOS.prefLabel) == Literal("UNet++", lang="en")
    work = g.value(METHOD["unet"], SG.foundationalWork)
    assert g.value(work, SG.arxivId) == Literal("1807.10165")
    assert set(g.objects(METHOD["u-net"], RDFS.seeAlso)) == {
        URIRef("https://paperswithcode.com/method/u-net")
    }


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("UNet++", "UNet", False),
        ("C#", "C", False),
        ("UNet++", "unet ++", True),
        ("Multi-Head Attention", "multi head attention", True),
        ("Transformer-XL", "Transformer XL", True),
        ("VGG-16", "VGG16", True),
        ("VGG-16", "VGG", False),
        ("k-Means", "k–means", True),  # an en dash is a separator too
    ],
)
def test_name_keys_keep_the_symbols_that_tell_names_apart(a: str, b: str, same: bool) -> None:
    assert (common.marked(a) == common.marked(b)) is same


def test_a_merged_record_adds_only_see_also(small: common.ImportResult) -> None:
    """...its usage count, and the links between it and imported methods, stated on the
    curated method."""
    g = small.graph
    for record, iri, _ in small.merged:
        assert set(g.predicates(iri)) <= {RDFS.seeAlso, SKOS.related, SG.usageCount}
        assert (iri, RDFS.seeAlso, URIRef(f"https://paperswithcode.com/method/{record}")) in g
        for other in chain(g.objects(iri, SKOS.related), g.subjects(SKOS.related, iri)):
            assert (other, RDF.type, SG.Method) in g  # an imported method
        assert set(g.subjects(None, iri)) <= set(g.subjects(SKOS.related, iri))
    # no duplicate: a merged record is not also its own method
    assert (METHOD["adam"], None, None) not in g
    assert (METHOD["bert"], None, None) not in g


def test_related_links_come_from_description_links(small: common.ImportResult) -> None:
    g = small.graph
    related = {frozenset(pair) for pair in g.subject_objects(SKOS.related)}
    assert related == {
        frozenset({METHOD["multi-head-attention"], METHOD["scaled"]}),
        frozenset({METHOD["dot-product-attention"], METHOD["location-based-attention"]}),
        # links between an imported and a curated method are kept
        frozenset({METHOD["multi-head-attention"], METHOD["transformer"]}),
        frozenset({METHOD["adam-optimizer"], METHOD["lstm"]}),
        frozenset({METHOD["adamax"], METHOD["adam-optimizer"]}),
        frozenset({METHOD["unet"], METHOD["u-net"]}),
    }
    # stated once per pair; the build adds the inverse
    assert len(list(g.subject_objects(SKOS.related))) == 6
    assert small.counts["related_to_curated"] == 4
    # bert -> transformer joins two curated methods, whose related sets are hand-checked
    assert (METHOD["bert-fine-tuning"], SKOS.related, METHOD["transformer"]) not in g
    assert (METHOD["transformer"], SKOS.related, METHOD["bert-fine-tuning"]) not in g
    assert small.counts["related_dropped"] == 1
    assert small.counts["related_unresolved"] == 1  # not-in-this-dump


def test_num_papers_is_kept_as_a_usage_count(small: common.ImportResult) -> None:
    g = small.graph

    def usage(iri: URIRef) -> Literal | None:
        return g.value(iri, SG.usageCount)

    assert usage(METHOD["adamax"]) == Literal(25, datatype=XSD.integer)
    assert usage(METHOD["unet"]) == Literal(42, datatype=XSD.integer)
    # a merged record's count is the curated method's, stated in this graph
    assert usage(METHOD["u-net"]) == Literal(1883, datatype=XSD.integer)
    assert len(list(g.objects(METHOD["u-net"], SG.usageCount))) == 1
    assert small.counts["methods_with_usage"] == len(set(g.subjects(SG.usageCount)))


def test_real_usage_counts(real: common.ImportResult, data_candidates: Path) -> None:
    """Every record's num_papers is kept, on the method it became; a method with two
    records keeps the larger count (the papers may overlap, so they are not added)."""
    raw = json.loads((data_candidates / "pwc-methods-2024" / "methods.json").read_text())
    merged = {record: iri for record, iri, _ in real.merged}
    expected: dict[URIRef, int] = {}
    for record in raw:
        slug = record["url"].rsplit("/", 1)[1]
        iri = merged.get(slug, METHOD[slug])
        expected[iri] = max(expected.get(iri, 0), record["num_papers"])
    found = {s: int(o) for s, o in real.graph.subject_objects(SG.usageCount)}
    assert found == expected


def test_families_and_fields(small: common.ImportResult) -> None:
    g = small.graph
    family = FAMILY["attention-modules"]
    assert (METHOD["multi-head-attention"], SG.family, family) in g
    assert (family, RDF.type, SKOS.Concept) in g
    assert (family, RDF.type, SG.Family) in g
    assert (family, SKOS.prefLabel, Literal("Attention Modules", lang="en")) in g
    assert (family, SKOS.inScheme, URIRef("https://w3id.org/scholargate/scheme/families")) in g
    assert (METHOD["lstm"], SG.field, FIELD["sequential"]) in g
    assert (FIELD["sequential"], RDF.type, SG.Field) in g
    assert (
        FIELD["sequential"],
        SKOS.inScheme,
        URIRef("https://w3id.org/scholargate/scheme/fields"),
    ) in g


@pytest.fixture(scope="module")
def mapped(curated_small: Graph) -> common.ImportResult:
    return import_pwc(SMALL, curated_small, mapping=FIXTURES / "collections-small.tsv")


def test_collections_map_onto_types_fields_and_families(
    small: common.ImportResult, mapped: common.ImportResult
) -> None:
    g = mapped.graph
    adamax = METHOD["adamax"]
    # Stochastic Optimization (area General) → a type, and a field instead of General
    assert set(g.objects(adamax, SG.methodType)) == {TYPE["optimization-algorithm"]}
    assert set(g.objects(adamax, SG.field)) == {FIELD["machine-learning"]}
    assert (adamax, SG.field, FIELD["general"]) in small.graph  # without the map
    # the collection's own family stays; a mapped family is added
    assert (adamax, SG.family, FAMILY["stochastic-optimization"]) in g
    mha = METHOD["multi-head-attention"]
    assert (mha, SG.family, FAMILY["attention-mechanisms"]) in g
    assert (mha, SG.family, FAMILY["attention-modules"]) in g
    # merged records take nothing from the map: curated types are checked by hand
    assert (METHOD["adam-optimizer"], SG.methodType, None) not in g
    assert mapped.counts["methods_with_type"] == 1
    assert (None, SG.methodType, None) not in small.graph


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "collection\tconcept\tnote\nRegularization\tsgt:no-such-type\tx\n",
            ":2: 'sgt:no-such-type'",
        ),
        ("collection\tconcept\tnote\nRegularization\tdropout\tx\n", ":2: 'dropout' is not"),
        (
            "collection\tconcept\tnote\nRegularization\tsgt:optimization-algorithm\n",
            ":2: expected three",
        ),
        ("name\tiri\n", ":1: expected the header"),
        (
            "collection\tconcept\tnote\n# reviewed\nA\tsgf:machine-learning\tx\n"
            "A\tsgf:machine-learning\ty\n",
            ":4: 'A' → sgf:machine-learning is listed twice",
        ),
    ],
)
def test_a_bad_collection_map_is_refused_with_its_line(
    curated_small: Graph, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "map.tsv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_mapping(path, curated_small)
    assert message in str(error.value)


def test_real_collection_map_names_real_collections(
    real: common.ImportResult, real_curated: Graph, data_candidates: Path, project_root: Path
) -> None:
    raw = json.loads((data_candidates / "pwc-methods-2024" / "methods.json").read_text())
    collections = {c["collection"] for r in raw for c in r["collections"] or []}
    mapping = read_mapping(project_root / MAPPING_FILE, real_curated)
    assert set(mapping.by_collection) <= collections
    assert len(mapping) > 50
    # "General" shrinks (901 methods before the map) and most methods get a type
    assert real.counts["methods_in_general"] < 600
    assert real.counts["methods_with_type"] > 800


def test_concepts_the_curated_graph_defines_are_not_labelled_again(
    small: common.ImportResult,
) -> None:
    g = small.graph
    assert (METHOD["scaled"], SG.family, FAMILY["attention-mechanisms"]) in g
    assert (FAMILY["attention-mechanisms"], None, None) not in g
    # only merged records were in NLP, so the field is not even referenced
    assert (FIELD["natural-language-processing"], SKOS.prefLabel, None) not in g


def test_records_that_cannot_be_valid_are_rejected_with_a_reason(
    small: common.ImportResult,
) -> None:
    rejected = dict(small.rejected)
    assert set(rejected) == {"nameless", "cjk-only", "record 15"}
    assert "name" in rejected["nameless"]
    assert "ASCII" in rejected["cjk-only"]
    assert "URL" in rejected["record 15"]
    assert (METHOD["nameless"], None, None) not in small.graph
    assert (METHOD["cjk-only"], None, None) not in small.graph
    assert small.counts["records"] == 18
    assert small.counts["records"] == (
        small.counts["methods"] + small.counts["merged"] + small.counts["rejected"]
    )


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        (
            "**SwaV**, or **Swapping Assignments**, is a method.",
            "SwaV, or Swapping Assignments, is a method.",
        ),
        ("A [Tacotron](https://paperswithcode.com/method/tacotron) block.", "A Tacotron block."),
        ("First\r\nline.\r\n\r\nSecond paragraph.", "First line."),
        ("![](https://x.org/a.png)\r\n\r\nText after an image.", "Text after an image."),
        ("Uses $C\\_{k}$ filters of width $k$.", "Uses C_k filters of width k."),
        ("A gate $\\sigma(x) \\in [0, 1]$.", "A gate σ(x) ∈ [0, 1]."),
        ("As in \\cite{NLSPN}, we go.", "As in, we go."),
        ("Uses `torch.nn` and <b>HTML</b>.", "Uses torch.nn and HTML."),
        # a link inside a link's brackets, as some descriptions have it
        ("The [[ViT](https://x.org/vit)](https//x.org/vit) model.", "The ViT model."),
        ("", ""),
        ("   \r\n  ", ""),
    ],
)
def test_summary_is_the_first_paragraph_as_plain_text(markdown: str, text: str) -> None:
    assert summary_of(markdown) == text


def test_summaries_come_from_descriptions(small: common.ImportResult) -> None:
    """The first paragraph of a description, in plain text, is the method's English
    summary; the rest of the description is not copied."""
    g = small.graph
    assert g.value(METHOD["adamax"], SG.summary) == Literal(
        "AdaMax is a test description: a variant of Adam based on the infinity norm, "
        "v_t = max(β_2v_t-1, |g_t|).",
        lang="en",
    )
    assert (METHOD["lstm"], SG.summary, None) not in g  # no description, no summary
    for literal in literals(small.graph):
        assert "**" not in literal and "](" not in literal and "$" not in literal
        assert "second paragraph" not in literal.casefold()
    # a merged record's description says nothing about the curated method
    assert (METHOD["adam-optimizer"], SG.summary, None) not in g
    assert small.counts["summaries"] == len(list(g.subject_objects(SG.summary)))


def test_progress_is_reported(curated_small: Graph) -> None:
    seen: list[tuple[int, int]] = []
    import_pwc(SMALL, curated_small, progress=lambda *a: seen.append(a))
    assert seen and seen[-1] == (18, 18)


def test_metadata_describes_the_graph(small: common.ImportResult) -> None:
    meta = small.metadata
    name = GRAPH["pwc-methods"]
    assert (name, RDF.type, URIRef("http://rdfs.org/ns/void#Dataset")) in meta
    assert (name, RDF.type, URIRef("http://www.w3.org/ns/prov#Entity")) in meta
    assert (
        name,
        DCTERMS.license,
        URIRef("https://creativecommons.org/licenses/by-sa/4.0/"),
    ) in meta
    assert (name, DCTERMS.source, URIRef("https://paperswithcode.com/")) in meta
    assert (name, SG.validationPolicy, SG.Lenient) in meta
    assert {t.language for t in meta.objects(name, DCTERMS.title)} == {"en", "fa", "tr"}
    assert meta.value(name, URIRef("http://creativecommons.org/ns#attributionName")) == Literal(
        "Papers with Code"
    )
    assert meta.value(name, DCTERMS.rights) is not None
    assert meta.value(name, URIRef("http://www.w3.org/ns/prov#generatedAtTime")) is not None
    import hashlib

    sha = hashlib.sha256(SMALL.read_bytes()).hexdigest()
    derived = meta.value(name, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
    assert str(derived) == f"urn:sha256:{sha}"


# ---- writing -------------------------------------------------------------------


def test_write_import_writes_turtle_that_parses(small: common.ImportResult, tmp_path: Path) -> None:
    write_import(small, tmp_path / "pwc-methods.ttl")
    data, meta = tmp_path / "pwc-methods.ttl", tmp_path / "pwc-methods.meta.ttl"
    assert data.is_file() and meta.is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pwc-methods.meta.ttl", "pwc-methods.ttl"]
    store = ox.Store()
    store.load(data.read_bytes(), ox.RdfFormat.TURTLE)
    assert len(store) == len(small.graph)
    assert Graph().parse(data, format="turtle").isomorphic(small.graph)
    assert Graph().parse(meta, format="turtle").isomorphic(small.metadata)


def test_output_is_byte_identical_across_runs(tmp_path: Path) -> None:
    """Same input, same bytes, also with another hash seed (set ordering)."""
    script = (
        "import sys; from pathlib import Path\n"
        "from scholargate.services.importing import import_pwc, write_import\n"
        "from scholargate.services.importing.common import read_turtle\n"
        "c = read_turtle([Path(sys.argv[2])])\n"
        "write_import(import_pwc(Path(sys.argv[1]), c), Path(sys.argv[3]))\n"
    )
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / seed / "pwc-methods"
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": os.pathsep.join(sys.path)}
        subprocess.run(
            [
                sys.executable,
                "-c",
                script,
                str(SMALL),
                str(FIXTURES / "curated-small.ttl"),
                str(out),
            ],
            check=True,
            env=env,
        )
        outputs.append(
            (
                out.with_name("pwc-methods.ttl").read_bytes(),
                out.with_name("pwc-methods.meta.ttl").read_bytes(),
            )
        )
    assert outputs[0] == outputs[1]


def test_a_failed_write_leaves_the_old_files(
    small: common.ImportResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pwc-methods.ttl").write_text("old data\n")
    (tmp_path / "pwc-methods.meta.ttl").write_text("old meta\n")
    real = common.serialise

    def failing(graph: Graph, header: str = "") -> bytes:
        if graph is small.metadata:
            raise RuntimeError("disk on fire")
        return real(graph, header)

    monkeypatch.setattr(common, "serialise", failing)
    with pytest.raises(RuntimeError):
        write_import(small, tmp_path / "pwc-methods")
    assert (tmp_path / "pwc-methods.ttl").read_text() == "old data\n"
    assert (tmp_path / "pwc-methods.meta.ttl").read_text() == "old meta\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pwc-methods.meta.ttl", "pwc-methods.ttl"]


# ---- errors --------------------------------------------------------------------


def test_a_missing_file_names_the_file(curated_small: Graph, tmp_path: Path) -> None:
    missing = tmp_path / "methods.json"
    with pytest.raises(InputError) as caught:
        import_pwc(missing, curated_small)
    assert str(missing) in caught.value.message
    assert "\n" not in caught.value.message
    assert caught.value.status == 400


def test_bad_json_names_file_line_and_column(curated_small: Graph) -> None:
    broken = FIXTURES / "methods-broken.json"
    with pytest.raises(ParseError) as caught:
        import_pwc(broken, curated_small)
    assert caught.value.message.startswith(f"{broken}:3:")
    assert caught.value.line == 3 and caught.value.column is not None
    assert "\n" not in caught.value.message


def test_json_that_is_not_a_list_is_refused(curated_small: Graph, tmp_path: Path) -> None:
    path = tmp_path / "methods.json"
    path.write_text(json.dumps({"url": "https://paperswithcode.com/method/x"}))
    with pytest.raises(InputError, match="JSON array"):
        import_pwc(path, curated_small)


# ---- the real dump ------------------------------------------------------------


@pytest.fixture(scope="module")
def real_curated(project_root: Path) -> Graph:
    return read_curated(project_root)


@pytest.fixture(scope="module")
def real(data_candidates: Path, real_curated: Graph, project_root: Path) -> common.ImportResult:
    path = data_candidates / "pwc-methods-2024" / "methods.json"
    assert path.is_file(), f"{path} is missing"
    return import_pwc(path, real_curated, mapping=project_root / MAPPING_FILE)


def test_real_dump_gives_thousands_of_methods(real: common.ImportResult) -> None:
    methods = set(real.graph.subjects(RDF.type, SG.Method))
    assert len(methods) >= 2000
    assert (
        real.counts["records"]
        == real.counts["methods"] + real.counts["merged"] + real.counts["rejected"]
    )
    assert real.counts["works"] > 1000
    assert real.counts["related_kept"] > 1000
    # links to curated methods are kept (619 were dropped before); only those between
    # two curated methods are left to the hand-checked curated data
    assert real.counts["related_to_curated"] > 500
    assert real.counts["related_dropped"] < 50


def test_real_years_follow_their_basis(real: common.ImportResult, real_curated: Graph) -> None:
    """A preprint year is the arXiv id's; a venue year is a curated work's or its link's;
    methods on one work share its year."""
    g = real.graph + real_curated  # a work may be a curated one
    checked = {SG.PreprintYear: 0, SG.VenueYear: 0}
    for method, year in real.graph.subject_objects(SG.yearIntroduced):
        work = g.value(method, SG.foundationalWork)
        assert g.value(work, DCTERMS.issued) == year or (work, SG.venue, None) in g, method
        basis = g.value(work, SG.yearBasis)
        if basis == SG.PreprintYear:
            parsed = parse_arxiv(str(g.value(work, SG.arxivId)))
            assert parsed is not None and str(parsed.year) == str(year), method
        else:
            assert basis == SG.VenueYear, method
            link = g.value(work, SCHEMA.url)
            assert (work, SG.venue, None) in g or str(venue_year(str(link))) == str(year)
        checked[basis] += 1
    assert checked[SG.PreprintYear] > 1500 and checked[SG.VenueYear] > 50
    for slug, curated in [
        ("adamax", "adam"),
        ("vgg-16", "vgg"),
        ("mbert", "bert"),
        ("inception-module", "googlenet"),
        ("dense-block", "densenet"),
        ("residual-block", "resnet"),
        ("stochastic-gradient-variational-bayes", "variational-autoencoder"),
    ]:
        assert g.value(METHOD[slug], SG.yearIntroduced) == g.value(
            METHOD[curated], SG.yearIntroduced
        ), slug


def test_real_summaries_are_plain_text(real: common.ImportResult) -> None:
    summaries = list(real.graph.subject_objects(SG.summary))
    assert len(summaries) > 1900  # 1,977 records have a description, 56 of them merged
    for method, summary in summaries:
        assert summary.language == "en", method
        assert "**" not in summary and "](" not in summary and "\\cite" not in summary, method
    # nothing else is long prose
    for literal in literals(real.graph):
        if (None, SG.summary, literal) not in real.graph:
            assert len(literal) <= 300, literal[:80]


@pytest.mark.parametrize("slug", ["adam", "dropout", "transformer"])
def test_real_known_records_merge_once_curated(
    real: common.ImportResult, real_curated: Graph, slug: str
) -> None:
    """A curated sgm:adam takes the Adam record in; without one, the record is imported."""
    merged = {record: iri for record, iri, _ in real.merged}
    if (METHOD[slug], None, None) in real_curated:
        assert merged.get(slug) == METHOD[slug]
        assert (METHOD[slug], RDF.type, SG.Method) not in real.graph
    else:
        assert slug not in merged
        assert (METHOD[slug], RDF.type, SG.Method) in real.graph


def test_real_merges_by_name_or_iri_share_a_name_symbols_and_all(
    real: common.ImportResult, real_curated: Graph, data_candidates: Path
) -> None:
    """Every record merged by its IRI or name carries a name of the curated method, up to
    case and separators only: no merge of names that differ by +, #, a digit or so."""
    raw = json.loads((data_candidates / "pwc-methods-2024" / "methods.json").read_text())
    names = {r["url"].rsplit("/", 1)[1]: {r["name"], r["full_name"]} for r in raw}
    checked = 0
    for record, iri, reason in real.merged:
        if reason == "arxiv":
            continue
        labels = {
            common.marked(str(label))
            for p in (SKOS.prefLabel, SKOS.altLabel)
            for label in real_curated.objects(iri, p)
            if label.language == "en"
        }
        assert {common.marked(n) for n in names[record] if n} & labels, (record, iri)
        checked += 1
    assert checked > 50


def test_real_unet_plus_plus_is_its_own_method(real: common.ImportResult) -> None:
    g = real.graph
    assert g.value(METHOD["unet"], SKOS.prefLabel) == Literal("UNet++", lang="en")
    assert g.value(g.value(METHOD["unet"], SG.foundationalWork), SG.arxivId) == Literal(
        "1807.10165"
    )
    assert set(g.objects(METHOD["u-net"], RDFS.seeAlso)) == {
        URIRef("https://paperswithcode.com/method/u-net")
    }


def test_real_union_has_at_most_one_label_per_language(
    real: common.ImportResult, real_curated: Graph
) -> None:
    union = real_curated + real.graph
    seen: dict[tuple[URIRef, str], Literal] = {}
    for subject, label in union.subject_objects(SKOS.prefLabel):
        key = (subject, label.language)
        assert key not in seen or seen[key] == label, (subject, seen.get(key), label)
        seen[key] = label
    for record, iri, _ in real.merged:
        assert (METHOD[record], RDF.type, SG.Method) not in real.graph or METHOD[record] == iri


def test_committed_import_is_from_the_candidate_file(
    data_candidates: Path, project_root: Path
) -> None:
    """data/imported/pwc-methods.meta.ttl names the sha256 of the dump it was made from."""
    import hashlib

    meta_path = project_root / "data" / "imported" / "pwc-methods.meta.ttl"
    assert meta_path.is_file()
    meta = Graph().parse(meta_path, format="turtle")
    source = data_candidates / "pwc-methods-2024" / "methods.json"
    sha = hashlib.sha256(source.read_bytes()).hexdigest()
    assert (
        GRAPH["pwc-methods"],
        URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"),
        URIRef(f"urn:sha256:{sha}"),
    ) in meta


def test_committed_import_is_up_to_date(real: common.ImportResult, project_root: Path) -> None:
    """data/imported/pwc-methods.ttl is what the importer makes from today's curated data;
    when this fails, re-run `scholargate import pwc .../methods.json` and commit."""
    committed = Graph().parse(project_root / "data" / "imported" / "pwc-methods.ttl")
    missing, extra = set(real.graph) - set(committed), set(committed) - set(real.graph)
    assert not missing and not extra, (
        f"pwc-methods.ttl is stale: {len(missing)} triples missing, {len(extra)} extra, "
        f"e.g. {sorted(missing or extra)[:3]}"
    )
