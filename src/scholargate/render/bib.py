"""Works as BibTeX and as CSL-JSON.

BibTeX choices:

- Output is UTF-8 and keeps Unicode letters as they are (``Kaiser, Łukasz``): biber and
  the 8-bit-clean ``bibtex8``/``bibtexu`` read it, and LaTeX has read UTF-8 by default
  since 2018. Only the characters that are special to LaTeX are escaped
  (``& % $ # _ { } ~ ^ \\``).
- Titles keep their case and protect, in braces, the words a style must not lower-case:
  those with a capital after the first letter or with capitals and digits
  (``{LoRA}``, ``{BERT}``, ``{GPT-2}``).
- The entry type follows the venue (``services.citation.venue_kind``): ``@inproceedings``
  (booktitle), ``@article`` (journal), ``@misc`` for an arXiv preprint (``eprint``,
  ``archivePrefix = {arXiv}``), ``@techreport`` (institution) for a lab's report.
  Every work with an arXiv id carries ``eprint`` and ``archivePrefix``.
- Keys are Google-Scholar-like: first author's family name, year, first significant
  title word (``hu2022lora``); within one file a repeated key gets ``a``, ``b``, …
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from ..formats import Format
from ..namespaces import slugify
from ..services.citation import Person, Work

# The two citation formats. They are documents about works, not RDF, so they are not in
# formats.FORMATS (which drives RDF negotiation); they are built the same way.
BIBTEX = Format("bibtex", "application/x-bibtex", "bib", "data", "BibTeX")
CSL_JSON = Format(
    "csl-json", "application/vnd.citationstyles.csl+json", "csl.json", "data", "CSL-JSON"
)

_STOPWORDS = frozenset(
    "a an and are as at by for from in into is of on or the to with towards via".split()
)

_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX_SPECIALS))
_TOKEN = re.compile(r"\S+")
_CORE = re.compile(r"^([^\w]*)(.*?)([^\w]*)$", re.S)


def escape_latex(text: str) -> str:
    r"""``text`` with LaTeX's special characters escaped; other Unicode is kept.

    >>> escape_latex("R&D at 50% ~ $5")
    'R\\&D at 50\\% \\textasciitilde{} \\$5'
    """
    return _LATEX_RE.sub(lambda m: _LATEX_SPECIALS[m.group(0)], text)


def _needs_protection(word: str) -> bool:
    for part in re.split(r"[-/]", word):
        letters = [c for c in part if c.isalpha()]
        if any(c.isupper() for c in part[1:] if c.isalpha()):
            return True
        if letters and any(c.isupper() for c in letters) and any(c.isdigit() for c in part):
            return True
    return False


def protect_title(title: str) -> str:
    """The title escaped for LaTeX, with acronyms and mixed-case words in braces.

    >>> protect_title("LoRA: Low-Rank Adaptation of Large Language Models")
    '{LoRA}: Low-Rank Adaptation of Large Language Models'
    >>> protect_title("Language Models are Unsupervised Multitask Learners (GPT-2)")
    'Language Models are Unsupervised Multitask Learners ({GPT-2})'
    """

    def token(match: re.Match[str]) -> str:
        lead, core, tail = _CORE.match(match.group(0)).groups()  # type: ignore[union-attr]
        if core and _needs_protection(core):
            return f"{escape_latex(lead)}{{{escape_latex(core)}}}{escape_latex(tail)}"
        return escape_latex(match.group(0))

    return _TOKEN.sub(token, title)


def _alnum(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", slugify(text))


def citation_key(work: Work) -> str:
    """``hu2022lora``: first author's family name, year, first significant title word."""
    words = [_alnum(w) for w in re.split(r"[\s\-/:]+", work.title)]
    significant = [w for w in words if w and w not in _STOPWORDS and not w.isdigit()]
    word = significant[0] if significant else ""
    year = str(work.year) if work.year else ""
    if work.authors:
        first = work.authors[0]
        author = _alnum(first.family or first.name.split()[-1] if first.name else "")
        key = f"{author}{year}{word}"
    else:
        key = f"{word}{year}"
    return key or _alnum(work.slug) or "work"


def bibtex_name(person: Person) -> str:
    """``Family, Given``; a name known only whole goes in braces so BibTeX keeps it."""
    if person.family:
        family = escape_latex(person.family)
        if " " in person.family and not person.family[:1].islower():
            family = "{" + family + "}"  # "Al Rfou" is one family name, not "Rfou, Al"
        return f"{family}, {escape_latex(person.given)}" if person.given else family
    return "{" + escape_latex(person.name) + "}"


def _verbatim(text: str) -> str:
    """A URL or DOI as BibTeX needs it: unescaped, with braces percent-encoded."""
    return text.replace("{", "%7B").replace("}", "%7D")


def bibtex_entry(work: Work, key: str | None = None) -> str:
    """One BibTeX entry for ``work``."""
    key = key or citation_key(work)
    kind = work.kind
    fields: list[tuple[str, str]] = []
    if work.authors:
        fields.append(("author", " and ".join(bibtex_name(a) for a in work.authors)))
    fields.append(("title", protect_title(work.title)))
    entry_type = "misc"
    if kind == "conference":
        entry_type = "inproceedings"
        fields.append(("booktitle", escape_latex(work.venue or "")))
    elif kind == "journal":
        entry_type = "article"
        fields.append(("journal", escape_latex(work.venue or "")))
    elif kind == "report":
        entry_type = "techreport"
        fields.append(("institution", escape_latex(work.venue or "")))
    elif kind == "other" and work.venue:
        fields.append(("howpublished", escape_latex(work.venue)))
    if work.year:
        fields.append(("year", str(work.year)))
    if work.doi:
        fields.append(("doi", _verbatim(work.doi)))
    if work.arxiv_id:
        fields.append(("eprint", _verbatim(work.arxiv_id)))
        fields.append(("archivePrefix", "arXiv"))
    if work.link:
        fields.append(("url", _verbatim(work.link)))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body},\n}}\n"


def unique_keys(works: Iterable[Work]) -> list[tuple[Work, str]]:
    """Each work with its key; a key seen before gets ``a``, ``b``, … appended."""
    works = list(works)
    base = [citation_key(w) for w in works]
    repeated = {k for k in base if base.count(k) > 1}
    counters: dict[str, int] = {}
    keyed = []
    for work, key in zip(works, base, strict=True):
        if key in repeated:
            n = counters.get(key, 0)
            counters[key] = n + 1
            key = f"{key}{_letters(n)}"
        keyed.append((work, key))
    return keyed


def _letters(n: int) -> str:
    text = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def to_bibtex(works: Iterable[Work], *, comment: str | None = None) -> str:
    """A .bib file: an optional ``%`` comment, then one entry per work with its IRI above."""
    parts = []
    if comment:
        parts.append("".join(f"% {line}\n" for line in comment.splitlines()))
    for work, key in unique_keys(works):
        parts.append(f"% {work.iri}\n" + bibtex_entry(work, key))
    return "\n".join(parts)


# ---- CSL-JSON ---------------------------------------------------------------------------

_CSL_TYPE = {
    "conference": "paper-conference",
    "journal": "article-journal",
    "preprint": "article",
    "report": "report",
    "other": "article",
}


def csl_name(person: Person) -> dict[str, str]:
    if person.family:
        name = {"family": person.family}
        if person.given:
            name["given"] = person.given
        return name
    return {"literal": person.name}


def csl_item(work: Work, key: str | None = None) -> dict[str, Any]:
    """One CSL-JSON item (https://citeproc-js.readthedocs.io/en/latest/csl-json/markup.html)."""
    kind = work.kind
    item: dict[str, Any] = {
        "id": key or citation_key(work),
        "type": _CSL_TYPE[kind],
        "title": work.title,
    }
    if work.authors:
        item["author"] = [csl_name(a) for a in work.authors]
    if work.year:
        item["issued"] = {"date-parts": [[work.year]]}
    if kind in ("conference", "journal", "other") and work.venue:
        item["container-title"] = work.venue
    if kind == "report" and work.venue:
        item["publisher"] = work.venue
    if kind == "preprint":
        item["publisher"] = "arXiv"
        if work.arxiv_id:
            item["number"] = f"arXiv:{work.arxiv_id}"
    if work.doi:
        item["DOI"] = work.doi
    if work.link:
        item["URL"] = work.link
    if work.arxiv_id:
        item["note"] = f"arXiv:{work.arxiv_id}"
    item["source"] = "ScholarGate"
    return item


def to_csl(works: Iterable[Work]) -> list[dict[str, Any]]:
    """CSL-JSON: a list of items (the form citeproc, pandoc and Zotero read)."""
    return [csl_item(work, key) for work, key in unique_keys(works)]


def to_csl_json(works: Iterable[Work]) -> str:
    """:func:`to_csl` written as the ``.csl.json`` file: UTF-8 text, indented."""
    return json.dumps(to_csl(works), ensure_ascii=False, indent=2)
