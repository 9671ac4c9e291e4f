"""What a release's version and its files may be called, and the order of versions.

A version is two to four dot-separated numbers (``2026.12.1``, ``1.4.0``, ``2027.1``),
optionally followed by a semver pre-release (``1.0.0-rc.1``): ASCII digits and letters
only, so a version is always one safe path segment (no ``..``, no ``/``, no other
script's digits). Versions are ordered as semver orders them, the missing numbers
counted as 0 (``2026.12`` is ``2026.12.0``); a pre-release comes before its release.

A release folder holds exactly :func:`release_files`; a name outside that list is never
looked up on disk.
"""

from __future__ import annotations

import re

from ...errors import InputError

MAX_LENGTH = 64
_VERSION = re.compile(
    r"[0-9]{1,9}(?:\.[0-9]{1,9}){1,3}"  # 2026.12.1, 1.4.0, 2027.1
    r"(?:-[0-9A-Za-z-]{1,20}(?:\.[0-9A-Za-z-]{1,20}){0,4})?"  # -rc.1, -beta
)

ADDED = "delta-added.nq"
REMOVED = "delta-removed.nq"
SUMMARY_MD = "summary.md"
SUMMARY_JSON = "summary.json"
DESCRIPTION = "release.ttl"


def is_version(text: str) -> bool:
    """True when ``text`` is a version as this module describes it."""
    return len(text) <= MAX_LENGTH and _VERSION.fullmatch(text) is not None


def check_version(text: str) -> str:
    """``text`` when it is a version; an :class:`InputError` that says what one is."""
    if not is_version(text):
        raise InputError(
            f"{text!r} is not a version: write two to four numbers separated by dots, "
            "like 2026.12.1 (calendar) or 1.4.0 (semver), optionally with a pre-release "
            "such as 1.5.0-rc.1 (ASCII letters, digits and hyphens; at most "
            f"{MAX_LENGTH} characters)"
        )
    return text


def version_key(version: str) -> tuple:
    """The sort key of a version: numbers first (padded to four), then a release after
    its pre-releases, pre-release identifiers compared as semver compares them."""
    core, _, pre = version.partition("-")
    numbers = [int(n) for n in core.split(".")]
    numbers += [0] * (4 - len(numbers))
    if not pre:
        return (tuple(numbers), 1, ())
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
    return (tuple(numbers), 0, parts)


def dump_name(version: str) -> str:
    """The whole dataset's file in a release: ``scholargate-VERSION.nq.gz``."""
    return f"scholargate-{version}.nq.gz"


def release_files(version: str) -> tuple[str, ...]:
    """Every file a release folder holds, the dump first."""
    return (dump_name(version), ADDED, REMOVED, SUMMARY_MD, SUMMARY_JSON, DESCRIPTION)


def format_name(file_name: str) -> str:
    """The name in the format table (``formats.py``) of a release file's format."""
    if file_name.endswith(".nq.gz"):
        return "nq-gz"
    return {"nq": "nq", "md": "md", "json": "data-json", "ttl": "ttl"}[file_name.rsplit(".", 1)[1]]
