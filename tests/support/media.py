"""Real encoded test media made with PyAV, cached on disk.

Every file is keyed by its parameters (plus :data:`GENERATOR_VERSION`) and written
atomically (temporary file in the same directory, then :func:`os.replace`), so
parallel or aborted runs never leave a half-written file behind.

The cache directory is ``$HEUREUM_TEST_CACHE`` or ``~/.cache/heureum-tests``.

Content
-------
* Ordinary files (:func:`make_av_file`): H.264 (libx264 ultrafast, yuv420p, a keyframe
  exactly every ``gop`` frames, no scene-cut keyframes, no B-frames) + AAC 48 kHz stereo.
  The picture is dark grey with a bright vertical bar moving 8 px per frame and the frame
  number written as 16 bits in a row of blocks at the top left (see :func:`read_frame_number`).
  The audio is a 440 Hz tone (left) / 660 Hz (right) at -12 dBFS.
* Sync files (:func:`make_sync_file`): every frame black except a fully white frame at
  t = 1.0, 2.0, 3.0, ... s (frame index ``k * fps``), and a 1 kHz beep lasting one frame
  duration starting at exactly the same timestamps; silence elsewhere. See
  :func:`sync_flash_times`.
* :func:`make_1080p_file`: 1920x1080 30 fps with a scrolling noise texture over moving
  gradients, so the decoder does real work.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import tempfile
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import av
import numpy as np
import numpy.typing as npt

__all__ = [
    "AUDIO_RATE",
    "GENERATOR_VERSION",
    "Container",
    "cache_dir",
    "corrupt_file",
    "make_1080p_file",
    "make_audio_only_file",
    "make_av_file",
    "make_sync_file",
    "make_video_only_file",
    "read_frame_number",
    "sync_flash_times",
    "truncate_file",
]

log = logging.getLogger(__name__)

GENERATOR_VERSION = 6
AUDIO_RATE = 48_000
AUDIO_FRAME = 1024
Container = Literal["mp4", "mpegts", "flv", "mkv"]

_FORMATS: dict[str, tuple[str, str]] = {
    # container -> (libavformat name, file extension)
    "mp4": ("mp4", "mp4"),
    "mpegts": ("mpegts", "ts"),
    "flv": ("flv", "flv"),
    "mkv": ("matroska", "mkv"),
}

#: Geometry of the frame-number pattern: 16 blocks of BIT_W x BIT_H at the top left.
BITS = 16
BIT_W = 16
BIT_H = 16

U8Array = npt.NDArray[np.uint8]
F32Array = npt.NDArray[np.float32]


def cache_dir() -> Path:
    """The media cache directory (created if missing)."""
    env = os.environ.get("HEUREUM_TEST_CACHE")
    d = Path(env) if env else Path.home() / ".cache" / "heureum-tests"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _key(params: dict[str, Any]) -> str:
    blob = json.dumps({"v": GENERATOR_VERSION, **params}, sort_keys=True, default=str)
    return hashlib.sha1(blob.encode()).hexdigest()[:12]


def _atomic_build(target: Path, build: Callable[[Path], None]) -> Path:
    """Build ``target`` through a temporary sibling and ``os.replace``; reuse if present."""
    if target.exists() and target.stat().st_size > 0:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=f".part{target.suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    started = time.perf_counter()
    try:
        build(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    log.info("generated %s in %.2f s", target.name, time.perf_counter() - started)
    return target


def _target(
    path: Path | str | None, stem: str, params: dict[str, Any], ext: str, force_cache: bool = False
) -> Path:
    if path is not None and not force_cache:
        return Path(path)
    return cache_dir() / f"{stem}_{_key(params)}.{ext}"


# --------------------------------------------------------------------------- pictures


def _bar_frame(n: int, width: int, height: int) -> U8Array:
    """yuv420p planes stacked as PyAV expects: shape (height * 3 // 2, width)."""
    y = np.full((height, width), 40, dtype=np.uint8)
    bar_w = max(8, width // 32)
    x0 = (n * 8) % max(1, width - bar_w)
    y[:, x0 : x0 + bar_w] = 220
    _draw_frame_number(y, n)
    chroma = np.full((height // 2, width), 128, dtype=np.uint8)
    # A slow hue drift in the lower part of the chroma planes, so colour is not flat.
    chroma[height // 4 :, : width // 2] = 128 + int(40 * np.sin(n / 15.0))
    return np.concatenate([y, chroma])


def _draw_frame_number(y: U8Array, n: int) -> None:
    for bit in range(BITS):
        on = (n >> (BITS - 1 - bit)) & 1
        y[0:BIT_H, bit * BIT_W : (bit + 1) * BIT_W] = 235 if on else 16


def read_frame_number(luma: npt.NDArray[Any]) -> int:
    """Decode the frame number drawn by :func:`make_av_file` from a luma plane (h, w)."""
    n = 0
    for bit in range(BITS):
        block = luma[4 : BIT_H - 4, bit * BIT_W + 4 : (bit + 1) * BIT_W - 4]
        n = (n << 1) | int(float(block.mean()) > 128)
    return n


def _flat_frame(value: int, width: int, height: int) -> U8Array:
    y = np.full((height, width), value, dtype=np.uint8)
    chroma = np.full((height // 2, width), 128, dtype=np.uint8)
    return np.concatenate([y, chroma])


class _Texture:
    """Scrolling noise over moving gradients: cheap to make, real work to decode."""

    def __init__(self, width: int, height: int, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        self.width, self.height = width, height
        coarse = rng.integers(0, 24, size=(height, width), dtype=np.uint8)
        self.noise = np.repeat(np.repeat(coarse, 2, axis=0), 2, axis=1)  # 2x2 grain
        self.cnoise = rng.integers(0, 24, size=(height // 2, width * 2), dtype=np.uint8)
        xs = np.linspace(0.0, 1.0, width, dtype=np.float32)
        ys = np.linspace(0.0, 1.0, height, dtype=np.float32)
        self.gx, self.gy = np.meshgrid(xs, ys)

    def frame(self, n: int) -> U8Array:
        w, h = self.width, self.height
        phase = n / 30.0
        grad = 90.0 + 70.0 * np.sin(2 * np.pi * (self.gx * 1.5 + self.gy * 0.7 + phase * 0.2))
        ox, oy = (n * 3) % w, (n * 2) % h
        y = (grad.astype(np.uint8) + self.noise[oy : oy + h, ox : ox + w]).astype(np.uint8)
        bw = w // 12
        x0 = (n * 12) % (w - bw)
        y[h // 3 : 2 * h // 3, x0 : x0 + bw] = 230
        _draw_frame_number(y, n)
        cx = (n * 2) % w
        chroma = (self.cnoise[:, cx : cx + w] + 116).astype(np.uint8)
        return np.concatenate([y, chroma])


# --------------------------------------------------------------------------- sounds


def _tone(start: int, count: int) -> F32Array:
    t = (np.arange(start, start + count, dtype=np.float64)) / AUDIO_RATE
    left = 0.25 * np.sin(2 * np.pi * 440.0 * t)
    right = 0.25 * np.sin(2 * np.pi * 660.0 * t)
    return np.stack([left, right]).astype(np.float32)


def _beeps(fps: int) -> Callable[[int, int], F32Array]:
    beep_len = AUDIO_RATE // fps

    def gen(start: int, count: int) -> F32Array:
        idx = np.arange(start, start + count, dtype=np.int64)
        in_beep = ((idx % AUDIO_RATE) < beep_len) & (idx >= AUDIO_RATE)
        t = idx.astype(np.float64) / AUDIO_RATE
        mono = np.where(in_beep, 0.5 * np.sin(2 * np.pi * 1000.0 * t), 0.0)
        return np.stack([mono, mono]).astype(np.float32)

    return gen


# --------------------------------------------------------------------------- writer


def _write(
    out: Path,
    *,
    container: str,
    seconds: float,
    width: int,
    height: int,
    fps: int,
    gop: int,
    video: Callable[[int], U8Array] | None,
    audio: Callable[[int, int], F32Array] | None,
    crf: int = 23,
    maxrate_kbps: int | None = None,
    bframes: int = 0,
) -> None:
    fmt, _ = _FORMATS[container]
    options = {"movflags": "+faststart"} if container == "mp4" else {}
    with av.open(str(out), mode="w", format=fmt, options=options) as oc:
        vs = None
        if video is not None:
            vs = oc.add_stream("libx264", rate=fps)
            vs.width, vs.height, vs.pix_fmt = width, height, "yuv420p"
            vs.codec_context.time_base = Fraction(1, fps)
            vs.codec_context.gop_size = gop
            x264 = f"keyint={gop}:min-keyint={gop}:scenecut=0:bframes={bframes}"
            if maxrate_kbps is not None:
                x264 += f":vbv-maxrate={maxrate_kbps}:vbv-bufsize={maxrate_kbps}"
            vs.options = {"preset": "ultrafast", "crf": str(crf), "x264-params": x264}
        as_ = None
        if audio is not None:
            as_ = oc.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
            as_.bit_rate = 128_000
            as_.codec_context.time_base = Fraction(1, AUDIO_RATE)

        n_frames = round(seconds * fps)
        n_samples = round(seconds * AUDIO_RATE)
        next_sample = 0

        def audio_until(limit: int) -> None:
            nonlocal next_sample
            assert as_ is not None and audio is not None
            while next_sample < min(limit, n_samples):
                count = min(AUDIO_FRAME, n_samples - next_sample)
                samples = audio(next_sample, count)
                af = av.AudioFrame.from_ndarray(samples, format="fltp", layout="stereo")
                af.sample_rate = AUDIO_RATE
                af.pts = next_sample
                af.time_base = Fraction(1, AUDIO_RATE)
                oc.mux(as_.encode(af))
                next_sample += count

        for n in range(n_frames if vs is not None else 0):
            assert video is not None and vs is not None
            vf = av.VideoFrame.from_ndarray(video(n), format="yuv420p")
            vf.pts = n
            vf.time_base = Fraction(1, fps)
            oc.mux(vs.encode(vf))
            if as_ is not None:
                # Interleave: audio up to the end of this video frame.
                audio_until((n + 1) * AUDIO_RATE // fps)
        if as_ is not None:
            audio_until(n_samples)
            oc.mux(as_.encode(None))
        if vs is not None:
            oc.mux(vs.encode(None))


# --------------------------------------------------------------------------- public API


def make_av_file(
    path: Path | str | None = None,
    *,
    seconds: float = 4.0,
    width: int = 640,
    height: int = 360,
    fps: int = 30,
    container: Container = "mp4",
    audio: bool = True,
    video: bool = True,
    gop: int | None = None,
    crf: int = 23,
    bframes: int = 0,
) -> Path:
    """H.264 + AAC test file (moving bar, frame-number pattern, tone). Cached when path is None.
    ``bframes``: B-frames between references (x264's b-pyramid makes some of
    them references too), as real encodes have."""
    if not (audio or video):
        raise ValueError("need at least one of audio/video")
    gop = gop or fps
    params = dict(
        kind="av", seconds=seconds, w=width, h=height, fps=fps, c=container, a=audio, v=video,
        gop=gop, crf=crf,
    )  # fmt: skip
    if bframes:
        params["bframes"] = bframes  # files made before the option keep their key
    ext = _FORMATS[container][1]
    stem = f"{'av' if audio and video else 'v' if video else 'a'}_{width}x{height}_{seconds:g}s"
    target = _target(path, stem, params, ext)

    def build(out: Path) -> None:
        _write(
            out,
            container=container,
            seconds=seconds,
            width=width,
            height=height,
            fps=fps,
            gop=gop,
            video=(lambda n: _bar_frame(n, width, height)) if video else None,
            audio=_tone if audio else None,
            crf=crf,
            bframes=bframes,
        )

    return _atomic_build(target, build)


def make_video_only_file(path: Path | str | None = None, **kw: Any) -> Path:
    """:func:`make_av_file` without audio."""
    return make_av_file(path, audio=False, **kw)


def make_audio_only_file(path: Path | str | None = None, **kw: Any) -> Path:
    """:func:`make_av_file` without video (AAC only)."""
    return make_av_file(path, video=False, **kw)


def sync_flash_times(seconds: float) -> list[float]:
    """Times (s) of the white frames and beeps in a sync file of ``seconds`` length."""
    return [float(k) for k in range(1, int(seconds) + 1) if k < seconds]


def make_sync_file(
    path: Path | str | None = None,
    *,
    seconds: float = 5.0,
    width: int = 640,
    height: int = 360,
    fps: int = 30,
    container: Container = "mp4",
) -> Path:
    """Black video with a white frame at t = 1.0, 2.0, ... and a 1 kHz one-frame beep at the
    same instants (silence elsewhere). The flash times are :func:`sync_flash_times`."""
    params = dict(kind="sync", seconds=seconds, w=width, h=height, fps=fps, c=container)
    target = _target(path, f"sync_{width}x{height}_{seconds:g}s", params, _FORMATS[container][1])
    black = _flat_frame(16, width, height)
    white = _flat_frame(235, width, height)

    def build(out: Path) -> None:
        _write(
            out,
            container=container,
            seconds=seconds,
            width=width,
            height=height,
            fps=fps,
            gop=fps,
            video=lambda n: white if n > 0 and n % fps == 0 else black,
            audio=_beeps(fps),
        )

    return _atomic_build(target, build)


def make_1080p_file(
    path: Path | str | None = None, *, seconds: float = 10.0, fps: int = 30, audio: bool = True
) -> Path:
    """1920x1080 H.264 (+AAC) with textured, moving content for decode benchmarks."""
    width, height = 1920, 1080
    params = dict(kind="1080p", seconds=seconds, fps=fps, a=audio)
    target = _target(path, f"hd_1080p_{seconds:g}s", params, "mp4")

    def build(out: Path) -> None:
        tex = _Texture(width, height)
        _write(
            out,
            container="mp4",
            seconds=seconds,
            width=width,
            height=height,
            fps=fps,
            gop=2 * fps,
            video=tex.frame,
            audio=_tone if audio else None,
            crf=28,
            maxrate_kbps=8000,
        )

    return _atomic_build(target, build)


def _derived(src: Path, tag: str, params: dict[str, Any]) -> Path:
    st = src.stat()
    key = _key({"src": str(src.resolve()), "size": st.st_size, "mtime": st.st_mtime_ns, **params})
    return cache_dir() / f"{src.stem}.{tag}_{key}{src.suffix}"


def truncate_file(src: Path, fraction: float) -> Path:
    """A copy of ``src`` cut to ``fraction`` (0..1) of its size."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError("fraction must be within [0, 1]")
    target = _derived(src, "trunc", {"fraction": fraction})
    data = src.read_bytes()

    def build(out: Path) -> None:
        out.write_bytes(data[: int(len(data) * fraction)])

    return _atomic_build(target, build)


def corrupt_file(
    src: Path, offset_fraction: float = 0.5, nbytes: int = 4096, seed: int = 0
) -> Path:
    """A copy of ``src`` with ``nbytes`` random bytes written at ``offset_fraction`` of its size."""
    if not 0.0 <= offset_fraction <= 1.0:
        raise ValueError("offset_fraction must be within [0, 1]")
    target = _derived(src, "corrupt", {"off": offset_fraction, "n": nbytes, "seed": seed})
    data = bytearray(src.read_bytes())

    def build(out: Path) -> None:
        rng = random.Random(seed)
        off = min(int(len(data) * offset_fraction), max(0, len(data) - nbytes))
        garbage = bytes(rng.getrandbits(8) for _ in range(min(nbytes, len(data) - off)))
        data[off : off + len(garbage)] = garbage
        out.write_bytes(bytes(data))

    return _atomic_build(target, build)
