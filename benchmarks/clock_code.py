"""A wall-clock time painted into a video frame as big black and white
blocks, and read back off a screen grab (the glass-to-glass instrument).

The frame is a white ring (what :func:`locate` finds in a grab, whatever the
scaling and letterboxing) around a grid of 8 x 6 cells: one bit each, white
for 1. The 48 bits are the capture time in ms modulo 2**32 and a CRC-16 of
it, so a frame half replaced, scaled past recognition or covered by an
overlay reads as nothing rather than as a wrong time. Cells of 38 x 28 px at
320 x 240 survive YUV 4:2:0 and a low-bitrate H.264 encode: only the middle
half of each cell is read.

Painting needs the standard library alone (the RTSP server runs it under
Debian's ``/usr/bin/python3``, which has no numpy); reading takes a numpy
luma array.

    python3 benchmarks/clock_code.py paint [--size 320x240] [--fps 25] > raw.yuv

writes I420 frames to stdout in real time, each painted with the wall clock
at the moment it is made (what ffmpeg's rawvideo input reads).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = [
    "COLS",
    "HEIGHT",
    "ROWS",
    "WIDTH",
    "crc16",
    "decode",
    "encode_gray",
    "encode_i420",
    "latency_ms",
    "locate",
    "read",
    "word",
]

WIDTH, HEIGHT = 320, 240
COLS, ROWS = 8, 6
TIME_BITS = 32
CRC_BITS = 16
MODULUS = 1 << TIME_BITS
BLACK, WHITE = 16, 235  # video range: what an encoder keeps exactly
THRESHOLD = 128


def crc16(value: int, nbytes: int = 4) -> int:
    """CRC-16/CCITT-FALSE of ``value``'s big-endian bytes."""
    crc = 0xFFFF
    for byte in value.to_bytes(nbytes, "big"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def word(ms: int) -> int:
    """The 48 bits painted for the wall-clock time ``ms`` (Unix ms)."""
    t = ms % MODULUS
    return (t << CRC_BITS) | crc16(t)


def _border(width: int, height: int) -> int:
    return max(2, min(width, height) // 30)


def _cell_edges(start: int, length: int, count: int) -> list[int]:
    return [start + (length * i) // count for i in range(count + 1)]


def encode_gray(ms: int, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """One GRAY8 frame (``width`` x ``height`` bytes) painted with ``ms``."""
    if width < 4 * COLS or height < 4 * ROWS:
        raise ValueError(f"a {width}x{height} frame is too small for the code")
    b = _border(width, height)
    bits = word(ms)
    xs = _cell_edges(b, width - 2 * b, COLS)
    white_row = bytes([WHITE]) * width
    edge = bytes([WHITE]) * b
    out = bytearray()
    out += white_row * b
    ys = _cell_edges(b, height - 2 * b, ROWS)
    for r in range(ROWS):
        line = bytearray(edge)
        for c in range(COLS):
            bit = (bits >> (COLS * ROWS - 1 - (r * COLS + c))) & 1
            line += bytes([WHITE if bit else BLACK]) * (xs[c + 1] - xs[c])
        line += edge
        out += bytes(line) * (ys[r + 1] - ys[r])
    out += white_row * b
    return bytes(out)


def encode_i420(ms: int, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """One I420 frame (grey: the chroma planes are neutral)."""
    if width % 2 or height % 2:
        raise ValueError("I420 needs an even width and height")
    return encode_gray(ms, width, height) + bytes([128]) * (width * height // 2)


def decode(luma: NDArray[np.uint8]) -> int | None:
    """The time (ms modulo 2**32) painted in ``luma``, a grab of the whole
    painted frame at any scale; None when the CRC does not match."""
    height, width = luma.shape[:2]
    if width < 2 * COLS or height < 2 * ROWS:
        return None
    b = min(width, height) / 30  # as _border, at the grab's scale
    b_x = b_y = b
    cell_w = (width - 2 * b_x) / COLS
    cell_h = (height - 2 * b_y) / ROWS
    bits = 0
    for r in range(ROWS):
        y0 = int(b_y + (r + 0.25) * cell_h)
        y1 = max(y0 + 1, int(b_y + (r + 0.75) * cell_h))
        for c in range(COLS):
            x0 = int(b_x + (c + 0.25) * cell_w)
            x1 = max(x0 + 1, int(b_x + (c + 0.75) * cell_w))
            bits = (bits << 1) | int(float(luma[y0:y1, x0:x1].mean()) > THRESHOLD)
    t = bits >> CRC_BITS
    if crc16(t) != bits & 0xFFFF:
        return None
    return t


def locate(luma: NDArray[np.uint8]) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right), exclusive ends, of the painted frame in a
    larger grab: the rows and columns almost wholly bright over the widest
    bright span are the white ring's. None when there is no such ring."""
    bright = luma > THRESHOLD
    rows = bright.sum(axis=1)
    cols = bright.sum(axis=0)
    if int(rows.max()) < 2 * COLS or int(cols.max()) < 2 * ROWS:
        return None
    ring_rows = (rows >= 0.9 * rows.max()).nonzero()[0]
    ring_cols = (cols >= 0.9 * cols.max()).nonzero()[0]
    top, bottom = int(ring_rows[0]), int(ring_rows[-1]) + 1
    left, right = int(ring_cols[0]), int(ring_cols[-1]) + 1
    if bottom - top < 2 * ROWS or right - left < 2 * COLS:
        return None
    return top, left, bottom, right


def read(luma: NDArray[np.uint8]) -> int | None:
    """:func:`locate` then :func:`decode`: the painted time in a grab."""
    box = locate(luma)
    if box is None:
        return None
    top, left, bottom, right = box
    return decode(luma[top:bottom, left:right])


def latency_ms(code: int, now_ms: int) -> int:
    """How long before ``now_ms`` (Unix ms) the frame carrying ``code`` was
    painted; the code's 32 bits wrap every 49 days, so the nearest such time
    is meant (negative when the painter's clock runs ahead)."""
    delta = (now_ms - code) % MODULUS
    return delta - MODULUS if delta >= MODULUS // 2 else delta


def _paint(width: int, height: int, fps: float) -> int:
    """I420 frames to stdout in real time, each painted with the wall clock
    at the moment it is made; ends when the reader goes away."""
    out = sys.stdout.buffer
    period = 1.0 / fps
    start = time.monotonic()
    n = 0
    try:
        while True:
            out.write(encode_i420(int(time.time() * 1000), width, height))
            out.flush()
            n += 1
            # absolute deadlines: a late frame does not shift the ones after it
            pause = start + n * period - time.monotonic()
            if pause > 0:
                time.sleep(pause)
    except (BrokenPipeError, KeyboardInterrupt):
        return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="paint the wall clock into raw I420 frames")
    sub = ap.add_subparsers(dest="command", required=True)
    paint = sub.add_parser("paint")
    paint.add_argument("--size", default=f"{WIDTH}x{HEIGHT}")
    paint.add_argument("--fps", type=float, default=25.0)
    args = ap.parse_args(argv)
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        ap.error(f"--size: give WIDTHxHEIGHT, not {args.size!r}")
    return _paint(width, height, args.fps)


if __name__ == "__main__":
    sys.exit(main())
