"""What a stream is, as opened: its codec and format. The events' media
description (``MediaInfo``) and the stats' (``MediaStats``) both hold these."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AudioInfo", "VideoInfo"]


@dataclass(frozen=True)
class VideoInfo:
    codec: str
    width: int
    height: int
    fps: float | None
    pix_fmt: str | None
    bit_rate: int | None = None


@dataclass(frozen=True)
class AudioInfo:
    codec: str
    sample_rate: int
    channels: int
    bit_rate: int | None = None
