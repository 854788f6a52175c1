"""The log file for installed users: rotating, in the platform's log folder,
credentials masked like everywhere else (player.redact)."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from .redact import install_log_redaction

__all__ = ["LOG_NAME", "install_file_log", "log_dir", "log_path"]

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


def install_file_log(level: int = logging.INFO, *, quiet: bool = False) -> Path | None:
    """Add the rotating file handler to the root logger; returns the file, or
    None (with one warning line on stderr, unless ``quiet`` because the caller
    has said so already) when the folder cannot be written, e.g. a read-only
    home: the app carries on without a log file."""
    # Here, not at the top: the window installs the log after its first paint,
    # and logging.handlers (sockets, pickle, queues) costs ~8 ms of the start.
    import logging.handlers

    path = log_path()
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
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
