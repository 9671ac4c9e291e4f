"""The static checks a query passes before evaluation (no server needed): the tokenizer
must find SERVICE, FROM, LOAD and nesting where the engine would, and nowhere else."""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import pytest

from scholargate.errors import ForbiddenError, InputError, QueryRefusedError, ScholarGateError
from scholargate.namespaces import GRAPH, WD
from scholargate.services.sparql import (
    ClientSlots,
    Limits,
    TooManyQueriesError,
    UnsupportedMediaTypeError,
    analyse,
    check,
    parse_request,
    tokens,
)

CANARY = "http://127.0.0.1:9/sparql"

# query → (services, FROM graphs, FROM NAMED graphs, update words, depth)
# fmt: off
ANALYSES: dict[str, tuple[tuple, tuple, tuple, tuple, int]] = {
    f"SELECT * {{ SERVICE <{CANARY}> {{ ?s ?p ?o }} }}": ((CANARY,), (), (), (), 2),
    f"select * {{ service silent <{CANARY}> {{}} }}": ((CANARY,), (), (), (), 2),
    "SELECT * { SeRvIcE ?endpoint {} }": ((None,), (), (), (), 2),
    "SELECT * { SERVICE": ((None,), (), (), (), 1),
    "SELECT * { SERVICE wd:Q1 {} }": ((str(WD["Q1"]),), (), (), (), 2),
    f"SELECT * {{ SERVICE # a comment\n <{CANARY}> {{}} }}": ((CANARY,), (), (), (), 2),
    'SELECT * { ?s ?p "SERVICE <http://x/>" } # SERVICE <http://y/>': ((), (), (), (), 1),
    "SELECT * { ?s ?p '''it's \"SERVICE <x>\" ''' }": ((), (), (), (), 1),
    "SELECT * { ?s ?p 'a\\'SERVICE <x>' }": ((), (), (), (), 1),
    "SELECT ?service { ?s <http://e/service/from> ?service ; ex:service ?from }":
        ((), (), (), (), 1),
    "PREFIX service: <http://e/> SELECT * { ?s service:load ?o }": ((), (), (), (), 1),
    # no space: the engine reads the keyword SERVICE and the name :x
    "PREFIX : <http://e/> SELECT * { SERVICE:x { ?s ?p ?o } }": (("http://e/x",), (), (), (), 2),
    "PREFIX : <http://e/> SELECT * { service:x{} }": (("http://e/x",), (), (), (), 2),
    "SELECT * FROM sgg:curated FROM NAMED <http://n/> {}":
        ((), (str(GRAPH["curated"]),), ("http://n/",), (), 1),
    "BASE <file:///etc/> SELECT * FROM <passwd> {}": ((), ("file:///etc/passwd",), (), (), 1),
    "PREFIX sgg: <http://other/> SELECT * FROM sgg:g {}": ((), ("http://other/g",), (), (), 1),
    "SELECT * FROM <http://a/\\u0062> {}": ((), ("http://a/b",), (), (), 1),
    "LOAD <file:///etc/passwd>": ((), (), (), ("LOAD",), 0),
    "INSERT DATA { <a:b> <a:c> <a:d> }": ((), (), (), ("INSERT",), 1),
    "WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }": ((), (), (), ("WITH", "DELETE"), 1),
    "SELECT * { FILTER(!!!true) }": ((), (), (), (), 5),
    "SELECT * { FILTER(?a != ?b) }": ((), (), (), (), 2),
    "SELECT * {" + "{" * 100 + "}" * 101: ((), (), (), (), 101),
    "SELECT * { ?s ?p [ ?q [ ?r ?o ] ] }": ((), (), (), (), 3),
}
# fmt: on


@pytest.mark.parametrize("sparql", list(ANALYSES))
def test_analyse(sparql: str) -> None:
    services, froms, named, updates, depth = ANALYSES[sparql]
    found = analyse(sparql)
    assert found.services == services
    assert found.from_graphs == froms
    assert found.from_named == named
    assert found.update_words == updates
    assert found.depth == depth


@pytest.mark.parametrize(
    ("sparql", "form"),
    [
        ("SELECT * {}", "select"),
        ("PREFIX a: <http://a/> ask {}", "ask"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "construct"),
        ("DESCRIBE <http://a/>", "describe"),
        (
            "BASE <http://a/> # SELECT\n CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * {} } }",
            "construct",
        ),
        ("not a query", None),
    ],
)
def test_query_form(sparql: str, form: str | None) -> None:
    assert analyse(sparql).form == form


def test_tokens_kinds() -> None:
    found = list(tokens('SELECT ?x ex:a.b. _:b1 1.5 "a"@en-US !=!x <http://i> # c'))
    assert found == [
        ("word", "SELECT"),
        ("var", "?x"),
        ("pname", "ex:a.b"),
        ("other", "."),
        ("pname", "_:b1"),
        ("number", "1.5"),
        ("string", '"a"'),
        ("lang", "@en-US"),
        ("other", "!"),
        ("other", "="),
        ("bang", "!"),
        ("word", "x"),
        ("iri", "<http://i>"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "آ" * 200_000,  # letters no rule takes as a name start
        '"' + '\\"' * 200_000,  # a string that never ends
        "'" + "\\'" * 200_000,
        "a." * 200_000,
        "<a" * 100_000,
        "'''" + "''a" * 100_000,
    ],
    ids=["letters", "open-string", "open-string-single", "dots", "angles", "long-string"],
)
def test_tokenizer_is_linear(text: str) -> None:
    started = time.perf_counter()
    analyse(text)
    assert time.perf_counter() - started < 5.0  # quadratic would take minutes


LIMITS = Limits(max_nesting=64, service_allowlist=frozenset({CANARY}))
GRAPHS = {str(GRAPH["curated"])}


@pytest.mark.parametrize(
    ("sparql", "error", "words"),
    [
        ("SELECT * WHERE " + "{" * 65 + "}" * 65, QueryRefusedError, ["nested 65", "limit is 64"]),
        ("SELECT * { SERVICE <http://other/> {} }", ForbiddenError, ["http://other/"]),
        ("SELECT * { SERVICE ?x {} }", ForbiddenError, ["variable"]),
        ("LOAD <http://a/>", ForbiddenError, ["LOAD", "updates are not accepted"]),
        ("CLEAR ALL", ForbiddenError, ["updates are not accepted"]),
        ("SELECT * FROM <http://a/> {}", InputError, ["http://a/", "no such graph"]),
        ("SELECT * FROM NAMED <http://a/> {}", InputError, ["FROM NAMED"]),
    ],
)
def test_check_refuses(sparql: str, error: type[Exception], words: list[str]) -> None:
    with pytest.raises(error) as caught:
        check(analyse(sparql), graphs=GRAPHS, limits=LIMITS)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize(
    "sparql",
    [
        "SELECT * WHERE " + "{" * 64 + "}" * 64,
        f"SELECT * {{ SERVICE <{CANARY}> {{}} }}",
        "SELECT * FROM sgg:curated { ?s ?p ?o }",
    ],
)
def test_check_accepts(sparql: str) -> None:
    check(analyse(sparql), graphs=GRAPHS, limits=LIMITS)


@pytest.mark.parametrize(
    ("method", "content_type", "query", "body", "error"),
    [
        ("POST", "text/plain", b"", b"ASK {}", UnsupportedMediaTypeError),
        ("POST", None, b"", b"ASK {}", UnsupportedMediaTypeError),
        ("POST", "application/sparql-update", b"", b"  ", InputError),
        ("POST", "application/sparql-update", b"default-graph-uri=urn:g", b"CLEAR ALL", InputError),
        ("GET", None, b"query=a&query=b", b"", InputError),
        ("GET", None, b"query=a&update=b", b"", InputError),
        ("GET", None, b"update=CLEAR%20ALL", b"", ScholarGateError),
        ("GET", None, b"query=ASK{}&using-graph-uri=urn:g", b"", InputError),
        ("GET", None, b"query=%FF", b"", InputError),
        ("POST", "application/sparql-query", b"", b"ASK {} # \xff", InputError),
    ],
)
def test_parse_request_refuses(
    method: str, content_type: str | None, query: bytes, body: bytes, error: type[Exception]
) -> None:
    with pytest.raises(error):
        parse_request(method, content_type, query, body)


def test_parse_request_reads_an_update_and_its_dataset() -> None:
    for content_type, body in (
        ("application/sparql-update", b"CLEAR GRAPH <urn:g>"),
        ("application/x-www-form-urlencoded", b"update=CLEAR+GRAPH+%3Curn%3Ag%3E"),
    ):
        asked = parse_request("POST", content_type, b"using-graph-uri=urn%3Ax", body)
        assert (asked.update, asked.query) == ("CLEAR GRAPH <urn:g>", None)
        assert asked.using_graphs == ["urn:x"]


def test_parse_request_reads_the_dataset() -> None:
    asked = parse_request(
        "POST",
        "application/sparql-query; charset=utf-8",
        b"default-graph-uri=http%3A%2F%2Fa%2F&named-graph-uri=http%3A%2F%2Fb%2F&format=csv",
        'ASK { ?s ?p "روش" }'.encode(),
    )
    assert asked.query == 'ASK { ?s ?p "روش" }'
    assert asked.default_graphs == ["http://a/"]
    assert asked.named_graphs == ["http://b/"]
    assert asked.formats == ["csv"]


def test_client_slots(tmp_path: Path) -> None:
    slots = ClientSlots(tmp_path, 2)
    with slots.hold("10.0.0.1"), slots.hold("10.0.0.1"):
        with pytest.raises(TooManyQueriesError) as caught:
            with slots.hold("10.0.0.1"):
                pass
        assert caught.value.details["retry_after"] == 1
        with slots.hold("10.0.0.2"):  # another client has its own slots
            pass
    with slots.hold("10.0.0.1"):  # released
        pass


# ---- chains: how deep the engine's trees get -----------------------------------------------

# query → the chain the analysis counts: at each level, its operators and the brackets
# it holds, plus the largest count inside one of those brackets
# fmt: off
CHAINS: dict[str, int] = {
    "ASK { ?s ?p ?o }": 1,                                  # the group
    "SELECT (1 + 2 * 3 - 4 / 5 AS ?x) {}": 6,               # (…), {} and 4 operators
    "SELECT (1-2-3 AS ?x) {}": 4,                           # "-" inside one number token
    "ASK { FILTER(?a || ?b && ?c) }": 4,                    # "||" and "&&" are one each
    "ASK { FILTER(?a = 1 || ?a != 2 || ?a <= 3) }": 4,      # comparisons do not chain
    "ASK { FILTER(CONCAT(?a + 1, ?b + 1, ?c + 1) = ?d) }": 4,  # "," ends a chain
    "ASK { FILTER(?a IN (1, 2, 3, 4, 5, 6, 7, 8)) }": 3,
    "ASK { {} UNION {} UNION {} }": 4,                      # three branches in one group
    "ASK { OPTIONAL {} OPTIONAL {} MINUS {} BIND(1 AS ?x) }": 5,
    "ASK { ?a <p>/<q>/<r>|<s> ?b }": 4,
    'ASK { ?a ^<p>/<q> ?b . ?c <p> "1"^^xsd:int }': 3,      # ^ and ^^ are not steps
    "ASK { ?a <p> ?b . ?b <p> ?c ; <q> ?d , ?e }": 4,       # each pattern one more join
    "DESCRIBE <a> <b> <c>": 3,                              # each term one more branch
    "SELECT (1 AS ?a) (2 AS ?b) (3 AS ?c) {}": 4,            # projections chain
    'ASK { VALUES (?a ?b) { (1 -2) (3 -4) (5 "6"^^xsd:int) } }': 3,  # data is flat
    "ASK { FILTER((1 + 1) + 1) }": 5,                       # nested chains add up
    'ASK { FILTER("a + b + c || d") } # + + + +': 2,        # strings and comments
    "ASK { << << <a> <b> <c> >> <b> <c> >> ?p ?o }": 1,     # quoted triples nest, flat
    "ASK { FILTER((((1 + 1": 6,                             # unclosed: counted all the same
}
# fmt: on


@pytest.mark.parametrize("sparql", list(CHAINS))
def test_chain(sparql: str) -> None:
    assert analyse(sparql).chain == CHAINS[sparql]


@pytest.mark.parametrize(
    ("sparql", "depth"),
    [
        ("SELECT * { << <a> <b> <c> >> ?p ?o }", 2),
        ("SELECT * { " + "<< " * 100 + "<a> <b> <c>" + " >> <b> <c>" * 100 + " . }", 101),
        ("SELECT * { <a> <b> <<( <a> <b> <<( <a> <b> <c> )>> )>> }", 5),
        ("SELECT * { FILTER(?a < ?b && ?c > ?d) }", 2),  # comparisons are not quotes
        ("SELECT * { FILTER(?a<?b) }", 2),
    ],
)
def test_quoted_triples_nest(sparql: str, depth: int) -> None:
    assert analyse(sparql).depth == depth


ENGINE_LIMITS = tomllib.loads(Path(__file__).with_name("engine_limits.toml").read_text())


def engine_text(case: dict) -> str:
    count = case["count"]
    middle, close = case.get("middle", ""), case.get("close", "")
    return case["head"] + case["repeat"] * count + middle + close * count + case["tail"]


@pytest.mark.parametrize("case", ENGINE_LIMITS["case"], ids=lambda case: case["name"])
def test_engine_limits_are_checked(case: dict) -> None:
    """The rows of engine_limits.toml: what crashed the engine is refused by the default
    limits, far below where it crashed; what is long but safe passes."""
    limits = Limits()
    analysis = analyse(engine_text(case))
    if case["status"] == 200:
        check(analysis, graphs=GRAPHS, limits=limits)
        return
    with pytest.raises(QueryRefusedError) as caught:
        check(analysis, graphs=GRAPHS, limits=limits)
    assert "the limit is" in caught.value.message
    if "crashes_at" in case:  # the limit is far below the crash
        assert max(limits.max_chain, limits.max_nesting) * 8 < case["crashes_at"]


def test_chain_refusal_says_what_to_do() -> None:
    sparql = "SELECT * { FILTER(?x = 1" + " || ?x = 1" * 300 + ") }"
    with pytest.raises(QueryRefusedError) as caught:
        check(analyse(sparql), graphs=GRAPHS, limits=LIMITS)
    error = caught.value
    assert error.status == 400 and error.details == {"chain": 303, "limit": 256}
    assert "the limit is 256" in error.message and "VALUES" in error.message


def test_chain_limit_from_the_settings() -> None:
    limits = Limits.from_config({"MAX_CHAIN": "10"})
    check(analyse("SELECT (1" + " + 1" * 8 + " AS ?x) {}"), graphs=GRAPHS, limits=limits)
    with pytest.raises(QueryRefusedError):
        check(analyse("SELECT (1" + " + 1" * 9 + " AS ?x) {}"), graphs=GRAPHS, limits=limits)


@pytest.mark.parametrize(
    "text",
    [
        "(" * 200_000,
        "+" * 200_000,
        "{} UNION " * 50_000,
        "<< " * 100_000,
        "<" * 200_000,
        "1-" * 100_000,
    ],
    ids=["parens", "plus", "unions", "quotes", "angles", "minus"],
)
def test_chain_count_is_linear(text: str) -> None:
    started = time.perf_counter()
    analyse(text)
    assert time.perf_counter() - started < 5.0  # quadratic would take minutes
