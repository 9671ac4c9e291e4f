"""``import``: turn an external source into a named graph under data/imported/."""

from __future__ import annotations

from pathlib import Path

import click

from .context import Context, pass_context, reports_errors
from .progress import Progress


@click.group(name="import")
def import_() -> None:
    """Turn an external source into a named graph under data/imported/."""


def _import_command(source: str, default_out: str, doc: str) -> None:
    @import_.command(name=source, help=doc)
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        help=f"Where to write (default: data/imported/{default_out}).",
    )
    @pass_context
    @reports_errors
    def command(ctx: Context, file: Path, output: Path | None) -> None:
        from ..services.importing import run_import

        out = output or ctx.root / "data" / "imported" / default_out
        with Progress() as shown:

            def progress(done: int, total: int) -> None:
                shown.update(f"Importing {file.name}", done, total)

            result = run_import(source, file, ctx.root, out, progress=progress)
        for key, value in result.counts.items():
            click.echo(f"{key}: {value}")
        for record, reason in result.rejected:
            click.echo(f"rejected {record}: {reason}", err=True)
        click.echo(f"wrote {out}")


_import_command(
    "pwc", "pwc-methods.ttl", "Import the Papers with Code methods dump (methods.json)."
)
_import_command(
    "glossary-fa",
    "fa-ml-glossary.ttl",
    "Add Persian labels from the English→Persian ML glossary (YAML).",
)
_import_command(
    "glossary-tr",
    "tr-d2l-terminology.ttl",
    "Add Turkish labels from the d2l Turkish terminology (Markdown).",
)
