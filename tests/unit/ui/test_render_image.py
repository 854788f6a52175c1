"""The software renderer's conversion: scaled in YUV, then converted unscaled,
it must give the picture one scaled YUV→RGB pass gives (within rounding)."""

from __future__ import annotations

import av
import numpy as np
import pytest
from av.video.reformatter import Interpolation, VideoReformatter

from ui.render_common import fit_rect
from ui.render_image import picture_rect, to_bgra


def _picture(width: int, height: int, fmt: str) -> av.VideoFrame:
    """A smooth colour field with a hard-edged square: both filters and edges."""
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.zeros((height, width, 3), dtype=np.uint8)
    rgb[..., 0] = (x * 255 // max(1, width - 1)).astype(np.uint8)
    rgb[..., 1] = (y * 255 // max(1, height - 1)).astype(np.uint8)
    rgb[..., 2] = 128
    rgb[height // 4 : height // 2, width // 4 : width // 2] = (250, 250, 20)
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
    return frame.reformat(format=fmt)


def _one_pass(src: av.VideoFrame, width: int, height: int) -> np.ndarray:
    out = VideoReformatter().reformat(
        src, width=width, height=height, format="bgra", interpolation=Interpolation.BILINEAR
    )
    return out.to_ndarray().astype(np.int16)


@pytest.mark.parametrize(
    ("fmt", "size", "target"),
    [
        ("yuv420p", (1920, 1080), (1728, 972)),  # the fitted window: a mild downscale
        ("yuv420p", (1920, 1080), (1100, 619)),  # odd height
        ("yuv420p", (640, 360), (1280, 720)),  # upscale
        ("yuvj420p", (640, 480), (320, 240)),  # full range
        ("nv12", (1280, 720), (960, 540)),  # what hardware decoders hand back
        ("yuv444p", (800, 600), (400, 300)),
        ("yuv420p10le", (1280, 720), (854, 480)),
    ],
)
def test_two_passes_match_one_scaled_conversion(
    fmt: str, size: tuple[int, int], target: tuple[int, int]
) -> None:
    src = _picture(*size, fmt)
    out = to_bgra(VideoReformatter(), VideoReformatter(), src, *target)
    assert (out.width, out.height, out.format.name) == (*target, "bgra")
    got = out.to_ndarray().astype(np.int16)
    want = _one_pass(src, *target)
    diff = np.abs(got - want)[..., :3]
    # Rounding in the intermediate 4:2:0 planes, nothing more: a wrong matrix,
    # range or a shifted picture would move the mean by tens of levels.
    assert float(diff.mean()) < 2.0, float(diff.mean())
    assert float(np.percentile(diff, 99)) <= 12.0


def test_the_same_size_is_a_conversion_only() -> None:
    src = _picture(640, 360, "yuv420p")
    out = to_bgra(VideoReformatter(), VideoReformatter(), src, 640, 360)
    want = VideoReformatter().reformat(src, format="bgra").to_ndarray().astype(np.int16)
    assert np.array_equal(out.to_ndarray().astype(np.int16), want)


def test_contexts_are_reused_across_sizes() -> None:
    """A resize mid-play changes the target; the same reformatters follow."""
    scaler, converter = VideoReformatter(), VideoReformatter()
    src = _picture(1280, 720, "yuv420p")
    sizes = [(960, 540), (1100, 619), (960, 540)]
    outs = [to_bgra(scaler, converter, src, w, h) for w, h in sizes]
    assert [(o.width, o.height) for o in outs] == sizes
    assert np.array_equal(outs[0].to_ndarray(), outs[2].to_ndarray())


def _edge_error(out: av.VideoFrame, want: np.ndarray) -> int:
    """The largest difference in the picture's last 8 columns."""
    got = out.to_ndarray().astype(np.int16)[..., :3]
    return int(np.abs(got[:, -8:] - want[:, -8:, :3]).max())


@pytest.mark.parametrize("dpr", [1.0, 1.25, 2.0])
def test_the_picture_s_right_edge_is_the_picture_at_every_width(dpr: float) -> None:
    """swscale's fast YUV→RGB path left the last columns unconverted at some
    widths (noise down the right edge of the demo at 580 px): the renderer
    draws at a width it converts whole, for every window width."""
    src = _picture(1280, 720, "yuv420p")
    scaler, converter = VideoReformatter(), VideoReformatter()
    for fit_w in range(560, 641):
        fit = fit_rect(fit_w, 2000, 16 / 9)
        rect = picture_rect(fit, dpr)
        w, h = round(rect.width() * dpr), round(rect.height() * dpr)
        assert fit.width() - 4 * 8 < rect.width() <= fit.width()
        assert abs(rect.width() / rect.height() - 16 / 9) < 0.02  # in proportion
        assert abs(rect.center().x() - fit.center().x()) <= 1.0  # centred
        out = to_bgra(scaler, converter, src, w, h)
        assert _edge_error(out, _one_pass(src, w, h)) <= 24, (fit_w, w, h)
