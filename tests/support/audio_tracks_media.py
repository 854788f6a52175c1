"""Files with two audio streams of different tones and languages, made by
the ffmpeg CLI from an ordinary test file (cached like the other media)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.media import _atomic_build, _key, cache_dir, make_av_file

__all__ = ["TRACK_TONES", "make_two_audio_tracks"]

#: the dominant frequency of track 0 (English) and track 1 (French commentary)
TRACK_TONES = (440.0, 1000.0)


def make_two_audio_tracks(
    container: str = "mkv", *, seconds: float = 8.0, default: int | None = 0
) -> Path:
    """Video and two AAC tracks: 0 is a 440 Hz tone in English titled "Main",
    1 a 1 kHz tone in French titled "Commentary". ``default``: the stream with
    the default disposition (None: neither)."""
    base = make_av_file(seconds=seconds, width=320, height=240, fps=25, container="mkv")
    params = {"c": container, "s": seconds, "d": default, "kind": "two-audio"}
    target = cache_dir() / f"two_audio_{_key(params)}.{container}"
    fmt = {"mkv": "matroska", "mp4": "mp4"}[container]

    def build(tmp: Path) -> None:
        dispositions = []
        for n in (0, 1):
            dispositions += [f"-disposition:a:{n}", "default" if n == default else "0"]
        sines = []
        for tone in TRACK_TONES:
            sine = f"sine=frequency={tone:g}:sample_rate=48000:duration={seconds:g}"
            sines += ["-f", "lavfi", "-i", sine]
        subprocess.run(
            [
                "ffmpeg", "-v", "error", "-y", "-i", str(base), *sines,
                "-map", "0:v", "-map", "1:a", "-map", "2:a",
                "-c:v", "copy", "-c:a", "aac", "-b:a", "96k", "-ac", "2",
                "-metadata:s:a:0", "language=eng", "-metadata:s:a:0", "title=Main",
                "-metadata:s:a:1", "language=fre", "-metadata:s:a:1", "title=Commentary",
                *dispositions, "-f", fmt, str(tmp),
            ],
            check=True,
            timeout=120,
        )  # fmt: skip

    return _atomic_build(target, build)
