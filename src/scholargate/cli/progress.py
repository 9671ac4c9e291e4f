"""Progress of a long command (``build``, ``import``, ``link``) on standard error.

On a terminal: click's progress bar, redrawn in place, with the step's name beside it.
Anywhere else (a pipe, a log file, CI): plain lines, ``LABEL: DONE/TOTAL NAME`` — one per
step when there are at most :data:`EVERY_STEP` steps, else one per tenth, none before the
first step is done — so a log holds readable lines rather than carriage returns; or
nothing (``plain=False``: the store a command such as ``query`` builds on first use,
whose stderr is kept for its one-line error). Standard output keeps only the command's
result.
"""

from __future__ import annotations

import sys
from typing import IO, Any

import click

EVERY_STEP = 20  # up to this many steps, plain output names each one


class Progress:
    """One command's progress: call :meth:`update` with what is done so far; a new
    ``label`` (a new phase of the work) starts a new bar. Use it as a context manager,
    or :meth:`close` it, so that the last bar ends its line."""

    def __init__(
        self, *, file: IO[str] | None = None, tty: bool | None = None, plain: bool = True
    ) -> None:
        self.file = file if file is not None else sys.stderr
        self.tty = self.file.isatty() if tty is None else tty
        self.plain = plain  # False: nothing at all when not on a terminal
        self.label = ""
        self.bar: Any = None
        self.shown = 0  # plain output: the last tenth (or step) written

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, label: str, done: int, total: int, item: str = "") -> None:
        """``done`` of ``total`` steps of ``label`` are done; ``item`` names the last."""
        total = max(total, done, 0)
        if label != self.label or (self.bar is not None and self.bar.length != total):
            self.close()
            self.label = label
            if self.tty:
                self.bar = click.progressbar(
                    length=total or 1,
                    label=label,
                    file=self.file,
                    show_pos=True,
                    item_show_func=lambda name: name,
                )
                self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(max(0, done - self.bar.pos), current_item=item or None)
            return
        if not self.plain or done <= 0:  # a line says what is done: none before the first
            return
        mark = done if total <= EVERY_STEP else done * 10 // max(total, 1)
        if mark > self.shown:
            self.shown = mark
            named = f" {item}" if item else ""
            click.echo(f"{label}: {done}/{total}{named}", file=self.file)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
        self.shown = 0
        self.label = ""
