"""Asking in batches: each kind of question split into ``VALUES`` batches of the
mapping's size, each batch answered from the checkpoint or else by the client.

:class:`Asker` also counts the batches (asked and kept) and remembers the template of
each kind of question asked, for the links graph's description.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from .answers import Term
from .checkpoint import Checkpoint
from .client import SparqlClient

Progress = Callable[[str, int, int], None]  # (question, batches done, batches in all)


class Asker:
    """Batches of one kind of question, through the checkpoint and the client."""

    def __init__(
        self,
        client: SparqlClient,
        checkpoint: Checkpoint,
        batch_size: int,
        progress: Progress | None,
    ) -> None:
        self.client, self.checkpoint = client, checkpoint
        self.batch_size = batch_size
        self.progress = progress
        self.templates: dict[str, str] = {}
        self.batches = self.reused = 0

    def ask(
        self, label: str, build: Callable[[Sequence[str]], str], values: Iterable[str]
    ) -> list[dict[str, Term]]:
        ordered = sorted(set(values))
        if ordered:  # the metadata names the questions that were asked
            self.templates.setdefault(label, build([]))
        chunks = [ordered[i : i + self.batch_size] for i in range(0, len(ordered), self.batch_size)]
        rows: list[dict[str, Term]] = []
        for done, chunk in enumerate(chunks, start=1):
            query = build(chunk)
            results = self.checkpoint.get(self.client.endpoint, query)
            if results is None:
                results = self.client.select(query)
                self.checkpoint.put(self.client.endpoint, query, results)
            else:
                self.reused += 1
            self.batches += 1
            rows += results.rows
            if self.progress:
                self.progress(label, done, len(chunks))
        return rows
