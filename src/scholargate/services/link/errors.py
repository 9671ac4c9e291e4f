"""The ways an external endpoint can fail a ``scholargate link`` run.

Each is a :class:`LinkError` (HTTP 502 when it reaches a caller) with its own ``kind``:
a timeout, an answer over the byte cap, a refused redirect, a malformed answer, a
server that asked us to wait longer than the run allows, or an endpoint that cannot be
reached at all (:class:`EndpointUnreachableError`: no network, a name that does not
resolve, a connection refused on every try). :class:`RetryableError` (a refused or
reset connection) is the one the client tries again.
"""

from __future__ import annotations

from ...errors import ScholarGateError


class LinkError(ScholarGateError):
    """An external endpoint failed us; the run stops and nothing is written."""

    status = 502
    kind = "link-failed"


class EndpointTimeoutError(LinkError):
    kind = "link-timeout"


class ResponseTooLargeError(LinkError):
    kind = "link-too-large"


class RedirectRefusedError(LinkError):
    kind = "link-redirect-refused"


class MalformedResponseError(LinkError):
    kind = "link-malformed"


class ThrottledError(LinkError):
    kind = "link-throttled"


class EndpointUnreachableError(LinkError):
    """No connection could be made: no network, a host name that does not resolve, or a
    connection refused on every try. The message names the endpoint and the cause, never
    the query."""

    kind = "link-unreachable"


class RetryableError(LinkError):
    """A failure worth another try (a refused or reset connection); ``connecting`` when
    no connection was made (refused), not when one broke."""

    connecting = False
