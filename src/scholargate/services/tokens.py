"""Bearer tokens for writes: who holds one, and the role it carries.

A token is ``sg_`` and 43 random URL-safe characters (``secrets.token_urlsafe(32)``),
shown once when it is made. The token file (``TOKENS``, default ``ROOT/var/tokens.json``,
mode 0600) keeps for each token its holder's name, role and creation time and the
SHA-256 of the token, never the token itself::

    {"version": 1, "tokens": [{"name": "ana", "role": "writer",
      "created": "2025-01-31T12:00:00Z", "sha256": "…"}]}

Changes (``add``, ``revoke``) hold an exclusive ``flock`` on ``FILE.lock`` while they read
the file, change it and put the new one in place atomically (a temporary file in the same
folder, fsynced, then ``os.replace``), so two processes adding at once both keep their
token and a reader never sees half a file. ``check`` runs on every write request: it
reads the file again only when its (mtime, size, inode) changed, so a token the CLI adds
or revokes while the server runs counts from the next request on.
"""

from __future__ import annotations

import builtins
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..build.sources import find_root
from ..durable import fsync_folder
from ..errors import InputError, NotFoundError, ScholarGateError
from .writes.access import ROLES

PREFIX = "sg_"
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
_NAME = re.compile(NAME_PATTERN + r"\Z")
_TOKEN = re.compile(re.escape(PREFIX) + r"[A-Za-z0-9_-]{43}\Z")
_HASH = re.compile(r"[0-9a-f]{64}\Z")
_VERSION = 1


@dataclass(frozen=True)
class Holder:
    """Who a valid token belongs to, and its role (one of ``ROLES``)."""

    name: str
    role: str


@dataclass(frozen=True)
class TokenEntry:
    """One token as ``list`` shows it: never the token, nor its hash."""

    name: str
    role: str
    created: str  # ISO 8601, UTC: 2025-01-31T12:00:00Z


class TokenFileError(ScholarGateError):
    """The token file exists but cannot be read as one (the server's fault, not the
    client's: 500)."""

    status = 500
    kind = "token-file-unreadable"


def tokens_path(settings: Mapping[str, Any]) -> Path:
    """The token file the settings name: ``TOKENS``, else ``ROOT/var/tokens.json``."""
    if settings.get("TOKENS"):
        return Path(settings["TOKENS"])
    return find_root(settings.get("ROOT")) / "var" / "tokens.json"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class TokenBook:
    """The bearer tokens kept in one JSON file. (Its ``list`` method shadows the builtin
    in the class body, hence ``builtins.list`` in the annotations.)"""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        # (the file's (mtime_ns, size, inode), or None when missing; its records)
        self._cache: tuple[tuple[int, int, int] | None, tuple[dict[str, str], ...]] | None = None

    # ---- reading ------------------------------------------------------------------

    def _records(self) -> tuple[dict[str, str], ...]:
        """The file's records, parsed again only when the file changed."""
        try:
            st = os.stat(self.path)
            key: tuple[int, int, int] | None = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            key = None
        cached = self._cache
        if cached is not None and cached[0] == key:
            return cached[1]
        records = () if key is None else self._read()
        self._cache = (key, records)  # one assignment: a concurrent reader sees old or new
        return records

    def _read(self) -> tuple[dict[str, str], ...]:
        """Parse the file as it is now (empty when it is missing)."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return ()
        except OSError as error:
            raise TokenFileError(f"{self.path}: cannot read the token file: {error}") from None
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or data.get("version") != _VERSION:
                raise ValueError(f"not a version {_VERSION} token file")
            records = data["tokens"]
            if not isinstance(records, list):
                raise ValueError('"tokens" is not a list')
            for record in records:
                if not (
                    isinstance(record, dict)
                    and isinstance(record.get("name"), str)
                    and record.get("role") in ROLES
                    and isinstance(record.get("created"), str)
                    and isinstance(record.get("sha256"), str)
                    and _HASH.match(record["sha256"])
                ):
                    raise ValueError(f"a malformed entry: {str(record.get('name', '?'))[:64]!r}")
        except (ValueError, KeyError, TypeError) as error:
            raise TokenFileError(
                f"{self.path}: the token file is corrupt ({error}); restore it, or move it "
                "away and add the tokens again with `scholargate token add`"
            ) from None
        return tuple(records)

    def list(self) -> builtins.list[TokenEntry]:
        """Every token's holder, role and creation time, by name."""
        entries = [TokenEntry(r["name"], r["role"], r["created"]) for r in self._records()]
        return sorted(entries, key=lambda e: e.name)

    def check(self, secret: str) -> Holder | None:
        """The holder of ``secret``, or None when it is malformed, unknown or revoked.

        The SHA-256 of ``secret`` is compared with every stored hash in constant time."""
        if not isinstance(secret, str) or not _TOKEN.match(secret):
            return None
        presented = _digest(secret).encode("ascii")
        found: Holder | None = None
        for record in self._records():
            if hmac.compare_digest(presented, record["sha256"].encode("ascii")):
                found = Holder(record["name"], record["role"])
        return found

    def digest_of(self, secret: str) -> str | None:
        """The SHA-256 (hex) of a valid token, what a browser's sign-in keeps instead of
        the token; None when the token is malformed, unknown or revoked."""
        return _digest(secret) if self.check(secret) is not None else None

    def holder_of_digest(self, digest: str) -> Holder | None:
        """The holder of the token whose SHA-256 is ``digest``, or None once it is
        revoked (a browser's sign-in ends with its token)."""
        if not isinstance(digest, str) or not _HASH.match(digest):
            return None
        presented = digest.encode("ascii")
        found: Holder | None = None
        for record in self._records():
            if hmac.compare_digest(presented, record["sha256"].encode("ascii")):
                found = Holder(record["name"], record["role"])
        return found

    # ---- changing -----------------------------------------------------------------

    def add(self, name: str, role: str) -> str:
        """Make a token for ``name`` with ``role`` and return it: it is stored only as
        its hash, so this is the one time it can be shown."""
        if not isinstance(name, str) or not _NAME.match(name):
            raise InputError(
                f"{name!r} is not a valid token name: 1 to 64 letters, digits, '.', '_' "
                "or '-', starting with a letter or a digit"
            )
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}: a token's role is one of {', '.join(ROLES)}")
        secret = PREFIX + secrets.token_urlsafe(32)
        with self._changing() as records:
            if any(r["name"] == name for r in records):
                raise InputError(
                    f"a token named {name!r} exists already; revoke it first "
                    f"(`scholargate token revoke {name}`) or choose another name"
                )
            records.append(
                {"name": name, "role": role, "created": _now(), "sha256": _digest(secret)}
            )
        return secret

    def revoke(self, name: str) -> None:
        """Remove ``name``'s token; it is refused from the next request on."""
        with self._changing() as records:
            kept = [r for r in records if r["name"] != name]
            if len(kept) == len(records):
                raise NotFoundError(
                    f"no token named {name!r} in {self.path}; `scholargate token list` "
                    "shows the tokens"
                )
            records[:] = kept

    @contextmanager
    def _changing(self) -> Iterator[builtins.list[dict[str, str]]]:
        """The records as they are now, under the lock; written back when the block
        ends without an error."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            records = list(self._read())
            yield records
            self._write(records)
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _write(self, records: builtins.list[dict[str, str]]) -> None:
        data = json.dumps({"version": _VERSION, "tokens": records}, indent=2) + "\n"
        # mkstemp makes the file with mode 0600, and os.replace keeps that mode
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        fsync_folder(self.path.parent)  # the rename itself survives a crash
