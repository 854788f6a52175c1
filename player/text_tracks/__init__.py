"""Subtitle tracks that come with a file rather than from an HLS playlist:
streams inside MKV/MP4 (SubRip, ASS/SSA, mov_text, WebVTT) and files beside
it or loaded by hand (.srt, .vtt, .ass/.ssa). Text only, timed by the engine
through ``TextTracks.text_at``."""

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
