"""The built-in ABR demo: a multivariant HLS ladder made with PyAV on first run
(cached), served on loopback by a server whose bandwidth follows a pattern, so
a new user sees the player switch down and back up within a minute.

Only 12 s of media is encoded per rung; the media playlists repeat it with
discontinuities, which also exercises the timeline re-basing.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from .hls.demo_server import ThrottleServer

__all__ = [
    "RUNGS",
    "demo_bandwidth",
    "ensure_hls_demo",
    "make_hls_demo",
    "stop_demo_server",
]

Progress = Callable[[float, str], None]

DEMO_VERSION = 1
#: (width, height, video bit rate) per rung, low to high
RUNGS: tuple[tuple[int, int, int], ...] = (
    (416, 234, 350_000),
    (640, 360, 800_000),
    (960, 540, 1_600_000),
    (1280, 720, 3_000_000),
)
#: border colour per rung, so a switch is visible on screen (red → green)
_COLOURS = ((220, 40, 40), (240, 150, 30), (230, 220, 40), (40, 200, 80))
AUDIO_BPS = 96_000
FPS = 24
SEGMENT = 2
SECONDS = 12
LOOPS = 25

_server: ThrottleServer | None = None
_server_lock = threading.Lock()


def demo_bandwidth(
    t: float, *, period: float = 120.0, squeeze: tuple[float, float] = (20.0, 70.0)
) -> float:
    """Bytes per second the demo server allows ``t`` seconds after it started:
    generous (the player climbs to the top rung), then squeezed below the second
    rung long enough to drain a full buffer (it steps down), then generous again
    (it climbs back)."""
    phase = t % period
    if squeeze[0] <= phase < squeeze[1]:
        return 700_000 / 8
    return 12_000_000 / 8


def _canvas(width: int, height: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Normalised row (y) and column (x) coordinates; the pattern below is
    separable, so a frame costs a few 1-D sines and one broadcast."""
    y = (np.arange(height) / height).astype(np.float32)[:, None]
    x = (np.arange(width) / width).astype(np.float32)[None, :]
    return y, x


def _frame(i: int, y: npt.NDArray[np.float32], x: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    t = i / FPS
    h, w = y.shape[0], x.shape[1]
    img = np.empty((h, w, 3), dtype=np.uint8)
    img[..., 0] = 110 + 70 * np.sin(x * 7.0 + t * 1.5)
    img[..., 1] = 110 + 70 * np.sin(y * 5.0 - t * 1.1)
    # sin(a - b) = sin a cos b - cos a sin b keeps the diagonal band separable.
    a, b = x * 6.0 + t * 0.8, y * 6.0
    img[..., 2] = 130 + 70 * (np.sin(a) * np.cos(b) - np.cos(a) * np.sin(b))
    # A ball on a circle: smooth motion shows dropped frames at a glance.
    cx = int(w * (0.5 + 0.3 * math.cos(t * 1.2)))
    cy = int(h * (0.5 + 0.3 * math.sin(t * 1.2)))
    rad = h // 12
    img[max(0, cy - rad) : cy + rad, max(0, cx - rad) : cx + rad] = 245
    if i % FPS == 0:  # a white bar with each beep
        img[int(h * 0.9) :, :] = 255
    return img


def _tone(start: int, count: int, rate: int) -> npt.NDArray[np.float32]:
    n = np.arange(start, start + count)
    tone = 0.12 * np.sin(2 * np.pi * 330 * n / rate)
    beep = (n % rate) < rate // FPS
    tone = tone + beep * 0.35 * np.sin(2 * np.pi * 1000 * n / rate)
    return np.stack([tone, tone]).astype(np.float32)


def make_hls_demo(
    root: Path,
    *,
    seconds: int = SECONDS,
    loops: int = LOOPS,
    rungs: tuple[tuple[int, int, int], ...] = RUNGS,
    progress: Progress | None = None,
) -> Path:
    """Encode the ladder into ``root`` (which must not exist yet, or be empty)
    and return the multivariant playlist's path."""
    root.mkdir(parents=True, exist_ok=True)
    top_w, top_h = max((w, h) for w, h, _ in rungs)
    yy, xx = _canvas(top_w, top_h)
    outs = []
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
            "preset": "superfast",
            "profile": "main",
            "g": gop,
            "keyint_min": gop,
            "sc_threshold": "0",
            "b": str(bps),
            "maxrate": str(int(bps * 1.1)),
            "bufsize": str(bps),
        }
        aus = out.add_stream("aac", rate=48000)
        aus.layout = "stereo"
        aus.bit_rate = AUDIO_BPS
        outs.append((out, vs, aus, w, h, _COLOURS[index % len(_COLOURS)]))
    total = seconds * FPS
    rate = 48000
    fifo = av.AudioFifo()
    sample = 0
    for i in range(total):
        base = _frame(i, yy, xx)
        n = rate // FPS
        pcm = av.AudioFrame.from_ndarray(_tone(sample, n, rate), format="fltp", layout="stereo")
        pcm.sample_rate = rate
        pcm.pts = sample
        pcm.time_base = Fraction(1, rate)
        sample += n
        fifo.write(pcm)
        chunks = []
        while fifo.samples >= 1024:
            chunk = fifo.read(1024)
            if chunk is not None:
                chunks.append(chunk)
        for out, vs, aus, w, h, colour in outs:
            img = base.copy()
            edge = max(4, top_h // 40)
            img[:edge], img[-edge:], img[:, :edge], img[:, -edge:] = colour, colour, colour, colour
            frame = av.VideoFrame.from_ndarray(img, format="rgb24").reformat(width=w, height=h)
            frame.pts = i
            frame.time_base = Fraction(1, FPS)
            for packet in vs.encode(frame):
                out.mux(packet)
            for chunk in chunks:
                chunk.pts = None
                for packet in aus.encode(chunk):
                    out.mux(packet)
        if progress is not None and i % FPS == 0:
            progress(i / total, "Making the ABR demo")
    for out, vs, aus, *_ in outs:
        for packet in vs.encode(None):
            out.mux(packet)
        for packet in aus.encode(None):
            out.mux(packet)
        out.close()
    return _write_playlists(root, rungs, loops)


def _write_playlists(root: Path, rungs: tuple[tuple[int, int, int], ...], loops: int) -> Path:
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for index, (w, h, _bps) in enumerate(rungs):
        folder = root / f"r{index}"
        segments = sorted(folder.glob("s*.ts"))
        durations = _segment_durations(folder / "once.m3u8")
        total_bytes = sum(p.stat().st_size for p in segments)
        seconds = sum(durations.values()) or 1.0
        average = int(total_bytes * 8 / seconds)
        peak = max(int(p.stat().st_size * 8 / durations.get(p.name, SEGMENT)) for p in segments)
        media = [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-TARGETDURATION:{math.ceil(max(durations.values()))}",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
        ]
        for loop in range(loops):
            if loop:
                media.append("#EXT-X-DISCONTINUITY")
            for seg in segments:
                media.append(f"#EXTINF:{durations.get(seg.name, SEGMENT):.6f},")
                media.append(seg.name)
        media.append("#EXT-X-ENDLIST")
        (folder / "index.m3u8").write_text("\n".join(media) + "\n")
        lines.append(
            f"#EXT-X-STREAM-INF:BANDWIDTH={peak},AVERAGE-BANDWIDTH={average},"
            f'RESOLUTION={w}x{h},FRAME-RATE={FPS:.3f},CODECS="avc1.4d401f,mp4a.40.2"'
        )
        lines.append(f"r{index}/index.m3u8")
    master = root / "master.m3u8"
    master.write_text("\n".join(lines) + "\n")
    return master


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


def _cache_root() -> Path:
    from .demo import cache_dir

    return cache_dir() / f"hls-demo-v{DEMO_VERSION}"


def ensure_hls_demo(
    progress: Progress | None = None, *, bandwidth: Callable[[float], float] | None = None
) -> str:
    """The demo's multivariant playlist URL on a loopback server (started once
    per process), making the media first if it is not cached."""
    global _server
    root = _cache_root()
    if not (root / "master.m3u8").exists():
        # Build beside the cache and rename: an interrupted first run leaves no
        # half-made demo behind.
        scratch = Path(tempfile.mkdtemp(prefix=".hls-demo-", dir=root.parent))
        try:
            make_hls_demo(scratch / "ladder", progress=progress)
            if root.exists():
                shutil.rmtree(root)
            os.replace(scratch / "ladder", root)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    if progress is not None:
        progress(1.0, "Demo ready")
    with _server_lock:
        if _server is None:
            _server = ThrottleServer(root, bandwidth=bandwidth or demo_bandwidth).start()
        return _server.url("master.m3u8")


def stop_demo_server() -> None:
    global _server
    with _server_lock:
        server, _server = _server, None
    if server is not None:
        server.stop()
