"""Deciding which candidate links are written, and which are conflicts.

The matching (``matching.py``) proposes candidates: one of ours → external entities →
the evidence for each. :class:`Decider` accepts a candidate only when the evidence names
one entity and nothing we hold contradicts it. Conflicts are reported and nothing is
written for them: one of ours matched to two entities (``one-to-many``), two of ours
matched to one entity (``many-to-one``), a link that contradicts an
``skos:exactMatch``/``owl:sameAs`` our other graphs state (``contradicts``), or an
entity another of ours already links to (``taken``). A work whose identifier disagrees
with the entity's (``identifier-disagrees``) is reported by the matching of works. Links
our other graphs already state are accepted as ``existing`` and not written again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from .ours import Ours
from .report import Conflict, Link, LinkReport


class Decider:
    """Candidates in, accepted links and conflicts out (see the module's docstring)."""

    def __init__(self, ours: Ours, report: LinkReport) -> None:
        self.ours, self.report = ours, report
        self.used: set[str] = set()  # items already linked to one of ours (any kind)

    def resolve(self, kind: str, candidates: dict[str, dict[str, set[str]]]) -> dict[str, Link]:
        claimed: dict[str, set[str]] = defaultdict(set)
        for subject, items in candidates.items():
            for item in items:
                claimed[item].add(subject)
        accepted: dict[str, Link] = {}
        reported: set[str] = set()
        for subject in sorted(candidates):
            items = candidates[subject]
            if len(items) > 1:
                self.conflict(kind, "one-to-many", [subject], items)
                continue
            (item,) = items
            if len(claimed[item]) > 1:
                if item not in reported:
                    reported.add(item)
                    self.conflict(kind, "many-to-one", claimed[item], [item])
                continue
            have = self.ours.existing.get(subject, set())
            if have and item not in have:
                self.conflict(
                    kind,
                    "contradicts",
                    [subject],
                    [item],
                    f"our data says {', '.join(sorted(have))}",
                )
                continue
            others = self.ours.existing_items.get(item, set()) - {subject}
            if others or item in self.used:
                self.conflict(
                    kind, "taken", [subject, *sorted(others)], [item], "already linked to another"
                )
                continue
            evidence = "; ".join(sorted(items[item]))
            accepted[subject] = Link(kind, subject, item, evidence, existing=item in have)
        self.used |= {link.item for link in accepted.values()}
        return accepted

    def conflict(
        self,
        kind: str,
        reason: str,
        subjects: Iterable[str],
        items: Iterable[str],
        detail: str = "",
    ) -> None:
        self.report.conflicts.append(
            Conflict(kind, reason, tuple(sorted(subjects)), tuple(sorted(items)), detail)
        )
