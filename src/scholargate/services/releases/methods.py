"""Which methods a release adds, changes and removes, read from the merge of two dumps.

A method is an IRI with ``rdf:type sg:Method`` (in any graph). The merge (``diff.py``)
gives the lines of both dumps in sorted order, so every line of one subject comes
together: :class:`MethodWatch` keeps one subject's counts at a time and, when the
subject changes, notes it if it is a method in either release. Added: a method only in
the new release; removed: only in the previous one; changed: in both, with a triple
having it as subject added or removed. Each comes with its English name (``skos:prefLabel``,
else ``rdfs:label``; the new release's, the previous one's for a removed method) and how
many of its triples were added and removed. Memory: one subject, and the methods noted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rdflib.namespace import RDF, RDFS, SKOS

from ...namespaces import SG
from .diff import BOTH, NEW, OLD

_TYPE_METHOD = f"<{RDF.type}> <{SG.Method}> ".encode()
_LABELS = tuple(f"<{p}> ".encode() for p in (SKOS.prefLabel, RDFS.label))  # best first
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


@dataclass(frozen=True)
class MethodChange:
    """One method a release adds, changes or removes."""

    iri: str
    label: str | None
    added: int  # triples with the method as subject, added
    removed: int  # and removed

    def as_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": self.label, "added": self.added, "removed": self.removed}


@dataclass
class MethodChanges:
    """What :class:`MethodWatch` found, each list in IRI order."""

    total: int = 0  # methods in the new release
    added: list[MethodChange] = field(default_factory=list)
    changed: list[MethodChange] = field(default_factory=list)
    removed: list[MethodChange] = field(default_factory=list)


class MethodWatch:
    """An observer for ``diff.write_delta``: call :meth:`finish` after the merge."""

    def __init__(self) -> None:
        self.found = MethodChanges()
        self._subject = b""
        self._reset()

    def _reset(self) -> None:
        self._typed = 0  # the sides holding ``rdf:type sg:Method`` for this subject
        self._added = 0
        self._removed = 0
        self._label: dict[int, tuple[int, str]] = {}  # side → (priority, label)

    def __call__(self, line: bytes, side: int) -> None:
        subject, _, rest = line.partition(b" ")
        if subject != self._subject:
            self._close()
            self._subject = subject
        if rest.startswith(_TYPE_METHOD):
            self._typed |= side
        if side == NEW:
            self._added += 1
        elif side == OLD:
            self._removed += 1
        for priority, predicate in enumerate(_LABELS):
            if rest.startswith(predicate):
                label = english(rest[len(predicate) :])
                if label is not None:
                    for one in (NEW, OLD):
                        if side & one and (
                            one not in self._label or priority < self._label[one][0]
                        ):
                            self._label[one] = (priority, label)
                break

    def finish(self) -> MethodChanges:
        self._close()
        self._subject = b""
        return self.found

    def _close(self) -> None:
        typed, subject = self._typed, self._subject
        if typed and subject.startswith(b"<") and subject.endswith(b">"):
            iri = subject[1:-1].decode("utf-8")
            if typed & NEW:
                self.found.total += 1
            side = NEW if typed & NEW else OLD
            label = self._label.get(side, self._label.get(BOTH ^ side, (0, None)))[1]
            change = MethodChange(iri, label, self._added, self._removed)
            if typed == NEW:
                self.found.added.append(change)
            elif typed == OLD:
                self.found.removed.append(change)
            elif self._added or self._removed:
                self.found.changed.append(change)
        self._reset()


def english(obj: bytes) -> str | None:
    """The text of an N-Quads object that is a literal tagged ``@en`` (or ``@en-…``)."""
    if not obj.startswith(b'"'):
        return None
    i = 1
    while True:
        j = obj.find(b'"', i)
        if j < 0:
            return None
        backslashes = 0
        while obj[j - 1 - backslashes] == 0x5C:  # a quote after an odd run of \ is escaped
            backslashes += 1
        if backslashes % 2 == 0:
            break
        i = j + 1
    tag = obj[j + 1 :]
    if not (tag.startswith(b"@en ") or tag.startswith(b"@en-")):
        return None
    return unescape(obj[1:j].decode("utf-8"))


def unescape(text: str) -> str:
    """An N-Triples string's escapes (``\\n``, ``\\"``, ``\\u00e9``, …) undone."""
    if "\\" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        short, long, char = match.groups()
        if short or long:
            return chr(int(short or long, 16))
        return _ECHAR.get(char, char)

    return _ESCAPE.sub(one, text)
