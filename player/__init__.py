"""Heureum's playback engine. Qt-free: runs headless (CLI, tests, benchmarks) and
under the desktop window alike."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import DEFAULT_CONFIG, OpenOptions, PlayerConfig
    from .errors import (
        DecodeError,
        ErrorCode,
        FileError,
        FormatError,
        NetworkError,
        PlayerError,
        PlaylistError,
        SecurityError,
        UnsupportedError,
    )
    from .events import (
        AudioInfo,
        BufferingChanged,
        EndOfStream,
        ErrorOccurred,
        Event,
        MediaInfo,
        MediaOpened,
        PlayerState,
        Reconnected,
        Reconnecting,
        SeekCompleted,
        StateChanged,
        StatsUpdated,
        SubtitleChanged,
        TrackInfo,
        TracksChanged,
        VariantInfo,
        VariantSwitched,
        VideoInfo,
        WarningRaised,
    )
    from .player import Player
    from .stats import SessionStats
    from .video_sink import NullVideoSink, VideoFrame, VideoSink
    from .warning_reasons import ReasonCode
    from .warning_text import WarningCode

# Eager: importing the submodule ``player.redact`` binds the package attribute
# ``redact`` to that module, which would shadow the function for good if it
# were exported lazily. It needs nothing heavier than ``re``.
from .redact import redact, redact_url

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_CONFIG",
    "AudioInfo",
    "BufferingChanged",
    "DecodeError",
    "EndOfStream",
    "ErrorCode",
    "ErrorOccurred",
    "Event",
    "FileError",
    "FormatError",
    "MediaInfo",
    "MediaOpened",
    "NetworkError",
    "NullVideoSink",
    "OpenOptions",
    "Player",
    "PlayerConfig",
    "PlayerError",
    "PlayerState",
    "PlaylistError",
    "ReasonCode",
    "Reconnected",
    "Reconnecting",
    "SecurityError",
    "SeekCompleted",
    "SessionStats",
    "StateChanged",
    "StatsUpdated",
    "SubtitleChanged",
    "TrackInfo",
    "TracksChanged",
    "UnsupportedError",
    "VariantInfo",
    "VariantSwitched",
    "VideoFrame",
    "VideoInfo",
    "VideoSink",
    "WarningCode",
    "WarningRaised",
    "__version__",
    "redact",
    "redact_url",
]

# Every import of a submodule (``player.cli``, ``player.hls.playlist``) runs
# this file first, and ``Player`` alone pulls in PyAV and the whole engine:
# the exports load on first use (PEP 562) so that only what a caller touches
# is paid for at start-up. Name -> submodule that defines it.
_LAZY: dict[str, str] = {
    **dict.fromkeys(("DEFAULT_CONFIG", "OpenOptions", "PlayerConfig"), "config"),
    **dict.fromkeys(
        (
            "DecodeError",
            "ErrorCode",
            "FileError",
            "FormatError",
            "NetworkError",
            "PlayerError",
            "PlaylistError",
            "SecurityError",
            "UnsupportedError",
        ),
        "errors",
    ),
    **dict.fromkeys(
        (
            "AudioInfo",
            "BufferingChanged",
            "EndOfStream",
            "ErrorOccurred",
            "Event",
            "MediaInfo",
            "MediaOpened",
            "PlayerState",
            "Reconnected",
            "Reconnecting",
            "SeekCompleted",
            "StateChanged",
            "StatsUpdated",
            "SubtitleChanged",
            "TrackInfo",
            "TracksChanged",
            "VariantInfo",
            "VariantSwitched",
            "VideoInfo",
            "WarningRaised",
        ),
        "events",
    ),
    "WarningCode": "warning_text",
    "ReasonCode": "warning_reasons",
    "Player": "player",
    "SessionStats": "stats",
    **dict.fromkeys(("NullVideoSink", "VideoFrame", "VideoSink"), "video_sink"),
}


# Hidden from type checkers: they would take a module ``__getattr__`` to mean
# that any name exists, and let ``from player import Typo`` through. They see
# the real imports above instead.
if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{module}", __name__), name)
        globals()[name] = value  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(globals()) | set(__all__))
