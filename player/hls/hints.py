"""LL-HLS preload hints whose byte range is open-ended.

``EXT-X-PRELOAD-HINT:TYPE=PART,URI=...,BYTERANGE-START=N`` without
BYTERANGE-LENGTH stands for the rest of the resource from byte N, as it is
produced (draft-pantos-hls-rfc8216bis §4.4.5.3): typically the segment being
written, its parts listed later as byte ranges of it. Pure: playlists in.
"""

from __future__ import annotations

from .playlist import MAX_BYTERANGE, MediaPlaylist, PreloadHint

__all__ = ["open_hint"]


def open_hint(pl: MediaPlaylist) -> tuple[int, int, PreloadHint] | None:
    """(sequence, part index, hint) of the playlist's open-ended PART hint:
    the part after the last one listed. None without one (a hint with a
    length is a whole part, see ``live.hint_position``)."""
    for h in pl.preload_hints:
        if h.type != "PART":
            continue
        start = h.byterange_start
        if start is None or h.byterange_length is not None or start > MAX_BYTERANGE:
            return None
        return pl.last_sequence + 1, len(pl.trailing_parts), h
    return None
