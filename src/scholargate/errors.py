"""One error hierarchy for the whole project.

Every error carries an HTTP status and a message a person can act on. The web layer
renders them in one JSON shape, :func:`error_body` (or HTML for browsers), as does the
HTTP front for a request it refuses itself; the CLI prints the message and exits with
the error's ``exit_code``.
"""

from __future__ import annotations

from typing import Any


def error_body(
    status: int, kind: str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The one error shape: ``{"error": kind, "status": status, "message": message}``,
    with ``details`` when there are any."""
    body: dict[str, Any] = {"error": kind, "status": status, "message": message}
    if details:
        body["details"] = details
    return body


class ScholarGateError(Exception):
    """Base of every error ScholarGate reports to a person."""

    status: int = 500
    exit_code: int = 2
    kind: str = "error"

    def __init__(self, message: str, *, status: int | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.details = details


class InputError(ScholarGateError):
    """The input cannot be read: a missing file, malformed syntax, an unknown format."""

    status = 400
    kind = "bad-input"


class ParseError(InputError):
    """RDF or SPARQL text that does not parse; carries where it failed."""

    kind = "parse-error"

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        where = ":".join(str(p) for p in (source, line, column) if p is not None)
        super().__init__(f"{where}: {message}" if where else message)
        self.source, self.line, self.column = source, line, column
        self.details = {k: v for k, v in (("line", line), ("column", column)) if v is not None}


class NotFoundError(ScholarGateError):
    status = 404
    kind = "not-found"


class MethodNotAllowedError(ScholarGateError):
    """A method the resource does not take (405); ``details["allow"]`` lists those it
    takes, for the ``Allow`` header."""

    status = 405
    kind = "method-not-allowed"


class NotAcceptableError(ScholarGateError):
    status = 406
    kind = "not-acceptable"


class PayloadTooLargeError(ScholarGateError):
    """A request body over one of its caps: too many triples, a literal too long (413)."""

    status = 413
    kind = "payload-too-large"


class UnsupportedMediaTypeError(ScholarGateError):
    status = 415
    kind = "unsupported-media-type"


class TooManyQueriesError(ScholarGateError):
    status = 429
    kind = "too-many-requests"


class UnauthorizedError(ScholarGateError):
    """A write without a valid bearer token (401, sent with ``WWW-Authenticate: Bearer``)."""

    status = 401
    kind = "unauthorized"
    bearer_error: str | None = None  # the challenge's error="…" (RFC 6750 §3.1), if any


class InvalidTokenError(UnauthorizedError):
    """A bearer token was given but is not valid (malformed, unknown or revoked): 401 with
    ``WWW-Authenticate: Bearer …, error="invalid_token"``."""

    bearer_error = "invalid_token"


class ForbiddenError(ScholarGateError):
    status = 403
    kind = "forbidden"


class ConflictError(ScholarGateError):
    """A write that cannot apply to the graph as it is now (409)."""

    status = 409
    kind = "conflict"


class WriteRefusedError(ScholarGateError):
    """A write the shapes refuse (422); ``report`` is the validation report."""

    status = 422
    kind = "shapes-violated"

    def __init__(self, message: str, *, report: object = None, **details: object) -> None:
        super().__init__(message, **details)
        self.report = report


class QueryRefusedError(ScholarGateError):
    """A query the endpoint will not run (SERVICE, LOAD, too deep, …)."""

    status = 400
    kind = "query-refused"


class LimitExceededError(ScholarGateError):
    status = 503
    kind = "limit-exceeded"


# ---- a backend that fails: the remote store's SPARQL server (store/remote/) ----------
# Every message names the server (``host:port``) and what happened, quotes at most 80
# characters of what the server said, and never a traceback.


class BadGatewayError(ScholarGateError):
    """The SPARQL server failed (a 5xx), refused ScholarGate's credentials, or answered
    something ScholarGate cannot read (a malformed or unexpected answer)."""

    status = 502
    kind = "bad-gateway"


class StoreUnavailableError(ScholarGateError):
    """The SPARQL server cannot be reached (refused, no such host, down) or says it is
    overloaded (its own 503)."""

    status = 503
    kind = "store-unavailable"


class GatewayTimeoutError(ScholarGateError):
    """The SPARQL server did not answer within the store's per-request timeout."""

    status = 504
    kind = "gateway-timeout"
