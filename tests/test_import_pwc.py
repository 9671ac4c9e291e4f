"""The Papers with Code importer: hand-made fixture records, then the real dump."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from scholargate.errors import InputError, ParseError
from scholargate.namespaces import ALIAS, BIBO, FAMILY, FIELD, GRAPH, METHOD, SCHEMA, SG, WORK
from scholargate.services.importing import common, import_pwc, read_curated, write_import
from scholargate.services.importing.common import read_turtle
from scholargate.services.importing.pwc import ArxivId, parse_arxiv, parse_doi, work_slug

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
    assert small.counts["works_curated"] == 1


def test_merges_by_iri_name_and_arxiv(small: common.ImportResult) -> None:
    assert small.merged == [
        ("adam", METHOD["adam-optimizer"], "name"),
        ("bert", METHOD["bert-fine-tuning"], "arxiv"),
        ("transformer", METHOD["transformer"], "iri"),
    ]


def test_a_merged_record_adds_only_see_also(small: common.ImportResult) -> None:
    g = small.graph
    for record, iri, _ in small.merged:
        assert set(g.predicate_objects(iri)) == {
            (RDFS.seeAlso, URIRef(f"https://paperswithcode.com/method/{record}"))
        }
        assert (None, None, iri) not in g
    # no duplicate: a merged record is not also its own method
    assert (METHOD["adam"], None, None) not in g
    assert (METHOD["bert"], None, None) not in g


def test_related_links_come_from_description_links(small: common.ImportResult) -> None:
    g = small.graph
    related = {frozenset(pair) for pair in g.subject_objects(SKOS.related)}
    assert related == {
        frozenset({METHOD["multi-head-attention"], METHOD["scaled"]}),
        frozenset({METHOD["dot-product-attention"], METHOD["location-based-attention"]}),
    }
    # stated once per pair; the build adds the inverse
    assert len(list(g.subject_objects(SKOS.related))) == 2
    # multi-head-attention <-> transformer and adam -> lstm touch curated methods
    assert small.counts["related_dropped"] == 2
    assert small.counts["related_unresolved"] == 1  # not-in-this-dump


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
    assert small.counts["records"] == 15
    assert small.counts["records"] == (
        small.counts["methods"] + small.counts["merged"] + small.counts["rejected"]
    )


def test_no_description_prose_is_copied(small: common.ImportResult) -> None:
    for literal in literals(small.graph):
        assert "**" not in literal
        assert "prose" not in literal
        assert len(literal) <= 300


def test_progress_is_reported(curated_small: Graph) -> None:
    seen: list[tuple[int, int]] = []
    import_pwc(SMALL, curated_small, progress=lambda *a: seen.append(a))
    assert seen and seen[-1] == (15, 15)


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
def real(data_candidates: Path, real_curated: Graph) -> common.ImportResult:
    path = data_candidates / "pwc-methods-2024" / "methods.json"
    assert path.is_file(), f"{path} is missing"
    return import_pwc(path, real_curated)


def test_real_dump_gives_thousands_of_methods(real: common.ImportResult) -> None:
    methods = set(real.graph.subjects(RDF.type, SG.Method))
    assert len(methods) >= 2000
    assert (
        real.counts["records"]
        == real.counts["methods"] + real.counts["merged"] + real.counts["rejected"]
    )
    assert real.counts["works"] > 1000
    assert real.counts["related_kept"] > 1000


def test_real_years_match_arxiv_ids(real: common.ImportResult, real_curated: Graph) -> None:
    g = real.graph + real_curated  # a work may be a curated one
    checked = 0
    for method, year in real.graph.subject_objects(SG.yearIntroduced):
        work = g.value(method, SG.foundationalWork)
        arxiv = g.value(work, SG.arxivId)
        assert arxiv is not None, f"{method} has a year but its work no arXiv id"
        parsed = parse_arxiv(str(arxiv))
        assert parsed is not None and str(parsed.year) == str(year), method
        checked += 1
    assert checked > 1500


def test_real_output_holds_no_description_text(real: common.ImportResult) -> None:
    for literal in literals(real.graph):
        assert len(literal) <= 300, literal[:80]
        assert "**" not in literal, literal[:80]
        assert "](" not in literal, literal[:80]


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
