"""SPARQL JSON answers of an external endpoint: checked and read into rows of terms.

:meth:`Results.from_json` refuses anything that is not a SELECT answer of the right
shape (a malformed answer is an error, never an empty one); :func:`results_to_text`
writes an answer back as compact JSON, which is what the checkpoint keeps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .errors import MalformedResponseError


class Term(NamedTuple):
    """One value of a SPARQL JSON binding: ``kind`` is uri, literal or bnode."""

    kind: str
    value: str
    lang: str = ""
    datatype: str = ""


@dataclass
class Results:
    """A SELECT answer: its variables and rows (missing variables are absent)."""

    variables: list[str]
    rows: list[dict[str, Term]]
    raw: dict[str, Any] = field(repr=False, default_factory=dict)

    @classmethod
    def from_json(cls, document: Any) -> Results:
        """Check the shape of a SPARQL JSON results document and read its rows."""
        if not isinstance(document, dict):
            raise MalformedResponseError("the answer is not a SPARQL JSON results object")
        head, results = document.get("head"), document.get("results")
        if not isinstance(head, dict) or not isinstance(results, dict):
            raise MalformedResponseError("the answer has no 'head' or 'results' (not a SELECT?)")
        variables = head.get("vars", [])
        bindings = results.get("bindings")
        if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
            raise MalformedResponseError("the answer's head.vars is not a list of names")
        if not isinstance(bindings, list):
            raise MalformedResponseError("the answer's results.bindings is not a list")
        rows = []
        for binding in bindings:
            if not isinstance(binding, dict):
                raise MalformedResponseError("a binding of the answer is not an object")
            rows.append({name: _term(value) for name, value in binding.items()})
        raw = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        return cls(variables, rows, raw)


def _term(value: Any) -> Term:
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise MalformedResponseError("a value in the answer is not a SPARQL JSON term")
    kind = value.get("type")
    if kind == "uri":
        return Term("uri", value["value"])
    if kind in ("literal", "typed-literal"):
        lang, datatype = value.get("xml:lang", ""), value.get("datatype", "")
        if not isinstance(lang, str) or not isinstance(datatype, str):
            raise MalformedResponseError("a literal in the answer has a malformed tag")
        return Term("literal", value["value"], lang.lower(), datatype)
    if kind == "bnode":
        return Term("bnode", value["value"])
    raise MalformedResponseError(f"a value in the answer has an unknown type {kind!r}")


def results_to_text(results: Results) -> str:
    """The answer as compact JSON (what the checkpoint keeps)."""
    return json.dumps(results.raw, ensure_ascii=False, separators=(",", ":"))
