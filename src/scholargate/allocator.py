"""jemalloc for ``scholargate serve``.

Oxigraph's on-disk store makes a RocksDB iterator, with an arena of its own, for every
triple pattern it looks up; glibc's allocator spends about a quarter of a comparison
query's time on those (measured with ``perf`` on 100,000 methods), jemalloc far less.
An allocator must be chosen before a process starts, so ``serve`` starts itself again
with jemalloc in ``LD_PRELOAD``; the HTTP workers (forked) and the query processes
(started by the workers) inherit it.
"""

from __future__ import annotations

import ctypes.util
import os
import sys
from pathlib import Path

from .errors import InputError

CHOICES = ("auto", "jemalloc", "system")
_MARK = "SCHOLARGATE_ALLOCATOR_CHOSEN"  # set before the restart, so it happens once


def find_jemalloc() -> str | None:
    """The jemalloc library's name as the dynamic loader finds it, or None."""
    return ctypes.util.find_library("jemalloc")


def preloaded() -> bool:
    """Whether this process runs with jemalloc preloaded."""
    return "jemalloc" in os.environ.get("LD_PRELOAD", "")


def _is_the_command() -> bool:
    """Whether this process was started as the ``scholargate`` command (the console
    script, ``python -m scholargate`` or ``python -m scholargate.cli``), not as a
    program that calls it in-process, such as a test runner."""
    return Path(sys.argv[0]).name in ("scholargate", "__main__.py")


def restart_with(choice: str, *, script: bool = False) -> None:
    """Start this command again with jemalloc preloaded when ``choice`` asks for it and
    it is not preloaded yet; return when nothing is to be done. Never returns otherwise.
    Only on Linux (``LD_PRELOAD``), and only when this process is the command itself
    (or, with ``script``, a script of ours that asks for it: the benchmarks)."""
    choice = (choice or "auto").strip().lower()
    if choice not in CHOICES:
        raise InputError(f"ALLOCATOR is {choice!r}; use one of {', '.join(CHOICES)}")
    if choice == "system" or preloaded() or os.environ.get(_MARK):
        return
    if not (script or _is_the_command()):
        return
    if not sys.platform.startswith("linux"):
        if choice == "jemalloc":
            raise InputError("ALLOCATOR=jemalloc works on Linux only; use auto or system")
        return
    library = find_jemalloc()
    if library is None:
        if choice == "jemalloc":
            raise InputError(
                "ALLOCATOR is jemalloc but no jemalloc library is installed "
                "(on Debian: apt install libjemalloc2); or set SCHOLARGATE_ALLOCATOR=system"
            )
        return
    env = dict(os.environ)
    env["LD_PRELOAD"] = " ".join(filter(None, [library, env.get("LD_PRELOAD", "")]))
    env[_MARK] = "1"
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, sys.orig_argv, env)
