"""Commands over the change journal (every accepted write, ``services/writes``):
``history`` lists its entries, ``export-edits`` turns them into patches for ``data/``.

Both read the journal file the settings name (``JOURNAL``, else the one beside the
on-disk store) and never open the store, so they work while ``serve`` holds it.
"""

from __future__ import annotations

from pathlib import Path

import click
from rdflib import URIRef

from ..build import build_store, discover, open_remote, place_of
from ..render.edits import ADDED, REMOVED, file_stem, patch, report, summary
from ..render.journal import history_json, history_table
from ..render.text import compact
from ..services.writes.edits import catch_up, edits
from ..services.writes.history import graph_named, parse_since, select
from ..services.writes.journal import Journal
from ..services.writes.server_journal import ServerJournal
from ..store import new_store
from .context import Context, pass_context, reports_errors


def _journal(ctx: Context) -> Journal | None:
    """The journal the settings name, or None (having said why) when there is no
    lasting one: ``--memory`` without ``JOURNAL``, or a SPARQL server as the store."""
    place = place_of(ctx.settings(memory=ctx.memory))
    if place.journal is not None:
        return Journal(place.journal)
    if place.url is not None:
        click.echo(
            f"no journal file: the store is a SPARQL server ({place.url}), whose journal is "
            "its graph sgg:journal (`scholargate history` reads it); this command reads a file"
        )
    else:
        click.echo(
            "no journal: with --memory the graph is built in memory and its writes are "
            "kept in no lasting journal (`serve --memory` keeps them in a temporary one "
            "only while it runs); set SCHOLARGATE_JOURNAL to name a journal file"
        )
    return None


def _nothing(journal: Journal, err: bool) -> bool:
    """Say so and return True when the journal is missing or has no entries."""
    if not journal.path.exists():
        click.echo(f"no journal at {journal.path} yet: no write has been accepted", err=err)
        return True
    if not journal.entries():
        click.echo(f"the journal at {journal.path} has no entries", err=err)
        return True
    return False


@click.command()
@click.option(
    "--since",
    "since_text",
    metavar="WHEN",
    help="Only entries after journal number N (--since 12), or from a date "
    "(2025-03-01, UTC) or an ISO time (2025-03-01T14:00, UTC unless it names an offset) on.",
)
@click.option("--by", metavar="NAME", help="Only entries written with NAME's token.")
@click.option(
    "--graph",
    "graph_name",
    metavar="IRI",
    help="Only entries that touched this graph: a name (curated), sgg:curated or the full IRI.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="Only the newest N of the entries that match.",
)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, one entry a line.")
@pass_context
@reports_errors
def history(
    ctx: Context,
    since_text: str | None,
    by: str | None,
    graph_name: str | None,
    limit: int | None,
    as_json: bool,
) -> None:
    """The change journal's entries, newest last: number, when (UTC), who (the token's
    name), the graphs touched, how many quads removed and added, and the summary.

    Reads the journal file only (JOURNAL, else the one beside the on-disk store); the
    store is not opened. On a SPARQL server as the store, reads the journal there (the
    graph sgg:journal). With --json, one JSON object a line: seq, at, by, what, graphs
    (full IRIs), removed, added (counts); a note about an empty journal goes to stderr.
    """
    since = parse_since(since_text) if since_text is not None else None
    graph = graph_named(graph_name) if graph_name is not None else None
    place = place_of(ctx.settings(memory=ctx.memory))
    if place.url is not None:  # the journal on the server (graph sgg:journal)
        store = open_remote(place.url, ctx.settings(memory=False))
        try:
            entries = ServerJournal(store, Path("journal")).entries()
        finally:
            store.close()
        where = f"the graph sgg:journal on {place.url}"
        if not entries:
            click.echo(f"{where} has no entries: no write has been accepted", err=as_json)
            return
    else:
        journal = _journal(ctx)
        if journal is None or _nothing(journal, err=as_json):
            return
        entries, where = journal.entries(), f"the journal at {journal.path}"
    chosen = select(entries, since=since, by=by, graph=graph, limit=limit)
    if not chosen:
        click.echo(f"no entries match ({len(entries)} in {where})", err=as_json)
        return
    if as_json:
        for entry in chosen:
            click.echo(history_json(entry))
        return
    click.echo(history_table(chosen), nl=False)


def _where(root: Path, saved: Path) -> dict[URIRef, str]:
    """For each graph the sources hold, where a maintainer edits it."""
    files: dict[URIRef, list[str]] = {}
    roles: dict[URIRef, str] = {}
    for source in discover(root, saved):
        try:
            shown = source.path.relative_to(root).as_posix()
        except ValueError:
            shown = str(source.path)
        files.setdefault(source.graph, []).append(shown)
        roles[source.graph] = source.role
    where: dict[URIRef, str] = {}
    for graph, paths in files.items():
        listed = ", ".join(paths[:4]) + (f" (+{len(paths) - 4} more)" if len(paths) > 4 else "")
        text = f"Its sources: {listed}."
        writer = {"imported": "scholargate import", "links": "scholargate link"}.get(roles[graph])
        if writer:
            text += (
                f" `{writer}` rewrites them and would drop a hand edit: to keep these "
                "triples, put them in a file under data/curated/ instead."
            )
        where[graph] = text
    return where


_NO_SOURCE = (
    "No file holds this graph: it lives only in the journal. To keep these triples in "
    "git, paste them into a file under data/curated/ (they then belong to sgg:curated)."
)


@click.command("export-edits")
@click.option(
    "--since",
    type=click.IntRange(min=0),
    default=0,
    metavar="N",
    help="Only the entries after journal number N (default: every entry).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="FOLDER",
    help="Write GRAPH.added.ttl and GRAPH.removed.ttl per graph into FOLDER (made if "
    "missing; those files replaced) instead of printing everything.",
)
@pass_context
@reports_errors
def export_edits(ctx: Context, since: int, out: Path | None) -> None:
    """The accepted edits as patches to fold into data/.

    \b
    Design, for a maintainer who reviews and pastes:
    - the entries after --since are composed into one net change (a triple added by one
      entry and removed by a later one is in neither list);
    - for each graph they touched, the triples to ADD and the triples to REMOVE, each a
      Turtle document with the project's prefixes (only those it uses), subjects grouped
      as in data/curated/, under a "#" header: the entries covered (number, when in UTC,
      who, what), the source files that hold the graph, the net counts;
    - a summary first: the entries, who, when, and the methods added, changed (triples
      about them, as subject, added or removed) and removed (a method is an IRI typed
      sg:Method), judged against the sources plus the entries up to --since;
    - everything that is not Turtle is a comment, so a part parses as it is.

    \b
    Fold a patch: paste the added triples into one of the graph's files, delete the
    removed ones from theirs, run `scholargate build`: the entries are then reported
    as folded (one that only removes, as contradicted with all its removed triples
    gone), and replaying them changes nothing. The journal is never changed by this
    command. Blank nodes are written nested ([ … ]); a removed one is found in its
    file by its neighbours.

    Reads the journal file and the sources only (built in memory); the store is not opened.
    """
    journal = _journal(ctx)
    if journal is None or _nothing(journal, err=False):
        return
    entries = journal.entries()
    chosen = [e for e in entries if e.seq > since]
    if not chosen:
        click.echo(f"no entries after {since} ({len(entries)} in the journal at {journal.path})")
        return
    place = ctx.place
    before = new_store()
    try:
        build_store(before, place.root, saved=place.saved)
        catch_up(before, [e for e in entries if e.seq <= since])
        result = edits(chosen, before)
    finally:
        before.close()
    where = _where(place.root, place.saved)
    places = {part.graph: where.get(part.graph, _NO_SOURCE) for part in result.graphs}
    if out is None:
        click.echo(report(result, journal.path, places), nl=False)
        return
    out.mkdir(parents=True, exist_ok=True)
    click.echo("\n".join(summary(result, journal.path)))
    for part in result.graphs:
        for side, triples in ((REMOVED, part.removed), (ADDED, part.added)):
            if not triples:
                continue
            target = out / f"{file_stem(part.graph)}.{side}.ttl"
            target.write_text(patch(part, side, places[part.graph]), encoding="utf-8")
            count = f"{len(triples)} triple" + ("" if len(triples) == 1 else "s")
            click.echo(f"{compact(str(part.graph))}: {count} {side} → {target}")
