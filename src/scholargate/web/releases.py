"""``/releases``: the dataset's releases (``scholargate release``), read from the releases
folder (``RELEASES``, default ``ROOT/var/releases``).

- ``/releases`` (HTML, JSON; ``/releases.{ext}``): every release, newest first, with its
  date, size, quads added and removed, methods added, changed and removed, and links;
- ``/releases/{version}`` (HTML, JSON): one release's summary, with its files' URLs;
- ``/releases/{version}/{name}``: a release's file as it is on disk, streamed under its
  own media type with ``Content-Disposition``, ``Content-Length``, an ``ETag`` and
  ``Last-Modified`` (conditional GET: 304).

A version or a file name that does not match its pattern is a 404 before the file system
is touched; nothing is read through a symbolic link (services/releases/folder.py).
render/releases.py writes the pages, the JSON and the files' responses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

from flask import Blueprint, Response, current_app, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.http import is_resource_modified

from ..formats import Format, by_name
from ..namespaces import BASE
from ..render.registry import formats_for
from ..render.releases import ReleaseFile, ReleaseList, ReleasePage
from ..services.releases import (
    DESCRIPTION,
    SUMMARY_JSON,
    SUMMARY_MD,
    Releases,
    format_name,
    release_files,
    releases_path,
)
from .context import request_lang
from .cors import allow_origin
from .negotiate import choose, other_suffixes, suffix_rule
from .respond import respond

LIST_FORMATS: tuple[Format, ...] = formats_for(ReleaseList)  # html first: the default
PAGE_FORMATS: tuple[Format, ...] = formats_for(ReleasePage)
_INLINE = (SUMMARY_MD, SUMMARY_JSON, DESCRIPTION)

bp = Blueprint("releases", __name__)


def releases() -> Releases:
    """The releases folder of this app's settings."""
    return Releases(releases_path(current_app.config))


def _files(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every file of a release with its URL; size and SHA-256 as ``summary.json`` has them
    (``summary.json`` itself lists neither)."""
    version, known = summary["version"], summary.get("files", {})
    return {
        name: {
            "bytes": known.get(name, {}).get("bytes"),
            "sha256": known.get(name, {}).get("sha256"),
            "media_type": by_name(format_name(name)).media_type,
            "url": url_for("releases.file", version=version, name=name, _external=True),
        }
        for name in release_files(version)
    }


def _page(iri: str) -> str:
    """The page on this server of a resource IRI under ``https://w3id.org/scholargate/``."""
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else iri


def _entry(summary: dict[str, Any]) -> dict[str, Any]:
    methods = summary.get("methods", {})
    return {
        "version": summary["version"],
        "iri": summary.get("iri"),
        "issued": summary.get("issued"),
        "previous": summary.get("previous"),
        "notes": summary.get("notes", ""),
        "quads": summary.get("quads", 0),
        "triples": summary.get("triples", 0),
        "added": summary.get("added", 0),
        "removed": summary.get("removed", 0),
        "journal_seq": summary.get("journal_seq"),
        "methods": {
            "total": methods.get("total", 0),
            **{k: len(methods.get(k, [])) for k in ("added", "changed", "removed")},
        },
        "page": url_for("releases.release", version=summary["version"], _external=True),
        "files": _files(summary),
    }


def index(ext: str | None = None) -> ResponseReturnValue:
    fmt = choose(LIST_FORMATS, suffix=ext)
    lang = request_lang()
    entries = [_entry(s) for s in releases().summaries()]
    data = {
        "releases": entries,
        "latest": entries[0]["version"] if entries else None,
        "void": request.url_root + ".well-known/void",
    }
    return allow_origin(respond(ReleaseList(data), fmt, lang=lang))


def release(version: str) -> ResponseReturnValue:
    fmt = choose(PAGE_FORMATS)
    lang = request_lang()
    summary = releases().summary(version)  # 404 for a malformed or missing version
    data = {**summary, "page": url_for("releases.release", version=version, _external=True)}
    data["files"] = _files(summary)
    if summary.get("previous"):
        data["previous_page"] = url_for(
            "releases.release", version=summary["previous"], _external=True
        )
    data["methods"] = {
        **summary["methods"],
        **{
            kind: [{**row, "page": _page(row["iri"])} for row in summary["methods"][kind]]
            for kind in ("added", "changed", "removed")
        },
    }
    return allow_origin(respond(ReleasePage(data), fmt, lang=lang))


def file(version: str, name: str) -> ResponseReturnValue:
    opened = releases().open_file(version, name)  # 404 before any file system call
    etag = sha256(f"{version}/{name}/{opened.identity}".encode()).hexdigest()[:32]
    modified = datetime.fromtimestamp(opened.modified, UTC).replace(microsecond=0)
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        opened.chunks.close()
        response = Response(status=304)
    else:
        download = name if name.startswith("scholargate-") else f"scholargate-{version}-{name}"
        result = ReleaseFile(
            opened.chunks,
            opened.size,
            download,
            "inline" if name in _INLINE else "attachment",
        )
        response = respond(result, by_name(format_name(name)))
    response.set_etag(etag)
    response.last_modified = modified
    response.headers["Cache-Control"] = "public, max-age=3600"
    return allow_origin(response)


bp.add_url_rule("/releases", view_func=index, methods=["GET"])
bp.add_url_rule(f"/releases.<{suffix_rule(LIST_FORMATS)}:ext>", view_func=index, methods=["GET"])
bp.add_url_rule("/releases/<version>", view_func=release, methods=["GET"])
bp.add_url_rule("/releases/<version>/<name>", view_func=file, methods=["GET"])
other_suffixes(bp, "/releases.<ext>", index)  # other suffixes: the same view, so its 406
