"""The remote store: a SPARQL 1.1 server as ScholarGate's graph (issue 13).

- ``store.py`` — :class:`RemoteStore`, the :class:`~scholargate.store.Store` contract
  kept over a server;
- ``protocol.py`` — the server's three doors: queries (SPARQL 1.1 Protocol), updates,
  whole graphs (Graph Store HTTP Protocol);
- ``answers.py`` — reading the server's answers (TSV, SPARQL JSON, N-Triples) and
  writing RDF as the embedded store does;
- ``transport.py`` — one HTTP exchange: deadline, byte cap, credentials, kept-alive
  connections, failures as errors; ``digest.py`` — HTTP Digest credentials;
- ``profiles.py`` — what each kind of server needs (Oxigraph, Virtuoso, standard);
- ``text.py`` — the query text sent (its form, the prefix prologue) and syntax errors back.

A server that fails, is down or is slow is a 502, 503 or 504 error of ``scholargate.errors``
(``BadGatewayError``, ``StoreUnavailableError``, ``GatewayTimeoutError``; re-exported here).
"""

from ...errors import BadGatewayError, GatewayTimeoutError, StoreUnavailableError
from .store import RemoteStore

__all__ = ["BadGatewayError", "GatewayTimeoutError", "RemoteStore", "StoreUnavailableError"]
