"""``sg:label`` on a SPARQL server (the remote store writes each call out in standard
SPARQL, ``store/remote/labels.py``): the queries of tests/test_label_function.py, and more
query shapes, answered by a real Oxigraph server and a real Virtuoso as the embedded store
answers them; what cannot be written out is a 400 that says why; and ``/sparql`` of a live
``serve --store URL`` answers an sg:label query as the embedded store does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import URIRef

from scholargate.errors import InputError
from scholargate.formats import by_name
from scholargate.namespaces import sparql_prefixes
from scholargate.store import Store, remote_store
from scholargate.store.oxigraph import OxigraphStore
from scholargate.store.remote.labels import MAX_CALLS, rewrite

from .conftest import OxigraphServer, SparqlServer
from .test_label_function import CASES, EX, FIXTURE, call

M, E = f"<{EX}method>", f"<{EX}english-only>"
QUERIES = [
    *(call(subject, chain) for subject, chain, _ in CASES),
    # tests/test_label_function.py's other queries
    f"SELECT ?x (LANG(sg:label(?x, 'fa,en')) AS ?lang) WHERE {{ VALUES ?x {{ {M} {E} }} }} "
    "ORDER BY ?x",
    'SELECT (sg:label("just a literal", "en") AS ?l) WHERE {}',
    f"SELECT (sg:label({M}, 42) AS ?l) WHERE {{}}",
    f'SELECT (sg:label({M}, "fa"@fa) AS ?l) WHERE {{}}',
    f'SELECT (sg:label({M}, "fa", "en") AS ?l) WHERE {{}}',
    "SELECT ?x ?name WHERE { ?x ?p ?o . BIND(sg:label(?x, 'fa,en') AS ?name) "
    "FILTER(BOUND(?name) && LANG(?name) = 'fa') } GROUP BY ?x ?name ORDER BY ?name",
    # more shapes: FILTER, OPTIONAL, aggregates, ORDER BY, subqueries, SELECT *, IRIs
    "SELECT ?x WHERE { ?x ?p ?o FILTER(sg:label(?x, 'en') = 'Two'@en) }",
    "SELECT * WHERE { ?x ?p ?o FILTER(COALESCE(sg:label(?x, 'tr'), 'none') = 'none') }",
    "SELECT * WHERE { ?x ?p ?o OPTIONAL { ?x ?p ?o2 FILTER(STR(sg:label(?o2)) != '') } }",
    "SELECT ?x (sg:label(?x, 'en') AS ?n) (COUNT(*) AS ?c) WHERE { ?x ?p ?o } GROUP BY ?x "
    "ORDER BY ?x",
    "SELECT ?x (SAMPLE(sg:label(?x, 'fa,en')) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x",
    "SELECT ?x WHERE { ?x ?p ?o } GROUP BY ?x ORDER BY STR(sg:label(?x, 'fa,en')) ?x",
    "SELECT ?x ?n WHERE { { SELECT ?x (sg:label(?x, 'en-us,en') AS ?n) WHERE { ?x ?p ?o } } }",
    "SELECT ?x (sg:label(?x, 'fa') AS ?fa) (sg:label(?x, 'en,*') AS ?en) WHERE { ?x ?p ?o }",
    "SELECT ?x ?n WHERE { ?x ?p ?o BIND(sg:label(IRI(STR(?x)), '*') AS ?n) }",
    "SELECT ?x WHERE { ?x ?p ?o } GROUP BY ?x HAVING (STRLEN(STR(sg:label(?x, 'en'))) > 4) "
    "ORDER BY ?x",
    "SELECT (<https://w3id.org/scholargate/ontology#label>(<https://example.org/person>, "
    "'fa,en') AS ?l) WHERE {}",
    "ASK { ?x ?p ?o FILTER(sg:label(?x, 'fa') = 'الف'@fa) }",
]


@pytest.fixture(scope="module")
def stores(sparql_server: SparqlServer) -> Iterator[tuple[Store, Store]]:
    """The fixture graph in the embedded store and on each SPARQL server."""
    embedded = OxigraphStore()
    embedded.load(FIXTURE, by_name("ttl"), graph=URIRef(EX + "graph"))
    remote = remote_store(sparql_server.query_url, **sparql_server.store_options())  # type: ignore[arg-type]
    remote.clear()
    remote.load(FIXTURE, by_name("ttl"), graph=URIRef(EX + "graph"))
    yield embedded, remote
    remote.close()


def answers(store: Store, query: str) -> object:
    result = store.query(sparql_prefixes() + query)
    if result.boolean is not None:
        return result.boolean
    rows = [sorted((k, v.n3()) for k, v in row.items()) for row in result.rows]
    return rows if "ORDER BY" in query else sorted(rows)


# Virtuoso 7.2 compares a language-tagged literal that came through a subquery wrongly
# (`{ SELECT ?o … } FILTER(?o = "Two"@en)` is false; written without sg:label too)
VIRTUOSO_DIFFERS = {q for q in QUERIES if "= 'Two'@en" in q or "= 'الف'@fa" in q}


@pytest.mark.parametrize("query", QUERIES)
def test_the_server_answers_as_the_embedded_store(
    stores, query: str, request: pytest.FixtureRequest
) -> None:
    embedded, remote = stores
    if remote.profile.name == "virtuoso" and query in VIRTUOSO_DIFFERS:
        reason = "Virtuoso: = on a tagged literal from a subquery is false"
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))
    assert answers(remote, query) == answers(embedded, query)
    assert remote.extension_functions() == embedded.extension_functions()


@pytest.mark.parametrize(
    ("query", "said"),
    [
        (
            "SELECT (sg:label(?x, ?langs) AS ?l) WHERE { VALUES (?x ?langs) { (<a:b> 'en') } }",
            "constant language list",
        ),
        (
            "SELECT ?l WHERE { GRAPH ?g { ?x ?p ?o BIND(sg:label(?x, 'en') AS ?l) } }",
            "GRAPH or SERVICE",
        ),
        ("SELECT (sg:label(sg:label(?x), 'en') AS ?l) WHERE { ?x ?p ?o }", "inside the arguments"),
        (
            "SELECT "
            + " ".join(f"(sg:label(?x) AS ?l{n})" for n in range(MAX_CALLS + 1))
            + " WHERE { ?x ?p ?o }",
            f"at most {MAX_CALLS}",
        ),
        ("SELECT ?_sg_label_0 (sg:label(?x) AS ?l) WHERE { ?x ?p ?o }", "?_sg_"),
        (
            f"SELECT (sg:label(?x, '{','.join(['en'] * 11)}') AS ?l) WHERE {{ ?x ?p ?o }}",
            "at most 10 languages",
        ),
    ],
)
def test_what_cannot_be_written_out_is_refused(stores, query: str, said: str) -> None:
    _, remote = stores
    with pytest.raises(InputError, match=None) as refused:
        remote.query(sparql_prefixes() + query)
    assert said in str(refused.value)


def test_the_rest_of_the_query_is_kept_and_the_size_bounded() -> None:
    query = "# names\nPREFIX ex: <https://example.org/>\nSELECT ?x   # keep me\nWHERE { ?x ?p ?o }"
    assert rewrite(query, {}) == query  # no call: untouched
    labelled = query.replace("SELECT ?x ", "SELECT ?x (sg:label(?x, 'fa,en') AS ?n) ")
    written = rewrite(labelled, {"sg": "https://w3id.org/scholargate/ontology#"})
    assert written.startswith("# names\nPREFIX ex: <https://example.org/>\nSELECT ?x (?_sg_label_0")
    assert "# keep me\nWHERE { ?x ?p ?o " in written and "sg:label" not in written
    assert len(written) < len(labelled) + 2000


# ---- /sparql of a live server on a SPARQL server ------------------------------------------


@pytest.fixture(scope="module")
def live_remote(tmp_path_factory: pytest.TempPathFactory, bundled_store: Store, project_root: Path):
    from .http.conftest import running
    from .writes.conftest import load_server, server_settings

    backend = OxigraphServer(tmp_path_factory.mktemp("label-backend"))
    load_server(backend, bundled_store)
    settings = {**server_settings(backend), "WORKERS": "1"}
    settings.pop("STORE")
    folder = tmp_path_factory.mktemp("label-remote-server")
    yield from running(folder, settings, project_root, store=f"{backend.url}/query")
    backend.stop()


def test_label_through_the_sparql_endpoint_on_a_server(live_remote, bundled_store) -> None:
    query = (
        "SELECT ?m (sg:label(?m, 'fa,en') AS ?fa) (sg:label(?m, 'tr') AS ?tr) WHERE { "
        "?m a sg:Method } ORDER BY ?m LIMIT 20"
    )
    reply = live_remote.query(sparql_prefixes() + query)
    assert reply.status == 200, reply.text
    got = [
        {k: (v["value"], v.get("xml:lang")) for k, v in b.items()}
        for b in reply.json()["results"]["bindings"]
    ]
    want = [
        {k: (str(v), getattr(v, "language", None)) for k, v in row.items()}
        for row in bundled_store.query(sparql_prefixes() + query).rows
    ]
    assert len(want) == 20 and got == want
    refused = live_remote.query(
        sparql_prefixes() + "SELECT (sg:label(?m, ?l) AS ?n) WHERE { ?m ?p ?l }"
    )
    assert refused.status == 400 and "constant language list" in refused.text
