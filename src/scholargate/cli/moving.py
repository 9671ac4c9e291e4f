"""Moving the graph to and from a SPARQL server: ``push`` and ``pull``
(``store/moving.py`` does the work).

While a graph moves, a bar on standard error when it is a terminal; one plain line per
graph on standard output either way; every graph's triple count checked at the other
end (a difference is an error: exit code 2, the graphs named).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

import click
from rdflib import URIRef

from ..build import open_remote, record_seq, replace_store
from ..build.opening import journal_beside
from ..build.snapshots import undo_file
from ..errors import InputError
from ..namespaces import GRAPH
from ..render.text import term_text
from ..services.writes.journal import Journal
from ..store import Store
from ..store.moving import DEFAULT_PIECE, Moved, Outcome, state_name
from ..store.moving import pull as pull_graphs
from ..store.moving import push as push_graphs
from .context import Context, pass_context, reports_errors

_PIECE_HELP = f"Triples per request (default {DEFAULT_PIECE})."


class Shown:
    """A move's progress: a bar per graph on a terminal's stderr, a line per graph."""

    def __init__(self, verb: str) -> None:
        self.verb = verb
        self.bar: Any = None
        self.terminal = sys.stderr.isatty()

    def begin(self, graph: URIRef, triples: int) -> None:
        if self.terminal:
            label = f"{self.verb} {term_text(graph)}"
            self.bar = click.progressbar(length=max(triples, 1), label=label, file=sys.stderr)
            self.bar.__enter__()

    def advance(self, triples: int) -> None:
        if self.bar is not None and triples:
            self.bar.update(triples)

    def end(self, outcome: Outcome) -> None:
        self.close()
        click.echo(line(outcome))

    def close(self) -> None:
        """End the bar (a move that stops with an error says so on a line of its own)."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def line(o: Outcome) -> str:
    """One graph's outcome as a line of plain text."""
    name, count = term_text(o.graph), f"{o.triples} triples"
    if o.done == "skipped":
        said = "already there, skipped"
    else:
        said = f"{o.done}, {o.pieces} piece{'s' if o.pieces != 1 else ''}"
        if o.done == "resumed":
            said += f" from piece {o.first_piece + 1}"
    if not o.equal:
        said += f"; MISMATCH: {o.found} there"
    return f"{name}: {count}, {said}"


def _remote(ctx: Context, url: str, update_url: str | None, gsp_url: str | None) -> Store:
    settings = dict(ctx.config)
    if update_url is not None:
        settings["STORE_UPDATE"] = update_url
    if gsp_url is not None:
        settings["STORE_GSP"] = gsp_url
    return open_remote(url, settings)


def _summary(moved: Moved, verb: str, where: str) -> str:
    graphs = f"{len(moved.outcomes)} graph{'s' if len(moved.outcomes) != 1 else ''}"
    return f"{moved.triples} triples in {graphs} {verb} {where} in {moved.seconds:.2f} s"


@click.command()
@click.option("--to", "url", required=True, help="The SPARQL server's query URL.")
@click.option("--update", "update_url", help="Its Update URL (default: STORE_UPDATE).")
@click.option("--gsp", "gsp_url", help="Its Graph Store URL (default: STORE_GSP).")
@click.option(
    "--method",
    type=click.Choice(["gsp", "update"]),
    help="Graph Store Protocol or SPARQL Update (default: gsp with a Graph Store URL).",
)
@click.option("--piece", type=click.IntRange(min=1), default=DEFAULT_PIECE, help=_PIECE_HELP)
@click.option("--fresh", is_flag=True, help="Send every graph, even one already there.")
@click.option("--graph", "names", multiple=True, help="Only this graph (name or IRI; repeatable).")
@pass_context
@reports_errors
def push(
    ctx: Context,
    url: str,
    update_url: str | None,
    gsp_url: str | None,
    method: str | None,
    piece: int,
    fresh: bool,
    names: tuple[str, ...],
) -> None:
    """Load the built graph into a SPARQL server, graph by graph, and check each
    graph's triple count there. Run it again after an interruption: graphs already
    there are skipped, a graph half sent is taken up where it stopped."""
    target = _remote(ctx, url, update_url, gsp_url)
    try:
        source = ctx.store()
        if not ctx.memory and str(ctx.config.get("STORE") or "") == url:
            raise InputError(f"the store is the server at {url} already: nothing to push")
        place = ctx.place if not (ctx.memory or ctx.place.url) else None
        if place is not None and place.path is not None:
            state = place.path.with_name(f"{place.path.name}.{state_name(target)}")
        else:
            state = Path(tempfile.gettempdir()) / f"scholargate-{state_name(target)}"
        shown = Shown("pushing")
        try:
            moved = push_graphs(
                source,
                target,
                method=method,
                piece=piece,
                state=state,
                fresh=fresh,
                graphs=_named(source, names, "in the store") if names else None,
                progress=shown,
            )
        finally:
            shown.close()
        click.echo(_summary(moved, "pushed to", moved.where))
        moved.check(f"the server at {moved.where} differs from the local store")
    finally:
        target.close()


def _named(store: Store, names: tuple[str, ...], where: str) -> list[URIRef]:
    """The graphs ``names`` (``curated`` or a full IRI), each one ``store`` holds."""
    listed = store.graph_names()
    wanted = list(dict.fromkeys(URIRef(n) if ":" in n else GRAPH[n] for n in names))
    missing = [term_text(g) for g in wanted if g not in listed]
    if missing:
        raise InputError(f"no graph {', '.join(missing)} {where}")
    return wanted


def _chosen(source: Store, names: tuple[str, ...], every: bool) -> list[URIRef]:
    if names:
        return _named(source, names, "on the server")
    listed = source.graph_names()
    if every:
        return listed
    ours = [g for g in listed if str(g).startswith(str(GRAPH))]
    if not ours:
        raise InputError(
            f"the server holds no ScholarGate graph (under {GRAPH}); --all-graphs takes "
            "every graph it lists"
        )
    return ours


@click.command()
@click.option("--from", "url", required=True, help="The SPARQL server's query URL.")
@click.option("--gsp", "gsp_url", help="Its Graph Store URL (default: STORE_GSP).")
@click.option("--graph", "names", multiple=True, help="Only this graph (name or IRI; repeatable).")
@click.option("--all-graphs", is_flag=True, help="Every graph the server lists, not only ours.")
@click.option("--piece", type=click.IntRange(min=1), default=DEFAULT_PIECE, help=_PIECE_HELP)
@pass_context
@reports_errors
def pull(
    ctx: Context,
    url: str,
    gsp_url: str | None,
    names: tuple[str, ...],
    all_graphs: bool,
    piece: int,
) -> None:
    """Make the on-disk store a copy of a SPARQL server's graphs (ScholarGate's named
    graphs, or --all-graphs), each graph's triple count checked; written beside the
    store and swapped in only when every count agrees. Commands then use it as it is;
    `scholargate build` builds the store from the sources again."""
    place = ctx.place
    if ctx.memory or place.path is None:
        raise InputError("pull writes the on-disk store: give --store PATH, not a URL or --memory")
    path = place.path
    source = _remote(ctx, url, None, gsp_url)
    try:
        graphs = _chosen(source, names, all_graphs)

        def fill(store: Store) -> Moved:
            shown = Shown("pulling")
            try:
                moved = pull_graphs(source, store, graphs, piece=piece, progress=shown)
            finally:
                shown.close()
            moved.check(f"the copy differs from the server at {moved.where}; {path} is unchanged")
            return moved

        moved = replace_store(path, fill, pulled=url)
    finally:
        source.close()
    # The journal's entries so far, and a write killed half-way (the undo log), were
    # writes to the store the pull replaced: neither is replayed over the copy; writes
    # made from now on are.
    undo_file(path).unlink(missing_ok=True)
    journal = place.journal or journal_beside(path)
    entries = Journal(journal).entries() if journal.is_file() else []
    record_seq(path, entries[-1].seq if entries else 0)
    click.echo(_summary(moved, "pulled from", moved.where) + f" → {path}")
