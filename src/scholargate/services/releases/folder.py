"""The releases folder (``RELEASES``, default ``ROOT/var/releases``): the versions it
holds, a release's summary, and a release's files opened safely for reading.

Nothing outside the folder is ever read through a request's words: a version or a file
name that does not match its pattern (``versions.py``) is a 404 before any file system
call; then the version's folder is opened relative to the releases folder and the file
relative to that, neither through a symbolic link (``O_NOFOLLOW``), and only a regular
file is served. A folder whose name is not a version (an unfinished release
``.building-…``, anything else) is not a release.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...build.sources import find_root
from ...config import is_url
from ...errors import NotFoundError
from .versions import SUMMARY_JSON, is_version, release_files, version_key

CHUNK = 1 << 16
_CACHE_SIZE = 256


def releases_path(settings: Mapping[str, Any]) -> Path | None:
    """The releases folder the settings name: ``RELEASES``, else ``releases`` beside the
    on-disk store (``ROOT/var/releases`` for the default store); None for a graph built
    in memory with no ``RELEASES`` (it has no lasting place, so no releases)."""
    if settings.get("RELEASES"):
        return Path(settings["RELEASES"])
    if settings.get("MEMORY"):
        return None
    store = settings.get("STORE")
    if store and not is_url(store):
        return Path(store).parent / "releases"
    return find_root(settings.get("ROOT")) / "var" / "releases"


class FileChunks:
    """A release file's bytes in chunks, read from an open descriptor; :meth:`close`
    (the response's end, even unread: a 304 or a HEAD) closes it."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def __iter__(self) -> Iterator[bytes]:
        try:
            while self._fd is not None:
                data = os.read(self._fd, CHUNK)
                if not data:
                    break
                yield data
        finally:
            self.close()

    def read_all(self) -> bytes:
        return b"".join(self)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


@dataclass(frozen=True)
class OpenedFile:
    """One release file, opened: its chunks, size, and a token of its identity (for an
    ``ETag``: inode, size and modification time)."""

    version: str
    name: str
    chunks: FileChunks
    size: int
    modified: float
    identity: str


class Releases:
    """The releases in ``folder`` (which need not exist: then there are none)."""

    _summaries: dict[tuple[str, str, int, int], dict[str, Any]] = {}  # immutable files

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) if folder is not None else None

    def versions(self) -> list[str]:
        """Every release, newest first (by version order)."""
        if self.folder is None:
            return []
        try:
            entries = list(os.scandir(self.folder))
        except (FileNotFoundError, NotADirectoryError):
            return []
        found = [e.name for e in entries if is_version(e.name) and e.is_dir(follow_symlinks=False)]
        return sorted(found, key=version_key, reverse=True)

    def latest(self) -> dict[str, Any] | None:
        """The summary of the newest release whose summary can be read, or None."""
        for version in self.versions():
            try:
                return self.summary(version)
            except NotFoundError:
                continue
        return None

    def summary(self, version: str) -> dict[str, Any]:
        """The release's ``summary.json``; 404 when there is no such release."""
        opened = self.open_file(version, SUMMARY_JSON)
        key = (str(self.folder), version, opened.size, int(opened.modified * 1e9))
        cached = self._summaries.get(key)
        if cached is not None:
            opened.chunks.close()
            return cached
        try:
            data = json.loads(opened.chunks.read_all())
        except ValueError:
            raise NotFoundError(f"release {version} has a damaged summary.json") from None
        if len(self._summaries) >= _CACHE_SIZE:
            self._summaries.clear()
        self._summaries[key] = data
        return data

    def summaries(self) -> list[dict[str, Any]]:
        """Every release's summary, newest first (a release whose summary cannot be read
        is left out)."""
        found = []
        for version in self.versions():
            try:
                found.append(self.summary(version))
            except NotFoundError:
                continue
        return found

    def open_file(self, version: str, name: str) -> OpenedFile:
        """A release's file opened for reading; 404 for a name that is not a release's
        version and file (checked first, with no file system call), a missing one, a
        symbolic link, or anything but a regular file."""
        if not is_version(version):
            raise NotFoundError(f"{version!r} is not a release version", reason="version")
        if name not in release_files(version):
            raise NotFoundError(
                f"a release holds no file {name!r}; its files are: "
                + ", ".join(release_files(version)),
                files=list(release_files(version)),
            )
        missing = NotFoundError(f"no release {version} (or no {name} in it)")
        if self.folder is None:
            raise missing
        try:
            top = os.open(self.folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            raise missing from None
        try:
            inner = os.open(version, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=top)
        except OSError:
            raise missing from None
        finally:
            os.close(top)
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=inner)
        except OSError:
            raise missing from None
        finally:
            os.close(inner)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise missing
        identity = f"{info.st_ino:x}-{info.st_size:x}-{info.st_mtime_ns:x}"
        return OpenedFile(version, name, FileChunks(fd), info.st_size, info.st_mtime, identity)
