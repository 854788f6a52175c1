"""Subtitle tracks that come with a file rather than from an HLS playlist:
streams inside MKV/MP4 (SubRip, ASS/SSA, mov_text, WebVTT) and files beside
it or loaded by hand (.srt, .vtt, .ass/.ssa). Text only, timed by the engine
through ``TextTracks.text_at``."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .formats import MAX_SUBTITLE_BYTES, load_subtitle_file, parse_ass, parse_srt
    from .sidecar import find_sidecars
    from .tracks import TextTrack, TextTracks

__all__ = [
    "MAX_SUBTITLE_BYTES",
    "TextTrack",
    "TextTracks",
    "find_sidecars",
    "load_subtitle_file",
    "parse_ass",
    "parse_srt",
]

# Every file's open lists its subtitles through ``tracks`` (and this file runs
# first); the parsers (``formats``, WebVTT's) wait for a track to parse, so the
# exports load on first use (PEP 562). Name -> submodule that defines it.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        ("MAX_SUBTITLE_BYTES", "load_subtitle_file", "parse_ass", "parse_srt"), "formats"
    ),
    "find_sidecars": "sidecar",
    **dict.fromkeys(("TextTrack", "TextTracks"), "tracks"),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # once: later lookups find it without this hook
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
