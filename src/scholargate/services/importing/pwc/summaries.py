"""A plain-text English summary from a record's description: its first paragraph.

The dump's descriptions are Markdown with LaTeX between dollar signs. The Markdown is
parsed by markdown-it-py (with mdit-py-plugins' dollar-math rule, so a formula is one
token, not Markdown emphasis), links keep their text, images and HTML are dropped, and
each formula becomes Unicode text through pylatexenc (``\\beta_{2}`` → ``β_2``).
"""

from __future__ import annotations

import re
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from pylatexenc.latex2text import LatexNodes2Text

# Papers with Code escapes the Markdown in its LaTeX: ``C\_{k}``, ``x\*``
_ESCAPED = re.compile(r"\\([_*])")
_MATH = ("math_inline", "math_inline_double")
# LaTeX outside dollar signs: a citation key says nothing to a reader; other commands
# (\begin{equation}, \alpha) are turned into text like a formula
_CITE = re.compile(r"\s*\\cite[pt]?\{[^}]*\}")
_COMMAND = re.compile(r"\\[A-Za-z]")
# a link written inside a link's brackets ("[[ViT](url)](url)") leaves "[ViT](url)" as text
_LEFT_LINK = re.compile(r"\[([^\[\]]*)\]\([^)\s]*\)")


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").use(dollarmath_plugin, allow_space=True, allow_digits=True)


@cache
def _latex() -> LatexNodes2Text:
    return LatexNodes2Text(math_mode="text", strict_latex_spaces="based-on-source")


def latex_text(formula: str) -> str:
    """A LaTeX formula as Unicode text.

    >>> latex_text(r"v_{t} = \\max\\left(\\beta_{2}v_{t-1}, |g_{t}|\\right)")
    'v_t = max(β_2v_t-1, |g_t|)'
    """
    try:
        text = _latex().latex_to_text(_ESCAPED.sub(r"\1", formula))
    except Exception:  # noqa: BLE001 - pylatexenc's parser raises several kinds
        text = formula
    return " ".join(text.replace("$", "").split())  # dollar signs the parser left


def _plain(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type == "text":
            text = _CITE.sub("", child.content).replace("**", "")  # ** left unclosed
            parts.append(latex_text(text) if _COMMAND.search(text) else text)
        elif child.type == "code_inline":
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type in _MATH:
            parts.append(latex_text(child.content))
        # images, inline HTML and link/emphasis markers add no text of their own
    return " ".join(_LEFT_LINK.sub(r"\1", "".join(parts)).split())


def summary_of(description: str) -> str:
    """The first paragraph of ``description`` with some text in it, as plain text, or ''.

    >>> summary_of("**SwaV**, or [Swapping](https://x.org), is $\\\\alpha$.\\r\\n\\r\\nMore.")
    'SwaV, or Swapping, is α.'
    """
    if not description.strip():
        return ""
    tokens = _markdown().parse(description)
    for token, following in zip(tokens, tokens[1:], strict=False):
        if token.type == "paragraph_open" and following.type == "inline":
            text = _plain(following.children or [])
            if text:
                return text
    return ""
