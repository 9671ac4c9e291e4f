"""The values `scholargate link` writes into the queries it sends: every IRI and string
goes through ``terms``, so a value from another graph's answer cannot change a query."""

from __future__ import annotations

import pytest

from scholargate.errors import InputError
from scholargate.services.link.mappings import Identifier
from scholargate.services.link.queries import (
    query_by_identifier,
    sendable,
    sparql_iri,
    sparql_value,
)

HOSTILE = "http://www.wikidata.org/entity/Q1> } ; ?x ?y ?z . { <http://x"
ORCID = Identifier(name="orcid", property="http://www.wikidata.org/prop/direct/P496")
DOI_IRI = Identifier(
    name="doi", property="http://purl.org/ontology/bibo/doi", form="iri", templates=("{}",)
)


def test_an_iri_a_query_could_misread_is_refused_and_not_sent() -> None:
    with pytest.raises(InputError):
        sparql_iri(HOSTILE)
    assert not sendable(DOI_IRI, HOSTILE)
    assert sendable(DOI_IRI, "https://doi.org/10.48550/arXiv.1706.03762")
    assert sendable(ORCID, HOSTILE)  # a literal value: escaped, never refused


def test_a_literal_value_is_escaped_inside_the_batch() -> None:
    value = sparql_value(ORCID, 'a"} ; DROP ALL ; {"\n')
    query = query_by_identifier(ORCID, [value])
    assert '"a\\"} ; DROP ALL ; {\\"\\n"' in query
