"""The questions sent to the external graph: one SPARQL SELECT text per kind of question.

Each ``query_*`` function writes the query for one batch of values (``VALUES``), from
what the mapping calls things; with no values it writes the template (the batch's
place marked by ``BATCH_PLACEHOLDER``) that the links graph's description records.
One value is written into a query by ``terms`` (``sparql_iri``, ``sparql_string``, and
``sparql_value`` for an identifier): an IRI a query could misread is refused there, so
callers send only values that pass ``terms.is_iri``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...terms import iri as sparql_iri
from ...terms import is_iri
from ...terms import literal as sparql_string
from .mappings import Identifier, Mapping

BATCH_PLACEHOLDER = "# the values of one batch"


def sparql_value(identifier: Identifier, text: str) -> str:
    return sparql_iri(text) if identifier.form == "iri" else sparql_string(text)


def sendable(identifier: Identifier, text: str) -> bool:
    """Whether ``text`` can be asked for as a value of ``identifier`` (an IRI-form value
    must be an IRI a query may hold; one that is not matches nothing, so it is not sent)."""
    return identifier.form != "iri" or is_iri(text)


def _block(values: Sequence[str]) -> str:
    lines = (
        [BATCH_PLACEHOLDER]
        if not values
        else [" ".join(values[i : i + 4]) for i in range(0, len(values), 4)]
    )
    return "\n    ".join(lines)


def _path(properties: Sequence[str]) -> str:
    return "|".join(sparql_iri(p) for p in properties)


def _languages(languages: Sequence[str]) -> str:
    return ", ".join(sparql_string(lang) for lang in languages)


def query_by_identifier(identifier: Identifier, values: Sequence[str]) -> str:
    return (
        "SELECT ?value ?item WHERE {\n"
        f"  VALUES ?value {{\n    {_block(values)}\n  }}\n"
        f"  ?item {sparql_iri(identifier.property)} ?value .\n"
        "}"
    )


def query_identifiers(properties: Sequence[str], items: Sequence[str]) -> str:
    return (
        "SELECT ?item ?property ?value WHERE {\n"
        f"  VALUES ?item {{\n    {_block(items)}\n  }}\n"
        f"  VALUES ?property {{ {' '.join(sparql_iri(p) for p in properties)} }}\n"
        "  ?item ?property ?value .\n"
        "}"
    )


def query_authors(mapping: Mapping, works: Sequence[str]) -> str:
    assert mapping.author_property is not None
    names = ""
    if mapping.author_names:
        names = (
            f"  OPTIONAL {{\n    ?author {_path(mapping.author_names)} ?name .\n"
            f"    FILTER(LANG(?name) IN ({_languages(mapping.author_languages)}))\n  }}\n"
        )
    return (
        "SELECT ?work ?author ?name WHERE {\n"
        f"  VALUES ?work {{\n    {_block(works)}\n  }}\n"
        f"  ?work {sparql_iri(mapping.author_property)} ?author .\n"
        f"{names}"
        "}"
    )


def query_subjects(mapping: Mapping, works: Sequence[str]) -> str:
    branches = [f"{{ ?work {sparql_iri(p)} ?item }}" for p in mapping.subject_of_work]
    branches += [f"{{ ?item {sparql_iri(p)} ?work }}" for p in mapping.described_by_work]
    return (
        "SELECT ?work ?item ?name WHERE {\n"
        f"  VALUES ?work {{\n    {_block(works)}\n  }}\n"
        f"  {' UNION '.join(branches)}\n"
        f"  ?item {_path(mapping.method_names)} ?name .\n"
        f"  FILTER(isIRI(?item) && LANG(?name) IN ({_languages(mapping.method_languages)}))\n"
        "}"
    )


def query_labels(mapping: Mapping, items: Sequence[str]) -> str:
    properties = (*mapping.label_preferred, *mapping.label_alternative)
    return (
        "SELECT ?item ?property ?label WHERE {\n"
        f"  VALUES ?item {{\n    {_block(items)}\n  }}\n"
        f"  VALUES ?property {{ {' '.join(sparql_iri(p) for p in properties)} }}\n"
        "  ?item ?property ?label .\n"
        f"  FILTER(LANG(?label) IN ({_languages(mapping.label_languages)}))\n"
        "}"
    )


def query_citations(mapping: Mapping, works: Sequence[str]) -> str:
    """What the works in ``works`` cite: directly (``property``) or through a citation
    node (``citing`` and ``cited``), as the mapping's ``[citations]`` says."""
    if mapping.cites_property:
        pattern = f"  ?citing {sparql_iri(mapping.cites_property)} ?cited .\n"
    else:
        assert mapping.citation_citing and mapping.citation_cited
        pattern = (
            f"  ?citation {sparql_iri(mapping.citation_citing)} ?citing ;\n"
            f"    {sparql_iri(mapping.citation_cited)} ?cited .\n"
        )
    return (
        "SELECT ?citing ?cited WHERE {\n"
        f"  VALUES ?citing {{\n    {_block(works)}\n  }}\n"
        f"{pattern}"
        "}"
    )
