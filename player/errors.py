"""One small error hierarchy. Messages say what happened and what to try."""

from __future__ import annotations

__all__ = [
    "DecodeError",
    "FormatError",
    "NetworkError",
    "PlayerError",
    "PlaylistError",
    "SecurityError",
    "UnsupportedError",
]


class PlayerError(Exception):
    """Base of every error the engine reports. ``str()`` is a message for a person."""

    #: short machine-readable kind, used in events and reports
    kind = "error"


class NetworkError(PlayerError):
    kind = "network"


class FormatError(PlayerError):
    kind = "format"


class DecodeError(PlayerError):
    kind = "decode"


class UnsupportedError(PlayerError):
    kind = "unsupported"


class SecurityError(PlayerError):
    kind = "security"


class PlaylistError(FormatError):
    """A playlist we refuse to play, with the reason and the 1-based line where known."""

    kind = "playlist"

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        where = f" (line {line})" if line is not None else ""
        super().__init__(f"Bad playlist{where}: {reason}")
