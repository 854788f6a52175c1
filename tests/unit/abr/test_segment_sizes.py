"""``abr.segment_sizes``: the measured table of segment sizes keeps the shape
its docstring states, and the simulator's videos follow it on every rung."""

from __future__ import annotations

import statistics

import pytest

from player.abr.segment_sizes import RELATIVE_SIZES
from player.abr.simulator import make_video

SCENES = 4
SEGMENT = 4.0
CLIP = 192.0


def test_one_value_per_segment_of_the_clip_around_the_mean() -> None:
    assert len(RELATIVE_SIZES) == CLIP / SEGMENT
    # each value is a segment's size over the mean segment size
    assert statistics.fmean(RELATIVE_SIZES) == pytest.approx(1.0, abs=0.01)
    assert all(0.2 < v < 3.0 for v in RELATIVE_SIZES)


def test_the_four_scenes_differ_in_complexity() -> None:
    per = len(RELATIVE_SIZES) // SCENES
    means = [statistics.fmean(RELATIVE_SIZES[i * per : (i + 1) * per]) for i in range(SCENES)]
    # the hardest scene's segments are over three times the easiest's
    assert max(means) / min(means) > 3.0
    assert len({round(m, 1) for m in means}) == SCENES


def test_every_rung_of_a_simulated_video_scales_by_the_same_segment() -> None:
    bitrates = (300_000.0, 1_200_000.0, 4_800_000.0)
    video = make_video(bitrates, segment_duration=SEGMENT, chunks=len(RELATIVE_SIZES))
    ratios = [[size / (b * SEGMENT / 8) for size, b in zip(chunk, bitrates, strict=True)]
              for chunk in video.sizes]  # fmt: skip
    for row in ratios:
        assert max(row) - min(row) < 1e-3  # one scene complexity for all rungs
    # over the whole table, every measured value is used once
    assert sorted(round(r[0], 2) for r in ratios) == sorted(round(v, 2) for v in RELATIVE_SIZES)
