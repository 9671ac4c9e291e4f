"""Commands that ask the graph: ``query`` (SPARQL) and ``compare`` (methods side by side)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..errors import InputError
from ..formats import GRAPH_FORMATS, RESULT_FORMATS, by_name
from ..namespaces import LANGUAGES
from ..render.text import table, term_text
from .context import Context, pass_context, reports_errors

_QUERY_FORMATS = ["table", *[f.name for f in RESULT_FORMATS], *[f.name for f in GRAPH_FORMATS]]


@click.command()
@click.argument("sparql", required=False)
@click.option(
    "--file",
    "-f",
    "file",
    type=click.File("r", encoding="utf-8"),
    help="Read the query from a file ('-' for standard input).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(_QUERY_FORMATS),
    default="table",
    show_default=True,
    help="table, a SPARQL results format, or an RDF format for CONSTRUCT/DESCRIBE.",
)
@pass_context
@reports_errors
def query(ctx: Context, sparql: str | None, file: Any, fmt: str) -> None:
    """Run a SPARQL query on the local store.

    The default graph is the union of every named graph; the project's prefixes
    (sg:, sgm:, skos:, …) are predeclared.
    """
    from ..services.query import run_local

    if file is not None:
        sparql = file.read()
    if not sparql:
        raise InputError("give a query as an argument, or with --file FILE ('-' for stdin)")
    store = ctx.store()
    if fmt != "table":
        run_local(store, sparql, by_name(fmt), sys.stdout.buffer)
        return
    result = run_local(store, sparql)
    if result.kind == "ask":
        click.echo("true" if result.boolean else "false")
    elif result.kind == "select":
        rows = [[term_text(r.get(v)) for v in result.variables] for r in result.rows]
        click.echo(table(result.variables, rows), nl=False)
        click.echo(f"({len(rows)} rows)", err=True)
    else:
        rows = [[term_text(t) for t in triple] for triple in result.triples]
        click.echo(table(["subject", "predicate", "object"], rows), nl=False)


@click.command()
@click.argument("methods", nargs=-1, required=True)
@click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default=None,
    help="Language of labels and row names (default: SCHOLARGATE_LANG or en).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@pass_context
@reports_errors
def compare(ctx: Context, methods: tuple[str, ...], fmt: str, lang: str | None) -> None:
    """Compare METHODS (slugs, IRIs or names in any language) side by side.

    Rows that differ are marked with ≠.
    """
    from ..render import comparison as render
    from ..services.compare import compare as run_compare

    table = run_compare(ctx.store(), list(methods), lang or ctx.config["LANG"])
    if fmt == "json":
        click.echo(json.dumps(render.to_json(table), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        sys.stdout.buffer.write(render.to_csv(table))
    else:
        click.echo(render.to_text(table), nl=False)
