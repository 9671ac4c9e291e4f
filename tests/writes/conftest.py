"""Shared by the write tests: a fingerprint of everything a store holds."""

from __future__ import annotations

import hashlib
import io

from scholargate.formats import by_name
from scholargate.store import Store


def digest(store: Store) -> str:
    """SHA-256 of the store's quads, sorted: equal exactly when the stores hold the same
    quads (blank nodes by their labels)."""
    out = io.BytesIO()
    store.dump(by_name("nq"), out)
    lines = sorted(out.getvalue().splitlines())
    return hashlib.sha256(b"\n".join(lines)).hexdigest()
