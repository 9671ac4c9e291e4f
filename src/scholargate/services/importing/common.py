"""What every importer shares: the result type, name matching, reading and writing files.

An importer reads one openly licensed source file, turns the facts in it into triples for
one named graph (``data/imported/{name}.ttl``) and describes that graph in a sidecar
(``data/imported/{name}.meta.ttl``: licence, attribution, the source file's sha256).
Importers never change curated data; they add to it in their own graph.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, VOID, XSD

from ...errors import InputError, ParseError, ScholarGateError
from ...namespaces import ALIAS, CC, GRAPH, SG, bind_prefixes

Progress = Callable[[int, int], None]  # (records read, records in all)

# How often (in records) an importer reports progress.
PROGRESS_EVERY = 100


@dataclass
class ImportResult:
    """What one import produced, before anything is written.

    ``merged`` lists (source record id, existing IRI, reason) for records that were
    recognised as something the graph already has; for the glossaries, the methods an
    entry labelled. ``rejected`` lists (source record id, reason) for records left out.
    """

    graph: Graph
    metadata: Graph
    merged: list[tuple[str, URIRef, str]]
    rejected: list[tuple[str, str]]
    counts: dict[str, int]
    name: str = ""  # the graph's name, the stem of data/imported/{name}.ttl
    notes: list[tuple[str, str]] = field(default_factory=list)  # (record id, remark)

    @property
    def graph_iri(self) -> URIRef:
        return GRAPH[self.name]


def new_graph() -> Graph:
    """An empty rdflib graph with the project's prefixes bound."""
    graph = Graph()
    bind_prefixes(graph)
    return graph


# ---- names -------------------------------------------------------------------------


def normalise(text: str) -> str:
    """The key two names are compared by: NFKC, case-folded, with hyphens, spaces and
    punctuation dropped, so "Multi-Head Attention" = "multihead attention"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


def tidy(text: Any) -> str:
    """A label from a source field: a string with its whitespace runs collapsed, or ''."""
    if not isinstance(text, str):
        return ""
    return " ".join(text.split())


# Separators a name may spell in several ways ("Multi-Head" = "Multi Head"); any other
# character that is neither a letter nor a digit (+, #, *, &) tells names apart.
_SEPARATORS = frozenset("-\u2010\u2011\u2012\u2013\u2014_.,:;/\\()[]{}'\"`\u2018\u2019\u201c\u201d")


def marked(text: str) -> str:
    """``normalise(text)`` followed by the symbols that tell names apart, so that "UNet++"
    and "UNet", or "C#" and "C", get different keys: what method names are matched by.

    >>> marked("UNet++"), marked("U-Net"), marked("Multi-Head Attention")
    ('unet++', 'unet', 'multiheadattention')
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    marks = "".join(
        sorted(
            ch for ch in folded if not ch.isalnum() and not ch.isspace() and ch not in _SEPARATORS
        )
    )
    return normalise(text) + marks


@dataclass
class LabelIndex:
    """Which resources carry which English names (prefLabel and altLabel), by key."""

    pref: dict[str, set[URIRef]] = field(default_factory=dict)
    alt: dict[str, set[URIRef]] = field(default_factory=dict)
    key: Callable[[str], str] = normalise

    def add(self, key: str, iri: URIRef, *, preferred: bool) -> None:
        if key:
            (self.pref if preferred else self.alt).setdefault(key, set()).add(iri)

    def lookup(self, names: Iterable[str]) -> tuple[set[URIRef], set[URIRef]]:
        """The resources whose preferred / alternative names match any of ``names``."""
        keys = {self.key(n) for n in names if normalise(n)} - {""}
        pref: set[URIRef] = set()
        alt: set[URIRef] = set()
        for key in keys:
            pref |= self.pref.get(key, set())
            alt |= self.alt.get(key, set())
        return pref, alt


def methods_of(graph: Graph) -> set[URIRef]:
    """Every ``sg:Method`` in ``graph``."""
    return {s for s in graph.subjects(RDF.type, SG.Method) if isinstance(s, URIRef)}


def english_names(
    graph: Graph, methods: Iterable[URIRef], key: Callable[[str], str] = normalise
) -> LabelIndex:
    """An index of the English prefLabels and altLabels of ``methods``, by ``key``."""
    index = LabelIndex(key=key)
    for method in methods:
        for predicate, preferred in ((SKOS.prefLabel, True), (SKOS.altLabel, False)):
            for label in graph.objects(method, predicate):
                if isinstance(label, Literal) and (label.language or "").lower() == "en":
                    index.add(key(str(label)), method, preferred=preferred)
    return index


def alias_numbers(graph: Graph) -> Counter[str]:
    """The highest n in use per alias prefix: ``{"gan-fa": 1}`` for ``sga:gan-fa-1``.

    The next free alias of a method and language is ``sga:{slug}-{lang}-{n + 1}``."""
    used: Counter[str] = Counter()
    base = str(ALIAS)
    for term in chain(graph.subjects(), graph.objects()):
        if isinstance(term, URIRef) and str(term).startswith(base):
            prefix, _, tail = str(term)[len(base) :].rpartition("-")
            if tail.isdigit() and int(tail) > used[prefix]:
                used[prefix] = int(tail)
    return used


# ---- reading -----------------------------------------------------------------------


def read_bytes(path: Path) -> bytes:
    """The bytes of an input file, or an InputError naming it."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None


def decode(data: bytes, path: Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError(f"not UTF-8 (byte {error.start})", source=str(path)) from None


def read_json(path: Path) -> tuple[Any, str]:
    """Parse a JSON file; return the value and the file's sha256."""
    data = read_bytes(path)
    try:
        value = json.loads(decode(data, path))
    except json.JSONDecodeError as error:
        raise ParseError(
            f"invalid JSON: {error.msg}", source=str(path), line=error.lineno, column=error.colno
        ) from None
    return value, hashlib.sha256(data).hexdigest()


def read_yaml(path: Path) -> tuple[Any, str]:
    """Parse a YAML file (safe loader); return the value and the file's sha256."""
    import yaml

    data = read_bytes(path)
    try:
        value = yaml.load(decode(data, path), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        problem = " ".join(f"{error.context or ''} {error.problem or ''}".split())
        raise ParseError(
            f"invalid YAML: {problem or 'syntax error'}",
            source=str(path),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as error:
        raise ParseError(
            f"invalid YAML: {' '.join(str(error).split())}", source=str(path)
        ) from None
    return value, hashlib.sha256(data).hexdigest()


def read_text(path: Path) -> tuple[str, str]:
    """A UTF-8 text file's contents and sha256."""
    data = read_bytes(path)
    return decode(data, path), hashlib.sha256(data).hexdigest()


def read_turtle(paths: Iterable[Path]) -> Graph:
    """The union of some Turtle files, as one rdflib graph."""
    graph = new_graph()
    for path in sorted(paths):
        text = decode(read_bytes(path), path)
        try:
            graph.parse(data=text, format="turtle", publicID=Path(path).resolve().as_uri())
        except Exception as error:  # rdflib raises several kinds; all mean bad Turtle
            message = " ".join(str(error).split())[:300]
            raise ParseError(f"invalid Turtle: {message}", source=str(path)) from None
    return graph


def read_curated(root: Path) -> Graph:
    """``data/curated/*.ttl`` under the project ``root``, as one graph."""
    return read_turtle((Path(root) / "data" / "curated").glob("*.ttl"))


def read_methods(root: Path) -> Graph:
    """The curated methods plus the Papers with Code import: what glossaries label. With
    them the names translated by the curators (``data/translations/``), so that a glossary
    never gives a method a second name in a language nor repeats one as an alias."""
    root = Path(root)
    paths = list((root / "data" / "curated").glob("*.ttl"))
    pwc = root / "data" / "imported" / "pwc-methods.ttl"
    if pwc.is_file():
        paths.append(pwc)
    paths.extend(sorted((root / "data" / "translations").glob("*.ttl")))
    return read_turtle(paths)


# the imports that give methods their preferred labels in Persian and Turkish
LABEL_SOURCES = ("fa-ml-glossary", "tr-d2l-terminology")


def read_named(root: Path) -> Graph:
    """The methods with the names the label-giving glossaries gave them: what a source
    that only adds aliases is matched against, so it never repeats a name. The other
    alias sources are left out, so that no import depends on when another ran."""
    root = Path(root)
    paths = [root / "data" / "imported" / f"{name}.ttl" for name in LABEL_SOURCES]
    return read_methods(root) + read_turtle(p for p in paths if p.is_file())


# ---- describing and writing --------------------------------------------------------


@dataclass(frozen=True)
class SourceInfo:
    """What the metadata sidecar says about an import's source and licence."""

    name: str  # graph name, e.g. "pwc-methods"
    title: str
    description: str
    source: URIRef  # where the data comes from (a web page)
    license: URIRef
    rights: str  # the attribution / copyright notice to keep with the data
    attribution_name: str
    attribution_url: URIRef
    snapshot: str  # the source snapshot's date, e.g. "2024-03-29"; the import's date too
    file_name: str
    other_titles: tuple[tuple[str, str], ...] = ()  # (language, title) beside English


def describe(info: SourceInfo, sha256: str, graph: Graph) -> Graph:
    """The sidecar: the graph as a void:Dataset and prov:Entity, with licence,
    attribution and the file it was derived from (by sha256).

    Nothing in it depends on the clock, so the same input gives the same bytes; the
    generation time is the source snapshot's date.
    """
    meta = new_graph()
    meta.bind("cc", CC)
    name = GRAPH[info.name]
    source_file = URIRef(f"urn:sha256:{sha256}")
    snapshot = Literal(info.snapshot, datatype=XSD.date)
    meta.add((name, RDF.type, VOID.Dataset))
    meta.add((name, RDF.type, PROV.Entity))
    meta.add((name, DCTERMS.title, Literal(info.title, lang="en")))
    for lang, title in info.other_titles:
        meta.add((name, DCTERMS.title, Literal(title, lang=lang)))
    meta.add((name, DCTERMS.description, Literal(info.description, lang="en")))
    meta.add((name, DCTERMS.source, info.source))
    meta.add((name, DCTERMS.license, info.license))
    meta.add((name, DCTERMS.rights, Literal(info.rights, lang="en")))
    meta.add((name, CC.attributionName, Literal(info.attribution_name)))
    meta.add((name, CC.attributionURL, info.attribution_url))
    meta.add((name, PROV.wasDerivedFrom, source_file))
    meta.add(
        (name, PROV.generatedAtTime, Literal(f"{info.snapshot}T00:00:00Z", datatype=XSD.dateTime))
    )
    meta.add((name, VOID.triples, Literal(len(graph), datatype=XSD.integer)))
    meta.add((name, SG.validationPolicy, SG.Lenient))
    meta.add((source_file, RDF.type, PROV.Entity))
    meta.add((source_file, RDFS.label, Literal(info.file_name)))
    meta.add((source_file, DCTERMS.identifier, Literal(f"sha256:{sha256}")))
    meta.add((source_file, DCTERMS.issued, snapshot))
    meta.add((source_file, DCTERMS.source, info.source))
    meta.add((source_file, DCTERMS.license, info.license))
    return meta


def serialise(graph: Graph, header: str = "") -> bytes:
    """Turtle bytes for ``graph``, the same bytes for the same triples."""
    body = graph.serialize(format="turtle", encoding="utf-8")
    comment = "".join(f"# {line}\n" for line in header.splitlines())
    return comment.encode("utf-8") + body


def output_paths(out: Path) -> tuple[Path, Path]:
    """``X.ttl`` and ``X.meta.ttl`` for ``out`` given as ``X`` or ``X.ttl``."""
    out = Path(out)
    stem = out.name[: -len(".ttl")] if out.name.endswith(".ttl") else out.name
    return out.with_name(f"{stem}.ttl"), out.with_name(f"{stem}.meta.ttl")


def write_import(result: ImportResult, out: Path) -> None:
    """Write ``out.ttl`` and ``out.meta.ttl``: each is serialised in full first, written
    to a temporary file beside its target and moved into place, so an error never
    leaves a half-written file behind."""
    data_path, meta_path = output_paths(out)
    header = f"Generated by ScholarGate's importer for sgg:{result.name}; do not edit by hand."
    payloads = [
        (data_path, serialise(result.graph, header)),
        (meta_path, serialise(result.metadata, f"Description of sgg:{result.name}.")),
    ]
    data_path.parent.mkdir(parents=True, exist_ok=True)
    temporaries: list[tuple[str, Path]] = []
    try:
        for path, payload in payloads:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            temporaries.append((tmp, path))
            os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
        for tmp, path in temporaries:
            os.replace(tmp, path)
    except OSError as error:
        raise ScholarGateError(
            f"{data_path.parent}: cannot write the import: {error.strerror}"
        ) from None
    finally:
        for tmp, _ in temporaries:
            if os.path.exists(tmp):
                os.unlink(tmp)


# The terms of the MIT License after its copyright line, as the glossaries licensed under
# it state them (each source's own copyright line goes before).
MIT_TERMS = (
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this "
    'software and associated documentation files (the "Software"), to deal in the Software '
    "without restriction, including without limitation the rights to use, copy, modify, "
    "merge, publish, distribute, sublicense, and/or sell copies of the Software, and to "
    "permit persons to whom the Software is furnished to do so, subject to the following "
    "conditions:\n\n"
    "The above copyright notice and this permission notice shall be included in all copies "
    "or substantial portions of the Software.\n\n"
    'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, '
    "INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A "
    "PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT "
    "HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF "
    "CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE "
    "OR THE USE OR OTHER DEALINGS IN THE SOFTWARE."
)
