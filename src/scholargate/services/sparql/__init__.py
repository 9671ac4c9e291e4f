"""The SPARQL endpoint's service: protocol requests, the checks a query passes before
it is evaluated, the per-client limits, and the call that has the store answer.

The rooms: ``tokens.py`` (the tokenizer), ``analysis.py`` (what the checks need to know
of a text), ``checks.py`` (the refusals below), ``protocol.py`` (a GET or POST request
read, and prepared), ``formats.py`` (the formats an answer can take, and their
names in ``format=``), ``clients.py`` (per-client slots and the slow clients),
``evaluation.py`` (the store answers, through ``Store.answer``).

Nothing here knows Flask: :func:`parse_request` reads a method, a content type, the
raw query string and the raw body the way the SPARQL 1.1 Protocol says, and
:func:`prepare` turns the request into a :class:`PreparedQuery` or refuses it.

The checks run on the query text with a tokenizer that knows SPARQL's strings
(all four quote styles, with escapes), IRIs, comments, variables, prefixed names and
language tags, so ``SERVICE`` or ``FROM`` inside a string, an IRI, a comment or a
name (``?service``, ``ex:from``) is not mistaken for the keyword, and keywords match
in any case. It costs about 1-2 µs per token (~70 µs for a one-line query, ~1 ms for
1 kB, against ~5 ms for rdflib's parser, which also recurses on deep nesting), and the
analysis of texts up to 8 kB is cached. Oxigraph itself parses the query later, in
the embedded store's query processes, where a crash on pathological input cannot take
the server down.

Refused before evaluation:

* nesting of ``{}``, ``()``, ``[]`` and quoted triples ``<< >>`` (and runs of unary
  ``!``) deeper than the limit (Oxigraph's recursive parser overflows its stack on a
  few thousand levels);
* chains longer than the limit: binary operators in one expression, the elements of
  one group (UNION branches, OPTIONAL, MINUS, BIND, FILTER), projections and
  property-path steps, each level adding the longest chain nested in it. Oxigraph
  builds a left-deep tree of them and recurses over it: with an 8 MiB stack, pyoxigraph
  0.5 crashed (SIGSEGV) at about 2,600 OPTIONALs, BINDs, MINUSes or projections, 6,600
  UNIONs, 7,000 ``+``, ``-``, ``*`` or ``/``, 12,000 path steps and 16,000 ``||``,
  ``&&``, FILTERs or ``|`` alternatives; at the default limit of 256 every one of them
  evaluates with a 1 MiB stack. Comparisons (``=``, ``<``, …) cannot chain in SPARQL's
  grammar, and lists (function arguments, ``IN``, ``VALUES`` rows) are flat;
* ``SERVICE`` to an endpoint not on the allow-list, and ``SERVICE ?variable``;
* any update keyword (``LOAD``, ``INSERT``, ``DELETE``, ``CLEAR``, …);
* ``FROM`` / ``FROM NAMED`` / ``default-graph-uri`` / ``named-graph-uri`` naming a
  graph that is not in the store (Oxigraph never fetches them; this makes the
  refusal visible instead of a silently empty answer).
"""

from __future__ import annotations

from ...errors import TooManyQueriesError, UnsupportedMediaTypeError
from .analysis import QueryAnalysis, QueryForm, analyse
from .checks import UPDATE_REFUSED, Limits, check, check_complexity, check_graphs
from .clients import ClientSlots, SlowClients
from .evaluation import Budget, answer_for_client, answer_settings, evaluate
from .formats import answer_formats, named_format
from .protocol import (
    FORM_TYPE,
    QUERY_TYPE,
    UPDATE_TYPE,
    PreparedQuery,
    ProtocolRequest,
    media_type,
    parse_request,
    prepare,
)
from .tokens import tokens

__all__ = [
    "Budget",
    "FORM_TYPE",
    "QUERY_TYPE",
    "UPDATE_REFUSED",
    "UPDATE_TYPE",
    "ClientSlots",
    "Limits",
    "PreparedQuery",
    "ProtocolRequest",
    "QueryAnalysis",
    "QueryForm",
    "SlowClients",
    "TooManyQueriesError",
    "UnsupportedMediaTypeError",
    "analyse",
    "answer_for_client",
    "answer_formats",
    "answer_settings",
    "check",
    "check_complexity",
    "check_graphs",
    "evaluate",
    "media_type",
    "named_format",
    "parse_request",
    "prepare",
    "tokens",
]
