"""Media with subtitles, made by the ffmpeg CLI from a SubRip text: an MKV
with a SubRip stream and an MP4 with mov_text (cached like the other media)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support.media import _atomic_build, _key, cache_dir, make_av_file

__all__ = ["KOREAN_SRT", "SRT", "make_subtitled"]

SRT = (
    "1\n00:00:00,500 --> 00:00:01,800\nHello <i>world</i>\n\n"
    "2\n00:00:02,000 --> 00:00:03,500\nSecond line\nthat wraps\n"
)
KOREAN_SRT = "1\n00:00:00,500 --> 00:00:03,500\n안녕하세요\n"


def make_subtitled(container: str = "mkv", language: str = "eng") -> Path:
    """4 s of video and audio with the ``SRT`` cues as a text stream."""
    codec = {"mkv": "srt", "mp4": "mov_text"}[container]
    base = make_av_file(seconds=4.0, width=320, height=240, fps=25, container="mkv")
    target = cache_dir() / f"subtitled_{_key({'c': container, 'l': language})}.{container}"

    def build(tmp: Path) -> None:
        srt = tmp.with_suffix(".srt")
        srt.write_text(SRT, encoding="utf-8")
        try:
            subprocess.run(
                [
                    "ffmpeg", "-v", "error", "-y", "-i", str(base), "-i", str(srt),
                    "-map", "0", "-map", "1", "-c:v", "copy", "-c:a", "copy",
                    "-c:s", codec, "-metadata:s:s:0", f"language={language}",
                    "-f", "matroska" if container == "mkv" else "mp4", str(tmp),
                ],
                check=True,
                timeout=120,
            )  # fmt: skip
        finally:
            srt.unlink(missing_ok=True)

    return _atomic_build(target, build)
