"""Where each video-on-demand file or URL was left (mpv's save-position-on-quit,
VLC's "continue playback"): a small JSON store beside the settings file.

Keys are SHA-256 digests of the URL, so a password in a URL never reaches the
disk; the file is replaced atomically, so a crash never leaves half of it."""

from __future__ import annotations

import importlib
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["MAX_ENTRIES", "ResumeStore", "resume_point"]

log = logging.getLogger(__name__)

MAX_ENTRIES = 200
#: too close to either end to be worth resuming (VLC skips these too): the
#: first 5 s, and the last 5 s or 5 % of the length, whichever is shorter
MIN_POSITION_S = 5.0
TAIL_S = 5.0
TAIL_SHARE = 0.05


def resume_point(position: float | None, duration: float | None) -> float | None:
    """The position worth keeping for a VOD stream, or None to forget it."""
    if position is None or duration is None or duration <= 0:
        return None
    if position < MIN_POSITION_S or position > duration - min(TAIL_S, duration * TAIL_SHARE):
        return None
    return round(position, 3)


def _sha256() -> Callable[[bytes], Any]:
    """SHA-256 from CPython's own module where there is one: ``hashlib``
    loads OpenSSL's libcrypto first (2.5-6 ms), and the key is read at the
    first open, between the window's first paint and the engine's open
    (issue 13). The digest is the same either way."""
    for name in ("_sha2", "_sha256"):  # 3.12 and later, 3.11
        module = sys.modules.get(name)
        if module is None:
            try:
                module = importlib.import_module(name)
            except ImportError:
                continue
        sha256 = getattr(module, "sha256", None)
        if callable(sha256):
            return sha256
    import hashlib

    return hashlib.sha256


def _key(url: str) -> str:
    # not at import: the window is shown before any position is asked for
    return str(_sha256()(url.encode("utf-8", "surrogatepass")).hexdigest())


class ResumeStore:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        # False when the folder cannot be written (said once at start-up).
        self.persist = True
        self._loaded: dict[str, dict[str, float]] | None = None

    @property
    def _entries(self) -> dict[str, dict[str, float]]:
        """Read on first use (the first open, after the window's first paint),
        not while the window is built: json and the file are off the start-up."""
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def _load(self) -> dict[str, dict[str, float]]:
        import json

        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            return {}
        except (OSError, ValueError) as exc:
            # A damaged store costs the saved positions, never the start-up.
            log.warning("resume positions unreadable (%s); starting afresh", exc)
            return {}
        entries: dict[str, dict[str, float]] = {}
        if isinstance(raw, dict):
            for key, value in raw.items():
                if isinstance(value, dict) and isinstance(value.get("position"), int | float):
                    entries[str(key)] = {
                        "position": float(value["position"]),
                        "saved": float(value.get("saved", 0.0)),
                    }
        return entries

    def get(self, url: str) -> float | None:
        entry = self._entries.get(_key(url))
        return None if entry is None else entry["position"]

    def remember(self, url: str, position: float | None, duration: float | None) -> None:
        point = resume_point(position, duration)
        key = _key(url)
        if point is None:
            if self._entries.pop(key, None) is not None:
                self._save()
            return
        self._entries[key] = {"position": point, "saved": time.time()}
        if len(self._entries) > MAX_ENTRIES:
            oldest = sorted(self._entries, key=lambda k: self._entries[k]["saved"])
            for stale in oldest[: len(self._entries) - MAX_ENTRIES]:
                del self._entries[stale]
        self._save()

    def forget(self, url: str) -> None:
        if self._entries.pop(_key(url), None) is not None:
            self._save()

    def _save(self) -> None:
        if not self.persist:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".resume-", dir=self.path.parent)
            import json

            try:
                with os.fdopen(fd, "w", encoding="utf-8") as f:
                    json.dump(self._entries, f, indent=0, sort_keys=True)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            # Once: a folder that fails now will fail at every position saved.
            log.warning("could not save resume positions: %s", exc)
            self.persist = False
