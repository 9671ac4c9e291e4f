"""The shapes, run against example data found by glob in tests/shapes/.

``{Shape}-valid*.ttl`` must conform; ``{Shape}-invalid-{what}.ttl`` must not, with a
blocking result from that shape (or one of its property shapes or SPARQL constraints),
messages in en, fa and tr, and — for every ``# expect: sgsh:…`` line in the file — a result
whose source shape or source constraint is exactly that one. Examples are validated as
curated data (strict): warnings block.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from scholargate.namespaces import CITO, LANGUAGES, METHOD, SG, SHAPE, bind_prefixes
from scholargate.services.shacl_path import to_sparql
from scholargate.services.validation import ValidationReport, validate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "tests" / "shapes"
EXPECT = re.compile(r"^# expect: sgsh:(\S+)\s*$", re.MULTILINE)
ENGINES = ("compiled", "pyshacl")


def _examples(kind: str) -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*.ttl") if f"-{kind}" in p.stem)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    g = Graph()
    for path in sorted((ROOT / "shapes").glob("*.ttl")):
        g.parse(path)
    return g


def _strict(data: Graph) -> frozenset:
    return frozenset(data.subjects())


def _members(shapes: Graph, shape: URIRef) -> set:
    """A node shape, its property shapes and its SPARQL constraints."""
    return {shape, *shapes.objects(shape, SH.property), *shapes.objects(shape, SH.sparql)}


def _report(data: Graph, shapes: Graph, engine: str, **kw) -> ValidationReport:
    return validate(data, shapes=shapes, engine=engine, **kw)


def test_examples_exist_for_every_shape(shapes: Graph) -> None:
    targeted = {s for s in shapes.subjects(RDF.type, SH.NodeShape) if _has_target(shapes, s)}
    for shape in targeted:
        name = str(shape).removeprefix(str(SHAPE))
        assert list(EXAMPLES.glob(f"{name}-valid*.ttl")), f"no valid example for {name}"
        assert list(EXAMPLES.glob(f"{name}-invalid-*.ttl")), f"no invalid example for {name}"


def _has_target(shapes: Graph, shape: URIRef) -> bool:
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
    return any((shape, t, None) in shapes for t in targets)


# pySHACL gives the same results on every example (test_compiled_engine_agrees_with_pyshacl),
# so the examples run once, on the default engine.
@pytest.mark.parametrize("path", _examples("valid"), ids=lambda p: p.stem)
def test_valid_example_conforms(path: Path, shapes: Graph, engine: str = "compiled") -> None:
    data = Graph().parse(path)
    report = _report(data, shapes, engine, strict_nodes=_strict(data))
    assert report.conforms, report.text()
    assert report.results == [], report.text()


@pytest.mark.parametrize("path", _examples("invalid"), ids=lambda p: p.stem)
def test_invalid_example_fails_on_its_shape(
    path: Path, shapes: Graph, engine: str = "compiled"
) -> None:
    shape = SHAPE[path.stem.split("-invalid-")[0]]
    assert (shape, RDF.type, SH.NodeShape) in shapes, f"{path.name} names no shape"
    data = Graph().parse(path)
    report = _report(data, shapes, engine, strict_nodes=_strict(data))
    assert not report.conforms, report.text()
    members = _members(shapes, shape)
    own = [r for r in report.results if r.source_shape in members and r.blocking]
    assert own, f"no blocking result from {shape}:\n{report.text()}"
    for result in own:
        languages = {lang for lang, text in result.messages if text.strip()}
        assert set(LANGUAGES) <= languages, f"{result.source_shape} lacks messages: {result}"
    expected = EXPECT.findall(path.read_text(encoding="utf-8"))
    assert expected, f"{path.name} has no '# expect: sgsh:…' line"
    for local in expected:
        wanted = SHAPE[local]
        assert wanted in members, f"{local} does not belong to {shape}"
        hits = [r for r in own if wanted in (r.source_shape, r.constraint)]
        assert hits, f"no result from {local}:\n{report.text()}"


def _keys(report: ValidationReport) -> set[tuple]:
    return {
        (r.focus_node, r.path_text, r.value, r.source_shape, r.constraint, r.severity, r.messages)
        for r in report.results
    }


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.ttl")), ids=lambda p: p.stem)
def test_compiled_engine_agrees_with_pyshacl(path: Path, shapes: Graph) -> None:
    """Same results, field by field, from the SPARQL-compiled engine and pySHACL."""
    data = Graph().parse(path)
    compiled = _report(data, shapes, "compiled")
    reference = _report(data, shapes, "pyshacl")
    assert (compiled.engine, reference.engine) == ("compiled", "pyshacl")
    assert _keys(compiled) == _keys(reference)
    assert len(compiled.results) == len(reference.results)


def test_every_constraint_has_a_message_in_every_language(shapes: Graph) -> None:
    constraints = set(shapes.subjects(RDF.type, SH.PropertyShape))
    constraints |= set(shapes.objects(None, SH.property))
    constraints |= set(shapes.objects(None, SH.sparql))
    core_node_level = (SH["or"], SH["and"], SH["not"], SH.node, SH["class"], SH["in"])
    # operands of sh:qualifiedValueShape report through the shape that uses them
    operands = set(shapes.objects(None, SH.qualifiedValueShape))
    for shape in set(shapes.subjects(RDF.type, SH.NodeShape)) - operands:
        if any((shape, p, None) in shapes for p in core_node_level):
            constraints.add(shape)
    assert len(constraints) > 40
    for node in constraints:
        languages = {m.language for m in shapes.objects(node, SH.message) if isinstance(m, Literal)}
        assert set(LANGUAGES) <= languages, f"{node} has messages in {languages}"


def test_every_shape_that_can_report_has_a_stable_iri(shapes: Graph) -> None:
    """Shapes with targets, their property shapes, sh:node shapes, SPARQL constraints and
    property groups are IRIs in sgsh:; only operands (sh:or members, qualified value
    shapes and their inner property shapes) may be blank."""
    targeted = [s for s in shapes.subjects(RDF.type, SH.NodeShape) if _has_target(shapes, s)]
    named = set(targeted)
    for shape in targeted:
        named |= set(shapes.objects(shape, SH.property)) | set(shapes.objects(shape, SH.sparql))
    named |= set(shapes.objects(None, SH.node)) | set(shapes.subjects(RDF.type, SH.PropertyGroup))
    named |= set(shapes.subjects(RDF.type, SH.SPARQLConstraint))
    assert len(named) > 40
    for node in named:
        assert isinstance(node, URIRef), f"{node} has no IRI"
        assert str(node).startswith(str(SHAPE)), node


def test_the_shapes_graph_is_valid_shacl(shapes: Graph) -> None:
    import pyshacl

    conforms, _, text = pyshacl.validate(Graph(), shacl_graph=shapes, meta_shacl=True)
    assert conforms, text


# ---- the comparison view's rows ---------------------------------------------------

ROWS = [
    (1, SG.field, ("Field", "حوزه", "Alan"), SG.LabelList),
    (2, SG.family, ("Family", "خانواده", "Aile"), SG.LabelList),
    (3, SG.yearIntroduced, ("Year introduced", "سال پیدایش", "Ortaya çıkış yılı"), SG.Year),
    (4, SG.introducedBy, ("Originator", "پدیدآور", "Öncü"), SG.PersonList),
    (5, SG.methodType, ("Type", "نوع", "Tür"), SG.LabelList),
    (
        6,
        SG.foundationalWork,
        ("Foundational source", "منبع بنیادین", "Temel kaynak"),
        SG.Citation,
    ),
    (
        7,
        URIRef("http://www.w3.org/2004/02/skos/core#altLabel"),
        ("Other names", "نام\u200cهای دیگر", "Diğer adlar"),
        SG.AliasList,
    ),
    (
        8,
        URIRef("http://www.w3.org/2004/02/skos/core#related"),
        ("Related", "مرتبط", "İlgili"),
        SG.Count,
    ),
    (9, SG.summary, ("Summary", "خلاصه", "Özet"), SG.Text),
    # not on the seed page: which compared methods' foundational works a method's cites
    (
        10,
        f"<{SG.foundationalWork}>/<{CITO.cites}>/(^<{SG.foundationalWork}>)",
        (
            "Its source cites",
            "منبع بنیادینش استناد می\u200cکند به",
            "Temel kaynağının atıf yaptığı",
        ),
        SG.CitedAmong,
    ),
]


def test_method_rows_follow_the_seed_page(shapes: Graph) -> None:
    rows = [
        p
        for p in shapes.objects(SHAPE.MethodShape, SH.property)
        if shapes.value(p, SH.order) is not None
    ]
    rows.sort(key=lambda p: shapes.value(p, SH.order).toPython())
    assert len(rows) == len(ROWS)
    for row, (order, path, names, display) in zip(rows, ROWS, strict=True):
        assert shapes.value(row, SH.order).toPython() == order
        written = shapes.value(row, SH.path)
        assert (written if isinstance(path, URIRef) else to_sparql(shapes, written)) == path
        got = {n.language: str(n) for n in shapes.objects(row, SH.name)}
        assert got == dict(zip(LANGUAGES, names, strict=True)), row
        assert shapes.value(row, SG.display) == display
        group = shapes.value(row, SH.group)
        assert (group, RDF.type, SH.PropertyGroup) in shapes
        labels = {label.language for label in shapes.objects(group, URIRef(str(RDF) + "label"))}
        labels |= {
            label.language
            for label in shapes.objects(group, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
        }
        assert set(LANGUAGES) <= labels, group


def test_row_shapes_carry_no_severity_of_their_own(shapes: Graph) -> None:
    """Rows are well-formedness (violations); completeness warnings are separate shapes."""
    for p in shapes.objects(SHAPE.MethodShape, SH.property):
        if shapes.value(p, SH.order) is not None:
            assert shapes.value(p, SH.severity) in (None, SH.Violation)
            assert shapes.value(p, SH.minCount) is None


# ---- the severity policy -----------------------------------------------------------


@pytest.fixture(scope="module")
def curated_method() -> Graph:
    g = Graph().parse(EXAMPLES / "MethodShape-valid-minimal.ttl")
    bind_prefixes(g)
    return g


@pytest.mark.parametrize("engine", ENGINES)
def test_strict_method_without_year_fails_in_persian(
    curated_method: Graph, shapes: Graph, engine: str
) -> None:
    data = Graph() + curated_method
    method = METHOD["residual-network"]
    data.remove((method, SG.yearIntroduced, None))
    report = _report(data, shapes, engine, strict_nodes=_strict(data), lang="fa")
    assert not report.conforms
    [result] = report.blocking
    assert result.severity == SH.Warning
    assert result.source_shape == SHAPE["MethodShape-yearIntroduced-required"]
    assert result.focus_node == method
    expected = {
        m.language: str(m)
        for m in shapes.objects(SHAPE["MethodShape-yearIntroduced-required"], SH.message)
    }
    assert result.message == expected["fa"] == "روش سال پیدایش (sg:yearIntroduced) ندارد."
    assert expected["fa"] in report.text()
    conforms, graph, text = report
    assert conforms is False and graph is report.graph and expected["fa"] in text


@pytest.mark.parametrize("engine", ENGINES)
def test_lenient_method_without_year_conforms_with_a_warning(
    curated_method: Graph, shapes: Graph, engine: str
) -> None:
    data = Graph() + curated_method
    data.remove((METHOD["residual-network"], SG.yearIntroduced, None))
    report = _report(data, shapes, engine)
    assert report.conforms
    [result] = report.results
    assert result.severity == SH.Warning and not result.blocking
    assert result.message == "The method has no year introduced (sg:yearIntroduced)."
    assert report.to_json()["results"][0]["blocking"] is False


@pytest.mark.parametrize("engine", ENGINES)
def test_sparql_messages_keep_their_language_and_fill_placeholders(
    shapes: Graph, engine: str
) -> None:
    data = Graph().parse(EXAMPLES / "MethodShape-invalid-year-1500.ttl")
    report = _report(data, shapes, engine, lang="tr")
    [result] = [
        r for r in report.results if r.constraint == SHAPE["MethodShape-yearIntroduced-range"]
    ]
    assert dict(result.messages)["tr"].startswith("Ortaya çıkış yılı 1500,")
    assert result.message == dict(result.messages)["tr"]
    assert "1600" in result.message_in("en") and "{?value}" not in result.message_in("fa")
    tagged = {
        m.language for m in report.graph.objects(None, SH.resultMessage) if isinstance(m, Literal)
    }
    assert set(LANGUAGES) <= tagged


def test_message_falls_back_to_english(shapes: Graph) -> None:
    data = Graph().parse(EXAMPLES / "PersonShape-invalid-no-name.ttl")
    report = validate(data, shapes=shapes, lang="de")
    assert report.results[0].message == "A person has exactly one name (foaf:name)."


def test_to_json_is_plain_data(shapes: Graph) -> None:
    import json

    data = Graph().parse(EXAMPLES / "MethodShape-invalid-cycle.ttl")
    report = validate(data, shapes=shapes, lang="fa")
    payload = json.loads(json.dumps(report.to_json()))
    assert payload["conforms"] is False
    cycle = [
        r for r in payload["results"] if r["constraint"] == str(SHAPE["MethodShape-buildsOn-cycle"])
    ]
    assert {r["focusNode"] for r in cycle} == {str(METHOD.a), str(METHOD.b)}
    assert all(r["path"] == "sg:buildsOn" and r["severity"] == "Violation" for r in cycle)
    assert set(cycle[0]["messages"]) == set(LANGUAGES)


def test_orcid_check_digit_matches_iso_7064(shapes: Graph) -> None:
    """The unrolled SPARQL agrees with ISO 7064 MOD 11-2 on many identifiers."""
    import random

    import pyoxigraph as ox

    def check_digit(digits: str) -> str:
        total = 0
        for c in digits:
            total = (total + int(c)) * 2
        result = (12 - total % 11) % 11
        return "X" if result == 10 else str(result)

    rng = random.Random(7064)
    ids = []
    for _ in range(400):
        base = "".join(rng.choice("0123456789") for _ in range(15))
        right = check_digit(base)
        wrong = rng.choice([c for c in "0123456789X" if c != right])
        for last in (right, wrong):
            d = base + last
            ids.append((f"{d[0:4]}-{d[4:8]}-{d[8:12]}-{d[12:16]}", last == right))
    select = str(shapes.value(SHAPE["OrcidShape-check-digit"], SH.select))
    body = select[select.index("WHERE") :].replace("$this", "?this")
    values = " ".join(f"<https://orcid.org/{i}>" for i, _ in ids)
    query = (
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
        f"SELECT ?this {body.replace('WHERE {', 'WHERE { VALUES ?this { ' + values + ' }', 1)}"
    )
    flagged = {r["this"].value.rsplit("/", 1)[1] for r in ox.Store().query(query)}
    for orcid, valid in ids:
        assert (orcid in flagged) is not valid, orcid


# ---- a store: the bundled graph, and the policy read from the metadata graph ------------


@pytest.mark.slow
def test_the_bundled_graph_validates_quickly_and_nothing_blocks(bundled_store) -> None:
    from scholargate.services.validation import validate_store

    report = validate_store(bundled_store)
    assert report.engine == "compiled"
    assert report.conforms, report.text()
    assert report.seconds < 30, f"validation took {report.seconds:.1f} s"
    # imported methods lack originators; those are warnings on lenient nodes
    assert any(r.severity == SH.Warning and not r.blocking for r in report.results)


def test_store_policy_makes_warnings_block_in_strict_graphs_only(shapes: Graph) -> None:
    from scholargate.formats import by_name
    from scholargate.namespaces import GRAPH
    from scholargate.services.validation import validate_store
    from scholargate.store.oxigraph import OxigraphStore

    method = (EXAMPLES / "MethodShape-invalid-missing-year.ttl").read_text(encoding="utf-8")
    imported = method.replace("sgm:x ", "sgm:y ")
    metadata = """
        @prefix sg: <https://w3id.org/scholargate/ontology#> .
        @prefix sgg: <https://w3id.org/scholargate/graph/> .
        sgg:curated sg:validationPolicy sg:Strict .
        sgg:imported sg:validationPolicy sg:Lenient .
    """
    store = OxigraphStore()
    turtle = by_name("ttl")
    store.load(shapes.serialize(format="turtle"), turtle, graph=GRAPH.shapes)
    store.load(metadata, turtle, graph=GRAPH.metadata)
    store.load(method, turtle, graph=GRAPH.curated)
    store.load(imported, turtle, graph=GRAPH.imported)
    for engine in ENGINES:
        report = validate_store(store, engine=engine, lang="tr")
        assert report.engine == engine
        year = [
            r
            for r in report.results
            if r.source_shape == SHAPE["MethodShape-yearIntroduced-required"]
        ]
        assert {(r.focus_node, r.blocking) for r in year} == {(METHOD.x, True), (METHOD.y, False)}
        assert not report.conforms
        assert year[0].message == "Yöntemin ortaya çıkış yılı (sg:yearIntroduced) yok."


# ---- what the compiled engine refuses ----------------------------------------------------

_UNKNOWN_FEATURE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <urn:x-test:> .
ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:size ; sh:minInclusive 3 ; sh:message "too small"@en ] .
"""

_RECURSIVE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <urn:x-test:> .
ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:next ; sh:node ex:Chain ; sh:message "bad chain"@en ] .
ex:Chain a sh:NodeShape ; sh:property [ sh:path ex:next ; sh:node ex:Chain ] .
"""


def test_auto_falls_back_to_pyshacl_for_a_feature_it_does_not_compile() -> None:
    from scholargate.services.validation import UnsupportedShapeError

    shapes = Graph().parse(data=_UNKNOWN_FEATURE, format="turtle")
    data = Graph().parse(
        data="<urn:x-test:a> a <urn:x-test:Thing> ; <urn:x-test:size> 2 .", format="turtle"
    )
    with pytest.raises(UnsupportedShapeError):
        validate(data, shapes=shapes, engine="compiled")
    report = validate(data, shapes=shapes)
    assert report.engine == "pyshacl"
    assert not report.conforms and report.results[0].message == "too small"


def test_recursive_shapes_are_refused_not_looped() -> None:
    from scholargate.services.validation import UnsupportedShapeError

    shapes = Graph().parse(data=_RECURSIVE, format="turtle")
    with pytest.raises(UnsupportedShapeError):
        validate(Graph(), shapes=shapes, engine="compiled")


def test_message_fallback_follows_the_label_chain_with_bcp47_tag_matching() -> None:
    from scholargate.services.validation.report import pick_message

    messages = (("", "plain"), ("en-GB", "colour"), ("fa", "رنگ"), ("fa", "رنگ ۲"))
    assert pick_message(messages, "fa") == "رنگ"  # the first of the asked language
    assert pick_message(messages, "FA") == "رنگ"  # tags match whatever their case
    assert pick_message(messages, "tr") == "colour"  # then English, en-GB serving en
    assert pick_message(messages[2:], "tr") == "رنگ"  # then the first there is
    assert pick_message((("", "plain"), ("fa", "رنگ")), "tr") == "plain"  # untagged before others
    assert pick_message((), "en") == ""
