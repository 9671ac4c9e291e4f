"""Commands about the store itself: ``build`` it, count what it holds (``stats``),
``export`` it."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import click
from rdflib import URIRef

from ..build import open_configured
from ..build.opening import journal_beside
from ..errors import InputError
from ..formats import DATASET_FORMATS, GRAPH_FORMATS, by_name
from ..namespaces import GRAPH
from ..render.journal import replay_report
from ..render.text import table, term_text
from ..store import Store
from .context import BuildProgress, Context, pass_context, reports_errors


@click.command()
@pass_context
@reports_errors
def build(ctx: Context) -> None:
    """Build (or bring up to date) the on-disk store from ontology/, shapes/ and data/,
    replay the change journal over it, and say what both did; with a SPARQL server's URL
    as the store, load them into the server (every source's named graph replaced, every
    time; no journal is kept for a server).

    The journal report: how many entries were replayed; after a rebuild, each entry a
    changed source contradicts (it removes triples the sources no longer have: its
    number, who, when, what, and how many of its removed triples are gone) and each
    entry already folded into the sources (they hold everything it adds).

    A contradiction is reported, not an error (the exit code stays 0): the entry stays in
    the journal, and every build re-applies it as far as it still applies (what it adds
    is added again, what it removes is removed where the sources still have it). To settle
    one, edit data/ so that the sources say what should hold (`scholargate export-edits`
    gives the entries as patches to fold in), or undo the write with a new write; the
    journal itself is never edited.
    """
    with BuildProgress(f"Building {ctx.store_name}", ctx.place) as step:
        opened = open_configured(ctx.settings(memory=False), progress=step, load=True)
    store, report = opened.store, opened.report
    assert report is not None  # an on-disk store opened for writing has been built
    try:
        quads = store.count()
    finally:
        store.close()  # the next command may open it at once
    if not report.rebuilt:
        click.echo(f"{ctx.store_name}: up to date ({quads} quads)")
    else:
        rows = [[term_text(g), str(n)] for g, n in sorted(report.triples.items())]
        click.echo(table(["graph", "triples"], rows), nl=False)
        click.echo(f"{report.quads} quads in {report.seconds:.2f} s → {ctx.store_name}")
    place = opened.place
    if opened.replayed is not None and place.path is not None:
        journal = place.journal or journal_beside(place.path)
        click.echo(replay_report(opened.replayed, journal, fresh=bool(report.rebuilt)), nl=False)
    elif place.url is not None and ctx.config.get("JOURNAL"):
        click.echo(
            f"journal {ctx.config['JOURNAL']}: not replayed (a SPARQL server as the store "
            "keeps no journal here)"
        )


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_context
@reports_errors
def stats(ctx: Context, fmt: str) -> None:
    """Counts per class, per named graph and per label language."""
    from ..services.stats import stats as compute

    result = compute(ctx.store())
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "quads": result.quads,
                    "classes": dict(result.classes),
                    "graphs": dict(result.graphs),
                    "languages": [
                        {"language": lang, "property": p, "count": n}
                        for lang, p, n in result.languages
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    click.echo(f"{result.quads} quads\n")
    click.echo(
        table(["class", "instances"], [[term_text_iri(c), str(n)] for c, n in result.classes])
    )
    click.echo(table(["graph", "triples"], [[term_text_iri(g), str(n)] for g, n in result.graphs]))
    click.echo(
        table(
            ["language", "property", "labels"],
            [[lang, term_text_iri(p), str(n)] for lang, p, n in result.languages],
        ),
        nl=False,
    )


def term_text_iri(iri: str) -> str:
    return term_text(URIRef(iri))


_EXPORT_FORMATS = [f.name for f in (*GRAPH_FORMATS, *DATASET_FORMATS)]


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(_EXPORT_FORMATS), default="trig", show_default=True
)
@click.option(
    "--graph",
    "graph_name",
    help="One named graph, by name (curated, pwc-methods, …) or full IRI. Default: everything.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of standard output.",
)
@pass_context
@reports_errors
def export(ctx: Context, fmt: str, graph_name: str | None, output: Path | None) -> None:
    """Serialise the graph (or one named graph) as Turtle, JSON-LD, N-Triples, N-Quads or TriG.

    Triple formats of the whole store hold the union of all graphs; N-Quads and TriG keep
    each triple's graph.
    """
    from ..services.export import export as run_export

    store = ctx.store()
    graph = _graph_iri(graph_name, store) if graph_name else None
    if output is None:
        run_export(store, by_name(fmt), sys.stdout.buffer, graph=graph)
        return
    fd, tmp = tempfile.mkstemp(dir=output.parent or ".", prefix=f".{output.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            run_export(store, by_name(fmt), out, graph=graph)
        os.replace(tmp, output)
    except BaseException:
        os.unlink(tmp)
        raise


def _graph_iri(name: str, store: Store) -> Any:
    iri = URIRef(name) if ":" in name else GRAPH[name]
    names = store.graph_names()
    if iri not in names:
        known = ", ".join(term_text(g) for g in names)
        raise InputError(f"no graph {name!r} in the store; graphs: {known}")
    return iri
