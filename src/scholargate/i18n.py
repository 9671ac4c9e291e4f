"""Interface strings in en, fa and tr, and the language fallback chain."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from .namespaces import LANGUAGES

RTL = frozenset({"fa", "ar", "he", "ur"})
NAMES = {"en": "English", "fa": "فارسی", "tr": "Türkçe"}


@cache
def _strings(lang: str) -> dict[str, str]:
    text = resources.files("scholargate").joinpath("i18n", f"{lang}.json").read_text("utf-8")
    return json.loads(text)


def fallback_chain(lang: str) -> tuple[str, ...]:
    """The languages to try for a label, best first: the asked one, English, then any ("")."""
    chain = [lang] if lang else []
    if "en" not in chain:
        chain.append("en")
    return (*chain, "")


def t(key: str, lang: str, **values: object) -> str:
    """The interface string ``key`` in ``lang`` (English when missing), formatted."""
    for candidate in (lang, "en"):
        if candidate in LANGUAGES:
            text = _strings(candidate).get(key)
            if text is not None:
                return text.format(**values) if values else text
    raise KeyError(f"no interface string {key!r}")


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"
