"""Settings: defaults, then ``SCHOLARGATE_*`` environment variables, then a mapping.

Every setting is documented in the README's "Configuration" table (a test checks).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import InputError

# name: (default, type, description)
SETTINGS: dict[str, tuple[Any, type, str]] = {
    "ROOT": (
        None,
        Path,
        "Project folder holding ontology/, shapes/ and data/ (found from the "
        "working directory when unset).",
    ),
    "STORE": (
        None,
        Path,
        "On-disk Oxigraph store; rebuilt when a source file changes (default: ROOT/var/store).",
    ),
    "LANG": ("en", str, "Language when a request names none (en, fa or tr)."),
}


def _coerce(name: str, value: Any, kind: type) -> Any:
    if value is None or isinstance(value, kind):
        return value
    try:
        if kind is bool:
            return str(value).strip().lower() in ("1", "true", "yes", "on")
        return kind(value)
    except (TypeError, ValueError):
        raise InputError(f"setting {name} must be a {kind.__name__}, got {value!r}") from None


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The settings in force: defaults < environment < ``overrides``."""
    config: dict[str, Any] = {}
    overrides = dict(overrides or {})
    for name, (default, kind, _) in SETTINGS.items():
        value = default
        env = os.environ.get(f"SCHOLARGATE_{name}")
        if env is not None and env != "":
            value = env
        if name in overrides:
            value = overrides.pop(name)
        config[name] = _coerce(name, value, kind)
    config.update(overrides)  # extra keys (Flask's own, tests) pass through
    return config
