"""One record of the dump read into a :class:`Record`, or the reason it is rejected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from rdflib import URIRef

from ....namespaces import METHOD, slugify
from ..common import normalise, tidy
from .identifiers import ArxivId, parse_arxiv, parse_doi
from .years import venue_year

_METHOD_URL = re.compile(r"^https?://(?:www\.)?paperswithcode\.com/method/([^/?#\s]+)", re.I)
# the target of a Markdown link to another method: [text](https://paperswithcode.com/method/x)
_METHOD_LINK = re.compile(
    r"\]\(\s*<?https?://(?:www\.)?paperswithcode\.com/method/([A-Za-z0-9_.~-]+)", re.I
)
_SAFE_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")


@dataclass
class Paper:
    title: str
    arxiv: ArxivId | None = None
    doi: str | None = None
    url: str | None = None  # a link, when the source is neither arXiv nor a DOI
    page: str | None = None  # the paper's Papers with Code page
    venue_year: int | None = None  # the year a link to its venue's page carries


@dataclass
class Record:
    id: str  # the slug of the record's Papers with Code URL
    url: str
    name: str
    full_name: str
    paper: Paper | None
    collections: list[tuple[str, str]]  # (collection, area)
    links: list[str]  # slugs of the methods its description links to
    year_field: Any = None
    description: str = ""  # Markdown with LaTeX, as the dump has it
    num_papers: int | None = None  # how many papers Papers with Code found using it

    @property
    def iri(self) -> URIRef:
        return METHOD[self.id]


def _safe_url(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and _SAFE_URL.match(value.strip()) else None


def _paper(raw: dict[str, Any]) -> Paper | None:
    paper = raw.get("paper")
    if not isinstance(paper, dict):
        return None
    title = tidy(paper.get("title"))
    if not slugify(title):
        return None
    result = Paper(title=title, page=_safe_url(paper.get("url")))
    source = _safe_url(raw.get("source_url"))
    source_title = tidy(raw.get("source_title"))
    # A source whose title is another document's (a blog post cited for a paper) is
    # not a link to this paper.
    if source and (not source_title or normalise(source_title) == normalise(title)):
        result.arxiv = parse_arxiv(source)
        result.doi = parse_doi(source)
        if not result.arxiv and not result.doi:
            result.url = source
            result.venue_year = venue_year(source)
    return result


def parse_record(raw: Any, position: int) -> Record | tuple[str, str]:
    """A record, or (record id, reason) when it cannot be imported."""
    if not isinstance(raw, dict):
        return f"record {position}", "not a JSON object"
    url = raw.get("url")
    match = _METHOD_URL.match(url.strip()) if isinstance(url, str) else None
    if not match:
        return f"record {position}", "no Papers with Code method URL in its 'url' field"
    slug = slugify(unquote(match.group(1)))
    if not slug:
        return f"record {position}", f"its URL {url!r} has no usable slug"
    name = tidy(raw.get("name"))
    if not name:
        return slug, "no name"
    if not slugify(name):
        return slug, f"its name {name!r} has no ASCII letter or digit, so it cannot be matched"
    collections = []
    for item in raw.get("collections") or []:
        if isinstance(item, dict):
            collections.append((tidy(item.get("collection")), tidy(item.get("area"))))
    description = raw.get("description") if isinstance(raw.get("description"), str) else ""
    links = [slugify(unquote(m)) for m in _METHOD_LINK.findall(description)]
    return Record(
        id=slug,
        url=url.strip(),
        name=name,
        full_name=tidy(raw.get("full_name")),
        paper=_paper(raw),
        collections=collections,
        links=[link for link in links if link],
        year_field=raw.get("introduced_year"),
        description=description,
        num_papers=_count(raw.get("num_papers")),
    )


def _count(value: Any) -> int | None:
    """A whole number of zero or more, or None (booleans are not counts)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    return None
