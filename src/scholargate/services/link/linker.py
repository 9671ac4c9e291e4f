"""One run of ``scholargate link SOURCE``: ask an external SPARQL graph which of its
entities are our works, persons and methods, and write the links as a named graph.

A run goes, in order, through the files of this package:

1. ``ours.py`` reads what we have to link from our own graph (through ``Store``);
2. ``batches.py`` asks the source the questions of ``queries.py`` in ``VALUES`` batches
   through ``client.SparqlClient``, each answered batch kept by ``checkpoint.py`` so a
   run that stops resumes where it stopped;
3. ``matching.py`` turns the answers into candidate links of works, persons and methods,
   and ``conflicts.py`` decides which are written and which are conflicts (reported,
   never written);
4. ``labels.py`` adds the names of linked methods in en, fa and tr that we lack, and
   ``citations.py`` the citations among our works that the source states (``cito:cites``);
5. ``provenance.py`` describes the graph (source, licence, questions, activity), and
   ``staging.py`` compares it with the previous file and writes both files in one swap.

What a run found is a ``report.LinkReport``. ``dry_run`` asks the same questions, writes
nothing (no checkpoint either) and reports what would change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import SKOS

from ...store import Store
from .batches import Asker, Progress
from .checkpoint import Checkpoint, run_lock, utc_now
from .citations import add_citations, link_citations
from .client import SparqlClient
from .conflicts import Decider
from .labels import add_labels
from .mappings import Mapping
from .matching import link_methods, link_people, link_works
from .ours import read_ours
from .provenance import describe
from .report import LinkReport, graph_name
from .staging import diff, new_graph, stage_and_swap


def link(
    store: Store,
    mapping: Mapping,
    *,
    output: Path,
    state: Path | None = None,
    dry_run: bool = False,
    resume: bool = True,
    client: SparqlClient | None = None,
    progress: Progress | None = None,
    now: Callable[[], datetime] | None = None,
) -> LinkReport:
    """Link the graph in ``store`` to ``mapping``'s source; write
    ``output/{name}.ttl`` and ``output/{name}.meta.ttl`` unless ``dry_run``.

    ``state`` is the folder for the checkpoint (``ROOT/var/link/{name}``); ``resume``
    False starts afresh. Raises ``LinkError`` when the source fails us; the files in
    ``output`` are then as they were.
    """
    clock = now or utc_now
    started = clock()
    graph = graph_name(mapping.name)
    report = LinkReport(mapping.name, mapping.endpoint, graph, dry_run=dry_run)
    client = client or SparqlClient(mapping.client)
    if not resume:
        if not dry_run:
            Checkpoint(state).clear()
        state_for_run = None if dry_run else state
    else:
        state_for_run = state
    checkpoint = Checkpoint(state_for_run, writable=not dry_run)
    if dry_run or state is None:
        return _run(
            store, mapping, output, graph, report, client, checkpoint, progress, clock, started
        )
    with run_lock(state.parent / f"{state.name}.lock"):
        result = _run(
            store, mapping, output, graph, report, client, checkpoint, progress, clock, started
        )
        checkpoint.clear()
        return result


def _run(
    store: Store,
    mapping: Mapping,
    output: Path,
    graph: URIRef,
    report: LinkReport,
    client: SparqlClient,
    checkpoint: Checkpoint,
    progress: Progress | None,
    clock: Callable[[], datetime],
    started: datetime,
) -> LinkReport:
    ours = read_ours(store, mapping, exclude=graph)
    asker = Asker(client, checkpoint, mapping.client.batch_size, progress)
    decider = Decider(ours, report)

    works = link_works(mapping, ours, asker, decider, report)
    people = link_people(mapping, ours, asker, decider, report, works)
    methods = link_methods(mapping, ours, asker, decider, report, works)
    report.links = sorted([*works.values(), *people.values(), *methods.values()])

    data = new_graph()
    for link_ in report.links:
        if not link_.existing:
            data.add((URIRef(link_.subject), SKOS.exactMatch, URIRef(link_.item)))
    add_labels(mapping, ours, asker, report, data, methods)
    add_citations(data, link_citations(mapping, ours, asker, report, works))

    report.requests = client.stats.requests
    report.waited = client.stats.waited
    report.reused, report.batches = asker.reused, asker.batches
    report.conflicts.sort()
    finished = clock()
    metadata = describe(mapping, graph, data, asker.templates, report, started, finished)
    report.output, report.metadata = data, metadata
    data_path, meta_path = output / f"{mapping.name}.ttl", output / f"{mapping.name}.meta.ttl"
    diff(report, data, data_path)
    if not report.dry_run:
        stage_and_swap(mapping, data, metadata, data_path, meta_path)
        report.written = (data_path, meta_path)
    return report
