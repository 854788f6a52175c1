"""How much real segments vary around their rung's nominal bitrate.

Measured, not invented: a 192 s clip of four scenes of different complexity
(ffmpeg's testsrc2, mandelbrot, life and cellauto sources, 48 s each,
640x360 at 24 fps) encoded with libx264 ``-preset veryfast -b:v 1200k
-maxrate 1800k -bufsize 2400k``, a closed 4 s GOP and the HLS muxer's 4 s
segments; each value is one segment's size over the mean segment size
(MPEG-TS overhead included). ``make_video`` scales every rung by the same
value, as an encode of one source at several bitrates would.
"""

from __future__ import annotations

__all__ = ["RELATIVE_SIZES"]

RELATIVE_SIZES: tuple[float, ...] = (
    1.047,
    1.12,
    1.117,
    1.143,
    1.127,
    1.114,
    1.139,
    1.135,
    1.115,
    1.129,
    1.132,
    1.11,
    1.908,
    1.655,
    1.675,
    1.457,
    1.375,
    1.534,
    1.857,
    1.725,
    1.611,
    1.707,
    1.663,
    1.609,
    1.082,
    0.839,
    0.716,
    0.655,
    0.676,
    0.652,
    0.654,
    0.684,
    0.754,
    0.723,
    0.718,
    0.726,
    0.461,
    0.448,
    0.432,
    0.443,
    0.45,
    0.502,
    0.559,
    0.534,
    0.531,
    0.522,
    0.52,
    0.517,
)
