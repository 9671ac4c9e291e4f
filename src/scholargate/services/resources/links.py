"""A page's outbound links: which statements point out of the graph (same-as, exact
matches, ORCID, DOI, arXiv, web pages …) and which site each link goes to."""

from __future__ import annotations

from urllib.parse import urlsplit

from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDFS, SKOS
from rdflib.term import Node

from ...namespaces import BIBO, SCHEMA, SG
from ..compare import normalise_doi
from .iris import curie, local_of
from .page import Link

# Statements that link out of the graph: shown again, as outbound links.
EXTERNAL_PROPERTIES = (
    SKOS.exactMatch, SKOS.closeMatch, OWL.sameAs, SG.orcid, BIBO.doi, SG.arxivId,
    SCHEMA.url, RDFS.seeAlso,
)  # fmt: skip
_SITES = {
    "wikidata.org": "Wikidata",
    "doi.org": "DOI",
    "arxiv.org": "arXiv",
    "orcid.org": "ORCID",
    "openalex.org": "OpenAlex",
    "orkg.org": "ORKG",
    "paperswithcode.com": "Papers with Code",
    "dbpedia.org": "DBpedia",
}


def site_of(iri: str) -> tuple[str, str]:
    """``(site, text)`` for an outbound link."""
    parts = urlsplit(iri)
    host = (parts.hostname or "").removeprefix("www.")
    for domain, site in _SITES.items():
        if host == domain or host.endswith("." + domain):
            tail = parts.path.rstrip("/").rsplit("/", 1)[-1]
            if site == "DOI":
                tail = parts.path.lstrip("/")
            return site, tail or iri
    return host or iri, iri


def links_of(out: dict[str, list[Node]]) -> list[Link]:
    """The outbound links of a resource, given its statements by property IRI: one per
    target, in ``EXTERNAL_PROPERTIES`` order (DOIs and arXiv ids made URLs)."""
    links: list[Link] = []
    seen: set[str] = set()
    for prop in EXTERNAL_PROPERTIES:
        for term in out.get(str(prop), []):
            if isinstance(term, Literal):
                if prop == BIBO.doi:
                    doi = normalise_doi(str(term))
                    href, site, text = f"https://doi.org/{doi}", "DOI", doi
                elif prop == SG.arxivId:
                    href, site, text = f"https://arxiv.org/abs/{term}", "arXiv", str(term)
                else:
                    continue
            elif isinstance(term, URIRef) and local_of(str(term)) is None:
                href = str(term)
                site, text = site_of(href)
            else:
                continue
            if href not in seen:
                seen.add(href)
                links.append(Link(site, text, href, curie(str(prop))))
    return links
