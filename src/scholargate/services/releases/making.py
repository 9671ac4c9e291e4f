"""``make_release``: one version of the dataset written under the releases folder.

The folder of a release is made whole or not at all: everything is written into
``.building-VERSION-PID`` beside the releases (each file ``fsync``ed), which is renamed
to ``VERSION`` last. A crash leaves only the unfinished folder, which no listing shows
and the next release removes. One release is made at a time (an ``flock`` on
``RELEASES/.lock``).

In order: the store's N-Quads are sorted into lines (``sorting.py``); one streaming
merge with the previous release's dump writes the new dump (gzipped), the lines it adds
and those it removes, and watches the methods (``methods.py``); then ``release.ttl``
(``describe.py``), ``summary.md`` and last ``summary.json`` (``summary.py``), which
lists every other file's size and SHA-256.
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from ... import __version__
from ...durable import fsync_folder
from ...errors import ConflictError, InputError
from ...store import Store
from .describe import release_graph, release_iri
from .diff import gzip_writer, merge, write_delta
from .folder import Releases
from .methods import MethodWatch
from .sorting import BUDGET, dump_unsorted, sorted_lines
from .summary import markdown, method_rows
from .versions import (
    ADDED,
    DESCRIPTION,
    REMOVED,
    SUMMARY_JSON,
    SUMMARY_MD,
    check_version,
    dump_name,
    format_name,
    version_key,
)

_DISTINCT_TRIPLES = (
    "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
)
_MEDIA_TYPES = {
    "nq-gz": "application/gzip",
    "nq": "application/n-quads",
    "md": "text/markdown",
    "data-json": "application/json",
    "ttl": "text/turtle",
}
UNFINISHED = ".building-"


def make_release(
    store: Store,
    folder: Path,
    version: str,
    *,
    notes: str = "",
    journal_seq: int = 0,
    now: datetime | None = None,
    budget: int = BUDGET,
) -> dict[str, Any]:
    """Write release ``version`` of ``store`` under ``folder`` and give its summary.

    Refused: a ``version`` that is not one (``versions.py``), one that exists (409),
    one not newer than the latest release (releases go forward: each one's delta is
    from the one before). ``journal_seq`` is the last journal entry ``store`` holds.
    """
    check_version(version)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    with _locked(folder):
        releases = Releases(folder)
        previous = _previous(releases, version)
        before = releases.summary(previous) if previous else None
        _remove_unfinished(folder)
        work = folder / f"{UNFINISHED}{version}-{os.getpid()}"
        work.mkdir()
        try:
            measured = _write(store, work, version, previous, before, budget)
            summary = {
                "version": version,
                "iri": str(release_iri(version)),
                "previous": previous,
                "issued": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "notes": notes.strip(),
                "software": __version__,
                "journal_seq": {
                    "from": before["journal_seq"]["to"] if before else 0,
                    "to": journal_seq,
                },
                **measured,
            }
            _describe(work, summary)
            fsync_folder(work)
            os.rename(work, folder / version)
            fsync_folder(folder)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
    return summary


def _previous(releases: Releases, version: str) -> str | None:
    """The latest release, which the new one follows; refusals for ``version``."""
    versions = releases.versions()
    same = [v for v in versions if version_key(v) == version_key(version)]
    if same:
        raise ConflictError(
            f"release {same[0]} exists already (in {releases.folder}); pick a new version"
        )
    if versions and version_key(version) < version_key(versions[0]):
        raise InputError(
            f"{version} comes before the latest release, {versions[0]}: a release follows "
            "the one before it, so pick a version after it"
        )
    return versions[0] if versions else None


def _write(
    store: Store,
    work: Path,
    version: str,
    previous: str | None,
    before: dict[str, Any] | None,
    budget: int,
) -> dict[str, Any]:
    """The dump and the deltas in ``work``; the summary's counts and methods."""
    unsorted = work / "unsorted.nq"
    dump_unsorted(store, unsorted)
    rows = store.select(_DISTINCT_TRIPLES)
    triples = int(rows[0]["n"]) if rows else 0  # type: ignore[call-overload]
    watch = MethodWatch()
    with _previous_dump(work.parent, previous, before) as old:
        with (
            gzip_writer(work / dump_name(version)) as dump,
            _durable(work / ADDED) as added,
            _durable(work / REMOVED) as removed,
        ):
            new = sorted_lines(unsorted, work, budget=budget)
            counts = write_delta(merge(old, new), dump, added, removed, watch)
    unsorted.unlink()
    found = watch.finish()
    return {
        "quads": counts.quads,
        "triples": triples,
        "added": counts.added,
        "removed": counts.removed,
        "methods": {
            "total": found.total,
            "added": method_rows(found.added),
            "changed": method_rows(found.changed),
            "removed": method_rows(found.removed),
        },
        "files": {name: _about(work / name) for name in (dump_name(version), ADDED, REMOVED)},
    }


@contextmanager
def _previous_dump(
    folder: Path, previous: str | None, before: dict[str, Any] | None
) -> Iterator[Iterator[bytes]]:
    """The previous release's dump, line by line (nothing before the first release); its
    SHA-256 is checked against its summary once it has been read to the end."""
    if previous is None or before is None:
        yield iter(())
        return
    name = dump_name(previous)
    expected = before.get("files", {}).get(name, {}).get("sha256")
    with (folder / previous / name).open("rb") as raw:
        hashing = _Hashing(raw)

        def lines() -> Iterator[bytes]:
            with gzip.GzipFile(fileobj=hashing, mode="rb") as unpacked:
                for line in unpacked:
                    yield line.rstrip(b"\n")
            hashing.drain()
            if expected and hashing.digest() != expected:
                raise InputError(
                    f"the dump of release {previous} does not match the SHA-256 its summary "
                    f"gives: it was changed or damaged; nothing was written"
                )

        yield lines()


class _Hashing:
    """A binary file read through SHA-256."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self._hash.update(data)
        return data

    def drain(self) -> None:
        while self.read(1 << 16):
            pass

    def digest(self) -> str:
        return self._hash.hexdigest()


def _describe(work: Path, summary: dict[str, Any]) -> None:
    """``release.ttl``, ``summary.md`` and ``summary.json`` in ``work``, in that order:
    each lists the files written before it."""
    ttl = release_graph(summary).serialize(format="turtle", encoding="utf-8")
    _write_bytes(work / DESCRIPTION, ttl)
    summary["files"][DESCRIPTION] = _about(work / DESCRIPTION)
    _write_bytes(work / SUMMARY_MD, markdown(summary).encode("utf-8"))
    summary["files"][SUMMARY_MD] = _about(work / SUMMARY_MD)
    text = json.dumps(summary, ensure_ascii=False, indent=1) + "\n"
    _write_bytes(work / SUMMARY_JSON, text.encode("utf-8"))


def _about(path: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return {
        "bytes": path.stat().st_size,
        "sha256": digest.hexdigest(),
        "media_type": _MEDIA_TYPES[format_name(path.name)],
    }


@contextmanager
def _durable(path: Path) -> Iterator[IO[bytes]]:
    with path.open("wb") as out:
        yield out
        out.flush()
        os.fsync(out.fileno())


def _write_bytes(path: Path, data: bytes) -> None:
    with _durable(path) as out:
        out.write(data)


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    fd = os.open(folder / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ConflictError(
                f"another release is being made in {folder}; try again when it is done"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _remove_unfinished(folder: Path) -> None:
    """Remove what a release that crashed left (the lock is held: none is running)."""
    for entry in folder.iterdir():
        if entry.name.startswith(UNFINISHED) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
