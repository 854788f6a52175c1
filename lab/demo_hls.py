"""The built-in ABR demo: a multivariant HLS ladder made with PyAV on first run
(cached), served on loopback by a server whose bandwidth follows a pattern, so
a new user sees the player switch down and back up within a minute.

Each rung is drawn straight into YUV 4:2:0 at its own size (no RGB
conversion, no scaling), shows its name, a clock and a border in its own
colour, so a switch is visible on screen; the audio is encoded once and the
same AAC packets go into every rung. ``SECONDS`` of media is encoded per rung
and the media playlists repeat it with discontinuities, which also exercises
the timeline re-basing.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import numpy.typing as npt

from .cache import cache_dir
from .origin import ThrottleServer

__all__ = [
    "DEMO_PATTERN",
    "RUNGS",
    "BandwidthPattern",
    "demo_bandwidth",
    "demo_root",
    "ensure_hls_demo",
    "make_hls_demo",
    "stop_demo_server",
]

Progress = Callable[[float, str], None]
Rungs = tuple[tuple[int, int, int], ...]
U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]

#: bump when the media or the playlists change: the cache is keyed by it
DEMO_VERSION = 3
#: (width, height, video bit rate) per rung, low to high
RUNGS: Rungs = (
    (416, 234, 300_000),
    (640, 360, 800_000),
    (960, 540, 1_600_000),
    (1280, 720, 3_000_000),
)
#: border colour per rung (RGB), so a switch is visible on screen (red → green)
_COLOURS = ((220, 40, 40), (240, 150, 30), (230, 220, 40), (40, 200, 80))
AUDIO_BPS = 96_000
AUDIO_RATE = 48_000
FPS = 24
SEGMENT = 2
SECONDS = 60
LOOPS = 10
SUBTITLE_SEGMENT = 6
#: (start, end, English, Korean) in seconds of each loop: tips, in two
#: WebVTT renditions (English on by default), so the Subtitles menu has
#: something to show
TIPS = (
    (1.0, 6.5, "Heureum ABR demo: four rungs, 234p to 720p",
     "Heureum ABR 데모: 234p부터 720p까지 네 단계"),
    (7.0, 13.5, "The border shows the rung:\nred 234p · orange 360p · yellow 540p · green 720p",
     "테두리 색이 화질 단계입니다:\n빨강 234p · 주황 360p · 노랑 540p · 초록 720p"),
    (14.0, 20.5, "Now and then the server squeezes the link:\n"
     "watch the player step down and climb back",
     "서버가 가끔 대역폭을 줄입니다:\n화질이 내려갔다 다시 올라가는 것을 보세요"),
    (21.0, 27.5, "Ctrl+B: the bitrate and buffer panel · I: statistics",
     "Ctrl+B: 비트레이트와 버퍼 패널 · I: 통계"),
    (28.0, 34.5, "Quality menu: lock a rung, or leave it on Auto",
     "화질 메뉴: 단계를 고정하거나 자동으로 두세요"),
    (35.0, 41.5, "File ▸ Export timeline: the session as JSON or CSV",
     "파일 ▸ 타임라인 내보내기: 세션을 JSON이나 CSV로"),
    (42.0, 48.5, "Subtitles menu: English, 한국어 or Off · F1: every key",
     "자막 메뉴: English, 한국어, 끄기 · F1: 모든 단축키"),
)  # fmt: skip


@dataclass(frozen=True)
class BandwidthPattern:
    """A piecewise-constant link: ``steps`` are (start s, bits per second)
    within a ``period``, repeating. Called with seconds since the server
    started, returns bytes per second (what ``ThrottleServer`` wants).
    ``time_scale`` < 1 plays the same pattern faster (tests)."""

    steps: tuple[tuple[float, float], ...]
    period: float
    time_scale: float = 1.0

    def bits_per_second(self, t: float) -> float:
        phase = (t / self.time_scale) % self.period
        rate = self.steps[0][1]
        for start, bps in self.steps:
            if phase >= start:
                rate = bps
        return rate

    def __call__(self, t: float) -> float:
        return self.bits_per_second(t) / 8

    def scaled(self, time_scale: float) -> BandwidthPattern:
        return BandwidthPattern(self.steps, self.period, time_scale)


#: Generous (the player climbs to the top rung), squeezed below the middle
#: rungs for 30 s while the buffer is still short (it steps down within
#: ~15 s), generous again (it climbs back before the first minute is over),
#: then a longer, milder squeeze against a full buffer, and again.
DEMO_PATTERN = BandwidthPattern(
    steps=((0.0, 12e6), (8.0, 0.7e6), (38.0, 12e6), (75.0, 1.2e6), (110.0, 12e6)),
    period=140.0,
)


def demo_bandwidth(t: float, *, time_scale: float = 1.0) -> float:
    """Bytes per second the demo server allows ``t`` seconds after it started."""
    return DEMO_PATTERN.scaled(time_scale)(t)


# ----------------------------------------------------------------------------- pictures

# 5x7 glyphs for the rung's name and the clock
_GLYPHS = {
    "0": ("01110", "10001", "10011", "10101", "11001", "10001", "01110"),
    "1": ("00100", "01100", "00100", "00100", "00100", "00100", "01110"),
    "2": ("01110", "10001", "00001", "00010", "00100", "01000", "11111"),
    "3": ("11111", "00010", "00100", "00010", "00001", "10001", "01110"),
    "4": ("00010", "00110", "01010", "10010", "11111", "00010", "00010"),
    "5": ("11111", "10000", "11110", "00001", "00001", "10001", "01110"),
    "6": ("00110", "01000", "10000", "11110", "10001", "10001", "01110"),
    "7": ("11111", "00001", "00010", "00100", "01000", "01000", "01000"),
    "8": ("01110", "10001", "10001", "01110", "10001", "10001", "01110"),
    "9": ("01110", "10001", "10001", "01111", "00001", "00010", "01100"),
    "p": ("00000", "00000", "11110", "10001", "11110", "10000", "10000"),
    ":": ("00000", "01100", "01100", "00000", "01100", "01100", "00000"),
    " ": ("00000",) * 7,
}


def _text_mask(text: str, scale: int) -> npt.NDArray[np.bool_]:
    cols = [np.array([[c == "1" for c in row] for row in _GLYPHS[ch]]) for ch in text]
    gap = np.zeros((7, 1), dtype=bool)
    joined = np.hstack([part for col in cols for part in (col, gap)][:-1])
    return np.kron(joined, np.ones((scale, scale), dtype=bool)).astype(bool)


def _yuv(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """BT.601 limited range, as x264 and the decoders assume for SD/HD here."""
    r, g, b = rgb
    y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255
    u = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255
    v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255
    return round(y), round(u), round(v)


class _Painter:
    """Draws frame ``i`` of one rung into a reusable YUV 4:2:0 buffer. The
    pattern is separable (1-D sines broadcast into the planes), so a 720p
    frame costs about a millisecond."""

    def __init__(self, width: int, height: int, colour: tuple[int, int, int]) -> None:
        self.w, self.h = width, height
        self.buf: U8 = np.empty((height * 3 // 2, width), dtype=np.uint8)
        self.y_plane = self.buf[:height]
        chroma = self.buf[height:].reshape(2, height // 2, width // 2)
        self.u_plane, self.v_plane = chroma[0], chroma[1]
        self.x = (np.arange(width) / width).astype(np.float32)
        self.y = (np.arange(height) / height).astype(np.float32)
        self.x2 = self.x[::2].copy()
        self.y2 = self.y[::2].copy()
        self.colour = _yuv(colour)
        self.edge = max(4, height // 45) & ~1
        self.scale = max(2, height // 90)
        self.label = _text_mask(f"{height}p", self.scale)
        r = height // 12
        yy, xx = np.mgrid[-r:r, -r:r]
        self.ball = (yy + 0.5) ** 2 + (xx + 0.5) ** 2 <= r * r
        self._clock: tuple[int, npt.NDArray[np.bool_]] | None = None

    def paint(self, i: int) -> U8:
        t = i / FPS
        w, h = self.w, self.h
        # Luma: two moving sine gratings, added as uint8 (each fits in 0..127).
        ax = (64 + 50 * np.sin(self.x * 7.0 + t * 1.5)).astype(np.uint8)
        by = (44 + 40 * np.sin(self.y * 5.0 - t * 1.1)).astype(np.uint8)
        np.add(by[:, None], ax[None, :], out=self.y_plane)
        # Chroma: a drifting diagonal band (sin(a - b) keeps it separable) and a
        # vertical wave.
        a = self.x2 * 6.0 + t * 0.8
        b = self.y2 * 6.0
        band = np.sin(a)[None, :] * np.cos(b)[:, None] - np.cos(a)[None, :] * np.sin(b)[:, None]
        self.u_plane[:] = 128 + 60 * band
        v = (60 * np.sin(self.y2 * 4.0 - t * 0.9))[:, None] + (20 * np.cos(self.x2 * 3.0))[None, :]
        self.v_plane[:] = 128 + v
        # A ball on a circle: smooth motion shows dropped frames at a glance.
        r = self.ball.shape[0] // 2
        cx = int(w * (0.5 + 0.3 * math.cos(t * 1.2)))
        cy = int(h * (0.5 + 0.3 * math.sin(t * 1.2)))
        self._fill(cy - r, cx - r, self.ball, (235, 128, 128))
        if i % FPS == 0:  # a white bar with each beep
            self._rect(int(h * 0.9), h, 0, w, (235, 128, 128))
        e = self.edge
        self._rect(0, e, 0, w, self.colour)
        self._rect(h - e, h, 0, w, self.colour)
        self._rect(0, h, 0, e, self.colour)
        self._rect(0, h, w - e, w, self.colour)
        # The rung's name and the media clock, white on a dark box.
        second = i // FPS
        if self._clock is None or self._clock[0] != second:
            self._clock = (second, _text_mask(f"{second // 60}:{second % 60:02d}", self.scale))
        pad = 2 * self.scale
        top, left = 2 * e, 2 * e
        for mask in (self.label, self._clock[1]):
            mh, mw = mask.shape
            self._rect(top - pad, top + mh + pad, left - pad, left + mw + pad, (16, 128, 128))
            self._fill(top, left, mask, (235, 128, 128))
            top += mh + 3 * pad
        return self.buf

    def _rect(self, y0: int, y1: int, x0: int, x1: int, yuv: tuple[int, int, int]) -> None:
        y0, x0 = max(0, y0) & ~1, max(0, x0) & ~1
        y1, x1 = min(self.h, y1), min(self.w, x1)
        self.y_plane[y0:y1, x0:x1] = yuv[0]
        self.u_plane[y0 // 2 : (y1 + 1) // 2, x0 // 2 : (x1 + 1) // 2] = yuv[1]
        self.v_plane[y0 // 2 : (y1 + 1) // 2, x0 // 2 : (x1 + 1) // 2] = yuv[2]

    def _fill(
        self, y0: int, x0: int, mask: npt.NDArray[np.bool_], yuv: tuple[int, int, int]
    ) -> None:
        """Paint ``mask`` with its top left at (y0, x0), clipped to the picture;
        chroma takes the 2x2-subsampled mask."""
        y0, x0 = y0 & ~1, x0 & ~1
        mh, mw = mask.shape
        ya, xa = max(0, -y0), max(0, -x0)
        yb, xb = min(mh, self.h - y0), min(mw, self.w - x0)
        if ya >= yb or xa >= xb:
            return
        m = mask[ya:yb, xa:xb]
        self.y_plane[y0 + ya : y0 + yb, x0 + xa : x0 + xb][m] = yuv[0]
        m2 = m[::2, ::2]
        cy, cx = (y0 + ya) // 2, (x0 + xa) // 2
        self.u_plane[cy : cy + m2.shape[0], cx : cx + m2.shape[1]][m2] = yuv[1]
        self.v_plane[cy : cy + m2.shape[0], cx : cx + m2.shape[1]][m2] = yuv[2]


def _tone(start: int, count: int, rate: int) -> npt.NDArray[np.float32]:
    n = np.arange(start, start + count)
    tone = 0.12 * np.sin(2 * np.pi * 330 * n / rate)
    beep = (n % rate) < rate // FPS
    tone = tone + beep * 0.35 * np.sin(2 * np.pi * 1000 * n / rate)
    return np.stack([tone, tone]).astype(np.float32)


# ----------------------------------------------------------------------------- encoding


def make_hls_demo(
    root: Path,
    *,
    seconds: int | None = None,
    loops: int | None = None,
    rungs: Rungs | None = None,
    preset: str = "ultrafast",
    progress: Progress | None = None,
) -> Path:
    """Encode the ladder into ``root`` (which must not exist yet, or be empty)
    and return the multivariant playlist's path. Unset arguments take the
    module's ``SECONDS``, ``LOOPS`` and ``RUNGS``. ``ultrafast`` keeps the
    first run near 25 s on two cores; the pictures are smooth, so it costs
    little quality at these rates."""
    seconds = SECONDS if seconds is None else seconds
    loops = LOOPS if loops is None else loops
    rungs = RUNGS if rungs is None else rungs
    root.mkdir(parents=True, exist_ok=True)
    outs: list[tuple[Any, Any, Any, _Painter]] = []
    try:
        for index, (w, h, bps) in enumerate(rungs):
            folder = root / f"r{index}"
            folder.mkdir()
            out = av.open(
                str(folder / "once.m3u8"),
                "w",
                format="hls",
                options={
                    "hls_time": str(SEGMENT),
                    "hls_list_size": "0",
                    "hls_playlist_type": "vod",
                    "hls_segment_filename": str(folder / "s%03d.ts"),
                },
            )
            vs = out.add_stream("libx264", rate=FPS)
            vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
            gop = str(FPS * SEGMENT)
            vs.options = {
                "preset": preset,
                "profile": "main",
                "g": gop,
                "keyint_min": gop,
                "sc_threshold": "0",
                "b": str(bps),
                "maxrate": str(int(bps * 1.1)),
                "bufsize": str(bps),
            }
            aus = out.add_stream("aac", rate=AUDIO_RATE)
            aus.layout = "stereo"
            aus.bit_rate = AUDIO_BPS
            outs.append((out, vs, aus, _Painter(w, h, _COLOURS[index % len(_COLOURS)])))
        total = seconds * FPS
        fifo = av.AudioFifo()
        sample = 0
        per_frame = AUDIO_RATE // FPS
        for i in range(total):
            pcm = av.AudioFrame.from_ndarray(
                _tone(sample, per_frame, AUDIO_RATE), format="fltp", layout="stereo"
            )
            pcm.sample_rate = AUDIO_RATE
            pcm.pts = sample
            pcm.time_base = Fraction(1, AUDIO_RATE)
            sample += per_frame
            fifo.write(pcm)
            while fifo.samples >= 1024:
                chunk = fifo.read(1024)
                if chunk is not None:
                    _mux_audio(outs, outs[0][2].encode(chunk))
            for out, vs, _aus, painter in outs:
                frame = av.VideoFrame.from_ndarray(painter.paint(i), format="yuv420p")
                frame.pts = i
                frame.time_base = Fraction(1, FPS)
                for packet in vs.encode(frame):
                    out.mux(packet)
            if progress is not None and i % FPS == 0:
                progress(0.98 * i / total, "Encoding the ABR demo")
        for out, vs, *_ in outs:
            for packet in vs.encode(None):
                out.mux(packet)
        _mux_audio(outs, outs[0][2].encode(None))
    finally:
        for out, *_ in outs:
            out.close()
    return _write_playlists(root, rungs, loops)


def _mux_audio(outs: list[tuple[Any, Any, Any, _Painter]], packets: list[Any]) -> None:
    """The audio is encoded once (by the first rung's stream); every other rung
    muxes a copy of the same AAC packets."""
    for packet in packets:
        for out, _vs, aus, _p in outs[1:]:
            copy = av.Packet(bytes(packet))
            copy.pts, copy.dts = packet.pts, packet.dts
            copy.duration, copy.time_base = packet.duration, packet.time_base
            copy.stream = aus
            out.mux(copy)
        outs[0][0].mux(packet)


def _write_playlists(root: Path, rungs: Rungs, loops: int) -> Path:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    loop_seconds = sum(_segment_durations(root / "r0" / "once.m3u8").values())
    for lang, name, default in (("en", "English", True), ("ko", "한국어", False)):
        _write_subtitles(root / "subs" / lang, 2 if lang == "en" else 3, loop_seconds, loops)
        lines.append(
            f'#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="{name}",LANGUAGE="{lang}",'
            f'DEFAULT={"YES" if default else "NO"},AUTOSELECT=YES,URI="subs/{lang}/index.m3u8"'
        )
    for index, (w, h, _bps) in enumerate(rungs):
        folder = root / f"r{index}"
        segments = sorted(folder.glob("s*.ts"))
        durations = _segment_durations(folder / "once.m3u8")
        total_bytes = sum(p.stat().st_size for p in segments)
        seconds = sum(durations.values()) or 1.0
        average = int(total_bytes * 8 / seconds)
        peak = max(int(p.stat().st_size * 8 / durations.get(p.name, SEGMENT)) for p in segments)
        _write_looped(
            folder / "index.m3u8",
            [(seg.name, durations.get(seg.name, SEGMENT)) for seg in segments],
            loops,
            math.ceil(max(durations.values())),
        )
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={peak},AVERAGE-BANDWIDTH={average},"
            f'RESOLUTION={w}x{h},FRAME-RATE={FPS:.3f},CODECS="avc1.4d401f,mp4a.40.2",'
            'SUBTITLES="subs"'
        )
        lines.append(f"r{index}/index.m3u8")
    master = root / "master.m3u8"
    master.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return master


def _vtt_time(t: float) -> str:
    ms = round(t * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _write_subtitles(folder: Path, column: int, loop_seconds: float, loops: int) -> None:
    """One WebVTT rendition: ``SUBTITLE_SEGMENT`` s segments covering one loop
    (cues in loop time: without X-TIMESTAMP-MAP they count from the start of
    their discontinuity domain), listed once per loop like the video."""
    folder.mkdir(parents=True)
    count = max(1, math.ceil(loop_seconds / SUBTITLE_SEGMENT - 1e-6))
    names = []
    for k in range(count):
        start = k * SUBTITLE_SEGMENT
        end = min(loop_seconds, start + SUBTITLE_SEGMENT)
        body = ["WEBVTT", ""]
        for tip in TIPS:
            a, b = float(tip[0]), min(float(tip[1]), loop_seconds)
            if a < end and b > start and a < b:  # a cue spanning two segments is in both
                body += [f"{_vtt_time(a)} --> {_vtt_time(b)}", str(tip[column]), ""]
        name = f"s{k:03d}.vtt"
        (folder / name).write_text("\n".join(body), encoding="utf-8")
        names.append((name, end - start))
    _write_looped(folder / "index.m3u8", names, loops, SUBTITLE_SEGMENT)


def _write_looped(
    path: Path, entries: list[tuple[str, float]], loops: int, target_duration: int
) -> None:
    """A VOD media playlist playing ``entries`` (name, seconds) ``loops`` times,
    a discontinuity between loops (each loop restarts its timestamps)."""
    media = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{target_duration}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        "#EXT-X-PLAYLIST-TYPE:VOD",
    ]
    for loop in range(loops):
        if loop:
            media.append("#EXT-X-DISCONTINUITY")
        for name, duration in entries:
            media += [f"#EXTINF:{duration:.6f},", name]
    media.append("#EXT-X-ENDLIST")
    path.write_text("\n".join(media) + "\n", encoding="utf-8")


def _segment_durations(playlist: Path) -> dict[str, float]:
    durations: dict[str, float] = {}
    pending: float | None = None
    for line in playlist.read_text().splitlines():
        if line.startswith("#EXTINF:"):
            pending = float(line[8:].split(",")[0])
        elif line and not line.startswith("#") and pending is not None:
            durations[line] = pending
            pending = None
    return durations


# ----------------------------------------------------------------------------- cache and server

_server: ThrottleServer | None = None
_server_lock = threading.Lock()
_build_lock = threading.Lock()


def demo_root() -> Path:
    """Where the ladder is cached (versioned: a new version is made afresh)."""
    return cache_dir() / f"hls-demo-v{DEMO_VERSION}"


def _build_cached(root: Path, progress: Progress | None, **spec: Any) -> None:
    """Build beside the cache and rename into place: an interrupted first run
    leaves no half-made demo behind (``master.m3u8`` is written last, and the
    folder only appears complete). Older versions are removed."""
    with _build_lock:
        if (root / "master.m3u8").exists():
            return
        scratch = Path(tempfile.mkdtemp(prefix=".hls-demo-", dir=root.parent))
        try:
            make_hls_demo(scratch / "ladder", progress=progress, **spec)
            if root.exists():
                shutil.rmtree(root)
            os.replace(scratch / "ladder", root)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        for old in root.parent.glob("hls-demo-v*"):
            if old != root and old.is_dir():
                shutil.rmtree(old, ignore_errors=True)


def ensure_hls_demo(
    progress: Progress | None = None,
    *,
    bandwidth: Callable[[float], float] | None = None,
    **spec: Any,
) -> str:
    """The demo's multivariant playlist URL on a loopback server, making the
    media first if it is not cached. The server is started once per process
    (a daemon thread) and serves ``bandwidth`` (bytes/s over seconds since it
    started; ``DEMO_PATTERN`` by default) until ``stop_demo_server``. ``spec``
    (``seconds``, ``loops``, ``rungs``, ``preset``) is for tests."""
    global _server
    root = demo_root()
    if not (root / "master.m3u8").exists():
        _build_cached(root, progress, **spec)
    if progress is not None:
        progress(1.0, "Demo ready")
    with _server_lock:
        if _server is None:
            _server = ThrottleServer(root, bandwidth=bandwidth or DEMO_PATTERN).start()
        return _server.url("master.m3u8")


def stop_demo_server() -> None:
    global _server
    with _server_lock:
        server, _server = _server, None
    if server is not None:
        server.stop()
