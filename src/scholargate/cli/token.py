"""``token``: the bearer tokens that may write (add, list, revoke), kept in the token file
(``TOKENS``, default ``ROOT/var/tokens.json``). A running server sees a change from its
next request on."""

from __future__ import annotations

import click

from ..render.text import table
from ..services.tokens import TokenBook, tokens_path
from ..services.writes.access import ROLES
from .context import Context, pass_context, reports_errors


def _book(ctx: Context) -> TokenBook:
    return TokenBook(tokens_path(ctx.config))


@click.group()
def token() -> None:
    """Bearer tokens for writes: add, list, revoke."""


@token.command()
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    required=True,
    help="writer: the curated, contributed and saved-comparison graphs; admin: any graph.",
)
@pass_context
@reports_errors
def add(ctx: Context, name: str, role: str) -> None:
    """Make a token for NAME and print it (on stdout, alone, once)."""
    secret = _book(ctx).add(name, role)
    click.echo(secret)
    click.echo(
        "This token is shown once and not stored (only its hash is); a write request sends "
        "it as `Authorization: Bearer <token>`.",
        err=True,
    )


@token.command("list")
@pass_context
@reports_errors
def list_(ctx: Context) -> None:
    """The tokens: holder, role, when made (never the tokens)."""
    entries = _book(ctx).list()
    if not entries:
        click.echo("no tokens")
        return
    rows = [[e.name, e.role, e.created] for e in entries]
    click.echo(table(["name", "role", "created"], rows), nl=False)


@token.command()
@click.argument("name")
@pass_context
@reports_errors
def revoke(ctx: Context, name: str) -> None:
    """Remove NAME's token; it is refused from the next request on."""
    _book(ctx).revoke(name)
    click.echo(f"revoked the token of {name}")
