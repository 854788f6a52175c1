"""Typed events: the only way the engine talks to its users (UI, CLI, tests).

Events are frozen dataclasses delivered to subscribers from engine threads; a
subscriber must return quickly (the Qt bridge just queues a signal).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from .error_text import ErrorCode
from .redact import redact
from .stats import SessionStats
from .stream_info import AudioInfo, VideoInfo
from .warning_reasons import reason_for, words_of
from .warning_text import WarningCode, render

__all__ = [
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
]


class PlayerState(enum.Enum):
    IDLE = "idle"
    OPENING = "opening"
    BUFFERING = "buffering"
    PLAYING = "playing"
    PAUSED = "paused"
    ENDED = "ended"
    STOPPED = "stopped"
    ERROR = "error"


@dataclass(frozen=True)
class VariantInfo:
    """One rung of an HLS ladder, as the quality menu shows it."""

    index: int
    bandwidth: int
    width: int | None = None
    height: int | None = None
    codecs: str | None = None
    frame_rate: float | None = None
    name: str | None = None


@dataclass(frozen=True)
class TrackInfo:
    """An alternate audio or subtitle rendition (HLS EXT-X-MEDIA)."""

    index: int
    kind: str  # "audio" | "subtitles"
    name: str
    language: str | None = None
    default: bool = False
    autoselect: bool = False


@dataclass(frozen=True)
class MediaInfo:
    url: str  # redacted
    protocol: str  # file, http, https, rtsp, rtmp, hls
    container: str
    duration: float | None  # None for live
    is_live: bool
    seekable: bool
    video: VideoInfo | None
    audio: AudioInfo | None
    title: str = ""
    variants: tuple[VariantInfo, ...] = ()
    audio_tracks: tuple[TrackInfo, ...] = ()
    subtitle_tracks: tuple[TrackInfo, ...] = ()


@dataclass(frozen=True)
class Event:
    #: seconds since the session was opened, from the engine's clock
    t: float = field(default=0.0, kw_only=True)


@dataclass(frozen=True)
class StateChanged(Event):
    state: PlayerState
    previous: PlayerState


@dataclass(frozen=True)
class MediaOpened(Event):
    info: MediaInfo


@dataclass(frozen=True)
class TracksChanged(Event):
    info: MediaInfo


@dataclass(frozen=True)
class BufferingChanged(Event):
    buffering: bool
    #: media seconds queued ahead of the play position
    buffered: float
    #: 0..100 of the threshold needed to (re)start
    percent: float
    #: a stall after the first frame, as the report counts them (a refill
    #: after a jump to the live edge buffers without being one)
    rebuffer: bool


@dataclass(frozen=True)
class ErrorOccurred(Event):
    kind: str  # the family: network, file, format, decode, unsupported, security, ...
    message: str  # what happened and what to try, in English
    fatal: bool
    #: what happened, from a closed set: the UI translates ``code``'s template
    code: ErrorCode = ErrorCode.INTERNAL
    #: the template's fields (redacted)
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class WarningRaised(Event):
    #: what happened, from a closed set (``WarningCode``): the UI translates its template
    code: str
    #: the English words (the template filled in)
    message: str
    #: the template's fields (redacted); ``reason`` in English words
    params: tuple[tuple[str, str], ...] = ()
    #: why, when the template has a ``{reason}``: a ``ReasonCode`` (the UI
    #: translates its template) and its data fields
    reason_code: str = ""
    reason_params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, code: WarningCode, params: Mapping[str, object], t: float = 0.0) -> WarningRaised:
        """The warning ``code`` with its template's ``params`` (turned into
        text and redacted), the message filled in. A ``reason`` (an error,
        a ``Reason``, words) becomes a reason code with data fields."""
        text = {name: redact(str(value)) for name, value in params.items() if name != "reason"}
        reason_code = ""
        reason_params: tuple[tuple[str, str], ...] = ()
        if "reason" in params:
            why = reason_for(params["reason"])
            reason_code = why.code.value
            reason_params = tuple((k, redact(v)) for k, v in why.params.items())
            text["reason"] = redact(why.english())
        return cls(
            code=code,
            message=render(code, text),
            params=tuple(text.items()),
            reason_code=reason_code,
            reason_params=reason_params,
            t=t,
        )


@dataclass(frozen=True)
class Reconnecting(Event):
    attempt: int
    delay: float
    #: why, in English words (the log, the command line)
    reason: str
    #: the same as a ``ReasonCode`` and data fields, for the UI's language
    reason_code: str = ""
    reason_params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, attempt: int, delay: float, why: object, t: float = 0.0) -> Reconnecting:
        """``why`` (an error, a ``Reason``, words) kept as words and as a code."""
        reason = reason_for(why)
        return cls(
            attempt=attempt,
            delay=delay,
            reason=words_of(why),
            reason_code=reason.code.value,
            reason_params=tuple((k, redact(v)) for k, v in reason.params.items()),
            t=t,
        )


@dataclass(frozen=True)
class Reconnected(Event):
    attempt: int
    outage: float


@dataclass(frozen=True)
class SeekCompleted(Event):
    position: float


@dataclass(frozen=True)
class EndOfStream(Event):
    pass


@dataclass(frozen=True)
class VariantSwitched(Event):
    from_index: int | None
    to_index: int
    bandwidth: int
    estimate_bps: float
    buffer: float
    rule: str
    reason: str
    #: False while ``estimate_bps`` is the meter's default (nothing measured yet)
    estimate_measured: bool = True


@dataclass(frozen=True)
class StatsUpdated(Event):
    """A periodic snapshot (about 1 Hz) of the session's figures, as
    ``Player.stats()`` returns them (``stats.as_report()``: the JSON report)."""

    stats: SessionStats


@dataclass(frozen=True)
class SubtitleChanged(Event):
    """The subtitle text to show now (None: nothing). Timed by the engine."""

    text: str | None
