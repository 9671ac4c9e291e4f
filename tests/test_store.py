"""The store contract — loading, parse errors, graph replacement, queries, dumps — on
every implementation: the embedded store and the remote store over a real Oxigraph
server and a real Virtuoso (``store_impl``)."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from rdflib import Graph, Literal, URIRef

from scholargate.errors import InputError, ParseError
from scholargate.formats import by_name
from scholargate.store import Store
from scholargate.store.oxigraph import OxigraphStore
from scholargate.store.remote import RemoteStore
from scholargate.store.tsv import from_tsv

from .conftest import differs_on

G = URIRef("https://w3id.org/scholargate/graph/test")
EX = "http://example.org/"
TTL = f"""@prefix ex: <{EX}> .
ex:a ex:label "توجه"@fa , "Dikkat"@tr ; ex:year "2017"^^<http://www.w3.org/2001/XMLSchema#gYear> .
ex:a ex:list ( ex:b ex:c ) .
"""


@pytest.fixture(params=["embedded", "oxigraph", "virtuoso"])
def store_impl(request: pytest.FixtureRequest) -> Callable[[], Store]:
    """Makes an empty store of one implementation: the embedded store in memory, or a
    remote store over the session's Oxigraph server or Virtuoso (emptied first)."""
    if request.param == "embedded":
        return OxigraphStore
    server = request.getfixturevalue(f"{request.param}_server")

    def remote() -> RemoteStore:
        s = RemoteStore(server.query_url, **server.store_options())  # type: ignore[arg-type]
        request.addfinalizer(s.close)
        s.clear()
        return s

    return remote


@pytest.fixture
def store(store_impl: Callable[[], Store]) -> Store:
    s = store_impl()
    s.load(TTL, by_name("ttl"), graph=G)
    return s


def test_load_puts_triples_in_the_named_graph(store: Store) -> None:
    assert store.graph_names() == [G]
    assert store.count(G) == 8  # 3 on ex:a + 1 list link + 2×2 list cells


def test_terms_keep_language_and_datatype(store: Store) -> None:
    rows = store.select(f"SELECT ?o WHERE {{ <{EX}a> ?p ?o FILTER(isLiteral(?o)) }}")
    values = {r["o"] for r in rows}
    assert Literal("توجه", lang="fa") in values
    assert Literal("2017", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYear")) in values


def test_malformed_turtle_adds_nothing_and_says_where(store: Store) -> None:
    bad = f'@prefix ex: <{EX}> .\nex:x ex:p ex:y .\nex:z ex:p "open .\n'
    with pytest.raises(ParseError) as caught:
        store.load(bad, by_name("ttl"), graph=G, source="bad.ttl")
    assert caught.value.line == 3
    assert caught.value.column is not None
    assert caught.value.message.startswith("bad.ttl:3:")
    assert store.count(G) == 8  # the valid first triple was not added either


def test_sparql_syntax_error_has_line_and_column(
    store: Store, request: pytest.FixtureRequest
) -> None:
    differs_on(request, "virtuoso", "Virtuoso's compiler names the line of an error, no column")
    with pytest.raises(ParseError) as caught:
        store.query("SELECT * WHERE {\n  ?s ?p }")
    assert caught.value.line == 2
    assert isinstance(caught.value.column, int)
    assert "2:" in caught.value.message


def test_default_graph_is_the_union_of_named_graphs(store: Store) -> None:
    assert store.ask(f"ASK {{ <{EX}a> ?p ?o }}")


def test_max_rows_truncates_and_says_so(store: Store) -> None:
    result = store.query("SELECT * WHERE { ?s ?p ?o }", max_rows=3)
    assert len(result.rows) == 3 and result.truncated
    result = store.query("SELECT * WHERE { ?s ?p ?o }", max_rows=100)
    assert len(result.rows) == 8 and not result.truncated


def test_replace_graph_swaps_the_whole_graph(store: Store) -> None:
    new = [(URIRef(EX + "n"), URIRef(EX + "p"), Literal("x", lang="tr"))]
    store.replace_graph(G, new)
    assert set(store.graph(G)) == set(new)


def test_replace_graph_with_bad_terms_keeps_the_old_graph(store: Store) -> None:
    before = set(store.graph(G))
    with pytest.raises(ValueError):
        store.replace_graph(G, [(URIRef("not an iri"), URIRef(EX + "p"), Literal("x"))])
    assert set(store.graph(G)) == before


def test_a_graph_name_a_query_could_misread_is_refused_and_nothing_changes(store: Store) -> None:
    hostile = URIRef(f"{G}> {{ }} ; DROP ALL ; INSERT DATA {{ GRAPH <{G}")
    before = (store.graph_names(), set(store.graph(G)))
    for attempt in (
        lambda: store.replace_graph(hostile, [(URIRef(EX + "n"), URIRef(EX + "p"), Literal("x"))]),
        lambda: store.count(hostile),
    ):
        with pytest.raises(InputError):
            attempt()
    assert (store.graph_names(), set(store.graph(G))) == before


@pytest.mark.parametrize("name", ["ttl", "nt", "jsonld", "rdf", "nq", "trig"])
def test_dump_of_one_graph_reads_back_isomorphic(store: Store, name: str) -> None:
    fmt = by_name(name)
    out = io.BytesIO()
    store.dump(fmt, out, graph=G)
    if fmt.holds_graphs:
        back = OxigraphStore()
        back.load(out.getvalue(), fmt, graph=G)  # quads keep their own graph
        assert back.graph_names() == [G]
        reread = back.graph(G)
    else:
        reread = Graph().parse(data=out.getvalue(), format=fmt.rdflib)
    assert reread.isomorphic(store.graph(G))


# SELECT answers come from Oxigraph's TSV (one string for the whole answer) unless a row
# cap asks for solution-by-solution reading; both must give the very same terms.

_AWKWARD = (
    "SELECT * WHERE { VALUES (?lang ?int ?dec ?dbl ?yes ?iri ?plain ?year) { "
    '("tab\\t newline\\n \\"quoted\\" back\\\\slash é 😀 \\u0001"@fa-IR 1 1.5 1.0e3 true '
    '<http://example.org/ä%20b> "plain" "2017"^^<http://www.w3.org/2001/XMLSchema#gYear>) } '
    'BIND(-3 AS ?neg) BIND(+5 AS ?plus) BIND(.5 AS ?half) BIND(false AS ?no) BIND("" AS ?empty) '
    'BIND(BNODE("b") AS ?blank) BIND("cr\\r"^^<http://www.w3.org/2001/XMLSchema#string> AS ?s) }'
)


_NO_BNODE_FUNCTION = (
    "Virtuoso 7.2 refuses BNODE(\"b\") ('Built-in function is not implemented'); "
    "it would also write .5 as 0.5 and fa-IR as fa-ir"
)


def _same_terms(fast: list[dict], slow: list[dict]) -> None:
    assert fast == slow
    for a, b in zip(fast, slow, strict=True):
        for name, term in a.items():
            other = b[name]
            assert (type(term), str(term)) == (type(other), str(other)), name
            assert getattr(term, "language", None) == getattr(other, "language", None), name
            assert getattr(term, "datatype", None) == getattr(other, "datatype", None), name


@pytest.mark.parametrize(
    "sparql",
    [
        _AWKWARD,
        "SELECT * WHERE {}",
        "SELECT ?x WHERE { VALUES ?x { UNDEF 1 UNDEF } }",
        "SELECT ?x ?y WHERE { VALUES (?x ?y) { (UNDEF 2) (1 UNDEF) (UNDEF UNDEF) } }",
        "SELECT ?x WHERE { FILTER(false) }",
        'SELECT ?dir WHERE { BIND(STRLANGDIR("right", "ar", "rtl") AS ?dir) }',
    ],
)
def test_select_reads_every_kind_of_term_the_same_both_ways(
    store: Store, sparql: str, request: pytest.FixtureRequest
) -> None:
    if sparql == _AWKWARD:
        differs_on(request, "virtuoso", _NO_BNODE_FUNCTION)
    if "STRLANGDIR" in sparql:
        differs_on(request, "virtuoso", "Virtuoso 7.2 has no SPARQL 1.2 (STRLANGDIR)")
    fast = store.query(sparql)
    slow = store.query(sparql, max_rows=1_000_000)
    assert fast.variables == slow.variables and not slow.truncated
    _same_terms(fast.rows, slow.rows)


def test_every_literal_of_the_bundled_graph_reads_the_same_both_ways(bundled_store) -> None:  # noqa: ANN001
    sparql = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    fast = bundled_store.query(sparql)
    slow = bundled_store.query(sparql, max_rows=10_000_000)
    assert len(fast.rows) > 40_000
    _same_terms(fast.rows, slow.rows)


def test_a_triple_term_in_an_answer_is_refused_both_ways(
    store: Store, request: pytest.FixtureRequest
) -> None:
    differs_on(request, "virtuoso", "Virtuoso 7.2 has no triple terms: TRIPLE() is a syntax error")
    sparql = 'SELECT (TRIPLE(<http://a>, <http://b>, "c") AS ?t) WHERE {}'
    for cap in (None, 10):
        with pytest.raises(TypeError, match="unsupported RDF term"):
            store.query(sparql, max_rows=cap)


@pytest.mark.parametrize(
    "sparql", [_AWKWARD, "SELECT ?x ?y WHERE { VALUES (?x ?y) { (UNDEF 2) (1 UNDEF) } }"]
)
def test_select_cells_are_the_same_terms_as_select(
    store: Store, sparql: str, request: pytest.FixtureRequest
) -> None:
    if sparql == _AWKWARD:
        differs_on(request, "virtuoso", _NO_BNODE_FUNCTION)
    expected = store.query(sparql, max_rows=1_000_000)
    cells = store.select_cells(sparql)
    assert list(cells.variables) == expected.variables
    rows = [
        {name: from_tsv(row[i]) for name, i in cells.variables.items() if row[i]}
        for row in cells.rows
    ]
    _same_terms(rows, expected.rows)


def test_select_cells_refuses_a_query_that_is_not_a_select(store: Store) -> None:
    with pytest.raises(InputError, match="SELECT"):
        store.select_cells("ASK {}")


def test_a_memory_image_of_a_dump_is_the_same_graph_with_the_same_blank_nodes(
    tmp_path,  # noqa: ANN001
) -> None:
    """What `serve`'s master loads for its workers: every quad of the on-disk store, its
    blank nodes under the names the store gives them (the query processes read the
    store itself)."""
    from scholargate.store import memory_image, over_image

    disk = OxigraphStore(tmp_path / "store")
    disk.load(TTL, by_name("ttl"), graph=G)
    dump = tmp_path / "store.nq"
    with dump.open("wb") as out:
        disk.dump_nq(out)
    copy = over_image(memory_image(dump), tmp_path / "store")
    assert set(copy.native.quads_for_pattern(None, None, None)) == set(
        disk.native.quads_for_pattern(None, None, None)
    )
    assert any(q.subject.__class__.__name__ == "BlankNode" for q in copy.native)
    assert copy.count(G) == 8 and copy.origin == tmp_path / "store"
    disk.close()
