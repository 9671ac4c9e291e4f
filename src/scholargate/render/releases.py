"""Releases: the list ``/releases`` (:class:`ReleaseList`), one release ``/releases/VERSION``
(:class:`ReleasePage`), each as an HTML page or JSON, and a release's files
(:class:`ReleaseFile`) streamed as they are on disk.

A file's body is the open file's chunks (services/releases/folder.py ``FileChunks``),
passed through untouched, with its ``Content-Disposition`` (an attachment for the data,
inline for the summary and the description) and its ``Content-Length``; conditional GET
stays in the view (web/releases.py).

Context a view gives: ``lang`` (the page language) for the pages.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import render_template

from ..formats import Format
from .registry import Rendered, renderer


@dataclass(frozen=True)
class ReleaseList:
    """Every release, newest first, as JSON-ready ``data`` (web/releases.py ``listing``)."""

    data: dict[str, Any]


@dataclass(frozen=True)
class ReleasePage:
    """One release's summary (``summary.json``) with the URLs of its files."""

    data: dict[str, Any]


@renderer(ReleaseList, "html", "data-json")  # html first: the default
def release_list(result: ReleaseList, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    if fmt.name == "data-json":
        return Rendered(json.dumps(result.data, ensure_ascii=False))
    body = render_template("releases.html", lang=context["lang"], data=result.data)
    return Rendered(body, vary=("Accept", "Accept-Language"))


@renderer(ReleasePage, "html", "data-json")  # html first: the default
def release_page(result: ReleasePage, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    if fmt.name == "data-json":
        return Rendered(json.dumps(result.data, ensure_ascii=False))
    body = render_template("release.html", lang=context["lang"], r=result.data)
    return Rendered(body, vary=("Accept", "Accept-Language"))


@dataclass(frozen=True)
class ReleaseFile:
    """A release's file: its ``chunks`` (closed with the response), its ``size``, offered
    as ``filename`` (``disposition``: attachment or inline)."""

    chunks: Iterable[bytes]
    size: int
    filename: str
    disposition: str = "attachment"


@renderer(ReleaseFile, "nq-gz", "nq", "md", "data-json", "ttl")
def release_file(result: ReleaseFile, fmt: Format, context: Mapping[str, Any]) -> Rendered:
    return Rendered(
        result.chunks,
        headers={
            "Content-Disposition": f'{result.disposition}; filename="{result.filename}"',
            "Content-Length": str(result.size),
        },
        vary=(),
    )
