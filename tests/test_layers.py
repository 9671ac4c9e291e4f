"""The layering contract of src/scholargate, checked on every module's imports (issue 12).

From the top down (docs/code-map.md draws it):

- entry points — ``cli``, ``serve``, ``front`` (the HTTP server) and ``web/`` — may import
  anything below them;
- ``render/`` turns what services return into bytes: never imports web, cli or the server;
- ``services/`` return data: never import Flask, Werkzeug, gunicorn or gevent, nor web,
  cli, render or the server;
- ``build`` builds the store from data/: never imports web, cli, render or the server;
- the base — ``store/``, ``formats``, ``namespaces``, ``errors``, ``terms``, ``config``,
  ``i18n``, ``allocator`` — never imports services, build, render, web, cli or the server.

The "one door" to the graph: services, the entry points and the build never import
pyoxigraph, and reach the graph only through the ``Store`` interface
(``scholargate.store``: ``Store``, ``new_store`` and the value types it exchanges),
never through one implementation's modules (``store/oxigraph.py``, ``store/processes/``,
``store/functions.py``, ``store/tsv.py``), nor through an implementation's own
attributes (``store.native``).

Every import counts, also one inside a function: a layer must not reach upward even
lazily. Imports are read with ``ast``, nothing is imported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "scholargate"

ENTRY = ("scholargate.cli", "scholargate.serve", "scholargate.front", "scholargate.web")
SERVER = ("scholargate.serve", "scholargate.front")
BASE = (
    "scholargate.store",
    "scholargate.formats",
    "scholargate.namespaces",
    "scholargate.errors",
    "scholargate.terms",
    "scholargate.config",
    "scholargate.i18n",
    "scholargate.allocator",
    "scholargate.durable",
)
# The layer of every module, by the first prefix that matches its dotted name.
LAYERS = {
    "entry": ENTRY,
    "render": ("scholargate.render",),
    "services": ("scholargate.services",),
    "build": ("scholargate.build",),
    "base": BASE,
}

# layer → the imports it must never make (a dotted name and everything under it)
FORBIDDEN = {
    "render": ("scholargate.web", "scholargate.cli", *SERVER),
    "services": (
        "flask",
        "werkzeug",
        "gunicorn",
        "gevent",
        "scholargate.web",
        "scholargate.cli",
        "scholargate.render",
        *SERVER,
    ),
    "build": ("scholargate.web", "scholargate.cli", "scholargate.render", *SERVER),
    "base": (
        "scholargate.services",
        "scholargate.build",
        "scholargate.render",
        "scholargate.web",
        "scholargate.cli",
        *SERVER,
    ),
}

STORE_IMPLEMENTATION = (
    "scholargate.store.oxigraph",
    "scholargate.store.conversion",
    "scholargate.store.processes",
    "scholargate.store.functions",
    "scholargate.store.tsv",
    "scholargate.store.remote",
)
# Attributes of one implementation that code above the store must not touch.
IMPLEMENTATION_ATTRIBUTES = ("native",)


@dataclass(frozen=True)
class Import:
    file: str  # relative to src/scholargate, as "services/search.py"
    line: int
    name: str  # absolute dotted name: "pyoxigraph", "scholargate.store.tsv"

    def __str__(self) -> str:
        return f"src/scholargate/{self.file}:{self.line} imports {self.name}"


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[Import]:
    """Every import in ``path`` (at any depth), relative ones made absolute."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    file = path.relative_to(PACKAGE).as_posix()
    found: list[Import] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [Import(file, node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            if node.module is None:  # from . import a, b: the modules a and b
                found += [Import(file, node.lineno, f"{name}.{a.name}") for a in node.names]
            else:
                found.append(Import(file, node.lineno, name))
    return found


def layer_of(module: str) -> str | None:
    if module == "scholargate":  # the package itself holds only __version__
        return "base"
    for layer, prefixes in LAYERS.items():
        if any(under(module, prefix) for prefix in prefixes):
            return layer
    return None


def under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


MODULES = sorted(PACKAGE.rglob("*.py"))
IMPORTS = {path: imports_of(path) for path in MODULES}


def violations(layer: str, forbidden: tuple[str, ...]) -> list[Import]:
    return [
        found
        for path, found_in_file in IMPORTS.items()
        if layer_of(module_name(path)) == layer
        for found in found_in_file
        if any(under(found.name, prefix) for prefix in forbidden)
    ]


def check(rule: str, found: list) -> None:
    assert not found, f"{rule}:\n" + "\n".join(f"  {v}" for v in found)


def test_the_contract_sees_every_module_and_its_imports() -> None:
    assert len(MODULES) > 50
    unplaced = [module_name(p) for p in MODULES if layer_of(module_name(p)) is None]
    assert not unplaced, f"modules in no layer (add them to LAYERS): {unplaced}"
    app = IMPORTS[PACKAGE / "web" / "app.py"]
    names = {found.name for found in app}
    assert {"flask", "scholargate.config", "scholargate.web.sparql"} <= names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_upward(layer: str) -> None:
    check(
        f"{layer} must not import {', '.join(FORBIDDEN[layer])}",
        violations(layer, FORBIDDEN[layer]),
    )


def test_services_never_import_pyoxigraph() -> None:
    check(
        "services never import pyoxigraph (reach the graph through scholargate.store.Store)",
        violations("services", ("pyoxigraph",)),
    )


def test_services_reach_the_store_only_through_its_interface() -> None:
    check(
        "services import scholargate.store (the Store interface), never "
        + ", ".join(STORE_IMPLEMENTATION),
        violations("services", STORE_IMPLEMENTATION),
    )


def test_entry_points_and_the_build_open_the_store_only_through_its_interface() -> None:
    """web/, the CLI, serve and the HTTP front, and the build, reach the graph through
    ``scholargate.store`` (``new_store``, ``Store``; ``build.open_configured`` opens the
    store the settings name), never pyoxigraph or one implementation's modules."""
    forbidden = ("pyoxigraph", *STORE_IMPLEMENTATION)
    check(
        "web, cli, serve, front and build import scholargate.store, never " + ", ".join(forbidden),
        violations("entry", forbidden) + violations("build", forbidden),
    )


def implementation_attributes(path: Path) -> list[str]:
    """Where ``path`` reads an implementation's own attribute: ``x.native``, or
    ``getattr(x, "native")``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        name = None
        if isinstance(node, ast.Attribute):
            name = node.attr
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("getattr", "hasattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
        ):
            name = node.args[1].value
        if name in IMPLEMENTATION_ATTRIBUTES:
            found.append(f"src/scholargate/{path.relative_to(PACKAGE)}:{node.lineno} reads .{name}")
    return found


def test_nothing_above_the_store_reads_an_implementations_attributes() -> None:
    above = [
        p for p in MODULES if layer_of(module_name(p)) in ("entry", "services", "build", "render")
    ]
    assert above, "no module above the store was found"
    found = [hit for path in above for hit in implementation_attributes(path)]
    check("only the Store interface is called from above the store", found)
