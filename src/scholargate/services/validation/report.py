"""The validation report: its results, the severity policy that says which block, and
how a report reads (text in en/fa/tr, JSON, messages with their placeholders filled)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from ...errors import InputError
from ...namespaces import bind_prefixes
from ..labels import choose
from ..shacl_path import to_sparql

_SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}

# The few words of the text report that are not messages from the shapes.
_TEXT = {
    "en": {
        "conforms": "Conforms",
        "fails": "Does not conform",
        "results": "results",
        "blocking": "blocking",
        "not_blocking": "not blocking",
        "value": "value",
        "shape": "shape",
    },
    "fa": {
        "conforms": "معتبر است",
        "fails": "معتبر نیست",
        "results": "نتیجه",
        "blocking": "مانع",
        "not_blocking": "غیرمانع",
        "value": "مقدار",
        "shape": "شکل",
    },
    "tr": {
        "conforms": "Uygun",
        "fails": "Uygun değil",
        "results": "sonuç",
        "blocking": "engelleyici",
        "not_blocking": "engelleyici değil",
        "value": "değer",
        "shape": "şekil",
    },
}


def blocks(severity: Node, focus: Node, strict_nodes: frozenset[Node]) -> bool:
    """The severity policy: a violation blocks, and so does a warning on a focus node
    from a strict (curated) graph."""
    return severity == SH.Violation or (severity == SH.Warning and focus in strict_nodes)


# ---- results -------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult``, with the message in the asked language."""

    focus_node: Node
    path: Node | None
    value: Node | None
    source_shape: Node
    severity: URIRef
    message: str
    blocking: bool
    #: sh:sourceConstraint (a SPARQL constraint), else sh:sourceConstraintComponent
    constraint: Node | None = None
    #: every message of the result as (language, text)
    messages: tuple[tuple[str, str], ...] = ()
    #: the path written as a SPARQL property path, with the project's prefixes
    path_text: str = ""

    def message_in(self, lang: str) -> str:
        """The message in ``lang``, falling back to English, then to any language."""
        return pick_message(self.messages, lang) or self.message

    @property
    def severity_name(self) -> str:
        return _SEVERITY_NAMES.get(self.severity, str(self.severity))


@dataclass
class ValidationReport:
    """The outcome of a validation: ``conforms``, the results, and the SHACL report graph.

    Unpacks like ``pyshacl.validate``: ``conforms, graph, text = report``. ``conforms``
    follows the project's policy (nothing blocks); the graph's ``sh:conforms`` follows
    SHACL (no result at all).
    """

    conforms: bool
    results: list[ValidationResult]
    #: the SHACL report graph; built on first access when ``graph_factory`` is given
    graph: Graph = field(default=None, repr=False)  # type: ignore[assignment]
    lang: str = "en"
    #: which engine produced the results: "compiled" or "pyshacl"
    engine: str = "compiled"
    seconds: float = field(default=0.0, compare=False)
    graph_factory: Callable[[], Graph] | None = field(default=None, repr=False, compare=False)

    def __getattribute__(self, name: str) -> Any:
        if name == "graph" and object.__getattribute__(self, "__dict__").get("graph") is None:
            factory = object.__getattribute__(self, "graph_factory")
            object.__setattr__(self, "graph", factory() if factory is not None else Graph())
        return object.__getattribute__(self, name)

    def __iter__(self) -> Iterator[Any]:
        yield self.conforms
        yield self.graph
        yield self.text(self.lang)

    @property
    def blocking(self) -> list[ValidationResult]:
        return [r for r in self.results if r.blocking]

    def ordered(self) -> list[ValidationResult]:
        """The results in the order the text and the JSON list them."""
        return sorted(self.results, key=_result_sort_key)

    def text(self, lang: str | None = None, *, every: bool = True) -> str:
        """A readable report, one result per line, in ``lang`` (default: the asked language).

        With ``every=False`` the results that do not block are counted per shape instead
        of listed one by one (the imported graphs carry thousands of such warnings).
        """
        lang = lang or self.lang
        if not every:
            return self._summary(lang)
        words = _TEXT.get(lang, _TEXT["en"])
        nblock = len(self.blocking)
        head = words["conforms"] if self.conforms else words["fails"]
        lines = [
            f"{head} ({len(self.results)} {words['results']}: "
            f"{nblock} {words['blocking']}, {len(self.results) - nblock} {words['not_blocking']})"
        ]
        for r in sorted(self.results, key=_result_sort_key):
            flag = words["blocking"] if r.blocking else words["not_blocking"]
            where = n3(r.focus_node) + (f" {r.path_text}" if r.path_text else "")
            value = f" {words['value']}={n3(r.value)}" if r.value is not None else ""
            lines.append(
                f"[{r.severity_name}, {flag}] {where}{value}: {r.message_in(lang)} "
                f"({words['shape']} {n3(r.source_shape)})"
            )
        return "\n".join(lines)

    def _summary(self, lang: str) -> str:
        full = self.text(lang).split("\n")
        head, lines = full[0], full[1:]
        blocking = [
            line
            for line, r in zip(lines, sorted(self.results, key=_result_sort_key), strict=True)
            if r.blocking
        ]
        counts: dict[tuple[str, str], int] = {}
        for r in self.results:
            if not r.blocking:
                key = (n3(r.source_shape), r.message_in(lang))
                counts[key] = counts.get(key, 0) + 1
        rest = [
            f"  {n} × {msg} ({shape})"
            for (shape, msg), n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
        return "\n".join([head, *blocking, *rest])

    def to_json(self) -> dict[str, Any]:
        """Plain data for a JSON response."""
        return {
            "conforms": self.conforms,
            "lang": self.lang,
            "blocking": len(self.blocking),
            "results": [
                {
                    "focusNode": _json_term(r.focus_node),
                    "path": r.path_text or None,
                    "value": _json_term(r.value),
                    "sourceShape": _json_term(r.source_shape),
                    "constraint": _json_term(r.constraint),
                    "severity": r.severity_name,
                    "blocking": r.blocking,
                    "message": r.message,
                    "messages": dict(r.messages),
                }
                for r in self.ordered()
            ],
        }


def _result_sort_key(r: ValidationResult) -> tuple[int, str, str, str, str]:
    order = {SH.Violation: 0, SH.Warning: 1, SH.Info: 2}
    rank = (0 if r.blocking else 10) + order.get(r.severity, 3)
    return rank, str(r.focus_node), r.path_text, str(r.source_shape), str(r.value)


# ---- messages and terms as the report writes them -------------------------------------


def pick_message(messages: tuple[tuple[str, str], ...], lang: str) -> str:
    """The message to show for ``lang``: ``messages`` are (language tag, text) pairs,
    chosen by the one label rule (:func:`~scholargate.services.labels.choose`); '' when
    there are none."""
    found = choose(messages, lang, _tag, _text)
    return found[1] if found is not None else ""


def _tag(message: tuple[str, str]) -> str:
    return message[0]


def _text(message: tuple[str, str]) -> str:
    return message[1]


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def fill(template: str, bindings: dict[str, Node | None]) -> str:
    """Replace ``{$this}``, ``{?value}``, ``{?path}`` with readable terms."""

    def one(match: re.Match[str]) -> str:
        term = bindings.get(match.group(1))
        if term is None:
            return match.group(0)
        return str(term) if isinstance(term, Literal) else n3(term)

    return _PLACEHOLDER.sub(one, template)


def path_text(g: Graph, path: Node) -> str:
    """A SHACL property path as SPARQL property-path syntax, with prefixes."""
    try:
        return to_sparql(g, path, iri=lambda iri: n3(iri, g))
    except InputError:
        return n3(path, g)


def n3(term: Node | None, g: Graph | None = None) -> str:
    """A term as N3, IRIs shortened with the prefixes of ``g`` (default: the project's)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return term.n3((g or PREFIXED).namespace_manager)
    return term.n3()


def _json_term(term: Node | None) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        out: dict[str, str] = {"value": str(term)}
        if term.language:
            out["language"] = term.language
        elif term.datatype:
            out["datatype"] = str(term.datatype)
        return out
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


#: An empty graph that knows the project's prefixes, for writing IRIs short.
PREFIXED = Graph()
bind_prefixes(PREFIXED)
