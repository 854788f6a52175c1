"""Heureum's playback engine. Qt-free: runs headless (CLI, tests, benchmarks) and
under the desktop window alike."""

from __future__ import annotations

from .config import DEFAULT_CONFIG, OpenOptions, PlayerConfig
from .errors import (
    DecodeError,
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
from .redact import redact, redact_url
from .video_sink import NullVideoSink, VideoFrame, VideoSink

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_CONFIG",
    "AudioInfo",
    "BufferingChanged",
    "DecodeError",
    "EndOfStream",
    "ErrorOccurred",
    "Event",
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
    "Reconnected",
    "Reconnecting",
    "SecurityError",
    "SeekCompleted",
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
    "WarningRaised",
    "__version__",
    "redact",
    "redact_url",
]
