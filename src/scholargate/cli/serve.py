"""``serve``: the SPARQL endpoint and every page under gunicorn (``scholargate.serve``)."""

from __future__ import annotations

from typing import Any

import click

from .context import Context, pass_context, reports_errors


@click.command()
@click.option("--host", help="Address to listen on (default: SCHOLARGATE_HOST or 127.0.0.1).")
@click.option(
    "--port",
    type=int,
    help="Port to listen on; 0 picks a free one (default: SCHOLARGATE_PORT or 8000).",
)
@click.option(
    "--workers", type=int, help="HTTP worker processes (default: SCHOLARGATE_WORKERS or 2)."
)
@click.option(
    "--threads",
    type=int,
    hidden=True,
    help="No longer used (the gevent front has no thread pool; see --connections).",
)
@click.option(
    "--connections",
    type=int,
    help="Connections each worker holds at once (default: SCHOLARGATE_CONNECTIONS or 1000).",
)
@click.option(
    "--store",
    "serve_store",
    help="On-disk store to build (if needed) and serve (default: ROOT/var/store), or a "
    "SPARQL server's query URL (http://…) to serve, built with `scholargate build` first.",
)
@click.option("--memory", "serve_memory", is_flag=True, help="Serve a graph built in memory.")
@pass_context
@reports_errors
def serve(
    ctx: Context,
    host: str | None,
    port: int | None,
    workers: int | None,
    threads: int | None,
    connections: int | None,
    serve_store: str | None,
    serve_memory: bool,
) -> None:
    """Serve the SPARQL endpoint and every page under gunicorn until Ctrl-C.

    The on-disk store is built from ontology/, shapes/ and data/ first when a source
    changed; the URL is printed when the server listens.
    """
    from ..allocator import restart_with
    from ..serve import serve as run_server

    restart_with(ctx.config["ALLOCATOR"])  # may start this command again, with jemalloc
    overrides: dict[str, Any] = {"ROOT": ctx.root}
    given = {"HOST": host, "PORT": port, "WORKERS": workers, "CONNECTIONS": connections}
    overrides.update({k: v for k, v in given.items() if v is not None})
    if serve_store is not None or ctx.config.get("STORE") is not None:
        overrides["STORE"] = serve_store or ctx.config["STORE"]
    if serve_memory or ctx.memory:
        overrides["MEMORY"] = True
    run_server(overrides, echo=lambda text: click.echo(text))
