"""The comparison's method picker finds methods by the aliases of every alias source and
by search's variants (issue 19): /search/suggest as the picker asks it, and the add box."""

from __future__ import annotations

from urllib.parse import quote

import pytest

# (what a reader types, the picker's language, the method, the graph the name comes from)
ALIASES = [
    ("برت", "fa", "bert", "curated-aliases"),
    ("شبکه عصبی کانولوشنی", "fa", "convolutional-neural-network", "curated-aliases"),
    ("resnet-50", "en", "resnet", "curated-aliases"),
    ("یکسو ساز", "fa", "relu", "fa-stanford-cheatsheets"),
    ("Seyreltme", "tr", "dropout", "tr-stanford-cheatsheets"),
    ("yığın normalleştirme", "tr", "batch-normalization", "tr-ai-dictionary"),
    ("معماری تبدیل‌گر", "fa", "transformer", "fa-ml-glossary"),
]


@pytest.mark.parametrize(("typed", "lang", "slug", "graph"), ALIASES)
def test_the_picker_suggests_a_method_by_its_alias(client, typed, lang, slug, graph) -> None:
    url = f"/search/suggest?q={quote(typed)}&lang={lang}&type=method&limit=8"
    results = client.get(url).get_json()["results"]
    assert results and results[0]["slug"] == slug, results
    # the alias is in the graph of its source, with that source named
    ask = client.get(
        "/sparql",
        query_string={
            "query": "PREFIX skosxl: <http://www.w3.org/2008/05/skos-xl#> "
            "PREFIX dcterms: <http://purl.org/dc/terms/> ASK { GRAPH "
            f"<https://w3id.org/scholargate/graph/{graph}> {{ "
            f"<https://w3id.org/scholargate/method/{slug}> skosxl:altLabel ?a . "
            "?a dcterms:source ?s } }"
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert ask.get_json()["boolean"] is True


@pytest.mark.parametrize(
    ("typed", "lang", "slug"),
    [
        ("destek vektör makinesini", "tr", "support-vector-machine"),  # accusative
        ("نرمالسازی دسته ای", "fa", "batch-normalization"),  # a space for the ZWNJ
        ("ترانسفورمر", "fa", "transformer"),  # a slip
    ],
)
def test_the_picker_suggests_by_the_variants_search_finds(client, typed, lang, slug) -> None:
    url = f"/search/suggest?q={quote(typed)}&lang={lang}&type=method&limit=8"
    results = client.get(url).get_json()["results"]
    assert slug in [r["slug"] for r in results[:3]], results


def test_the_add_box_takes_an_alias(client) -> None:
    response = client.get(f"/compare.json?m=lora&add={quote('برت')}")
    assert [c["slug"] for c in response.get_json()["columns"]] == ["lora", "bert"]


def test_the_add_box_takes_a_whole_name_in_another_form(client) -> None:
    for typed, slug in [
        ("destek vektör makinesini", "support-vector-machine"),  # a Turkish accusative
        ("نرمالسازی دسته ای", "batch-normalization"),  # a space for each ZWNJ
    ]:
        response = client.get(f"/compare.json?m=lora&add={quote(typed)}")
        assert response.status_code == 200, response.get_json()
        assert [c["slug"] for c in response.get_json()["columns"]] == ["lora", slug]


def test_the_add_box_only_suggests_for_a_typo(client) -> None:
    response = client.get(f"/compare.json?m=lora&add={quote('transfomer')}")
    assert response.status_code == 404
    assert "transfomer" in response.get_json()["message"]
