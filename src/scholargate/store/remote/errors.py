"""What can go wrong between ScholarGate and a remote SPARQL server, as the project's errors.

``errors.py`` has no 502, 503-for-a-backend or 504 error yet; they live here until the
lead moves them there. Every message names the server (``host:port``) and what
happened, quotes at most 80 characters of what the server said, and never a traceback.
"""

from __future__ import annotations

from ...errors import ScholarGateError


class StoreUnavailableError(ScholarGateError):
    """The SPARQL server cannot be reached (refused, no such host, down) or says it is
    overloaded (its own 503)."""

    status = 503
    kind = "store-unavailable"


class BadGatewayError(ScholarGateError):
    """The SPARQL server failed (a 5xx), refused ScholarGate's credentials, or answered
    something ScholarGate cannot read (a malformed or unexpected answer)."""

    status = 502
    kind = "bad-gateway"


class GatewayTimeoutError(ScholarGateError):
    """The SPARQL server did not answer within the store's per-request timeout."""

    status = 504
    kind = "gateway-timeout"
