"""``sg:label(?x, "fa,en")``: the store evaluates it, through every way a query reaches it."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from scholargate.cli import main
from scholargate.formats import by_name
from scholargate.namespaces import SG, sparql_prefixes
from scholargate.services import labels
from scholargate.store import functions
from scholargate.store.oxigraph import OxigraphStore

FIXTURE = """
@prefix ex: <https://example.org/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix dcterms: <http://purl.org/dc/terms/> .

ex:method skos:prefLabel "Low-rank adaptation"@en , "انطباق کم‌رتبه"@fa ;
    skos:altLabel "LoRA"@en .
ex:english-only skos:prefLabel "Only English"@en .
ex:two-fa skos:prefLabel "ب"@fa , "الف"@fa , "Two"@en .
ex:rdfs-fa skos:prefLabel "Preferred"@en ; rdfs:label "برچسب"@fa .
ex:subtag skos:prefLabel "Colour"@en-GB , "Color"@en-US .
ex:exact-tag skos:prefLabel "Generic"@en , "British"@en-GB .
ex:person foaf:name "Ashish Vaswani" .
ex:work dcterms:title "Attention Is All You Need"@en .
ex:unlabelled ex:p ex:method .
ex:title-and-name dcterms:title "Title"@en ; foaf:name "Name"@en .
"""

# (subject, chain or None for the one-argument form, expected (text, lang) or None)
CASES = [
    ("method", "fa,en", ("انطباق کم‌رتبه", "fa")),
    ("method", "en,fa", ("Low-rank adaptation", "en")),
    ("method", "tr,en", ("Low-rank adaptation", "en")),
    ("method", " TR , EN ", ("Low-rank adaptation", "en")),  # spaces and case
    ("method", "tr", None),  # strict chain: nothing in Turkish
    ("method", "tr,*", ("Low-rank adaptation", "en")),  # * = any language
    ("method", None, ("Low-rank adaptation", "en")),  # omitted chain = any
    ("method", "", ("Low-rank adaptation", "en")),  # empty chain = any
    ("english-only", "fa,en", ("Only English", "en")),
    ("two-fa", "fa", ("الف", "fa")),  # lexically first of one language
    ("rdfs-fa", "fa,en", ("برچسب", "fa")),  # language first, then property
    ("rdfs-fa", "en", ("Preferred", "en")),
    ("subtag", "en", ("Colour", "en-gb")),  # en matches en-GB and en-US; first by tag
    ("subtag", "en-us", ("Color", "en-us")),
    ("exact-tag", "en", ("Generic", "en")),  # the exact tag before its subtags
    ("person", "fa,en", ("Ashish Vaswani", None)),  # a name without language serves
    ("work", "fa,en", ("Attention Is All You Need", "en")),
    ("title-and-name", "en", ("Name", "en")),  # foaf:name before dcterms:title
    ("unlabelled", "fa,en", None),
]

EX = "https://example.org/"


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    store = OxigraphStore()
    store.load(FIXTURE, by_name("ttl"), graph=URIRef(EX + "graph"))
    return store


def call(subject: str, chain: str | None) -> str:
    args = f"<{EX}{subject}>" + ("" if chain is None else f', "{chain}"')
    return f"SELECT (sg:label({args}) AS ?label) WHERE {{}}"


def expected_term(expected: tuple[str, str | None] | None) -> Literal | None:
    return None if expected is None else Literal(expected[0], lang=expected[1])


@pytest.mark.parametrize(("subject", "chain", "expected"), CASES)
def test_label_through_the_store(store, subject, chain, expected) -> None:
    rows = store.query(sparql_prefixes() + call(subject, chain)).rows
    assert rows[0].get("label") == expected_term(expected)


def test_the_iri_is_the_ontology_term_and_the_properties_are_the_label_service_ones() -> None:
    assert functions.LABEL.value == str(SG.label)
    assert functions.LABEL_PROPERTIES == labels.LABEL_PROPERTIES


def test_language_of_the_answer_tells_which_step_of_the_chain_answered(store) -> None:
    query = sparql_prefixes() + (
        "SELECT ?x (LANG(sg:label(?x, 'fa,en')) AS ?lang) WHERE { VALUES ?x { "
        f"<{EX}method> <{EX}english-only> }} }} ORDER BY ?x"
    )
    assert [str(r["lang"]) for r in store.query(query).rows] == ["en", "fa"]


@pytest.mark.parametrize(
    "args",
    [
        '"just a literal", "en"',  # a literal has no label
        f"<{EX}method>, 42",  # a chain that is not a string
        f'<{EX}method>, "fa"@fa',  # a language-tagged chain
        f'<{EX}method>, "fa", "en"',  # too many arguments
    ],
)
def test_bad_arguments_leave_the_value_unbound(store, args: str) -> None:
    rows = store.query(sparql_prefixes() + f"SELECT (sg:label({args}) AS ?l) WHERE {{}}").rows
    assert rows == [{}]


def test_label_in_filter_order_and_bind(store) -> None:
    query = sparql_prefixes() + (
        "SELECT ?x ?name WHERE { ?x ?p ?o . BIND(sg:label(?x, 'fa,en') AS ?name) "
        "FILTER(BOUND(?name) && LANG(?name) = 'fa') } GROUP BY ?x ?name ORDER BY ?name"
    )
    names = [str(r["name"]) for r in store.query(query).rows]
    assert names == ["الف", "انطباق کم‌رتبه", "برچسب"]


def test_label_with_the_bundled_graph(bundled_store) -> None:
    query = sparql_prefixes() + (
        "SELECT ?m (sg:label(?m, 'fa,en') AS ?fa) (sg:label(?m, 'tr') AS ?tr) "
        "(sg:label(?p, 'fa,en') AS ?person) WHERE { BIND(sgm:lora AS ?m) "
        "sgm:lora sg:foundationalWork/bibo:authorList/rdf:first ?p }"
    )
    row = bundled_store.query(query).rows[0]
    assert row["fa"] == Literal("لورا و PEFT", lang="fa")
    assert row["tr"] == Literal("LoRA ve PEFT", lang="tr")
    assert row["person"] == Literal("Edward J. Hu")


def test_label_is_safe_from_many_threads(store) -> None:
    query = sparql_prefixes() + ("SELECT ?x (sg:label(?x, 'fa,en') AS ?l) WHERE { ?x ?p ?o }")
    expected = sorted(map(str, (r.get("l") for r in store.query(query).rows)))
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            for _ in range(20):
                rows = store.query(query).rows
                results.append(sorted(map(str, (r.get("l") for r in rows))))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert len(results) == 80 and all(r == expected for r in results)


def test_label_on_disk_and_read_only(tmp_path: Path) -> None:
    path = tmp_path / "store"
    writer = OxigraphStore(path)
    writer.load(FIXTURE, by_name("ttl"), graph=URIRef(EX + "graph"))
    writer.flush()
    rows = writer.query(sparql_prefixes() + call("method", "fa,en")).rows
    assert rows[0]["label"] == Literal("انطباق کم‌رتبه", lang="fa")
    writer.close()
    reader = OxigraphStore(path, read_only=True)  # as a query process opens it
    rows = reader.query(sparql_prefixes() + call("person", "fa,en")).rows
    assert rows[0]["label"] == Literal("Ashish Vaswani")


def test_label_sees_writes_made_between_queries() -> None:
    store = OxigraphStore()
    store.load(FIXTURE, by_name("ttl"), graph=URIRef(EX + "graph"))
    assert store.query(sparql_prefixes() + call("english-only", "tr")).rows == [{}]
    store.update(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        f'INSERT DATA {{ <{EX}english-only> skos:prefLabel "Yalnız"@tr }}'
    )
    rows = store.query(sparql_prefixes() + call("english-only", "tr")).rows
    assert rows[0]["label"] == Literal("Yalnız", lang="tr")


def test_the_function_module_loads_without_the_package() -> None:
    """The query processes (store/processes/child.py) load it by path, importing only
    pyoxigraph."""
    import subprocess
    import sys

    path = Path(functions.__file__)
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('sg_functions', {str(path)!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "import pyoxigraph as ox\n"
        "store = ox.Store()\n"
        "s = ox.NamedNode('https://example.org/x')\n"
        "p = ox.NamedNode('http://www.w3.org/2004/02/skos/core#prefLabel')\n"
        "store.add(ox.Quad(s, p, ox.Literal('x', language='fa')))\n"
        "q = 'SELECT (<https://w3id.org/scholargate/ontology#label>('\n"
        "q += '<https://example.org/x>, \"fa\") AS ?l) {}'\n"
        "row = next(iter(store.query(q, custom_functions=module.custom_functions(store))))\n"
        "assert row['l'].value == 'x'\n"
        "assert 'rdflib' not in sys.modules and 'scholargate' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_label_through_the_cli(runner, project_root: Path, tmp_path: Path) -> None:
    query = "SELECT ?name WHERE { BIND(sg:label(sgm:multi-head-self-attention, 'fa,en') AS ?name) }"
    result = runner.invoke(
        main,
        ["--root", str(project_root), "--memory", "query", "--format", "json", query],
        env={"SCHOLARGATE_SAVED": str(tmp_path / "comparisons.nt")},  # not the checkout's var/
    )
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    binding = answer["results"]["bindings"][0]["name"]
    assert binding["value"] == "توجه به خود چند-سری"
    assert binding["xml:lang"] == "fa"


def test_best_label_directly() -> None:
    literal = ox.Literal
    pref = functions.LABEL_PROPERTIES[0]
    name = functions.LABEL_PROPERTIES[2]
    found = [(pref, literal("x", language="en")), (name, literal("y"))]
    assert functions.best_label(found, ("fa",)).value == "y"
    assert functions.best_label(found, ("en",)).value == "x"
    assert functions.best_label([], ("en",)) is None
    assert functions.parse_chain("") == ("*",)
    assert functions.parse_chain("fa, EN,") == ("fa", "en")


# ---- at the SPARQL endpoint of a live server ---------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, project_root: Path):
    from .http.conftest import start_server, stop_server

    server = start_server(tmp_path_factory.mktemp("label-server"), {"WORKERS": "1"}, project_root)
    yield server
    stop_server(server)


def test_label_through_the_sparql_endpoint(live) -> None:
    query = (
        "PREFIX sg: <https://w3id.org/scholargate/ontology#>\n"
        "PREFIX sgm: <https://w3id.org/scholargate/method/>\n"
        "SELECT (sg:label(sgm:lora, 'fa,en') AS ?name) WHERE {}"
    )
    reply = live.query(query)
    assert reply.status == 200, reply.text
    binding = reply.json()["results"]["bindings"][0]
    assert binding["name"]["value"] == "لورا و PEFT"


def test_search_on_the_live_server(live) -> None:
    reply = live.request("GET", "/search/suggest?q=%D9%84%D9%88%D8%B1%D8%A7&lang=fa")  # لورا
    assert reply.status == 200
    assert reply.json()["results"][0]["slug"] == "lora"
