"""Interface strings in en, fa and tr, and the language fallback chain."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from babel.numbers import format_decimal

from .namespaces import LANGUAGES

RTL = frozenset({"fa", "ar", "he", "ur"})
NAMES = {"en": "English", "fa": "فارسی", "tr": "Türkçe"}
# Where CLDR's numbering system for a language has digits of its own: Babel writes the
# language's separators (Persian ٬ and ٫) but always Latin digits, so these replace them.
# Values of interface strings that are numbers used as names, never grouped (2019, 404).
_LABELS = frozenset({"year", "first", "last", "status", "from", "to"})
_DIGITS = {"fa": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")}


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
    """The interface string ``key`` in ``lang`` (English when missing), formatted; a
    whole number among ``values`` is written as ``lang`` writes numbers (:func:`number`),
    without thousands separators when it names a year or a status (``_LABELS``)."""
    for candidate in (lang, "en"):
        if candidate in LANGUAGES:
            text = _strings(candidate).get(key)
            if text is not None:
                if not values:
                    return text
                shown = {
                    k: number(v, lang, grouped=k not in _LABELS) if _whole(v) else v
                    for k, v in values.items()
                }
                return text.format(**shown)
    raise KeyError(f"no interface string {key!r}")


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def number(value: int | float, lang: str, *, grouped: bool = True) -> str:
    """``value`` as people read numbers in ``lang``: CLDR's separators (Babel) and, in
    Persian, Persian digits — ``number(40940, "fa")`` is ``۴۰٬۹۴۰``, ``"tr"`` gives
    ``40.940``, ``"en"`` ``40,940``. ``grouped=False`` for years and other labels."""
    locale = lang if lang in LANGUAGES else "en"
    text = format_decimal(value, locale=locale, group_separator=grouped, numbering_system="default")
    return text.translate(_DIGITS[locale]) if locale in _DIGITS else text


def direction(lang: str) -> str:
    return "rtl" if lang in RTL else "ltr"
