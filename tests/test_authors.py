"""The one "et al." rule (services/authors.py), in the comparison and on resource pages.

The rule follows the seed comparison page: a citation names up to four authors
("Devlin, J., Chang, M.-W., Lee, K. & Toutanova, K. (2019)") and shortens five or more
("Vaswani, A. et al. (2017)").
"""

from __future__ import annotations

import re

import pytest

from scholargate.services.authors import CITED_AUTHORS, author_list

HTML = {"Accept": "text/html"}


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        ([], ""),
        (["A"], "A"),
        (["A", "B"], "A & B"),
        (["A", "B", "C"], "A, B & C"),
        (["A", "B", "C", "D"], "A, B, C & D"),
        (["A", "B", "C", "D", "E"], "A et al."),
        (["A", "B", "C", "D", "E", "F", "G", "H"], "A et al."),
    ],
)
def test_a_citation_names_up_to_four_authors(names: list[str], expected: str) -> None:
    assert CITED_AUTHORS == 4
    assert author_list(names) == expected


@pytest.mark.parametrize(
    ("names", "expected"),
    [(["A"], "A"), (["A", "B"], "A & B"), (["A", "B", "C"], "A et al.")],
)
def test_a_shorter_list_keeps_the_same_rule(names: list[str], expected: str) -> None:
    assert author_list(names, most=2) == expected


def _citations(client, method: str) -> list[str]:
    page = client.get(f"/method/{method}", headers=HTML).get_data(as_text=True)
    return re.findall(r'<span class="citation">(.*?) \(\d{4}\)\. <a', page)


def test_resource_page_cites_like_the_comparison(client) -> None:
    # BERT has four authors: named in full, as in the comparison's citation cell
    assert _citations(client, "bert-fine-tuning") == [
        "Jacob Devlin, Ming-Wei Chang, Kenton Lee &amp; Kristina Toutanova"
    ]
    # "Attention Is All You Need" has eight: the first, et al.
    assert _citations(client, "multi-head-self-attention") == ["Ashish Vaswani et al."]


def test_comparison_cites_with_the_same_rule(client) -> None:
    url = "/compare.json?m=multi-head-self-attention,bert-fine-tuning"
    table = client.get(url).get_data(as_text=True)
    assert "Vaswani, A. et al. (2017)" in table
    assert "Devlin, J., Chang, M.-W., Lee, K. & Toutanova, K. (2019)" in table
