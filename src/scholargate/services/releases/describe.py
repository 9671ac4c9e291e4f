"""VoID and DCAT for one release: ``release.ttl`` in its folder, and the latest release in
the dataset's own description (``/.well-known/void``).

A release is a ``dcat:Dataset`` (and a ``void:Dataset``) ``https://w3id.org/scholargate/dataset/VERSION``,
a version (DCAT 3: ``dcat:version``, ``dcat:previousVersion``; ``prov:wasRevisionOf``)
of ``https://w3id.org/scholargate/dataset``, with one ``dcat:Distribution`` per file of
data: the whole dump and the two deltas, each with its media type, size in bytes and
SHA-256 (``spdx:checksum``, as DCAT 3 advises). In ``release.ttl`` the download URLs are
relative to the server that serves the file (``</releases/VERSION/…>``): a reader resolves
them against where it fetched the file. The server's VoID writes them absolute.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, VOID, XSD

from ...namespaces import DATASET, bind_prefixes
from ..description.iris import IANA_MEDIA_TYPES
from .versions import ADDED, REMOVED, dump_name

SPDX = Namespace("http://spdx.org/rdf/terms#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
# DCAT 3 terms rdflib's DCAT (DCAT 2) does not define
DCAT3 = Namespace(str(DCAT))

_DATA_FILES = (
    (None, "application/n-quads", "The whole dataset as sorted N-Quads, gzipped"),
    (ADDED, "application/n-quads", "Quads added since the previous release"),
    (REMOVED, "application/n-quads", "Quads removed since the previous release"),
)


def release_iri(version: str) -> URIRef:
    """``https://w3id.org/scholargate/dataset/VERSION``."""
    return URIRef(f"{DATASET}/{version}")


def file_url(version: str, name: str, *, root: str = "/") -> URIRef:
    """Where a release's file is served: ``/releases/VERSION/NAME`` under ``root``."""
    return URIRef(f"{root}releases/{version}/{name}")


def release_graph(summary: Mapping[str, Any], *, root: str = "/") -> Graph:
    """The release that ``summary`` (``summary.json``) describes, its files under ``root``
    (``/``: relative to the server, as ``release.ttl`` writes them)."""
    g = Graph()
    bind_prefixes(g)
    g.bind("spdx", SPDX)
    g.bind("adms", ADMS)
    add_release(g, summary, root=root)
    return g


def add_release(g: Graph, summary: Mapping[str, Any], *, root: str = "/") -> URIRef:
    """Add the release ``summary`` describes to ``g``; its IRI."""
    version = summary["version"]
    me = release_iri(version)
    g.add((me, RDF.type, DCAT.Dataset))
    g.add((me, RDF.type, VOID.Dataset))
    g.add((me, DCTERMS.title, Literal(f"ScholarGate {version}", lang="en")))
    g.add((me, DCAT3.version, Literal(version)))
    g.add((me, DCTERMS.isVersionOf, DATASET))
    g.add((DATASET, DCAT3.hasVersion, me))
    g.add((me, DCTERMS.issued, Literal(summary["issued"], datatype=XSD.dateTime)))
    if summary.get("previous"):
        before = release_iri(summary["previous"])
        g.add((me, PROV.wasRevisionOf, before))
        g.add((me, DCAT3.previousVersion, before))
    if summary.get("notes"):
        g.add((me, ADMS.versionNotes, Literal(summary["notes"], lang="en")))
    g.add((me, VOID.triples, Literal(summary["triples"], datatype=XSD.integer)))
    dump = file_url(version, dump_name(version), root=root)
    g.add((me, VOID.dataDump, dump))
    g.add((me, VOID.feature, URIRef("http://www.w3.org/ns/formats/N-Quads")))
    files = summary.get("files", {})
    for name, media_type, title in _DATA_FILES:
        name = name or dump_name(version)
        about = files.get(name)
        if about is None:
            continue
        dist = BNode()
        url = file_url(version, name, root=root)
        g.add((me, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(title, lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, url))
        g.add((dist, DCAT.mediaType, URIRef(IANA_MEDIA_TYPES + media_type)))
        g.add((dist, DCTERMS.format, Literal(media_type)))
        if name.endswith(".gz"):
            g.add((dist, DCAT3.compressFormat, URIRef(IANA_MEDIA_TYPES + "application/gzip")))
        g.add((dist, DCAT.byteSize, Literal(about["bytes"], datatype=XSD.integer)))
        checksum = BNode()
        g.add((dist, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(about["sha256"], datatype=XSD.hexBinary)))
    return me


def add_latest(g: Graph, summary: Mapping[str, Any], root: str) -> None:
    """The dataset's VoID (``g``) names its latest release: ``dcat:hasCurrentVersion``,
    the release with its ``dcat:version`` and distributions, and its dump as one of the
    dataset's ``void:dataDump``; ``root`` is the server's URL."""
    me = add_release(g, summary, root=root)
    g.bind("spdx", SPDX)
    g.bind("adms", ADMS)
    g.add((DATASET, DCAT3.hasCurrentVersion, me))
    version = summary["version"]
    g.add((DATASET, VOID.dataDump, file_url(version, dump_name(version), root=root)))
