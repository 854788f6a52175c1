"""The lab's content: the built-in demo's ladder (``demo_hls``) and the same
pictures repackaged without re-encoding, so every protocol carries the same
content: HLS over MPEG-TS (the demo itself), HLS over fMP4, LL-HLS parts,
and a progressive MP4 (the 540p rung). Made with PyAV on first use and cached beside the
demo."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast, overload

import av

from .cache import cache_dir
from .demo_hls import AUDIO_BPS, FPS, LOOPS, RUNGS, SECONDS, SEGMENT, _build_cached, demo_root

__all__ = ["LL_PART", "LL_RUNGS", "LabMedia", "ensure_lab_media", "ll_parts"]

Progress = Callable[[float, str], None]

#: bump when what is made here changes: the cache is keyed by it
LAB_VERSION = 3
#: the demo rungs (indexes into ``RUNGS``) the LL-HLS origin publishes
LL_RUNGS = (1, 2)
#: LL-HLS part length; the demo has a keyframe every ``SEGMENT`` s
LL_PART = 0.5
#: how many times the LL-HLS origin's media repeats (it is produced in real
#: time, so this is how long the live stream lasts: 5 min)
LL_LOOPS = 5
#: the progressive file's rung (540p); RTSP and RTMP serve the same file
PROGRESSIVE_RUNG = 2
#: the progressive file repeats the demo's minute this many times (5 min), so
#: RTSP, which plays it once, lasts as long as LL-HLS
PROGRESSIVE_LOOPS = 5

_build_lock = threading.Lock()


@dataclass(frozen=True)
class LabMedia:
    #: ts/master.m3u8 (the demo's ladder), fmp4/master.m3u8, progressive.mp4,
    #: ll/v<i>/p<n>.ts
    root: Path


def _remux(src: Path, dst: str, fmt: str, options: dict[str, str], *, loops: int = 1) -> None:
    """Copy the audio and video packets of ``src`` into ``dst`` as ``fmt``,
    ``loops`` times one after the other (timestamps moved on by ``SECONDS``
    each time). MP4 muxers want AAC without ADTS headers (as TS carries it):
    the ``aac_adtstoasc`` filter takes them off."""
    from av.bitstream import BitStreamFilterContext

    to_asc = fmt != "segment"
    with av.open(dst, "w", format=fmt, options=options) as out:
        streams: dict[int, tuple[Any, Any]] = {}
        last: dict[int, int] = {}
        for loop in range(loops):
            with av.open(str(src)) as inp:
                for s in inp.streams:
                    if s.type not in ("video", "audio") or s.index in streams:
                        continue
                    target = out.add_stream_from_template(s)
                    bsf = None
                    if to_asc and s.type == "audio" and s.codec_context.name == "aac":
                        bsf = BitStreamFilterContext("aac_adtstoasc", s, target)
                        # the filter copies TS's stream type as the tag: MP4 picks its own
                        target.codec_tag = "\0\0\0\0"
                    streams[s.index] = (target, bsf)
                for packet in inp.demux():
                    entry = streams.get(packet.stream.index)
                    if entry is None or packet.dts is None or packet.time_base is None:
                        continue
                    shift = int(loop * SECONDS / packet.time_base)
                    packet.dts += shift
                    if packet.pts is not None:
                        packet.pts += shift
                    # the loop's audio ends a fraction of a frame off the video's
                    # end: a packet that would step back in time is left out
                    if packet.dts <= last.get(packet.stream.index, -(2**62)):
                        continue
                    last[packet.stream.index] = packet.dts
                    target, bsf = entry
                    for p in bsf.filter(packet) if bsf is not None else [packet]:
                        p.stream = target
                        out.mux(p)


def _playlist_entries(playlist: Path) -> list[tuple[str, float]]:
    entries: list[tuple[str, float]] = []
    pending: float | None = None
    for line in playlist.read_text(encoding="utf-8").splitlines():
        if line.startswith("#EXTINF:"):
            pending = float(line[8:].split(",")[0])
        elif line and not line.startswith("#") and pending is not None:
            entries.append((line, pending))
            pending = None
    return entries


def _make_fmp4(ts_root: Path, out: Path) -> None:
    """Each rung as fMP4 segments, looped like the TS ladder (a discontinuity
    between loops) so both play equally long."""
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for i, (w, h, bps) in enumerate(RUNGS):
        folder = out / f"r{i}"
        folder.mkdir(parents=True)
        _remux(
            ts_root / f"r{i}" / "once.m3u8",
            str(folder / "once.m3u8"),
            "hls",
            {
                "hls_time": str(SEGMENT),
                "hls_list_size": "0",
                "hls_playlist_type": "vod",
                "hls_segment_type": "fmp4",
                "hls_fmp4_init_filename": "init.mp4",
                "hls_segment_filename": str(folder / "s%03d.m4s"),
            },
        )
        entries = _playlist_entries(folder / "once.m3u8")
        target = max(round(d + 0.499) for _, d in entries)
        media = [
            "#EXTM3U",
            "#EXT-X-VERSION:7",
            f"#EXT-X-TARGETDURATION:{target}",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            '#EXT-X-MAP:URI="init.mp4"',
        ]
        for loop in range(LOOPS):
            if loop:
                media.append("#EXT-X-DISCONTINUITY")
            for name, duration in entries:
                media += [f"#EXTINF:{duration:.6f},", name]
        media.append("#EXT-X-ENDLIST")
        (folder / "index.m3u8").write_text("\n".join(media) + "\n", encoding="utf-8")
        peak = int((bps + AUDIO_BPS) * 1.2)
        lines += [
            f"#EXT-X-STREAM-INF:BANDWIDTH={peak},RESOLUTION={w}x{h},FRAME-RATE={FPS:.3f},"
            'CODECS="avc1.4d401f,mp4a.40.2"',
            f"r{i}/index.m3u8",
        ]
    (out / "master.m3u8").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _make_parts(ts_root: Path, out: Path) -> None:
    for j, rung in enumerate(LL_RUNGS):
        folder = out / f"v{j}"
        folder.mkdir(parents=True)
        _remux(
            ts_root / f"r{rung}" / "once.m3u8",
            str(folder / "p%04d.ts"),
            "segment",
            {
                "segment_format": "mpegts",
                "segment_time": str(LL_PART),
                "break_non_keyframes": "1",
                "reset_timestamps": "0",
            },
            loops=LL_LOOPS,
        )


def _build(ts_root: Path, out: Path, progress: Progress | None) -> None:
    _link_tree(ts_root, out / "ts")
    if progress is not None:
        progress(0.2, "Repackaging the lab's streams")
    _make_fmp4(ts_root, out / "fmp4")
    if progress is not None:
        progress(0.6, "Repackaging the lab's streams")
    _make_parts(ts_root, out / "ll")
    _remux(
        ts_root / f"r{PROGRESSIVE_RUNG}" / "once.m3u8",
        str(out / "progressive.mp4"),
        "mp4",
        {"movflags": "+faststart"},
        loops=PROGRESSIVE_LOOPS,
    )


def ensure_lab_media(progress: Progress | None = None) -> LabMedia:
    """The lab's content, made on first use (the demo's ladder first, if it
    is not cached either)."""
    ts_root = demo_root()
    if not (ts_root / "master.m3u8").exists():
        _build_cached(ts_root, progress)
    root = cache_dir() / f"lab-v{LAB_VERSION}"
    with _build_lock:
        if not (root / "progressive.mp4").exists():
            # built beside the cache and renamed into place: an interrupted
            # first run leaves nothing half-made
            scratch = Path(tempfile.mkdtemp(prefix=".lab-", dir=root.parent))
            try:
                _build(ts_root, scratch / "lab", progress)
                if root.exists():
                    shutil.rmtree(root)
                os.replace(scratch / "lab", root)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            for old in root.parent.glob("lab-v*"):
                if old != root and old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
    if progress is not None:
        progress(1.0, "Lab ready")
    return LabMedia(root)


class _PartFiles(Sequence[bytes]):
    """One variant's parts, read from disk when asked for (the LL-HLS
    origin indexes and slices them; minutes of media stay out of memory)."""

    def __init__(self, files: list[Path]) -> None:
        self._files = files

    def __len__(self) -> int:
        return len(self._files)

    @overload
    def __getitem__(self, i: int) -> bytes: ...
    @overload
    def __getitem__(self, i: slice) -> list[bytes]: ...
    def __getitem__(self, i: int | slice) -> bytes | list[bytes]:
        if isinstance(i, slice):
            return [f.read_bytes() for f in self._files[i]]
        return self._files[i].read_bytes()


def ll_parts(media: LabMedia) -> list[list[bytes]]:
    """The LL-HLS parts of every ``LL_RUNGS`` rung, the same count each
    (sequences read from disk on demand, typed as the origin wants them)."""
    files = [sorted((media.root / "ll" / f"v{j}").glob("p*.ts")) for j in range(len(LL_RUNGS))]
    n = min(len(f) for f in files)
    return [cast(list[bytes], _PartFiles(f[:n])) for f in files]


def _link_tree(src: Path, dst: Path) -> None:
    """``dst`` as a copy of ``src`` made of hard links where the file system
    allows (the TS ladder is tens of MB), copies where it does not."""
    for path in src.rglob("*"):
        target = dst / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copy2(path, target)
