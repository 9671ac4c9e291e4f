"""Releases: numbered, immutable versions of the whole dataset (``scholargate release``,
served under ``/releases``).

A release folder ``RELEASES/VERSION/`` holds the dataset as sorted, gzipped N-Quads
(``scholargate-VERSION.nq.gz``: the same quads give the same bytes), the quads added and
removed since the previous release (``delta-added.nq``, ``delta-removed.nq``), a summary
for people and programs (``summary.md``, ``summary.json``: the methods added, changed and
removed, the journal range covered, the notes) and its VoID/DCAT description
(``release.ttl``).

- ``versions.py``: what a version and a release's file names look like, and their order;
- ``sorting.py``: the store's quads as sorted lines, in bounded memory;
- ``diff.py``: the streaming merge of two sorted dumps into the deltas;
- ``methods.py``: which methods the merge saw added, changed, removed;
- ``summary.py``, ``describe.py``: ``summary.md``/``summary.json``, ``release.ttl`` and
  the latest release in the dataset's VoID;
- ``making.py``: ``make_release``, written whole or not at all;
- ``folder.py``: ``Releases``, the folder read safely (for the routes).
"""

from __future__ import annotations

from .describe import add_latest, file_url, release_graph, release_iri
from .folder import FileChunks, OpenedFile, Releases, releases_path
from .making import make_release
from .versions import (
    ADDED,
    DESCRIPTION,
    REMOVED,
    SUMMARY_JSON,
    SUMMARY_MD,
    check_version,
    dump_name,
    format_name,
    is_version,
    release_files,
    version_key,
)

__all__ = [
    "ADDED",
    "DESCRIPTION",
    "REMOVED",
    "SUMMARY_JSON",
    "SUMMARY_MD",
    "FileChunks",
    "OpenedFile",
    "Releases",
    "add_latest",
    "check_version",
    "dump_name",
    "file_url",
    "format_name",
    "is_version",
    "make_release",
    "release_files",
    "release_graph",
    "release_iri",
    "releases_path",
    "version_key",
]
