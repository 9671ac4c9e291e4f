"""Reading and checking the mapping files of ``scholargate link``.

A mapping is a TOML file (``src/scholargate/link_sources/{name}.toml`` for the shipped
ones: ``wikidata`` and ``dblp``); :func:`load_mapping` reads one into a
``mappings.Mapping``. A file may start with ``extends = "wikidata"`` (a shipped name or
a path) to change only some settings of another mapping.

Unknown keys are errors, so a typo in a mapping fails loudly instead of being ignored.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Mapping as MappingABC
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ...errors import InputError
from .mappings import IRI_OK, ClientSettings, Identifier, Mapping

_VARIANTS = ("asis", "upper", "lower")


def shipped_folder() -> Path:
    """Where the shipped mapping files live (``src/scholargate/link_sources``)."""
    return Path(str(resources.files("scholargate") / "link_sources"))


def shipped() -> list[str]:
    """Names of the shipped mappings, e.g. ``["dblp", "wikidata"]``."""
    return sorted(p.stem for p in shipped_folder().glob("*.toml"))


_TOP = {
    "extends",
    "name",
    "title",
    "homepage",
    "endpoint",
    "licence",
    "uri_space",
    "item_pattern",
    "titles",
    "client",
    "prefixes",
    "works",
    "people",
    "authors",
    "methods",
    "labels",
    "citations",
}
_CLIENT = {f for f in ClientSettings.__dataclass_fields__ if f != "endpoint"}
_IDENTIFIER = {"property", "form", "templates", "variants", "fallback"}
_AUTHORS = {"property", "names", "languages", "name_suffix"}
_METHODS = {"subject_of_work", "described_by_work", "names", "languages"}
_LABELS = {"preferred", "alternative", "languages"}
_CITATIONS = {"property", "citing", "cited", "works"}


def load_mapping(source: str | Path, *, overrides: MappingABC[str, Any] | None = None) -> Mapping:
    """The mapping named ``source`` (a shipped name such as ``wikidata``) or read from
    the TOML file at ``source``; ``overrides`` (nested like the file) win over both."""
    settings, origin = _read(source, seen=())
    if overrides:
        settings = _merge(settings, dict(overrides))
    return build(settings, origin)


def _path_of(source: str | Path) -> Path:
    text = str(source)
    if text in shipped():
        return shipped_folder() / f"{text}.toml"
    path = Path(source)
    if path.suffix == ".toml" or path.is_file():
        return path
    names = ", ".join(shipped())
    raise InputError(f"no link source {text!r}: give one of {names}, or a mapping .toml file")


def _read(source: str | Path, *, seen: tuple[Path, ...]) -> tuple[dict[str, Any], str]:
    path = _path_of(source)
    if path.resolve() in seen:
        raise InputError(f"{path}: 'extends' goes round in a circle")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such mapping file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not valid TOML: {error}") from None
    parent = data.pop("extends", None)
    if parent is None:
        return data, str(path)
    if not isinstance(parent, str):
        raise InputError(f"{path}: 'extends' names a mapping (a string)")
    base_source: str | Path = parent
    if parent not in shipped() and not Path(parent).is_absolute():
        base_source = path.parent / parent
    base, origin = _read(base_source, seen=(*seen, path.resolve()))
    return _merge(base, data), f"{origin} + {path}"


def _merge(base: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def check_endpoint(endpoint: str) -> None:
    """Refuse an endpoint that is not an http(s) URL with a host."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"endpoint {endpoint!r} is not an http(s) URL")


class _Reader:
    """Typed access to one table of the TOML, with the errors naming the key."""

    def __init__(self, table: Any, where: str, allowed: set[str], origin: str) -> None:
        if not isinstance(table, dict):
            raise InputError(f"{origin}: [{where}] must be a table")
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise InputError(
                f"{origin}: unknown key(s) in [{where}]: {', '.join(unknown)} "
                f"(known: {', '.join(sorted(allowed))})"
            )
        self.table, self.where, self.origin = table, where, origin

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        value = self.table.get(key, default)
        if value is None:
            if default is None:
                raise InputError(f"{self.origin}: [{self.where}] needs {key}")
            return default
        if isinstance(value, bool) and kind in (int, float, (int, float)):
            raise InputError(f"{self.origin}: {self.where}.{key} must be a number")
        if not isinstance(value, kind):
            raise InputError(f"{self.origin}: {self.where}.{key} has the wrong type")
        return value

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.table.get(key, list(default))
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise InputError(f"{self.origin}: {self.where}.{key} must be a list of strings")
        return tuple(value)


def build(settings: dict[str, Any], origin: str) -> Mapping:
    """The mapping the merged tables ``settings`` describe, every key checked; ``origin``
    names the file(s) in error messages."""
    top = _Reader(settings, "top level", _TOP - {"extends"}, origin)
    prefixes = settings.get("prefixes", {})
    if not isinstance(prefixes, dict) or not all(isinstance(v, str) for v in prefixes.values()):
        raise InputError(f"{origin}: [prefixes] maps names to IRIs (strings)")

    def iri(text: str, where: str) -> str:
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        elif ":" in text and not text.split(":", 1)[1].startswith("//"):
            prefix, local = text.split(":", 1)
            if prefix in prefixes:
                text = prefixes[prefix] + local
            elif prefix not in ("http", "https", "urn"):
                raise InputError(f"{origin}: {where}: unknown prefix {prefix!r} in {text!r}")
        if not IRI_OK.match(text):
            raise InputError(f"{origin}: {where}: {text!r} is not an IRI")
        return text

    name = top.get("name", str)
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise InputError(f"{origin}: name {name!r} must be lower-case letters, digits and '-'")
    endpoint = top.get("endpoint", str)
    check_endpoint(endpoint)
    try:
        pattern = re.compile(top.get("item_pattern", str))
    except re.error as error:
        raise InputError(f"{origin}: item_pattern is not a regular expression: {error}") from None

    client = _Reader(settings.get("client", {}), "client", _CLIENT, origin)
    defaults = ClientSettings(endpoint=endpoint, user_agent="")
    user_agent = client.get("user_agent", str)
    method = client.get("method", str, defaults.method).upper()
    if method not in ("GET", "POST"):
        raise InputError(f"{origin}: client.method must be GET or POST")
    number = (int, float)
    client_settings = ClientSettings(
        endpoint=endpoint,
        user_agent=user_agent,
        method=method,
        batch_size=client.get("batch_size", int, defaults.batch_size),
        min_interval=float(client.get("min_interval", number, defaults.min_interval)),
        connect_timeout=float(client.get("connect_timeout", number, defaults.connect_timeout)),
        timeout=float(client.get("timeout", number, defaults.timeout)),
        max_bytes=client.get("max_bytes", int, defaults.max_bytes),
        retries=client.get("retries", int, defaults.retries),
        max_wait=float(client.get("max_wait", number, defaults.max_wait)),
        default_retry_after=float(
            client.get("default_retry_after", number, defaults.default_retry_after)
        ),
        allowed_hosts=client.strings("allowed_hosts"),
        max_redirects=client.get("max_redirects", int, defaults.max_redirects),
        max_url=client.get("max_url", int, defaults.max_url),
    )
    if client_settings.batch_size < 1 or client_settings.max_bytes < 1:
        raise InputError(f"{origin}: client.batch_size and client.max_bytes must be positive")
    if min(client_settings.timeout, client_settings.connect_timeout) <= 0:
        raise InputError(f"{origin}: client timeouts must be positive")

    def identifiers(table_name: str) -> tuple[Identifier, ...]:
        table = settings.get(table_name, {})
        if not isinstance(table, dict):
            raise InputError(f"{origin}: [{table_name}] must be a table")
        found = []
        for kind, spec in table.items():
            where = f"{table_name}.{kind}"
            reader = _Reader(spec, where, _IDENTIFIER, origin)
            form = reader.get("form", str, "literal")
            if form not in ("literal", "iri"):
                raise InputError(f"{origin}: {where}.form must be 'literal' or 'iri'")
            templates = reader.strings("templates", ("{}",))
            if not templates or any(t.count("{}") != 1 for t in templates):
                raise InputError(f"{origin}: {where}.templates must each hold one {{}}")
            variants = reader.strings("variants", ("asis",))
            if not variants or any(v not in _VARIANTS for v in variants):
                raise InputError(f"{origin}: {where}.variants are among {', '.join(_VARIANTS)}")
            found.append(
                Identifier(
                    name=kind,
                    property=iri(reader.get("property", str), f"{where}.property"),
                    form=form,
                    templates=templates,
                    variants=variants,
                    fallback=reader.get("fallback", bool, False),
                )
            )
        return tuple(found)

    works = identifiers("works")
    people = identifiers("people")
    citations = _Reader(settings.get("citations", {}), "citations", _CITATIONS, origin)
    cites = citations.table.get("property")
    citing, cited = citations.table.get("citing"), citations.table.get("cited")
    citation_works = citations.strings("works")
    if (citing is None) != (cited is None) or (cites is not None and citing is not None):
        raise InputError(
            f"{origin}: [citations] names either property, or citing and cited together"
        )
    if any(t.count("{}") != 1 for t in citation_works):
        raise InputError(f"{origin}: citations.works must each hold one {{}}")
    if citing is not None and not citation_works:
        raise InputError(f"{origin}: citations.works says how the source names our works")
    if not works and not citation_works:
        raise InputError(
            f"{origin}: a mapping needs at least one [works.*] identifier, "
            "or citations.works to name our works by their DOIs"
        )

    authors = _Reader(settings.get("authors", {}), "authors", _AUTHORS, origin)
    author_property = authors.table.get("property")
    suffix = authors.table.get("name_suffix")
    methods = _Reader(settings.get("methods", {}), "methods", _METHODS, origin)
    labels = _Reader(settings.get("labels", {}), "labels", _LABELS, origin)
    titles = _Reader(settings.get("titles", {}), "titles", {"en", "fa", "tr"}, origin)
    title = top.get("title", str)

    def iris(reader: _Reader, key: str) -> tuple[str, ...]:
        return tuple(iri(t, f"{reader.where}.{key}") for t in reader.strings(key))

    try:
        suffix_pattern = re.compile(suffix) if isinstance(suffix, str) else None
    except re.error as error:
        raise InputError(f"{origin}: authors.name_suffix: {error}") from None
    canonical = json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str)
    return Mapping(
        name=name,
        title=title,
        homepage=iri(top.get("homepage", str), "homepage"),
        endpoint=endpoint,
        licence=iri(top.get("licence", str), "licence"),
        uri_space=top.get("uri_space", str),
        item_pattern=pattern,
        titles=tuple(
            (lang, titles.get(lang, str)) for lang in ("en", "fa", "tr") if lang in titles.table
        )
        or (("en", f"Links to {title}"),),
        client=client_settings,
        works=works,
        people=people,
        author_property=iri(author_property, "authors.property")
        if isinstance(author_property, str)
        else None,
        author_names=iris(authors, "names"),
        author_languages=authors.strings("languages", ("en",)),
        author_name_suffix=suffix_pattern,
        subject_of_work=iris(methods, "subject_of_work"),
        described_by_work=iris(methods, "described_by_work"),
        method_names=iris(methods, "names"),
        method_languages=methods.strings("languages", ("en",)),
        label_preferred=iris(labels, "preferred"),
        label_alternative=iris(labels, "alternative"),
        label_languages=labels.strings("languages", ("en", "fa", "tr")),
        cites_property=iri(citations.get("property", str), "citations.property")
        if cites is not None
        else None,
        citation_citing=iri(citations.get("citing", str), "citations.citing")
        if citing is not None
        else None,
        citation_cited=iri(citations.get("cited", str), "citations.cited")
        if cited is not None
        else None,
        citation_works=citation_works,
        source=origin,
        fingerprint=hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        settings=settings,
    )
