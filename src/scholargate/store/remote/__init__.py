"""The remote store: a SPARQL 1.1 server as ScholarGate's graph (issue 13).

- ``store.py`` — :class:`RemoteStore`, the :class:`~scholargate.store.Store` over the
  SPARQL 1.1 Protocol and the Graph Store HTTP Protocol;
- ``transport.py`` — one HTTP exchange: deadline, byte cap, credentials, kept-alive
  connections, failures as errors;
- ``profiles.py`` — what each kind of server needs (Oxigraph, Virtuoso, standard);
- ``text.py`` — the query text sent (form, prefix prologue) and syntax errors back;
- ``errors.py`` — 502, 503 and 504 errors for a server that fails, is down or is slow.
"""

from .errors import BadGatewayError, GatewayTimeoutError, StoreUnavailableError
from .store import RemoteStore

__all__ = ["BadGatewayError", "GatewayTimeoutError", "RemoteStore", "StoreUnavailableError"]
