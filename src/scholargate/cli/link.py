"""``link``: link works, persons and methods to an external SPARQL graph."""

from __future__ import annotations

from pathlib import Path

import click

from .context import Context, pass_context, reports_errors
from .progress import Progress


@click.command()
@click.argument("source")
@click.option("--endpoint", help="Ask this SPARQL endpoint instead of the mapping's.")
@click.option("--dry-run", is_flag=True, help="Ask, print what would change, write nothing.")
@click.option(
    "--resume/--restart",
    default=True,
    show_default=True,
    help="Reuse the answers an interrupted run kept under var/link/, or start afresh.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for SOURCE.ttl and SOURCE.meta.ttl (default: data/links/).",
)
@pass_context
@reports_errors
def link(
    ctx: Context,
    source: str,
    endpoint: str | None,
    dry_run: bool,
    resume: bool,
    output: Path | None,
) -> None:
    """Link works, persons and methods to an external SPARQL graph, as the named graph
    sgg:links-SOURCE, with the citations among our works it states (cito:cites). SOURCE
    is wikidata, dblp, opencitations or a mapping .toml file.

    Links that contradict our data are reported, not written; a failed run leaves the
    previous links as they were.
    """
    from ..services.link import link as run_link
    from ..services.link import load_mapping, summary
    from ..services.link.errors import EndpointUnreachableError

    mapping = load_mapping(source).with_endpoint(endpoint)

    store = ctx.store()
    with Progress() as shown:

        def progress(label: str, done: int, total: int) -> None:
            shown.update(f"{label} (batches)", done, total)

        try:
            report = run_link(
                store,
                mapping,
                output=output or ctx.root / "data" / "links",
                state=ctx.root / "var" / "link" / mapping.name,
                dry_run=dry_run,
                resume=resume,
                progress=progress,
            )
        except EndpointUnreachableError as error:
            raise EndpointUnreachableError(
                f"{error.message}; check the network, or give another endpoint with --endpoint URL"
            ) from None
    click.echo("\n".join(summary(report)))
