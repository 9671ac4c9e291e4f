"""Citations from the linker: Wikidata's "cites work" (P2860) and OpenCitations' citation
nodes, asked of the real fixture server (``scholargate serve`` on fixtures/remote.ttl),
kept only among works we hold, written as ``cito:cites`` in the source's links graph.

The expected pairs are read from the fixture graph and our own data, not written out."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from scholargate.build import build_store
from scholargate.namespaces import BIBO, CITO, GRAPH
from scholargate.services.link import LinkReport, link
from scholargate.services.validation import validate_store
from scholargate.store.oxigraph import OxigraphStore

from ..http.conftest import LiveServer
from .conftest import FIXTURES

P2860 = URIRef("http://www.wikidata.org/prop/direct/P2860")
CC0 = URIRef("http://creativecommons.org/publicdomain/zero/1.0/")


def _fixture() -> Graph:
    return Graph().parse(FIXTURES / "remote.ttl")


def _cites(graph: Graph) -> set[tuple[str, str]]:
    return {(str(a), str(b)) for a, b in graph.subject_objects(CITO.cites)}


def test_wikidata_run_keeps_the_citations_among_our_linked_works(first_run: LinkReport) -> None:
    ours = {link_.item: link_.subject for link_ in first_run.links if link_.kind == "work"}
    stated = {(str(a), str(b)) for a, b in _fixture().subject_objects(P2860)}
    expected = {(ours[a], ours[b]) for a, b in stated if a in ours and b in ours}
    assert len(expected) == 3  # the fixture's P2860 among the seed papers
    assert any(b not in ours for _, b in stated)  # and one to a work we do not hold
    assert set(first_run.citations) == expected
    assert first_run.output is not None
    assert _cites(first_run.output) == expected
    # the question asked is recorded with the others in the graph's description
    assert first_run.metadata is not None
    assert "P2860" in first_run.metadata.serialize(format="turtle")


def test_opencitations_run_links_citations_by_doi(
    remote: LiveServer, bundled_store, tmp_path: Path, mapping_for, linked_project: Path
) -> None:
    mapping = mapping_for(remote.endpoint, "opencitations")
    output = linked_project / "data" / "links"
    report = link(bundled_store, mapping, output=output, state=tmp_path / "state")

    # what the fixture states between DOI IRIs, read back to our works by our DOIs
    by_doi = {
        f"http://dx.doi.org/{row['doi']}": str(row["work"])
        for row in bundled_store.select(f"SELECT ?work ?doi WHERE {{ ?work <{BIBO.doi}> ?doi }}")
    }
    fixture = _fixture()
    stated = {
        (str(fixture.value(c, CITO.hasCitingEntity)), str(fixture.value(c, CITO.hasCitedEntity)))
        for c in fixture.subjects(CITO.hasCitingEntity, None)
    }
    expected = {(by_doi[a], by_doi[b]) for a, b in stated if a in by_doi and b in by_doi}
    assert len(expected) == 2 and len(stated) == 4
    assert set(report.citations) == expected
    assert not report.links  # OpenCitations links no work, person or method
    written = Graph().parse(output / "opencitations.ttl")
    assert _cites(written) == expected
    assert not list(written.triples((None, SKOS.exactMatch, None)))
    meta = Graph().parse(output / "opencitations.meta.ttl")
    assert (None, None, CC0) in meta

    # the build loads it as a graph of its own, and the shapes accept it
    store = OxigraphStore()
    build_store(store, linked_project)
    graph = GRAPH["links-opencitations"]
    assert graph in set(store.graph_names())
    assert _cites(store.graph(graph)) == expected
    assert validate_store(store).conforms
