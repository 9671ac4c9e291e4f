"""An uploaded RDF document read strictly (services/writes/upload.py, issue 14): every
format round-trips; every refusal has its status and returns nothing; nothing is fetched."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SKOS, XSD

from scholargate.errors import (
    InputError,
    ParseError,
    PayloadTooLargeError,
    ScholarGateError,
    UnsupportedMediaTypeError,
)
from scholargate.formats import by_name
from scholargate.namespaces import CONTEXT_IRI, CONTRIBUTED_GRAPH, METHOD, SG
from scholargate.services.writes.upload import ACCEPTED_MEDIA_TYPES, parse_upload
from scholargate.services.writes.upload_limits import (
    MAX_DEPTH,
    MAX_IRI_CHARS,
    MAX_LITERAL_CHARS,
)

EX = Namespace("http://example.org/")
G = CONTRIBUTED_GRAPH
TTL, NT, RDFXML, JSONLD = (
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    ("application/ld+json"),
)
RDF_OPEN = (
    '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
    ' xmlns:ex="http://example.org/">\n'
)


def upload(body: str | bytes, media_type: str, *, most: int = 1000, **kw: object) -> list:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return parse_upload(data, media_type, graph=G, max_triples=most, **kw)  # type: ignore[arg-type]


def refused(kind: type[ScholarGateError], body: str | bytes, media_type: str, **kw: object):
    """The error ``body`` is refused with (and, being raised, no quad is returned)."""
    with pytest.raises(kind) as caught:
        upload(body, media_type, **kw)
    return caught.value


def as_graph(quads: list) -> Graph:
    assert {q[3] for q in quads} <= {G}
    graph = Graph()
    for s, p, o, _g in quads:
        graph.add((s, p, o))
    return graph


def sample() -> Graph:
    graph = Graph()
    lora = METHOD["lora"]
    graph.add((lora, RDF.type, SG.Method))
    graph.add((lora, SKOS.prefLabel, Literal("LoRA", lang="en")))
    graph.add((lora, SKOS.prefLabel, Literal("لورا", lang="fa")))
    graph.add((lora, SG.yearIntroduced, Literal("2021", datatype=XSD.gYear)))
    node = BNode()
    graph.add((lora, SG.summary, node))
    graph.add((node, RDF.value, Literal('low-rank "adapters"\nline two')))
    return graph


# ---- formats ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ttl", "nt", "rdf", "jsonld"])
def test_every_graph_format_round_trips(name: str) -> None:
    fmt = by_name(name)
    original = sample()
    body = original.serialize(format=fmt.rdflib, encoding="utf-8")
    quads = upload(body, fmt.media_type)
    assert len(quads) == len(original)
    assert isomorphic(as_graph(quads), original)


@pytest.mark.parametrize(
    "media_type",
    ["text/turtle; charset=utf-8", "TEXT/Turtle ;charset=UTF-8", "application/x-turtle"],
)
def test_media_type_parameters_and_aliases_are_read_from_the_format_table(media_type: str) -> None:
    assert len(upload("<http://example.org/a> <http://example.org/b> 1 .", media_type)) == 1


def test_an_empty_turtle_body_is_an_empty_graph() -> None:
    assert upload("", TTL) == []
    assert upload("# nothing but a comment\n", TTL) == []


def test_a_byte_order_mark_is_allowed() -> None:
    assert len(upload("\ufeff<http://example.org/a> <http://example.org/b> 1 .", TTL)) == 1


@pytest.mark.parametrize(
    ("media_type", "said"),
    [
        ("text/n3", "N3 is not accepted"),
        ("application/trig", "TriG carries named graphs"),
        ("application/n-quads", "N-Quads carries named graphs"),
        ("text/plain", "'text/plain' is not an RDF graph format"),
        ("application/sparql-results+json", "is not an RDF graph format"),
        ("", "no Content-Type"),
    ],
)
def test_other_media_types_are_415_listing_the_accepted_ones(media_type: str, said: str) -> None:
    error = refused(UnsupportedMediaTypeError, "<a> <b> <c> .", media_type)
    assert error.status == 415
    assert said in error.message
    for accepted in ("text/turtle", "application/ld+json", "application/n-triples"):
        assert accepted in error.message
    assert "application/rdf+xml" in ACCEPTED_MEDIA_TYPES


def test_a_body_that_is_not_utf8_is_400() -> None:
    body = '<http://example.org/a> <http://example.org/b> "café" .'.encode("latin-1")
    error = refused(InputError, body, TTL)
    assert error.status == 400 and "not UTF-8" in error.message
    assert error.details["offset"] == body.index(b"\xe9")


# ---- syntax errors -------------------------------------------------------------------------


def test_a_turtle_syntax_error_names_its_line_and_column_and_nothing_is_returned() -> None:
    body = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b ex:c ex:d .\n"
    error = refused(ParseError, body, TTL)
    assert error.status == 400
    assert (error.line, error.column) == (3, 16)
    assert "not valid Turtle" in error.message and "ex:d" in error.message


@pytest.mark.parametrize(
    "body",
    [
        "<http://example.org/a> <http://example.org/b> ?x .",  # an N3 variable
        "{ <http://example.org/a> <http://example.org/b> 1 } <http://example.org/c> 2 .",
        "<http://example.org/a> => <http://example.org/c> .",
        "<http://example.org/a> <http://example.org/b> <http://example.org/c>",  # no '.'
        '<http://example.org/a> <http://example.org/b> "open',
    ],
)
def test_whatever_rdflib_raises_on_bad_turtle_is_a_parse_error(body: str) -> None:
    assert refused(ParseError, body, TTL).status == 400


def test_an_ntriples_error_names_its_line_and_column() -> None:
    body = (
        '<http://example.org/a> <http://example.org/b> "x" .\n'
        "<http://example.org/a> <http://example.org/b> oops .\n"
    )
    error = refused(ParseError, body, NT)
    assert (error.line, error.column) == (2, 47)
    assert "not valid N-Triples" in error.message


def test_ntriples_refuses_turtle_shorthand() -> None:
    refused(ParseError, "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n", NT)


def test_an_rdfxml_error_names_its_line_and_column() -> None:
    body = RDF_OPEN + '<rdf:Description rdf:about="http://example.org/a">\n</rdf:Descr>\n</rdf:RDF>'
    error = refused(ParseError, body, RDFXML)
    assert error.line == 4 and error.column is not None
    assert "not well-formed XML" in error.message


def test_a_json_error_names_its_line_and_column() -> None:
    error = refused(ParseError, '{\n  "@id": "http://example.org/a",\n  oops\n}', JSONLD)
    assert (error.line, error.column) == (3, 3)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_constants_that_are_not_json_are_refused(constant: str) -> None:
    refused(
        ParseError, f'{{"@id": "http://example.org/a", "http://example.org/b": {constant}}}', JSONLD
    )


def test_a_literal_cannot_be_a_subject() -> None:
    error = refused(InputError, '"lit" <http://example.org/b> <http://example.org/c> .', TTL)
    assert "literal cannot be a subject" in error.message


# ---- IRIs, literals, relative IRIs -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        ("<http://example.org/a> <http://example.org/b> <http://example.org/c d> .", TTL),
        ("<a b:c> <http://example.org/b> <http://example.org/c> .\n", NT),
        (
            '{"@id": "http://example.org/a", "http://example.org/b": {"@id": "http://x/<y>"}}',
            JSONLD,
        ),
    ],
)
def test_an_iri_the_store_cannot_hold_is_refused(body: str, media_type: str) -> None:
    error = refused(InputError, body, media_type)
    assert "not an IRI" in error.message


@pytest.mark.parametrize(
    ("literal", "said"),
    [('"\\uD800"', "lone surrogate"), ('"x"@not_a_tag', "language tag")],
)
def test_a_literal_the_store_cannot_hold_is_refused(literal: str, said: str) -> None:
    body = f"<http://example.org/a> <http://example.org/b> {literal} ."
    try:
        error = refused(InputError, body, TTL)
    except AssertionError:  # rdflib may refuse the tag itself, as a parse error
        error = refused(ParseError, body, TTL)
    assert said in error.message or "not valid Turtle" in error.message


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        ("<a> <http://example.org/b> <http://example.org/c> .", TTL),
        ("@base <relative/> . <a> <http://example.org/b> 1 .", TTL),
        (
            RDF_OPEN + '<rdf:Description rdf:about="a"><ex:b>1</ex:b></rdf:Description></rdf:RDF>',
            RDFXML,
        ),
        ('{"@id": "a", "http://example.org/b": 1}', JSONLD),
    ],
)
def test_a_relative_iri_without_a_base_is_refused(body: str, media_type: str) -> None:
    error = refused(InputError, body, media_type)
    assert "relative IRI" in error.message


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        ("<a> <http://example.org/b> 1 .", TTL),
        (
            RDF_OPEN + '<rdf:Description rdf:about="a"><ex:b>1</ex:b></rdf:Description></rdf:RDF>',
            RDFXML,
        ),
        ('{"@id": "a", "http://example.org/b": 1}', JSONLD),
    ],
)
def test_relative_iris_resolve_against_the_base(body: str, media_type: str) -> None:
    (quad,) = upload(body, media_type, base="https://example.org/dir/")
    assert quad[0] == URIRef("https://example.org/dir/a")


def test_an_absolute_base_in_the_document_resolves_without_a_given_one() -> None:
    (quad,) = upload("@base <https://example.org/x/> . <a> <b> 1 .", TTL)
    assert quad[:2] == (URIRef("https://example.org/x/a"), URIRef("https://example.org/x/b"))


def test_a_base_that_is_not_an_absolute_iri_is_refused() -> None:
    error = refused(InputError, "<a> <b> 1 .", TTL, base="dir/")
    assert "base IRI" in error.message


# ---- RDF/XML: no DTD, no entity ------------------------------------------------------------


DOCTYPES = [
    '<!DOCTYPE rdf:RDF [<!ENTITY e "x">]>',
    "<!doctype rdf:RDF>",
    "<! DOCTYPE rdf:RDF>",
    "<!\n\tDocType rdf:RDF>",
    '<!ENTITY e "x">',
    "<!-- <!DOCTYPE in a comment --> ",
]


@pytest.mark.parametrize("doctype", DOCTYPES)
def test_rdfxml_with_a_doctype_or_entity_is_refused(doctype: str) -> None:
    body = (
        '<?xml version="1.0"?>\n'
        + doctype
        + RDF_OPEN.split("\n", 1)[1]
        + '<rdf:Description rdf:about="http://example.org/a"><ex:b>1</ex:b>'
        "</rdf:Description></rdf:RDF>"
    )
    error = refused(InputError, body, RDFXML)
    assert error.status == 400 and not isinstance(error, ParseError)
    assert "DTD" in error.message and "XXE" in error.message


def test_a_doctype_after_the_root_is_refused_too() -> None:
    body = RDF_OPEN + "</rdf:RDF>\n<!DOCTYPE late>"
    assert "DTD" in refused(InputError, body, RDFXML).message


def test_billion_laughs_is_refused_before_any_expansion() -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    body = f'<?xml version="1.0"?><!DOCTYPE r [{entities}]><r>&lol9;</r>'
    started = time.monotonic()
    refused(InputError, body, RDFXML)
    assert time.monotonic() - started < 1


def test_an_external_entity_is_never_fetched(listener) -> None:
    body = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "{listener.url}/e">\n'
        f'<!ENTITY % p SYSTEM "{listener.url}/p"> %p;]>\n'
        + RDF_OPEN.split("\n", 1)[1]
        + '<rdf:Description rdf:about="http://example.org/a"><ex:b>&e;</ex:b>'
        "</rdf:Description></rdf:RDF>"
    )
    refused(InputError, body, RDFXML)
    assert listener.hits == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_rdfxml_in_another_encoding_cannot_hide_a_doctype(encoding: str) -> None:
    body = f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE r><r/>'.encode(encoding)
    assert refused(InputError, body, RDFXML).status == 400


def test_rdfxml_is_read_as_utf8_whatever_its_declaration_says() -> None:
    body = RDF_OPEN.replace('"1.0"?', '"1.0" encoding="ISO-8859-1"?') + (
        '<rdf:Description rdf:about="http://example.org/a"><ex:b>Ünïcode لورا</ex:b>'
        "</rdf:Description></rdf:RDF>"
    )
    (quad,) = upload(body, RDFXML)
    assert quad[2] == Literal("Ünïcode لورا")


# ---- JSON-LD: contexts are never fetched ---------------------------------------------------


def remote_contexts(url: str) -> list[dict]:
    """JSON-LD documents that would make rdflib fetch ``url`` in every way it can."""
    node = {"@id": "http://example.org/a", "name": "x"}
    return [
        {"@context": url, **node},
        {"@context": [{"ex": "http://example.org/"}, url], **node},
        {"@context": {"@import": url}, **node},
        {"@context": {"ex": "http://example.org/"}, "@graph": [{"@context": url, **node}]},
        {
            "@context": {"p": {"@id": "http://example.org/p", "@context": url}},
            "@id": "http://example.org/a",
            "p": {"name": "x"},
        },
        {
            "@context": {"T": {"@id": "http://example.org/T", "@context": [url]}},
            "@id": "http://example.org/a",
            "@type": "T",
            "name": "x",
        },
        [{"@context": url, **node}],
    ]


def test_rdflib_alone_would_fetch_these_contexts(listener) -> None:
    """The control: the listener works, and rdflib's own reader does reach it."""
    Graph().parse(data=json.dumps(remote_contexts(listener.url + "/ctx")[0]), format="json-ld")
    assert listener.hits == ["/ctx"]


@pytest.mark.parametrize("which", range(len(remote_contexts("x"))))
def test_a_remote_context_is_refused_and_never_fetched(listener, which: int) -> None:
    url = f"{listener.url}/ctx{which}"
    document = remote_contexts(url)[which]
    error = refused(InputError, json.dumps(document), JSONLD)
    assert url in error.message and "not fetched" in error.message
    assert listener.hits == []


def test_the_projects_own_context_is_read_from_the_file(tmp_path: Path) -> None:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "ontology" / "context.jsonld").write_text(
        json.dumps({"@context": {"name": "http://example.org/local#name"}}), encoding="utf-8"
    )
    for context in (str(CONTEXT_IRI), [str(CONTEXT_IRI)], {"@import": str(CONTEXT_IRI)}):
        document = {"@context": context, "@id": "http://example.org/a", "name": "x"}
        (quad,) = upload(json.dumps(document), JSONLD, root=tmp_path)
        assert quad[1] == URIRef("http://example.org/local#name")


def test_the_projects_context_from_the_repository() -> None:
    document = {
        "@context": str(CONTEXT_IRI),
        "@id": "sgm:lora",
        "type": "Method",
        "prefLabel": {"en": "LoRA"},
    }
    graph = as_graph(upload(json.dumps(document), JSONLD))
    assert (METHOD["lora"], RDF.type, SG.Method) in graph
    assert (METHOD["lora"], SKOS.prefLabel, Literal("LoRA", lang="en")) in graph


def test_a_key_jsonld_would_drop_is_refused() -> None:
    error = refused(InputError, '{"@id": "http://example.org/a", "name": "x"}', JSONLD)
    assert "'name'" in error.message and "drop" in error.message


def test_an_id_jsonld_would_drop_is_refused() -> None:
    body = '{"@id": "http://example.org/a", "http://example.org/b": {"@id": "http://x/ y"}}'
    assert "@id" in refused(InputError, body, JSONLD).message


def test_jsonld_named_graphs_are_refused() -> None:
    body = json.dumps({"@id": str(EX.g), "@graph": [{"@id": str(EX.a), "http://example.org/b": 1}]})
    error = refused(InputError, body, JSONLD)
    assert "http://example.org/g" in error.message


def test_a_top_level_graph_without_id_is_the_default_graph() -> None:
    body = '{"@graph": [{"@id": "http://example.org/a", "http://example.org/b": 1}]}'
    assert len(upload(body, JSONLD)) == 1


# ---- caps: depth, triples, literals ----------------------------------------------------------


def _nested_json(levels: int) -> str:
    return (
        '{"@id": "http://example.org/a", '
        + '"http://example.org/p": {' * levels
        + "}" * (levels + 1)
    )


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        ("<http://example.org/a> <http://example.org/b> " + "(" * 5000 + ")" * 5000 + " .", TTL),
        (
            "<http://example.org/a> <http://example.org/b> "
            + "[ <http://example.org/p> " * 5000
            + "1"
            + " ]" * 5000
            + " .",
            TTL,
        ),
        (_nested_json(5000), JSONLD),
        ("[" * 100_000 + "]" * 100_000, JSONLD),
        (
            '{"@id": "http://example.org/a", "http://example.org/p": '
            + '{"@list": [' * 5000
            + "1"
            + "]}" * 5000
            + "}",
            JSONLD,
        ),
    ],
    ids=["turtle-collections", "turtle-blank-nodes", "jsonld-nodes", "json-arrays", "jsonld-lists"],
)
def test_deep_nesting_is_refused_before_rdflib_recurses(body: str, media_type: str) -> None:
    error = refused(InputError, body, media_type)
    assert f"more than {MAX_DEPTH} levels" in error.message


def test_nesting_within_the_cap_is_read() -> None:
    depth = MAX_DEPTH // 2 - 2
    body = "<http://example.org/a> <http://example.org/b> " + "(" * depth + "1" + ")" * depth + " ."
    assert upload(body, TTL)
    assert upload(_nested_json(depth), JSONLD)


def test_brackets_inside_strings_iris_and_comments_do_not_count() -> None:
    body = (
        "# (((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((\n"
        '<http://example.org/a(((> <http://example.org/b> "'
        + "[" * 100
        + "\" , '''"
        + "(" * 100
        + '\'\'\' , """x"y""" .'
    )
    assert len(upload(body, TTL)) == 3


@pytest.mark.parametrize("name", ["ttl", "nt", "rdf", "jsonld"])
def test_more_triples_than_the_cap_is_413_naming_it(name: str) -> None:
    fmt = by_name(name)
    graph = Graph()
    for i in range(5):
        graph.add((EX.a, EX.b, Literal(i)))
    body = graph.serialize(format=fmt.rdflib, encoding="utf-8")
    assert len(upload(body, fmt.media_type, most=5)) == 5
    error = refused(PayloadTooLargeError, body, fmt.media_type, most=4)
    assert error.status == 413 and "more than 4 triples" in error.message


@pytest.mark.parametrize("name", ["ttl", "nt"])
def test_triples_are_counted_while_parsing(name: str) -> None:
    """A body far over the cap is refused at the first triple over, not after reading
    it all (rdflib reads these hundred thousand statements in seconds)."""
    body = "".join(f"<http://example.org/a> <http://example.org/b> {i} .\n" for i in range(10**5))
    if name == "nt":
        body = re.sub(r"> (\d+) \.", r'> "\1" .', body)
    started = time.monotonic()
    refused(PayloadTooLargeError, body, by_name(name).media_type, most=10)
    assert time.monotonic() - started < 2  # reading it all takes rdflib 3–4 s


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        (
            '<http://example.org/a> <http://example.org/b> "'
            + "x" * (MAX_LITERAL_CHARS + 1)
            + '" .',
            TTL,
        ),
        (
            '<http://example.org/a> <http://example.org/b> """'
            + "x\n" * MAX_LITERAL_CHARS
            + '""" .',
            TTL,
        ),
        ('<http://example.org/a> <http://example.org/b> "' + "x" * (MAX_LITERAL_CHARS + 1), TTL),
        (
            '<http://example.org/a> <http://example.org/b> "'
            + "x" * (MAX_LITERAL_CHARS + 1)
            + '" .\n',
            NT,
        ),
        (
            json.dumps(
                {
                    "@id": "http://example.org/a",
                    "http://example.org/b": "x" * (MAX_LITERAL_CHARS + 1),
                }
            ),
            JSONLD,
        ),
        (
            RDF_OPEN
            + '<rdf:Description rdf:about="http://example.org/a"><ex:b>'
            + "x" * (MAX_LITERAL_CHARS + 1)
            + "</ex:b></rdf:Description></rdf:RDF>",
            RDFXML,
        ),
    ],
    ids=["turtle", "turtle-long-string", "turtle-unterminated", "ntriples", "jsonld", "rdfxml"],
)
def test_a_literal_over_the_cap_is_413(body: str, media_type: str) -> None:
    started = time.monotonic()
    error = refused(PayloadTooLargeError, body, media_type)
    assert f"{MAX_LITERAL_CHARS:,}" in error.message
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("media_type", [TTL, NT])
def test_an_iri_over_the_cap_is_413(media_type: str) -> None:
    body = f"<http://example.org/{'a' * MAX_IRI_CHARS}> <http://example.org/b> 1 .\n"
    if media_type == NT:
        body = body.replace(" 1 .", ' "1" .')
    assert refused(PayloadTooLargeError, body, media_type).status == 413


# ---- blank nodes ---------------------------------------------------------------------------


def test_blank_nodes_are_fresh_and_one_label_stays_one_node() -> None:
    body = (
        "_:b0 <http://example.org/p> _:b1 .\n"
        "_:b0 <http://example.org/q> _:b1 .\n"
        '_:b1 <http://example.org/r> "x" .\n'
    )
    first, second = upload(body, NT), upload(body, NT)
    nodes = {n for q in first for n in (q[0], q[2]) if isinstance(n, BNode)}
    assert len(nodes) == 2
    assert all(re.fullmatch(r"[0-9a-f]{32}", str(n)) for n in nodes)
    assert not {"b0", "b1"} & {str(n) for n in nodes}
    again = {n for q in second for n in (q[0], q[2]) if isinstance(n, BNode)}
    assert nodes.isdisjoint(again)


@pytest.mark.parametrize(
    ("body", "media_type"),
    [
        ('{"@id": "_:b0", "http://example.org/p": {"@id": "_:b0"}}', JSONLD),
        (
            RDF_OPEN + '<rdf:Description rdf:nodeID="b0"><ex:p rdf:nodeID="b0"/>'
            "</rdf:Description></rdf:RDF>",
            RDFXML,
        ),
        ("_:b0 <http://example.org/p> _:b0 .", TTL),
    ],
)
def test_document_labels_never_survive(body: str, media_type: str) -> None:
    ((s, _p, o, _g),) = upload(body, media_type)
    assert s == o and isinstance(s, BNode) and str(s) != "b0"
