"""Content negotiation over the one format table: a suffix beats Accept; q-values count."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import Blueprint, request
from werkzeug.datastructures import MIMEAccept

from ..errors import NotAcceptableError
from ..formats import Format, by_extension, by_name


def choose(candidates: Sequence[Format], *, suffix: str | None = None) -> Format:
    """The format to answer in, among ``candidates`` (the first is the default).

    ``suffix`` (from a ``.ttl`` in the path) or ``?format=`` wins; otherwise the
    ``Accept`` header's best match with its q-values; nothing acceptable → 406.
    """
    named = suffix or request.args.get("format") or request.form.get("format")
    if named:
        fmt = by_extension(named) or _by_name_or_media_type(named)
        if fmt is None or fmt not in candidates:
            raise NotAcceptableError(
                f"this resource is not available as {named!r}; choose one of: "
                + ", ".join(f.name for f in candidates)
            )
        return fmt
    accept = accepted()
    if not accept:  # no Accept header: the default
        return candidates[0]
    offered = [mt for f in candidates for mt in f.media_types]
    best = accept.best_match(offered)
    if best is None:
        raise NotAcceptableError(
            "none of the media types in Accept can be served here; available: "
            + ", ".join(f.media_type for f in candidates)
        )
    return next(f for f in candidates if best in f.media_types)


def accepted() -> MIMEAccept:
    """The request's ``Accept`` with media type parameters dropped: ``text/turtle;
    charset=utf-8`` asks for Turtle (every text format here is UTF-8), where Werkzeug
    would match it only to an offer with the same parameters."""
    accept = request.accept_mimetypes
    if not any(";" in value for value, _ in accept):
        return accept
    return MIMEAccept([(value.split(";", 1)[0].strip(), q) for value, q in accept])


def _by_name_or_media_type(value: str) -> Format | None:
    from ..formats import by_media_type

    try:
        return by_name(value)
    except Exception:  # noqa: BLE001 - an unknown name is just "not this one"
        return by_media_type(value)


def wants_html() -> bool:
    """True when a browser asked: text/html is acceptable and preferred to JSON."""
    accept = accepted()
    return accept.best_match(["application/json", "text/html"]) == "text/html" and (
        accept["text/html"] > accept["application/json"]
    )


def suffix_rule(formats: Sequence[Format]) -> str:
    """The converter of a route's ``.<ext>`` rule: ``any(html, json, …)``, the extensions
    of ``formats`` (``formats_for`` of its result types), so URLs are built only for them."""
    return "any(" + ", ".join(f.extension for f in formats) + ")"


def other_suffixes(bp: Blueprint, rule: str, view: Callable[..., Any]) -> None:
    """Also route ``rule`` (``/compare.<ext>``, any suffix) to ``view``, under the endpoint
    ``<view>_other_suffix``: a suffix the route does not offer reaches the same checks and
    :func:`choose`'s 406 (not a 404), and the error page can still link to its URL."""
    endpoint = f"{view.__name__}_other_suffix"
    bp.add_url_rule(rule, endpoint=endpoint, view_func=view, methods=["GET"])
