"""How a list of authors is written: the one "et al." rule.

A citation names every author while there are at most four and shortens five or more
to the first and "et al." — as the seed comparison page does ("Devlin, J., Chang, M.-W.,
Lee, K. & Toutanova, K. (2019)", "Vaswani, A. et al. (2017)"). The comparison's
citation cells and the resource page's citations (``resources.page.Work.cited_authors``,
which the template only prints) both write authors with :func:`author_list`; the
comparison's originators row, a table cell, uses the same rule with ``most=2`` ("Hu,
E. J. et al.; Lester, B. et al.").
"""

from __future__ import annotations

from collections.abc import Sequence

CITED_AUTHORS = 4  # a citation names up to four authors; five or more are "First et al."


def author_list(names: Sequence[str], *, most: int = CITED_AUTHORS) -> str:
    """``"A"``, ``"A & B"``, ``"A, B, C & D"`` while there are at most ``most`` names,
    else ``"A et al."``; ``""`` for no names."""
    if len(names) > most:
        return f"{names[0]} et al."
    if len(names) > 1:
        return ", ".join(names[:-1]) + " & " + names[-1]
    return names[0] if names else ""
