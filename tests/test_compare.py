"""Comparison views: rows from the shapes, 'differs' by meaning, and bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scholargate.build import build_store
from scholargate.errors import InputError, NotFoundError
from scholargate.services.compare import Comparer, compare, initials, person_short
from scholargate.store.oxigraph import OxigraphStore

SEED = ["multi-head-self-attention", "bert-fine-tuning", "lora"]

PREFIXES = """@prefix sg: <https://w3id.org/scholargate/ontology#> .
@prefix sgm: <https://w3id.org/scholargate/method/> .
@prefix sgw: <https://w3id.org/scholargate/work/> .
@prefix sgp: <https://w3id.org/scholargate/person/> .
@prefix sgf: <https://w3id.org/scholargate/field/> .
@prefix sgs: <https://w3id.org/scholargate/scheme/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix bibo: <http://purl.org/ontology/bibo/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def row(table, label_en: str):
    for r in table.rows:
        if r.label == label_en:
            return r
    raise AssertionError(f"no row {label_en!r} in {[r.label for r in table.rows]}")


# ---- the seed page ----------------------------------------------------------------------


def test_seed_trio_rows_come_in_the_seed_order_with_persian_names(bundled_store) -> None:
    table = compare(bundled_store, SEED, "fa")
    assert [r.label for r in table.rows] == [
        "حوزه", "خانواده", "سال پیدایش", "پدیدآور", "نوع", "منبع بنیادین",
        "نام‌های دیگر", "مرتبط", "خلاصه",
        # added after the seed page: BERT's paper cites the Transformer paper
        # (data/curated/citations.ttl), so the citations row shows, last
        "منبع بنیادینش استناد می‌کند به",
    ]  # fmt: skip
    assert [c.label for c in table.columns] == [
        "توجه به خود چند-سری",
        "تنظیم دقیق BERT",
        "لورا و PEFT",
    ]


def test_seed_trio_differs_exactly_where_the_seed_page_marks_it(bundled_store) -> None:
    table = compare(bundled_store, SEED, "en")
    marked = {r.label: r.differs for r in table.rows}
    # Related differs unlike on the seed page: the seed page counted the curated related
    # sets (5 each, still so in sgg:curated), and the Papers with Code graph links 15 more
    # imported methods to multi-head self-attention
    assert marked == {
        "Field": False, "Family": False, "Year introduced": True, "Originator": True,
        "Type": True, "Foundational source": True, "Other names": True, "Related": True,
        "Summary": True,
        # not on the seed page: only BERT's source cites another compared method's
        "Its source cites": True,
    }  # fmt: skip
    curated = bundled_store.select(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX sgm: <https://w3id.org/scholargate/method/> "
        "SELECT ?m (COUNT(DISTINCT ?r) AS ?n) WHERE { "
        "GRAPH <https://w3id.org/scholargate/graph/curated> { ?m skos:related ?r } "
        "VALUES ?m { sgm:multi-head-self-attention sgm:bert-fine-tuning sgm:lora } } GROUP BY ?m"
    )
    assert sorted(int(r["n"]) for r in curated) == [5, 5, 5]


def test_seed_trio_cells_read_as_the_seed_page(bundled_store) -> None:
    table = compare(bundled_store, SEED, "fa")

    def texts(label: str) -> list[list[str]]:
        return [[v.text for v in cell.values] for cell in row(table, label).cells]

    assert texts("سال پیدایش") == [["2017"], ["2019"], ["2022"]]
    assert texts("پدیدآور") == [
        ["Vaswani, A. et al."],
        ["Devlin, J. et al."],
        ["Hu, E. J. et al.", "Lester, B. et al."],
    ]
    related = [
        bundled_store.select(
            "SELECT (COUNT(DISTINCT ?r) AS ?n) WHERE { "
            f"<https://w3id.org/scholargate/method/{slug}> "
            "<http://www.w3.org/2004/02/skos/core#related> ?r }"
        )[0]["n"]
        for slug in SEED
    ]
    assert texts("مرتبط") == [[str(int(n))] for n in related]
    assert texts("مرتبط")[1:] == [["5"], ["5"]]  # no imported method links to these two
    assert texts("نام‌های دیگر")[0] == [
        "Öz-Dikkat ve Çok Başlı Dikkat (Multi-Head Self-Attention)", "öz-dikkat",
        "multi-head attention", "scaled dot-product attention",
        "self-attention",  # data/aliases/curated-aliases.ttl
    ]  # fmt: skip
    sources = row(table, "منبع بنیادین").cells
    assert (
        sources[0]
        .values[0]
        .text.startswith("Vaswani, A. et al. (2017). Attention Is All You Need.")
    )
    assert (
        sources[1]
        .values[0]
        .text.startswith(
            "Devlin, J., Chang, M.-W., Lee, K. & Toutanova, K. (2019). BERT: Pre-training"
        )
    )
    assert sources[1].values[0].link_label == "DOI"
    assert sources[1].values[0].href.startswith("https://doi.org/10.18653/")
    assert sources[2].values[0].href == "https://arxiv.org/abs/2106.09685"


def test_values_keep_the_terms_the_query_gave_and_the_rdf_writes_them(bundled_store) -> None:
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDF

    from scholargate.render.comparison import to_graph, to_json

    table = compare(bundled_store, SEED, "fa")
    field = row(table, "حوزه").cells[0].values[0]
    summary = row(table, "خلاصه").cells[0].values[0]
    year = row(table, "سال پیدایش").cells[0].values[0]
    assert field.term == URIRef(field.iri)
    assert summary.term == Literal(summary.text, lang=summary.lang)
    assert year.term is None  # text the service made
    written = set(to_graph(table).objects(None, RDF.value))
    assert {field.term, summary.term, Literal("2017")} <= written
    cells = [v for r in to_json(table)["rows"] for c in r["cells"] for v in c]
    assert cells and not any("term" in v for v in cells)


def test_the_generated_sparql_is_returned_and_runs_as_is(bundled_store) -> None:
    table = compare(bundled_store, SEED, "en")
    assert table.sparql.startswith("PREFIX ")
    assert len(bundled_store.select(table.sparql)) > 0


# ---- what "differs" means -------------------------------------------------------------

DIFFERS = (
    PREFIXES
    + """
sgf:x a skos:Concept ; skos:inScheme sgs:fields ; skos:prefLabel "X"@en , "ایکس"@fa .
sgf:y a skos:Concept ; skos:inScheme sgs:fields ; skos:prefLabel "Y"@en .
sgw:w1 a fabio:ScholarlyWork ; dcterms:title "W"@en ; bibo:doi "10.1000/ABC" .
sgw:w2 a fabio:ScholarlyWork ; dcterms:title "W again"@en ; bibo:doi "https://doi.org/10.1000/abc" .
sgm:a a sg:Method ; skos:prefLabel "A"@en ; sg:field sgf:x , sgf:y ; sg:foundationalWork sgw:w1 ;
    sg:yearIntroduced "2017"^^xsd:gYear ; skos:altLabel "one"@en , "two"@tr .
sgm:b a sg:Method ; skos:prefLabel "B"@en ; sg:field sgf:y , sgf:x ; sg:foundationalWork sgw:w2 ;
    sg:yearIntroduced "2017"^^xsd:integer ; skos:altLabel "two"@tr , "one"@en .
sgm:c a sg:Method ; skos:prefLabel "C"@en ; sg:field sgf:x ;
    skos:altLabel "one"@tr , "two"@tr .
"""
)


def store_of(turtle: str, project_root: Path, root: Path, shapes: str = "") -> OxigraphStore:
    """An in-memory store of the project's shapes (and ``shapes``, if given) and
    ``turtle`` as the curated data."""
    shutil.copytree(project_root / "shapes", root / "shapes")
    if shapes:
        (root / "shapes" / "extra.ttl").write_text(shapes, encoding="utf-8")
    (root / "ontology").mkdir()
    (root / "data" / "curated").mkdir(parents=True)
    (root / "data" / "curated" / "m.ttl").write_text(turtle, encoding="utf-8")
    store = OxigraphStore()
    build_store(store, root)
    return store


@pytest.fixture(scope="module")
def small_store(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    return store_of(DIFFERS, project_root, tmp_path_factory.mktemp("differs"))


def test_one_concept_under_two_languages_is_equal(small_store) -> None:
    table = compare(small_store, ["a", "b"], "fa")
    field = row(table, "حوزه")
    assert not field.differs
    assert [v.text for v in field.cells[0].values] == ["Y", "ایکس"]  # fa, falling back to en


def test_sets_compare_whatever_their_order(small_store) -> None:
    table = compare(small_store, ["a", "b"], "en")
    assert not row(table, "Other names").differs


def test_dois_ignore_case_and_resolver_prefix(small_store) -> None:
    table = compare(small_store, ["a", "b"], "en")
    assert not row(table, "Foundational source").differs


def test_years_compare_as_numbers(small_store) -> None:
    table = compare(small_store, ["a", "b"], "en")
    assert not row(table, "Year introduced").differs


def test_a_missing_value_differs_from_a_present_one(small_store) -> None:
    table = compare(small_store, ["a", "c"], "en")
    assert row(table, "Year introduced").differs
    assert row(table, "Foundational source").differs
    assert row(table, "Field").differs  # {x, y} against {x}


def test_same_text_in_another_language_differs(small_store) -> None:
    table = compare(small_store, ["a", "c"], "en")
    assert row(table, "Other names").differs  # "one"@en is not "one"@tr


def test_one_method_alone_renders_and_nothing_differs(small_store) -> None:
    table = compare(small_store, ["a"], "en")
    assert len(table.columns) == 1 and not table.differing


# ---- rows come from the shapes -------------------------------------------------------

EXTRA_ROW = """
@prefix sg: <https://w3id.org/scholargate/ontology#> .
@prefix sgsh: <https://w3id.org/scholargate/shapes#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
sgsh:MethodShape sh:property sgsh:MethodShape-buildsOn-row .
sgsh:MethodShape-buildsOn-row sh:path sg:buildsOn ; sh:order 10 ; sg:display sg:Count ;
    sh:name "Builds on"@en , "بر پایهٔ"@fa , "Dayandığı"@tr .
"""


def test_adding_a_property_shape_adds_a_row_without_code(
    project_root: Path, tmp_path: Path
) -> None:
    data = DIFFERS + "sgm:a sg:buildsOn sgm:b , sgm:c .\n"
    store = store_of(data, project_root, tmp_path / "root", shapes=EXTRA_ROW)
    table = Comparer(store).compare(["a", "b"], "tr")
    last = table.rows[-1]
    assert last.label == "Dayandığı"
    assert [c.values[0].text for c in last.cells] == ["2", "0"]
    assert last.differs


# ---- bad input ---------------------------------------------------------------------------


def test_unknown_method_is_404_naming_it_with_suggestions(bundled_store) -> None:
    with pytest.raises(NotFoundError) as caught:
        compare(bundled_store, ["lora", "multi-head-self-atention"], "en")
    assert "multi-head-self-atention" in caught.value.message
    assert "multi-head-self-attention" in caught.value.details["suggestions"]
    assert caught.value.status == 404


def test_more_than_twenty_methods_is_refused(small_store, bundled_store) -> None:
    slugs = [r["m"].rsplit("/", 1)[-1] for r in bundled_store.select(
        "SELECT ?m WHERE { ?m a <https://w3id.org/scholargate/ontology#Method> } LIMIT 21"
    )]  # fmt: skip
    with pytest.raises(InputError, match="at most 20"):
        compare(bundled_store, slugs, "en")


def test_a_method_named_twice_counts_once(bundled_store) -> None:
    table = compare(bundled_store, ["lora", "bert-fine-tuning", "lora", "LoRA and PEFT"], "en")
    assert [c.slug for c in table.columns] == ["lora", "bert-fine-tuning"]


def test_methods_can_be_named_in_any_language(bundled_store) -> None:
    table = compare(bundled_store, ["لورا و PEFT", "BERT ince ayarı"], "en")
    assert [c.slug for c in table.columns] == ["lora", "bert-fine-tuning"]


# ---- name formatting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "family", "expected"),
    [("Edward J.", "Hu", "Hu, E. J."), ("Ming-Wei", "Chang", "Chang, M.-W."),
     ("Ashish", "Vaswani", "Vaswani, A.")],
)  # fmt: skip
def test_person_short_form(given: str, family: str, expected: str) -> None:
    assert person_short(given, family, None) == expected


def test_initials_of_a_hyphenated_name() -> None:
    assert initials("Jean-Baptiste") == "J.-B."


GROUPS = (
    PREFIXES
    + """
sgm:m1 a sg:Method ; skos:prefLabel "M one"@en ;
    sg:introducedBy sgp:a , sgp:b ; sg:foundationalWork sgw:f1 .
sgm:m3 a sg:Method ; skos:prefLabel "M three"@en ;
    sg:introducedBy sgp:n , sgp:c ; sg:foundationalWork sgw:f4 .
sgm:m5 a sg:Method ; skos:prefLabel "M five"@en ;
    sg:introducedBy sgp:a , sgp:b ; sg:foundationalWork sgw:w1 .
sgm:m6 a sg:Method ; skos:prefLabel "M six"@en ;
    sg:introducedBy sgp:a , sgp:b ; sg:foundationalWork sgw:f6 .
sgw:f6 a fabio:ScholarlyWork ; dcterms:title "F six" ; dcterms:issued "2022"^^xsd:gYear ;
    bibo:authorList ( sgp:c ) ; dcterms:creator sgp:c .
sgp:a a foaf:Person ; foaf:givenName "Ann" ; foaf:familyName "Alpha" .
sgp:b a foaf:Person ; foaf:givenName "Bob" ; foaf:familyName "Beta" .
sgp:c a foaf:Person ; foaf:givenName "Cy" ; foaf:familyName "Gamma" .
sgp:n a foaf:Person ; foaf:name "Nomen" .
sgp:x a foaf:Person ; foaf:givenName "Xu" ; foaf:familyName "Outsider" .
sgw:f1 a fabio:ScholarlyWork ; dcterms:title "F one" ; dcterms:issued "2020"^^xsd:gYear ;
    bibo:authorList ( sgp:a sgp:x ) ; dcterms:creator sgp:a , sgp:x .
sgw:w1 a fabio:ScholarlyWork ; dcterms:title "W one" ; dcterms:issued "2019"^^xsd:gYear ;
    bibo:authorList ( sgp:a sgp:b ) ; dcterms:creator sgp:a , sgp:b .
sgw:f4 a fabio:ScholarlyWork ; dcterms:title "F four" ; dcterms:issued "2021"^^xsd:gYear ;
    bibo:authorList ( sgp:n ) ; dcterms:creator sgp:n .
sgw:w4 a fabio:ScholarlyWork ; dcterms:title "W four" ; dcterms:issued "2018"^^xsd:gYear ;
    bibo:authorList ( sgp:n sgp:c ) ; dcterms:creator sgp:n , sgp:c .
"""
)


@pytest.fixture(scope="module")
def groups_store(project_root: Path, tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    return store_of(GROUPS, project_root, tmp_path_factory.mktemp("groups"))


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # the foundational work is theirs alone: it groups them
        ("m5", ["Alpha, A. & Beta, B."]),
        # neither wrote a foundational work: a work they wrote together groups them
        # (as the seed page's "Lester, B. et al." for LoRA)
        ("m6", ["Alpha, A. & Beta, B."]),
        # Alpha wrote the foundational work with someone who is not an originator, and
        # Beta wrote none: no work of the method's groups them, so each stands alone
        ("m1", ["Alpha, A.", "Beta, B."]),
        # Nomen wrote the foundational work alone: the same
        ("m3", ["Gamma, C.", "Nomen"]),
    ],
)
def test_originators_are_grouped_by_the_works_that_founded_the_method(
    groups_store, method: str, expected: list[str]
) -> None:
    table = compare(groups_store, [method], "en")
    assert [v.text for v in row(table, "Originator").cells[0].values] == expected


def test_row_names_follow_the_shapes_of_each_store() -> None:
    from scholargate.services.compare import RowSpec

    old = RowSpec("s", 1.0, "<p>", "Text", {"en": "Old name"})
    new = RowSpec("s", 1.0, "<p>", "Text", {"en": "New name"})
    assert (str(old.name("en")), str(new.name("en"))) == ("Old name", "New name")


PATH_ROWS = """
@prefix sg: <https://w3id.org/scholargate/ontology#> .
@prefix sgsh: <https://w3id.org/scholargate/shapes#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
sgsh:MethodShape sh:property sgsh:row-builds-on , sgsh:row-built-on-by , sgsh:row-authors .
sgsh:row-builds-on sh:path sg:buildsOn ; sh:order 11 ; sg:display sg:LabelList ;
    sh:name "Builds on"@en .
sgsh:row-built-on-by sh:path [ sh:inversePath sg:buildsOn ] ; sh:order 12 ;
    sg:display sg:LabelList ; sh:name "Built on by"@en .
sgsh:row-authors sh:path ( sg:foundationalWork dcterms:creator ) ; sh:order 13 ;
    sg:display sg:PersonList ; sh:name "Authors of its sources"@en .
"""


def test_rows_with_any_property_path_show_labels_and_names(
    project_root: Path, tmp_path: Path
) -> None:
    data = GROUPS + "sgm:m5 sg:buildsOn sgm:m1 , sgm:m3 .\n"
    store = store_of(data, project_root, tmp_path / "root", shapes=PATH_ROWS)
    table = Comparer(store).compare(["m5", "m1"], "en")

    def texts(label: str) -> list[list[str]]:
        return [[v.text for v in cell.values] for cell in row(table, label).cells]

    assert texts("Builds on") == [["M one", "M three"], []]
    assert texts("Built on by") == [[], ["M five"]]
    assert texts("Authors of its sources") == [
        ["Alpha, A. & Beta, B."],
        ["Alpha, A. & Outsider, X."],
    ]
    assert all(row(table, label).differs for label in ("Builds on", "Built on by"))


# ---- citations among the compared methods' foundational works ---------------------------


def _cited_among(store, methods: list[str]) -> set[tuple[str, str]]:
    """(citing method, cited method) pairs among ``methods``, asked of the graph itself."""
    values = " ".join(f"sgm:{m}" for m in methods)
    rows = store.select(
        "PREFIX sg: <https://w3id.org/scholargate/ontology#> "
        "PREFIX cito: <http://purl.org/spar/cito/> "
        "PREFIX sgm: <https://w3id.org/scholargate/method/> "
        f"SELECT DISTINCT ?a ?b WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} "
        "?a sg:foundationalWork/cito:cites/^sg:foundationalWork ?b FILTER(?a != ?b) }"
    )
    return {(str(r["a"]).rsplit("/", 1)[-1], str(r["b"]).rsplit("/", 1)[-1]) for r in rows}


def test_cites_row_lists_the_compared_methods_each_source_cites(bundled_store) -> None:
    pairs = _cited_among(bundled_store, SEED)
    assert ("bert-fine-tuning", "multi-head-self-attention") in pairs  # citations.ttl
    for lang, name in (
        ("en", "Its source cites"),
        ("fa", "منبع بنیادینش استناد می\u200cکند به"),
        ("tr", "Temel kaynağının atıf yaptığı"),
    ):
        table = compare(bundled_store, SEED, lang)
        cites = row(table, name)
        assert cites.display == "CitedAmong"
        got = {
            (SEED[i], v.iri.rsplit("/", 1)[-1])
            for i, cell in enumerate(cites.cells)
            for v in cell.values
        }
        assert got == pairs
        # each value is the cited method, named in the page's language
        for cell in cites.cells:
            for v in cell.values:
                assert v.lang == lang and v.text


def test_cites_row_is_absent_where_no_compared_source_cites_another(bundled_store) -> None:
    methods = ["lora", "multi-head-self-attention"]
    assert _cited_among(bundled_store, methods) == set()
    table = compare(bundled_store, methods, "en")
    assert "Its source cites" not in [r.label for r in table.rows]
    assert [r.display for r in table.rows].count("CitedAmong") == 0


def test_cites_row_in_the_json_answer(client) -> None:
    answer = client.get("/compare.json?m=" + ",".join(SEED) + "&lang=tr")
    assert answer.status_code == 200
    rows = [r for r in answer.get_json()["rows"] if r["display"] == "CitedAmong"]
    assert len(rows) == 1
    assert rows[0]["label"] == "Temel kaynağının atıf yaptığı"
    cells = rows[0]["cells"]
    assert [[v["iri"].rsplit("/", 1)[-1] for v in cell] for cell in cells] == [
        [],
        ["multi-head-self-attention"],
        [],
    ]
