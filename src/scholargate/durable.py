"""Files that survive a crash: what makes a rename or a new file itself durable."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_folder(folder: Path) -> None:
    """Make the entries of ``folder`` durable (a file created or renamed in it): after
    ``fsync`` of the file, the folder too, or a crash may lose the name."""
    fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
