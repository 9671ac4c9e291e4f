"""The year of a method, by the one meaning ScholarGate gives it, and what it rests on.

A method's year is the year its foundational work was published at its venue
(conference or journal), or the preprint's year when no venue is known; the work records
which of the two its year is (``sg:yearBasis``: ``sg:VenueYear`` or ``sg:PreprintYear``).
The dump names no venue, so a venue year comes from a curated work (all of which name
their venue) or from a source link whose address carries the venue's year
(:func:`venue_year`); otherwise the arXiv id gives the preprint's year.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rdflib import URIRef

from ....namespaces import SG

if TYPE_CHECKING:
    from .matching import Curated
    from .works import Work

VENUE = SG.VenueYear
PREPRINT = SG.PreprintYear

# Venue pages whose address carries the year of the proceedings or the volume. Each
# pattern's group is the year, four digits, or two digits (``yy``) for keys such as
# PMLR's and JMLR's ``{author}{yy}{letter}`` and the ACL Anthology's old ``P16-2038``.
_YEAR4 = [
    # CVF open access: content_cvpr_2017/, content_ECCV_2018/, content/WACV2024/
    re.compile(r"^https?://openaccess\.thecvf\.com/content[_/][a-z]+_?((?:19|20)\d\d)/", re.I),
    re.compile(r"^https?://(?:www\.)?ecva\.net/papers/eccv_((?:19|20)\d\d)/", re.I),
    re.compile(r"^https?://proceedings\.neurips\.cc/paper/((?:19|20)\d\d)/", re.I),
    re.compile(r"^https?://papers\.nips\.cc/paper/((?:19|20)\d\d)/", re.I),
    # ACL Anthology, new ids: 2021.naacl-main.376
    re.compile(r"^https?://(?:www\.)?aclanthology\.org/((?:19|20)\d\d)\.[a-z]", re.I),
    re.compile(r"^https?://(?:www\.)?icml\.cc/(?:Conferences/)?((?:19|20)\d\d)/", re.I),
    re.compile(r"^https?://proceedings\.icml\.cc/static/paper_files/icml/((?:19|20)\d\d)/", re.I),
    re.compile(r"^https?://(?:www\.)?ijcai\.org/proceedings/((?:19|20)\d\d)/", re.I),
    re.compile(r"^https?://(?:www\.)?kdd\.org/kdd((?:19|20)\d\d)/", re.I),
]
_YEAR2 = [
    re.compile(r"^https?://(?:www\.)?aaai\.org/ocs/index\.php/AAAI/AAAI(\d\d)/", re.I),
    re.compile(r"^https?://proceedings\.mlr\.press/v\d+/[a-z]+(\d\d)[a-z]\.html$", re.I),
    re.compile(r"^https?://(?:www\.)?jmlr\.org/papers/v\d+/[a-z]+(\d\d)[a-z]\.html$", re.I),
    # ACL Anthology, old ids: P16-2038 (a letter, the year's two digits, a number)
    re.compile(r"^https?://(?:www\.)?aclanthology\.org/[A-Z](\d\d)-\d{4}/?$"),
]


def venue_year(url: str | None) -> int | None:
    """The venue's year that a link to a paper's venue page carries, or None.

    >>> venue_year("http://openaccess.thecvf.com/content_cvpr_2017/html/X_CVPR_2017_paper.html")
    2017
    >>> venue_year("https://proceedings.mlr.press/v162/li22c.html")
    2022
    >>> venue_year("https://aclanthology.org/D14-1162")
    2014
    >>> venue_year("https://openreview.net/forum?id=r1lyTjAqYX") is None
    True
    """
    if not url:
        return None
    url = url.strip()
    for pattern in _YEAR4:
        if match := pattern.match(url):
            return int(match.group(1))
    for pattern in _YEAR2:
        if match := pattern.match(url):
            yy = int(match.group(1))
            return 1900 + yy if yy >= 65 else 2000 + yy
    return None


def basis_label(basis: URIRef) -> str:
    """``venue`` or ``preprint``, for counts and messages."""
    return "venue" if basis == VENUE else "preprint"


def year_of(work: Work, curated: Curated) -> tuple[int, URIRef] | None:
    """A work's year and its basis: a curated work's (the year its curated methods
    give), else the year of its venue link, else its preprint's year from the arXiv id."""
    if work.curated:
        return curated.work_years.get(work.iri) if work.iri is not None else None
    if work.venue_year:
        return work.venue_year, VENUE
    if work.arxiv:
        return work.arxiv.year, PREPRINT
    return None
