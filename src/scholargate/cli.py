"""The ``scholargate`` command: thin click commands over the same services the web uses.

Exit codes: 0 success (and, for ``validate``, the data conforms), 1 the data does not
conform, 2 an error (bad input, unreadable file, unknown format).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from . import __version__
from .build import build_store, find_root, open_built
from .config import load_config
from .errors import ScholarGateError
from .formats import DATASET_FORMATS, GRAPH_FORMATS, RESULT_FORMATS, by_name
from .namespaces import GRAPH, LANGUAGES
from .render.text import table, term_text
from .store.oxigraph import OxigraphStore

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(command: F) -> F:
    """Turn a ScholarGateError into a one-line message on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ScholarGateError as error:
            click.echo(f"error: {error.message}", err=True)
            sys.exit(error.exit_code)

    return wrapper  # type: ignore[return-value]


class Context:
    """What every command shares: settings, and the store opened on first use."""

    def __init__(self, root: Path | None, store_path: Path | None, memory: bool) -> None:
        overrides: dict[str, Any] = {}
        if root is not None:
            overrides["ROOT"] = root
        if store_path is not None:
            overrides["STORE"] = store_path
        self.config = load_config(overrides)
        self.memory = memory
        self._store: OxigraphStore | None = None

    @property
    def root(self) -> Path:
        return find_root(self.config["ROOT"])

    @property
    def store_path(self) -> Path:
        return self.config["STORE"] or self.root / "var" / "store"

    def store(self) -> OxigraphStore:
        if self._store is None:
            self._store = self._open()
        return self._store

    @property
    def saved_path(self) -> Path:
        """The saved comparisons, a source of the store as under `serve` (so that the
        two agree on when the store is up to date)."""
        return self.config["SAVED"] or self.root / "var" / "comparisons.nt"

    def _open(self) -> OxigraphStore:
        if self.memory:
            store = OxigraphStore()
            with _Progress("Building the graph in memory") as step:
                build_store(store, self.root, saved=self.saved_path, progress=step)
            return store
        with _Progress(f"Updating the store at {self.store_path}") as step:
            store, _ = open_built(self.store_path, self.root, saved=self.saved_path, progress=step)
        return store


class _Progress:
    """Name each source file on stderr while a build runs (only when stderr is a terminal)."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.shown = False

    def __enter__(self) -> Callable[[str], None]:
        def step(name: str) -> None:
            if not sys.stderr.isatty():
                return
            if not self.shown:
                click.echo(self.title, err=True)
                self.shown = True
            click.echo(f"  loading {name}", err=True)

        return step

    def __exit__(self, *exc: object) -> None:
        return None


pass_context = click.make_pass_decorator(Context)

_ROOT_HELP = "Project folder with ontology/, shapes/ and data/ (default: found from here)."


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="scholargate")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), help=_ROOT_HELP)
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path),
    help="On-disk store (default: ROOT/var/store; env SCHOLARGATE_STORE).",
)
@click.option("--memory", is_flag=True, help="Build the graph in memory; touch no store on disk.")
@click.pass_context
def main(ctx: click.Context, root: Path | None, store_path: Path | None, memory: bool) -> None:
    """ScholarGate: a knowledge graph of research methods."""
    ctx.obj = Context(root, store_path, memory)


# ---- build, stats ---------------------------------------------------------------------


@main.command()
@pass_context
@reports_errors
def build(ctx: Context) -> None:
    """Build (or bring up to date) the on-disk store from ontology/, shapes/ and data/."""
    with _Progress(f"Building {ctx.store_path}") as step:
        store, report = open_built(ctx.store_path, ctx.root, saved=ctx.saved_path, progress=step)
    if not report.rebuilt:
        click.echo(f"{ctx.store_path}: up to date ({store.count()} quads)")
        return
    rows = [[term_text(g), str(n)] for g, n in sorted(report.triples.items())]
    click.echo(table(["graph", "triples"], rows), nl=False)
    click.echo(f"{report.quads} quads in {report.seconds:.2f} s → {ctx.store_path}")


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@pass_context
@reports_errors
def stats(ctx: Context, fmt: str) -> None:
    """Counts per class, per named graph and per label language."""
    from .services.stats import stats as compute

    result = compute(ctx.store())
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "quads": result.quads,
                    "classes": dict(result.classes),
                    "graphs": dict(result.graphs),
                    "languages": [
                        {"language": lang, "property": p, "count": n}
                        for lang, p, n in result.languages
                    ],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    click.echo(f"{result.quads} quads\n")
    click.echo(
        table(["class", "instances"], [[term_text_iri(c), str(n)] for c, n in result.classes])
    )
    click.echo(table(["graph", "triples"], [[term_text_iri(g), str(n)] for g, n in result.graphs]))
    click.echo(
        table(
            ["language", "property", "labels"],
            [[lang, term_text_iri(p), str(n)] for lang, p, n in result.languages],
        ),
        nl=False,
    )


def term_text_iri(iri: str) -> str:
    from rdflib import URIRef

    return term_text(URIRef(iri))


# ---- validate -------------------------------------------------------------------------


@main.command()
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
    from .services.validation import validate_files, validate_store

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


# ---- export, query --------------------------------------------------------------------

_EXPORT_FORMATS = [f.name for f in (*GRAPH_FORMATS, *DATASET_FORMATS)]


@main.command()
@click.option(
    "--format", "fmt", type=click.Choice(_EXPORT_FORMATS), default="trig", show_default=True
)
@click.option(
    "--graph",
    "graph_name",
    help="One named graph, by name (curated, pwc-methods, …) or full IRI. Default: everything.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of standard output.",
)
@pass_context
@reports_errors
def export(ctx: Context, fmt: str, graph_name: str | None, output: Path | None) -> None:
    """Serialise the graph (or one named graph) as Turtle, JSON-LD, N-Triples, N-Quads or TriG.

    Triple formats of the whole store hold the union of all graphs; N-Quads and TriG keep
    each triple's graph.
    """
    from .services.export import export as run_export

    store = ctx.store()
    graph = _graph_iri(graph_name, store) if graph_name else None
    if output is None:
        run_export(store, by_name(fmt), sys.stdout.buffer, graph=graph)
        return
    fd, tmp = tempfile.mkstemp(dir=output.parent or ".", prefix=f".{output.name}.")
    try:
        with os.fdopen(fd, "wb") as out:
            run_export(store, by_name(fmt), out, graph=graph)
        os.replace(tmp, output)
    except BaseException:
        os.unlink(tmp)
        raise


def _graph_iri(name: str, store: OxigraphStore) -> Any:
    from rdflib import URIRef

    from .errors import InputError

    iri = URIRef(name) if ":" in name else GRAPH[name]
    names = store.graph_names()
    if iri not in names:
        known = ", ".join(term_text(g) for g in names)
        raise InputError(f"no graph {name!r} in the store; graphs: {known}")
    return iri


_QUERY_FORMATS = ["table", *[f.name for f in RESULT_FORMATS], *[f.name for f in GRAPH_FORMATS]]


@main.command()
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
    from .errors import InputError
    from .services.query import run_local

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


# ---- compare --------------------------------------------------------------------------


@main.command()
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
    from .render import comparison as render
    from .services.compare import compare as run_compare

    table = run_compare(ctx.store(), list(methods), lang or ctx.config["LANG"])
    if fmt == "json":
        click.echo(json.dumps(render.to_json(table), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        sys.stdout.buffer.write(render.to_csv(table))
    else:
        click.echo(render.to_text(table), nl=False)


# ---- serve ----------------------------------------------------------------------------


@main.command()
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
    type=click.Path(path_type=Path),
    help="On-disk store to build (if needed) and serve (default: ROOT/var/store).",
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
    serve_store: Path | None,
    serve_memory: bool,
) -> None:
    """Serve the SPARQL endpoint and every page under gunicorn until Ctrl-C.

    The on-disk store is built from ontology/, shapes/ and data/ first when a source
    changed; the URL is printed when the server listens.
    """
    from .allocator import restart_with
    from .serve import serve as run_server

    restart_with(ctx.config["ALLOCATOR"])  # may start this command again, with jemalloc
    overrides: dict[str, Any] = {"ROOT": ctx.root}
    given = {"HOST": host, "PORT": port, "WORKERS": workers, "CONNECTIONS": connections}
    overrides.update({k: v for k, v in given.items() if v is not None})
    if serve_store is not None or ctx.config.get("STORE") is not None:
        overrides["STORE"] = serve_store or ctx.config["STORE"]
    if serve_memory or ctx.memory:
        overrides["MEMORY"] = True
    run_server(overrides, echo=lambda text: click.echo(text))


# ---- import ---------------------------------------------------------------------------


@main.group(name="import")
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
        from .services.importing import run_import

        out = output or ctx.root / "data" / "imported" / default_out
        with click.progressbar(
            length=0, label=f"Importing {file.name}", file=sys.stderr, show_pos=True
        ) as bar:

            def progress(done: int) -> None:
                bar.update(done - bar.pos)

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


# ---- link -----------------------------------------------------------------------------


@main.command()
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
    sgg:links-SOURCE. SOURCE is wikidata, dblp or a mapping .toml file.

    Links that contradict our data are reported, not written; a failed run leaves the
    previous links as they were.
    """
    from .services.link import link as run_link
    from .services.link import load_mapping, summary

    mapping = load_mapping(source).with_endpoint(endpoint)

    def progress(label: str, done: int, total: int) -> None:
        if sys.stderr.isatty():
            click.echo(f"\r{label}: batch {done}/{total}", err=True, nl=done == total)

    report = run_link(
        ctx.store(),
        mapping,
        output=output or ctx.root / "data" / "links",
        state=ctx.root / "var" / "link" / mapping.name,
        dry_run=dry_run,
        resume=resume,
        progress=progress,
    )
    click.echo("\n".join(summary(report)))


if __name__ == "__main__":  # pragma: no cover
    main()
