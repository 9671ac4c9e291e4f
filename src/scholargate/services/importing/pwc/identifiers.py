"""Identifiers in the dump: arXiv ids (and the year they give), DOIs, work slugs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from ....namespaces import slugify

_ARXIV_URL = re.compile(
    r"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(.+?)(?:\.pdf)?/?$", re.I
)
_ARXIV_NEW = re.compile(r"^(\d{2})(\d{2})\.(\d{4,5})(?:v\d+)?$")
_ARXIV_OLD = re.compile(r"^([a-z][a-z-]*(?:\.[A-Za-z-]+)?)/(\d{2})(\d{2})(\d{3})(?:v\d+)?$")
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(10\.\d{4,9}/\S+)$", re.I)


@dataclass(frozen=True)
class ArxivId:
    """An arXiv identifier without its version, and the year it was first submitted."""

    id: str
    year: int


def parse_arxiv(text: str) -> ArxivId | None:
    """The arXiv id in an arXiv URL or a bare id, without its version (``v3``).

    New-style ids ``YYMM.NNNN(N)`` started in April 2007 (``0704``), with five digits
    from January 2015; old-style ids ``archive/YYMMNNN`` ran from August 1991 to March
    2007, so ``YY >= 91`` means 19YY.

    >>> parse_arxiv("https://arxiv.org/abs/1706.03762v7")
    ArxivId(id='1706.03762', year=2017)
    >>> parse_arxiv("http://arxiv.org/abs/hep-th/9901001")
    ArxivId(id='hep-th/9901001', year=1999)
    """
    text = text.strip()
    match = _ARXIV_URL.match(text)
    candidate = match.group(1) if match else text
    new = _ARXIV_NEW.match(candidate)
    if new:
        yy, mm, number = int(new.group(1)), int(new.group(2)), new.group(3)
        if not 1 <= mm <= 12 or yy * 100 + mm < 704:
            return None
        if len(number) != (5 if yy * 100 + mm >= 1501 else 4):
            return None
        return ArxivId(f"{new.group(1)}{new.group(2)}.{number}", 2000 + yy)
    old = _ARXIV_OLD.match(candidate)
    if old:
        yy, mm = int(old.group(2)), int(old.group(3))
        year = 1900 + yy if yy >= 91 else 2000 + yy
        if not 1 <= mm <= 12 or (year, mm) < (1991, 8) or (year, mm) > (2007, 3):
            return None
        return ArxivId(f"{old.group(1)}/{old.group(2)}{old.group(3)}{old.group(4)}", year)
    return None


def parse_doi(url: str) -> str | None:
    """The DOI in a doi.org URL, lower case, without the resolver."""
    match = _DOI_URL.match(url.strip())
    return unquote(match.group(1)).lower() if match else None


def work_slug(title: str, words: int = 6) -> str:
    """``slugify(title)`` cut to its first ``words`` words (the contract's work slug)."""
    return "-".join(slugify(title).split("-")[:words])
