"""The glass-to-glass instrument's painted clock (benchmarks/clock_code.py):
what is painted must read back exactly after an H.264 round trip, scaled and
letterboxed as a window shows it, and a damaged code must read as nothing."""

from __future__ import annotations

import fractions
import io
import subprocess
import sys
import time
from pathlib import Path

import av
import numpy as np
import pytest
from numpy.typing import NDArray

from benchmarks import clock_code as cc

ROOT = Path(__file__).resolve().parents[2]
#: a wall clock in Unix ms (2026-12-07), and a few that stress the bits
TIMES = [1_796_601_600_123 + 40 * i + 7 * i * i for i in range(25)]


def _gray(ms: int, width: int = cc.WIDTH, height: int = cc.HEIGHT) -> NDArray[np.uint8]:
    return np.frombuffer(cc.encode_gray(ms, width, height), np.uint8).reshape(height, width)


def _h264_round_trip(times: list[int], bitrate: int) -> list[NDArray[np.uint8]]:
    """Encode the painted frames as H.264 (4:2:0, x264 at a low bitrate) and
    decode them again: the luma planes as a player would show them."""
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=25)
        stream.width, stream.height, stream.pix_fmt = cc.WIDTH, cc.HEIGHT, "yuv420p"
        stream.bit_rate = bitrate
        stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        for i, ms in enumerate(times):
            frame = av.VideoFrame.from_ndarray(_gray(ms), format="gray")
            frame = frame.reformat(format="yuv420p")
            frame.pts, frame.time_base = i, fractions.Fraction(1, 25)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    buf.seek(0)
    with av.open(buf, "r") as src:
        return [np.asarray(f.to_ndarray(format="gray"), np.uint8) for f in src.decode(video=0)]


def test_every_frame_reads_back_exactly_after_h264() -> None:
    frames = _h264_round_trip(TIMES, bitrate=150_000)
    assert len(frames) == len(TIMES)
    assert [cc.decode(f) for f in frames] == [t % cc.MODULUS for t in TIMES]


@pytest.mark.parametrize(("width", "height"), [(640, 480), (1067, 800), (200, 150), (427, 240)])
def test_a_scaled_letterboxed_grab_reads_back(width: int, height: int) -> None:
    """As a window shows it: scaled (smoothly), inside black bars, beside
    grey controls that are neither black nor white."""
    decoded = _h264_round_trip(TIMES[:3], bitrate=300_000)[2]
    scaled = av.VideoFrame.from_ndarray(decoded, format="gray")
    picture = scaled.reformat(width=width, height=height, interpolation="BICUBIC").to_ndarray()
    canvas = np.zeros((height + 140, width + 90), np.uint8)
    canvas[40 : 40 + height, 45 : 45 + width] = picture
    canvas[-60:, :] = 90  # a control bar
    assert cc.locate(canvas) == (40, 45, 40 + height, 45 + width)
    assert cc.read(canvas) == TIMES[2] % cc.MODULUS


def test_one_flipped_cell_reads_as_nothing() -> None:
    frame = _gray(TIMES[0])
    b = cc.HEIGHT // 30
    cell_w, cell_h = (cc.WIDTH - 2 * b) // cc.COLS, (cc.HEIGHT - 2 * b) // cc.ROWS
    for r, c in ((0, 0), (3, 5), (5, 7)):
        damaged = frame.copy()
        y0, x0 = b + r * cell_h, b + c * cell_w
        middle = damaged[y0 + 3 : y0 + cell_h - 3, x0 + 3 : x0 + cell_w - 3]
        middle[...] = cc.WHITE if middle.mean() < cc.THRESHOLD else cc.BLACK
        assert cc.decode(damaged) is None


def test_two_frames_blended_read_as_nothing_or_one_of_them() -> None:
    """A grab can catch a frame half drawn over the previous one."""
    a, b = _gray(TIMES[0]), _gray(TIMES[0] + 1_000_003)
    mixed = np.vstack([a[: cc.HEIGHT // 2], b[cc.HEIGHT // 2 :]])
    assert cc.decode(mixed) in (None, TIMES[0] % cc.MODULUS, (TIMES[0] + 1_000_003) % cc.MODULUS)
    assert cc.read(np.zeros((300, 400), np.uint8)) is None  # no ring at all


def test_latency_unwraps_the_32_bit_code_around_now() -> None:
    now = TIMES[0]
    assert cc.latency_ms(cc.decode(_gray(now - 250)) or 0, now) == 250
    # the code wraps every 2**32 ms; the painted time nearest to now counts
    painted = (now // cc.MODULUS + 1) * cc.MODULUS + 5  # just past a wrap
    assert cc.latency_ms(painted % cc.MODULUS, painted + 120) == 120
    assert cc.latency_ms((painted - 10) % cc.MODULUS, painted + 120) == 130
    assert cc.latency_ms(now % cc.MODULUS, now - 30) == -30  # painter ahead


def test_frames_too_small_or_odd_are_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match="too small"):
        cc.encode_gray(0, 16, 12)
    with pytest.raises(ValueError, match="even"):
        cc.encode_i420(0, 321, 240)


def test_the_painter_writes_the_wall_clock_in_real_time() -> None:
    """``paint`` under a bare interpreter (no numpy: as GStreamer's Python
    runs it): each I420 frame carries the time it was made."""
    size = cc.WIDTH * cc.HEIGHT * 3 // 2
    proc = subprocess.Popen(
        [sys.executable, "-S", str(ROOT / "benchmarks" / "clock_code.py"), "paint", "--fps", "50"],
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    try:
        got = []
        for _ in range(10):
            raw = proc.stdout.read(size)
            now = int(time.time() * 1000)
            y = np.frombuffer(raw[: cc.WIDTH * cc.HEIGHT], np.uint8).reshape(cc.HEIGHT, cc.WIDTH)
            code = cc.decode(y)
            assert code is not None
            got.append(cc.latency_ms(code, now))
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    # a frame is read as soon as it is written, on a loaded machine a little later
    assert all(0 <= age < 1000 for age in got), got
