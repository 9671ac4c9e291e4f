"""``validate``: check the graph, or curated files, against the SHACL shapes.

Exit 0 when the data conforms, 1 when it does not, 2 on an error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..namespaces import LANGUAGES
from .context import Context, pass_context, reports_errors


@click.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "ttl", "json"]),
    default="text",
    show_default=True,
    help="Report as text, a SHACL report in Turtle, or JSON.",
)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of the messages (default: SCHOLARGATE_LANG or en).",
)
@click.option(
    "--all",
    "every",
    is_flag=True,
    help="List every result; by default results that do not block are counted.",
)
@pass_context
@reports_errors
def validate(
    ctx: Context, files: tuple[Path, ...], fmt: str, lang: str | None, every: bool
) -> None:
    """Check the graph against the SHACL shapes.

    With FILES, check those Turtle files as curated data together with the bundled
    graph they refer to. Exit 0 when it conforms, 1 when it does not, 2 on an error.
    """
    from ..services.validation import validate_files, validate_store

    lang = lang or ctx.config["LANG"]
    if files:
        report = validate_files(ctx.store(), list(files), lang=lang)
    else:
        report = validate_store(ctx.store(), lang=lang)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    elif fmt == "ttl":
        click.echo(report.graph.serialize(format="turtle"))
    else:
        click.echo(report.text(lang, every=every))
    sys.exit(0 if report.conforms else 1)
