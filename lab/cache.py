"""Where the demos cache the media they make on first run."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir"]


def cache_dir() -> Path:
    """``$HEUREUM_CACHE_DIR``, else ``heureum`` in the user's cache directory."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(os.environ.get("HEUREUM_CACHE_DIR", str(Path(base) / "heureum")))
    path.mkdir(parents=True, exist_ok=True)
    return path
