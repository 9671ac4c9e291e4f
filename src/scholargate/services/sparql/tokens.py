"""The SPARQL tokenizer the checks read a query with: ``store/sparql_tokens.py``, in the
base layer so that the remote store rewrites ``sg:label`` calls with it too."""

from __future__ import annotations

from ...store.sparql_tokens import _unescape_iri, _unescape_local, spans, tokens

__all__ = ["_unescape_iri", "_unescape_local", "spans", "tokens"]
