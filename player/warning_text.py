"""What every warning says: a closed set of warning codes (a bad segment
skipped, a slow one, a variant given up, a redundant copy used, ...), each
with one English template, filled with the warning's parameters.

As for errors (``error_text``), the templates are the source texts of the
UI's translations (Qt Linguist context ``WarningText``), marked for
``pyside6-lupdate`` with a plain ``QT_TRANSLATE_NOOP`` (the engine never
imports Qt). A code's value is what reports and the timeline name it by.
Parameters are text the engine already wrote (a number, a URL, another
library's reason), so a translation keeps them as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Protocol

from .error_text import fields, render_template

__all__ = ["CONTEXT", "TEMPLATES", "Warn", "WarningCode", "render"]

# the translation context of the templates
CONTEXT = "WarningText"


# The name is the one lupdate reads.
def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks ``text`` for translation in ``context``; returns it unchanged."""
    return text


class WarningCode(enum.StrEnum):
    """Every warning the engine raises, by what happened (the report's ``code``)."""

    # a segment's troubles
    SEGMENT_RESUMED = "segment-resumed"
    SEGMENT_SKIPPED = "segment-skipped"
    AUDIO_SEGMENT_SKIPPED = "audio-segment-skipped"
    SLOW_SEGMENT = "slow-segment"
    BAD_SEGMENT = "bad-segment"
    # variants and copies
    VARIANT_FAILED = "variant-failed"
    REDUNDANT_FAILOVER = "redundant-failover"
    # live
    LIVE_REJOIN = "live-rejoin"
    PRELOAD_HINT_FAILED = "preload-hint-failed"
    # tracks
    AUDIO_TRACK_FAILED = "audio-track-failed"
    SUBTITLES_FAILED = "subtitles-failed"
    SUBTITLE_TRACK_FAILED = "subtitle-track-failed"
    NO_SUCH_AUDIO_TRACK = "no-such-audio-track"
    NO_SUCH_SUBTITLE_TRACK = "no-such-subtitle-track"
    SUBTITLE_FILE = "subtitle-file"
    # what was asked for on the command line
    NO_VARIANTS = "no-variants"
    ABR_POLICY_UNUSED = "abr-policy-unused"
    # security
    KEY_OVER_HTTP = "key-over-http"
    # this computer
    HWDEC_FALLBACK = "hwdec-fallback"
    NO_AUDIO_OUTPUT = "no-audio-output"


TEMPLATES: Mapping[WarningCode, str] = {
    WarningCode.SEGMENT_RESUMED: QT_TRANSLATE_NOOP(
        "WarningText", "{url} broke off after {bytes} bytes ({reason}); asking for the rest"
    ),
    WarningCode.SEGMENT_SKIPPED: QT_TRANSLATE_NOOP(
        "WarningText",
        "segment {sequence} skipped after it failed on every variant ({reason}); playback goes "
        "on past a {duration} s gap",
    ),
    WarningCode.AUDIO_SEGMENT_SKIPPED: QT_TRANSLATE_NOOP(
        "WarningText",
        "audio segment {sequence} skipped after it failed ({reason}); the audio has a "
        "{duration} s gap",
    ),
    WarningCode.SLOW_SEGMENT: QT_TRANSLATE_NOOP(
        "WarningText", "buffering: segment {sequence} downloading at {rate} kB/s"
    ),
    WarningCode.BAD_SEGMENT: QT_TRANSLATE_NOOP(
        "WarningText", "a damaged segment was skipped ({reason}); playback goes on after it"
    ),
    WarningCode.VARIANT_FAILED: QT_TRANSLATE_NOOP(
        "WarningText", "variant {variant} failed ({reason}); trying variant {target}"
    ),
    WarningCode.REDUNDANT_FAILOVER: QT_TRANSLATE_NOOP(
        "WarningText", "variant {variant} failed ({reason}); trying its backup {url}"
    ),
    WarningCode.LIVE_REJOIN: QT_TRANSLATE_NOOP("WarningText", "rejoined the live edge: {reason}"),
    WarningCode.PRELOAD_HINT_FAILED: QT_TRANSLATE_NOOP(
        "WarningText", "preload hints disabled ({reason}); parts are fetched once listed"
    ),
    WarningCode.AUDIO_TRACK_FAILED: QT_TRANSLATE_NOOP(
        "WarningText", "audio track {track} is unavailable: {reason}"
    ),
    WarningCode.SUBTITLES_FAILED: QT_TRANSLATE_NOOP(
        "WarningText", "subtitles could not be loaded: {reason}"
    ),
    WarningCode.SUBTITLE_TRACK_FAILED: QT_TRANSLATE_NOOP(
        "WarningText", "subtitle track {track} is unavailable: {reason}"
    ),
    WarningCode.NO_SUCH_AUDIO_TRACK: QT_TRANSLATE_NOOP(
        "WarningText", "there is no audio track {number} (it has {count}); playing the default one"
    ),
    WarningCode.NO_SUCH_SUBTITLE_TRACK: QT_TRANSLATE_NOOP(
        "WarningText", "there is no subtitle track {number} (it has {count}); subtitles are off"
    ),
    WarningCode.SUBTITLE_FILE: QT_TRANSLATE_NOOP(
        "WarningText", "cannot use the subtitle file {path}: {reason}"
    ),
    WarningCode.NO_VARIANTS: QT_TRANSLATE_NOOP(
        "WarningText",
        "this stream has no variants to choose from (only HLS has them); it plays as it is",
    ),
    WarningCode.ABR_POLICY_UNUSED: QT_TRANSLATE_NOOP(
        "WarningText",
        "the ABR policy {policy} is not used: ABR applies to HLS only, and this stream is "
        "{protocol}; it plays as it is",
    ),
    WarningCode.KEY_OVER_HTTP: QT_TRANSLATE_NOOP(
        "WarningText", "AES-128 key fetched over plain HTTP: {url}"
    ),
    WarningCode.HWDEC_FALLBACK: QT_TRANSLATE_NOOP(
        "WarningText", "Hardware decoding is not available ({reason}); decoding in software."
    ),
    WarningCode.NO_AUDIO_OUTPUT: QT_TRANSLATE_NOOP(
        "WarningText", "No audio: {reason}. Video plays on its own."
    ),
}


class Warn(Protocol):
    """How a part of the engine raises a warning: its code and the
    template's parameters (each turned into text)."""

    def __call__(self, code: WarningCode, /, **params: object) -> None: ...


def render(code: WarningCode, params: Mapping[str, str], template: str | None = None) -> str:
    """``code``'s template (or a translation of it) filled with ``params``;
    a field without a value reads as an ellipsis rather than failing."""
    return render_template(TEMPLATES[code] if template is None else template, params)


def needs(code: WarningCode) -> set[str]:
    """The parameters ``code``'s template names."""
    return fields(TEMPLATES[code])
