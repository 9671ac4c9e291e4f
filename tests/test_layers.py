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

Two rules of the "one door" to the graph are not kept yet: services never import
pyoxigraph, and they reach the graph only through the ``Store`` interface
(``scholargate.store``), never through one implementation's modules
(``store/oxigraph.py``, ``store/workers.py``, ``store/functions.py``, ``store/tsv.py``).
Today's violators are allow-listed below, each with its reason; the test fails when a
new module violates a rule, and when an allow-listed module no longer does (strike it
from the list), so the lists only shrink.

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

TODO = "to be moved behind the Store interface, issue 12"

# Today's violators, file → reason. Strike a file when it is fixed; never add one.
ALLOWED_FLASK_IN_SERVICES = {
    "services/description.py": "reads SERVICE_ALLOWLIST from flask.current_app; the web "
    "layer should pass it in (issue 12)",
}
ALLOWED_PYOXIGRAPH_IN_SERVICES = {
    "services/description.py": f"builds an ox.Store to list the custom functions; {TODO}",
    "services/saved.py": f"ox.parse checks that a saved line is one N-Triples triple; {TODO}",
    "services/search.py": f"queries store.native and reads ox terms on the hot path; {TODO}",
    "services/validation.py": f"runs SHACL SPARQL on store.native / a scratch ox.Store; {TODO}",
}
STORE_IMPLEMENTATION = (
    "scholargate.store.oxigraph",
    "scholargate.store.workers",
    "scholargate.store.functions",
    "scholargate.store.tsv",
)
ALLOWED_STORE_INTERNALS_IN_SERVICES = {
    "services/description.py": f"lists store/functions.py's custom functions; {TODO}",
    "services/resources.py": f"converts terms with store/oxigraph.py's to_rdflib; {TODO}",
    "services/sparql.py": f"drives the query processes of store/workers.py; {TODO}",
    "services/validation.py": f"uses OxigraphStore and its term converters; {TODO}",
}


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


def check_allow_list(rule: str, found: list[Import], allowed: dict[str, str]) -> None:
    """Fail on a violation outside ``allowed``, and on an allowed file that no longer
    violates (so the list only shrinks)."""
    new = [f"  {v}" for v in found if v.file not in allowed]
    fixed = sorted(set(allowed) - {v.file for v in found})
    problems = []
    if new:
        problems.append(f"{rule}; new violations:\n" + "\n".join(new))
    if fixed:
        problems.append(
            f"{rule}; these allow-listed files no longer violate it, strike them from the "
            f"allow-list in tests/test_layers.py: {', '.join(fixed)}"
        )
    assert not problems, "\n".join(problems)


def test_the_contract_sees_every_module_and_its_imports() -> None:
    assert len(MODULES) > 50
    unplaced = [module_name(p) for p in MODULES if layer_of(module_name(p)) is None]
    assert not unplaced, f"modules in no layer (add them to LAYERS): {unplaced}"
    app = IMPORTS[PACKAGE / "web" / "app.py"]
    names = {found.name for found in app}
    assert {"flask", "scholargate.config", "scholargate.web.sparql"} <= names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_no_layer_imports_upward(layer: str) -> None:
    found = violations(layer, FORBIDDEN[layer])
    allowed = ALLOWED_FLASK_IN_SERVICES if layer == "services" else {}
    flask_only = [v for v in found if under(v.name, "flask")] if allowed else []
    rest = [v for v in found if v not in flask_only]
    assert not rest, f"{layer} must not import {', '.join(FORBIDDEN[layer])}:\n" + "\n".join(
        f"  {v}" for v in rest
    )
    if allowed:
        check_allow_list("services never import Flask", flask_only, allowed)


def test_services_never_import_pyoxigraph() -> None:
    check_allow_list(
        "services never import pyoxigraph (reach the graph through scholargate.store.Store)",
        violations("services", ("pyoxigraph",)),
        ALLOWED_PYOXIGRAPH_IN_SERVICES,
    )


def test_services_reach_the_store_only_through_its_interface() -> None:
    check_allow_list(
        "services import scholargate.store (the Store interface), never "
        + ", ".join(STORE_IMPLEMENTATION),
        violations("services", STORE_IMPLEMENTATION),
        ALLOWED_STORE_INTERNALS_IN_SERVICES,
    )
