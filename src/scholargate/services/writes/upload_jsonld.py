"""JSON-LD uploads, read strictly and offline: no context is ever fetched.

rdflib's JSON-LD reader fetches a context named by an IRI (``"@context": "https://…"``,
also inside an embedded context, in a term's scoped context, or as ``@import``). Before
it runs, one walk over the JSON (:func:`offline`) replaces every such IRI:

- the project's own context, :data:`~scholargate.namespaces.CONTEXT_IRI`, becomes the
  content of ``ontology/context.jsonld`` read from the project root;
- any other is refused (400), naming it.

So rdflib is handed contexts that are objects only, and has nothing to fetch. The walk
also refuses JSON nested deeper than ``MAX_DEPTH`` (rdflib's reader recurses).

JSON-LD drops what it cannot read without a word: a key its context does not define, an
``@id`` that is not an IRI. A PUT would then replace a graph with less than was sent, so
:class:`StrictParser` refuses both instead (400, naming the key or the value).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from rdflib import Dataset
from rdflib.plugins.parsers.jsonld import Parser
from rdflib.plugins.shared.jsonld.context import Context

from ...errors import InputError, ParseError, ScholarGateError
from ...namespaces import CONTEXT_IRI
from ...terms import shown
from .upload_limits import MAX_DEPTH, too_deep

_CONTEXT = "@context"
_IMPORT = "@import"


def read_jsonld(text: str, sink: Dataset, base: str, root: Path | None) -> None:
    """Parse JSON-LD ``text`` into ``sink`` (its default graph, or named graphs the caller
    refuses), relative IRIs resolved against ``base``; ``root`` holds
    ``ontology/context.jsonld``."""
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise too_deep("JSON") from None
    except json.JSONDecodeError as error:
        raise ParseError(
            f"not valid JSON: {error.msg}", line=error.lineno, column=error.colno
        ) from None
    except ValueError as error:  # a number with more digits than Python converts
        raise ParseError(f"not valid JSON: {shown(str(error))}") from None
    offline(data, root)
    try:
        StrictParser().parse(data, Context(base=base, version=1.1), sink)
    except ScholarGateError:
        raise
    except RecursionError:
        raise too_deep("JSON-LD") from None
    except Exception as error:  # rdflib's JSON-LD errors are plain exceptions
        raise ParseError(
            f"not valid JSON-LD: {shown(str(error)) or type(error).__name__}"
        ) from None


def _no_constant(name: str) -> Any:
    raise ParseError(f"not valid JSON: {name} is not a JSON number")


def offline(data: Any, root: Path | None) -> None:
    """Make ``data`` need no fetching, in place: every context IRI becomes the project's
    own context or is refused; JSON deeper than ``MAX_DEPTH`` is refused."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise too_deep("JSON")
        if isinstance(node, dict):
            if _CONTEXT in node:
                node[_CONTEXT] = _local_contexts(node[_CONTEXT], root)
            if _IMPORT in node:
                _inline_import(node, root)
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def _local_contexts(value: Any, root: Path | None) -> Any:
    if isinstance(value, str):
        return own_context(value, root)
    if isinstance(value, list):
        return [own_context(v, root) if isinstance(v, str) else v for v in value]
    return value


def _inline_import(node: dict[str, Any], root: Path | None) -> None:
    """``{"@import": IRI, …}`` as the imported context with the node's own terms over it."""
    imported = node.pop(_IMPORT)
    if not isinstance(imported, str):
        raise InputError(f"a JSON-LD @import must be an IRI, not {shown(json.dumps(imported))}")
    merged = {**own_context(imported, root), **node}
    node.clear()
    node.update(merged)


def own_context(iri: str, root: Path | None) -> dict[str, Any]:
    """The project's context for its IRI; any other context IRI is refused (400)."""
    if iri != str(CONTEXT_IRI):
        raise InputError(
            f"the JSON-LD context {shown(iri)!r} is not fetched: contexts are never read "
            f"from the network; put the context in the document, or name the project's "
            f"own <{CONTEXT_IRI}>",
            context=shown(iri),
        )
    return copy.deepcopy(_read_own_context(root))


def _read_own_context(root: Path | None) -> dict[str, Any]:
    if root is None:
        from ...build.sources import find_root

        root = find_root()
    path = Path(root) / "ontology" / "context.jsonld"
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ScholarGateError(
            f"the project's JSON-LD context cannot be read from {path}: {error}"
        ) from None
    return document[_CONTEXT]


class StrictParser(Parser):
    """rdflib's JSON-LD reader, refusing what JSON-LD would drop silently: a key that its
    context does not define (and that is not an IRI), an ``@id`` that is not an IRI."""

    def _key_to_graph(self, dataset, graph, context, subj, key, obj, reverse=False, no_id=False):  # type: ignore[no-untyped-def]  # noqa: E501
        if not key.startswith("@") and context.terms.get(key) is None:
            expanded = context.expand(key)
            if not expanded or ":" not in expanded:
                raise InputError(
                    f"the JSON-LD key {shown(key)!r} is not defined by the document's "
                    "@context and is not an IRI, so JSON-LD would drop it; define it in "
                    "the @context or write the property's full IRI",
                    key=shown(key),
                )
        return super()._key_to_graph(dataset, graph, context, subj, key, obj, reverse, no_id)

    def _to_rdf_id(self, context, id_val):  # type: ignore[no-untyped-def]
        node = super()._to_rdf_id(context, id_val)
        if node is None or not str(node):
            raise InputError(
                f"the JSON-LD @id {shown(str(id_val))!r} is not an IRI (a space? a "
                "missing scheme?), so JSON-LD would drop its statements",
                value=shown(str(id_val)),
            )
        return node
