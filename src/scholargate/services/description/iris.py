"""The IRIs and prefixes the descriptions are written with: W3C format IRIs, IANA media
type IRIs, the example queries' namespace, and the server's own URL checked as an IRI."""

from __future__ import annotations

from rdflib import Namespace, URIRef

from ...errors import InputError
from ...formats import Format
from ...namespaces import BASE, GRAPH, SD
from ...terms import is_iri, shown

EXAMPLES_GRAPH = GRAPH["examples"]
EXAMPLE = Namespace(BASE + "example/")

# W3C "Unique URIs for File Formats" (https://www.w3.org/ns/formats/), by format name
# in the one format table (formats.FORMATS). A format without an entry has no W3C IRI.
W3C_FORMATS = Namespace("http://www.w3.org/ns/formats/")
_W3C_FORMAT = {
    "ttl": W3C_FORMATS["Turtle"],
    "jsonld": W3C_FORMATS["JSON-LD"],
    "nt": W3C_FORMATS["N-Triples"],
    "rdf": W3C_FORMATS["RDF_XML"],
    "trig": W3C_FORMATS["TriG"],
    "nq": W3C_FORMATS["N-Quads"],
    "json": W3C_FORMATS["SPARQL_Results_JSON"],
    "xml": W3C_FORMATS["SPARQL_Results_XML"],
    "csv": W3C_FORMATS["SPARQL_Results_CSV"],
    "tsv": W3C_FORMATS["SPARQL_Results_TSV"],
}
# Prefixes the descriptions bind beyond the project's own (namespaces.PREFIXES).
EXTRA_PREFIXES: dict[str, str] = {
    "sd": str(SD),
    "formats": str(W3C_FORMATS),
    "sgex": str(EXAMPLE),
}
ENTAILMENT_SIMPLE = URIRef("http://www.w3.org/ns/entailment/Simple")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def format_iri(fmt: Format) -> URIRef | None:
    """The W3C IRI of a format (``http://www.w3.org/ns/formats/Turtle``), if it has one."""
    return _W3C_FORMAT.get(fmt.name)


def media_type_iri(fmt: Format) -> URIRef:
    """The IANA registry IRI of a format's media type, as DCAT recommends."""
    return URIRef(IANA_MEDIA_TYPES + fmt.media_type)


def server_url(url: str) -> str:
    """``url`` when it is an absolute IRI an RDF document may hold (terms.is_iri), else a
    400: the server's URLs are made from the request's Host header, which a client sets."""
    if not is_iri(url):
        raise InputError(
            f"this server's URL would be {shown(url)!r}, which is not an IRI: send a Host header "
            "that is a host name or address and an optional port",
            reason="host",
        )
    return url
