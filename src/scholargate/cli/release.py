"""``release VERSION``: a numbered, immutable version of the whole dataset, written under
the releases folder (``RELEASES``, default ``ROOT/var/releases``) and served under
``/releases`` (services/releases/)."""

from __future__ import annotations

import time

import click

from ..errors import ConflictError, InputError
from ..render.text import table
from ..services.releases import Releases, check_version, make_release, releases_path, version_key
from .context import Context, pass_context, reports_errors


@click.command()
@click.argument("version")
@click.option(
    "--notes",
    default="",
    help="What this release is about; kept in summary.md, summary.json and release.ttl.",
)
@pass_context
@reports_errors
def release(ctx: Context, version: str, notes: str) -> None:
    """Write release VERSION (2026.12.1, 1.4.0, 1.5.0-rc.1) of the graph: the whole dataset
    as sorted N-Quads (gzipped), the quads added and removed since the previous release,
    a summary (methods added, changed, removed) and its VoID/DCAT description."""
    check_version(version)
    folder = releases_path(ctx.config)
    if folder is None:
        raise InputError(
            "a graph built in memory (--memory) has no lasting place for releases: give "
            "SCHOLARGATE_RELEASES, or release the on-disk store"
        )
    taken = [v for v in Releases(folder).versions() if version_key(v) == version_key(version)]
    if taken:  # before the store is opened; make_release checks again under its lock
        raise ConflictError(f"release {taken[0]} exists already (in {folder}); pick a new version")
    store = ctx.store()
    started = time.perf_counter()
    summary = make_release(store, folder, version, notes=notes, journal_seq=ctx.journal_seq)
    seconds = time.perf_counter() - started
    rows = [[name, f"{about['bytes']:,}"] for name, about in summary["files"].items()]
    click.echo(table(["file", "bytes"], rows), nl=False)
    methods = summary["methods"]
    since = f"since {summary['previous']}" if summary["previous"] else "(the first release)"
    click.echo(
        f"{summary['quads']:,} quads; {summary['added']:,} added, {summary['removed']:,} "
        f"removed {since}; methods: {len(methods['added'])} added, "
        f"{len(methods['changed'])} changed, {len(methods['removed'])} removed; journal "
        f"{summary['journal_seq']['from']}→{summary['journal_seq']['to']}"
    )
    click.echo(f"release {version} in {seconds:.2f} s → {folder / version}")
