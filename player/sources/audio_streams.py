"""A file's audio streams as tracks: which one plays first, what the menu
calls each, and the decoder's view of each (a ``StreamSpec``)."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import av.stream

from ..events import TrackInfo
from ..source_api import StreamSpec
from ..track_selection import TrackSelection

__all__ = ["audio_spec", "audio_track_infos", "default_audio"]

#: ISO 639-2 "undetermined": no language to show
_NO_LANGUAGE = {"", "und", "unk", "mis", "zxx"}


def _is_default(stream: Any) -> bool:
    return bool(stream.disposition & av.stream.Disposition.default)


def default_audio(streams: Sequence[Any]) -> int:
    """The track to play first: the first stream marked default, else the first."""
    return next((n for n, s in enumerate(streams) if _is_default(s)), 0)


def _metadata(stream: Any, key: str) -> str:
    value = stream.metadata.get(key, "") if stream.metadata else ""
    return str(value).strip()


def _handler(stream: Any) -> str:
    """MP4's handler name when a person wrote it (muxers write their own
    "SoundHandler", "Core Media Audio", "GPAC ISO Audio Handler")."""
    value = _metadata(stream, "handler_name")
    generic = ("handler", "core media", "soun")
    return "" if any(word in value.lower() for word in generic) else value


def audio_track_infos(streams: Sequence[Any], chosen: int) -> tuple[TrackInfo, ...]:
    """One ``TrackInfo`` per stream, in file order, named by its title (MKV),
    its name or handler (MP4), else its number; ``default`` marks ``chosen``."""
    tracks = []
    for n, stream in enumerate(streams):
        language = _metadata(stream, "language")
        name = _metadata(stream, "title") or _metadata(stream, "name") or _handler(stream)
        tracks.append(
            TrackInfo(
                index=n,
                kind="audio",
                name=name or f"Track {n + 1}",
                language=None if language.lower() in _NO_LANGUAGE else language,
                default=n == chosen,
                autoselect=True,
            )
        )
    return tuple(tracks)


def audio_spec(stream: Any, track: int, selection: TrackSelection | None) -> StreamSpec:
    acc = stream.codec_context

    def make_audio(acc: Any = acc) -> Any:
        return acc

    return StreamSpec(
        kind="audio",
        codec_name=acc.name,
        time_base=stream.time_base or Fraction(1, acc.sample_rate or 48000),
        make_decoder=make_audio,
        sample_rate=acc.sample_rate or 0,
        channels=acc.channels or 0,
        bit_rate=acc.bit_rate or None,
        track=track if selection is not None else None,
        selection=selection,
    )
