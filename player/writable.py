"""Whether the folders that hold what a user keeps (settings, resume
positions, the log) can be written, checked once at start-up so that a
read-only or broken home gives one clear line instead of a warning from each
part that later fails to save."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["unwritable"]


def _problem(folder: Path) -> str | None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".heureum-check-", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def unwritable(folders: Iterable[Path]) -> list[tuple[Path, str]]:
    """(folder, reason) for each folder that cannot be created or written,
    in the order given, each folder once."""
    seen: set[Path] = set()
    found = []
    for folder in folders:
        if folder in seen:
            continue
        seen.add(folder)
        reason = _problem(folder)
        if reason:
            found.append((folder, reason))
    return found
