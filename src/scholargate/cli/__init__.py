"""The ``scholargate`` command: thin click commands over the same services the web uses.

One module per command family: ``store.py`` (build, stats, export), ``query.py``
(query, compare), ``validate.py``, ``importing.py`` (import …), ``link.py``,
``moving.py`` (push, pull),
``token.py`` (token add, list, revoke), ``journal.py`` (history, export-edits),
``release.py`` and ``serve.py``; ``context.py`` holds what they share (settings, the
store opened through ``build.open_configured``, progress, error reporting).

Exit codes: 0 success (and, for ``validate``, the data conforms), 1 the data does not
conform, 2 an error (bad input, unreadable file, unknown format).
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import __version__
from .context import Context
from .importing import import_
from .journal import export_edits, history
from .link import link
from .moving import pull, push
from .query import compare, query
from .release import release
from .serve import serve
from .store import build, export, stats
from .token import token
from .validate import validate

__all__ = ["main"]

_ROOT_HELP = "Project folder with ontology/, shapes/ and data/ (default: found from here)."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scholargate")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), help=_ROOT_HELP)
@click.option(
    "--store",
    "store_path",
    help="On-disk store, or a SPARQL server's query URL (http://…) (default: "
    "ROOT/var/store; env SCHOLARGATE_STORE).",
)
@click.option("--memory", is_flag=True, help="Build the graph in memory; touch no store on disk.")
@click.pass_context
def main(ctx: click.Context, root: Path | None, store_path: str | None, memory: bool) -> None:
    """ScholarGate: a knowledge graph of research methods."""
    ctx.obj = Context(root, store_path, memory)
    ctx.call_on_close(ctx.obj.close)  # the on-disk store's lock is released when a command ends


for _command in (
    build,
    stats,
    validate,
    export,
    push,
    pull,
    query,
    compare,
    release,
    serve,
    import_,
    link,
    token,
    history,
    export_edits,
):
    main.add_command(_command)
