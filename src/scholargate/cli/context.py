"""What every command shares: the settings, the store opened on first use, progress on
stderr, and errors turned into a message and an exit code."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from ..build import Place, discover, open_configured, place_of
from ..config import load_config
from ..errors import ScholarGateError
from ..store import Store
from .progress import Progress

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(command: F) -> F:
    """Turn a ScholarGateError into a one-line message on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ScholarGateError as error:
            click.echo(f"error: {error.message}", err=True)
            sys.exit(error.exit_code)

    return wrapper  # type: ignore[return-value]


class Context:
    """What every command shares: settings, and the store opened on first use."""

    def __init__(self, root: Path | None, store_path: str | Path | None, memory: bool) -> None:
        overrides: dict[str, Any] = {}
        if root is not None:
            overrides["ROOT"] = root
        if store_path is not None:
            overrides["STORE"] = store_path
        self.config = load_config(overrides)
        self.memory = memory
        self._store: Store | None = None
        self._seq = 0

    def settings(self, *, memory: bool) -> dict[str, Any]:
        """The settings with ``MEMORY`` as this command wants it (``--memory``, not
        ``SCHOLARGATE_MEMORY``, chooses for every command but ``serve``)."""
        return {**self.config, "MEMORY": memory}

    @property
    def place(self) -> Place:
        """The root, saved comparisons and on-disk store the settings name."""
        return place_of(self.settings(memory=False))

    @property
    def root(self) -> Path:
        return self.place.root

    @property
    def store_name(self) -> str:
        """The on-disk store's path, or the SPARQL server's URL."""
        place = self.place
        return place.url if place.url is not None else str(place.path)

    @property
    def saved_path(self) -> Path:
        """The saved comparisons, a source of the store as under `serve` (so that the
        two agree on when the store is up to date)."""
        return self.place.saved

    def store(self) -> Store:
        if self._store is None:
            if self.memory:
                title = "Building the graph in memory"
            else:
                title = f"Updating the store at {self.store_name}"
            with BuildProgress(title, self.place, plain=False) as step:
                opened = open_configured(self.settings(memory=self.memory), progress=step)
            self._store, self._seq = opened.store, opened.seq
        return self._store

    @property
    def journal_seq(self) -> int:
        """The last change journal entry the store holds (opening it if needed)."""
        self.store()
        return self._seq

    def close(self) -> None:
        """Close the store if a command opened it (its query processes stop, the on-disk
        store's lock is released)."""
        if self._store is not None:
            self._store.close()
            self._store = None


class BuildProgress:
    """The source files a build loads, on stderr (cli/progress.py: a bar on a terminal,
    a line per file otherwise, or nothing with ``plain=False``); nothing when the store
    is up to date and nothing loads."""

    def __init__(self, title: str, place: Place, *, plain: bool = True) -> None:
        self.title = title
        self.place = place
        self.done = 0
        self.total = 0
        self.progress = Progress(plain=plain)

    def __enter__(self) -> Callable[[str], None]:
        def step(name: str) -> None:
            if not self.total:  # counted when the first file loads: a build is under way
                self.total = len(discover(self.place.root, self.place.saved))
            self.progress.update(self.title, self.done, self.total, name)
            self.done += 1

        return step

    def __exit__(self, *exc: object) -> None:
        if self.done and exc[0] is None:
            self.progress.update(self.title, self.total, self.total, "")
        self.progress.close()


pass_context = click.make_pass_decorator(Context)
