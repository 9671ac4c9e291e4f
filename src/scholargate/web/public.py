"""The address the app is reached at: trusted proxies, ``PUBLIC_URL`` and the Host check.

* ``PROXIES`` (a number, default 0): that many reverse proxies in front of the server
  are trusted to set ``X-Forwarded-For``, ``-Proto`` and ``-Host`` (werkzeug's
  ``ProxyFix``), so ``request.remote_addr`` (the per-client query cap) is the client,
  not the proxy. With 0 nothing a client sends changes its address.
* ``PUBLIC_URL`` (e.g. ``https://scholargate.example.org``): when set, every request is
  seen as addressed to it (host, scheme and, for a path, the script root), so every
  absolute URL the app writes (``url_for(..., _external=True)``, ``request.url_root``)
  starts with it, whatever ``Host`` or ``X-Forwarded-Host`` a request sends.
* Without ``PUBLIC_URL``, a ``Host`` header that is not a host name, an IPv4 address or
  a bracketed IPv6 address, with an optional port, is refused (400) before any view
  runs: it would otherwise be written into the absolute URLs of the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.exceptions import BadRequest
from werkzeug.middleware.proxy_fix import ProxyFix

from ..errors import InputError

_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOST = re.compile(
    rf"(?:{_LABEL}(?:\.{_LABEL})*\.?"  # a name (or an IPv4 address, which is one too)
    r"|\[[0-9A-Fa-f:.]+\])"  # a bracketed IPv6 address
    r"(?::[0-9]{1,5})?"
)

Environ = dict[str, Any]
WsgiApp = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]


def valid_host(value: str) -> bool:
    """Whether ``value`` is a syntactically valid ``host[:port]`` (RFC 3986 authority
    without user information), at most 255 characters."""
    if len(value) > 255 or not _HOST.fullmatch(value):
        return False
    port = value.rpartition(":")[2] if not value.endswith("]") and ":" in value else ""
    return not port or int(port) <= 65535


class PublicUrl:
    """WSGI middleware: every request is addressed to ``url``'s scheme, host and path."""

    def __init__(self, app: WsgiApp, url: str) -> None:
        parts = urlsplit(url)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or not valid_host(parts.netloc)
            or parts.query
            or parts.fragment
        ):
            raise InputError(
                f"PUBLIC_URL is {url!r}; give the public base URL, such as "
                "https://scholargate.example.org (http or https, a host, an optional port "
                "and path, no query)"
            )
        self.app = app
        self.scheme = parts.scheme
        self.host = parts.netloc
        self.root = parts.path.rstrip("/")

    def __call__(self, environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ["HTTP_HOST"] = self.host
        environ["wsgi.url_scheme"] = self.scheme
        environ.pop("HTTP_X_FORWARDED_HOST", None)
        if self.root:
            environ["SCRIPT_NAME"] = self.root
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    """Wire the proxies, the public URL and the Host check into ``app``."""
    public = str(app.config.get("PUBLIC_URL") or "").strip()
    if public:
        app.wsgi_app = PublicUrl(app.wsgi_app, public)  # type: ignore[method-assign]
    proxies = int(app.config.get("PROXIES") or 0)
    if proxies < 0:
        raise InputError(f"PROXIES is {proxies}; give the number of proxies in front, 0 or more")
    if proxies:
        # outermost, so that PUBLIC_URL (inside) wins over X-Forwarded-Host/-Proto
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    if not public:
        app.before_request(_check_host)


def _check_host() -> None:
    host = request.environ.get("HTTP_HOST")
    if host and not valid_host(host):  # an empty Host is allowed (RFC 9110, 7.2)
        raise BadRequest(
            "the Host header is not a valid host name or address with an optional port"
        )
