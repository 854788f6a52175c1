"""The log file for installed users: rotating, in the platform's log folder,
credentials masked like everywhere else (player.redact)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from .redact import install_log_redaction

__all__ = ["LOG_NAME", "RotatingLog", "install_file_log", "log_dir", "log_path"]

LOG_NAME = "heureum.log"
MAX_BYTES = 1 << 20  # 1 MiB a file, 3 old ones kept: a few sessions of INFO lines
BACKUPS = 3


def log_dir() -> Path:
    """Where the log goes: ``HEUREUM_LOG_DIR`` if set; else the XDG state folder
    on Linux, ~/Library/Logs on macOS, %LOCALAPPDATA% on Windows (the folders
    platformdirs would name, without the dependency)."""
    override = os.environ.get("HEUREUM_LOG_DIR")
    if override:
        return Path(override)
    home = Path.home()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(home / "AppData" / "Local")
        return Path(base) / "Heureum" / "Logs"
    if sys.platform == "darwin":
        return home / "Library" / "Logs" / "Heureum"
    state = os.environ.get("XDG_STATE_HOME") or str(home / ".local" / "state")
    return Path(state) / "heureum" / "log"


def log_path() -> Path:
    return log_dir() / LOG_NAME


class RotatingLog(logging.FileHandler):
    """The log file, moved to ``.1`` (``.1`` to ``.2``, and so on, the
    oldest dropped) before a line would take it past ``max_bytes``. Ours, not
    logging.handlers': that module brings sockets, pickle and queues, 7 ms of
    the start-up between the window's first paint and the open (issue 13)."""

    def __init__(self, path: Path, max_bytes: int, backups: int) -> None:
        super().__init__(path, mode="a", encoding="utf-8")
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self._full(record):
                self._rotate()
        except Exception:  # logging never raises into the caller
            self.handleError(record)
            return
        super().emit(record)

    def _full(self, record: logging.LogRecord) -> bool:
        if self.max_bytes <= 0:
            return False
        if self.stream is None:
            self.stream = self._open()
        size = self.stream.tell()
        if size == 0:
            return False  # one line longer than the limit still goes in
        line = self.format(record) + self.terminator
        return size + len(line.encode("utf-8", "replace")) > self.max_bytes

    def _rotate(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        base = self.baseFilename
        for n in range(self.backups - 1, 0, -1):
            if os.path.exists(f"{base}.{n}"):
                os.replace(f"{base}.{n}", f"{base}.{n + 1}")
        if self.backups > 0:
            os.replace(base, f"{base}.1")
        else:
            os.truncate(base, 0)
        self.stream = self._open()


def install_file_log(level: int = logging.INFO, *, quiet: bool = False) -> Path | None:
    """Add the rotating file handler to the root logger; returns the file, or
    None (with one warning line on stderr, unless ``quiet`` because the caller
    has said so already) when the folder cannot be written, e.g. a read-only
    home: the app carries on without a log file."""
    path = log_path()
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, RotatingLog):
            return Path(handler.baseFilename)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingLog(path, MAX_BYTES, BACKUPS)
    except OSError as exc:
        if not quiet:
            print(f"heureum: warning: no log file ({exc.strerror or exc}: {path})", file=sys.stderr)
        return None
    handler.setLevel(level)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(threadName)s %(name)s %(levelname)s: %(message)s")
    )
    root.addHandler(handler)
    # The root's level gates every handler: lower it to what the file wants,
    # and keep the console handlers where they were.
    if root.level > level or root.level == logging.NOTSET:
        for other in root.handlers:
            if other is not handler and other.level == logging.NOTSET:
                other.setLevel(root.level or logging.WARNING)
        root.setLevel(level)
    install_log_redaction(root)
    logging.getLogger(__name__).info("log file opened: %s", path)
    return path
