"""The report describes the video on screen: after an adaptive stream moves to
another rung, ``media.video`` follows the frames presented, not the first rung."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace

import pytest

from lab.origin import ThrottleServer
from player import MediaOpened
from player.config import AudioConfig
from tests.support import hls_media
from tests.support.player_probe import TEST_CONFIG, Probe

pytestmark = pytest.mark.integration


@pytest.fixture
def ladder() -> Iterator[ThrottleServer]:
    with ThrottleServer(hls_media.ladder_vod(12.0)) as srv:
        yield srv


def _shown_width(probe: Probe, width: int, timeout: float) -> None:
    """Waits until frames of ``width`` are on screen, then two more (the report
    is updated just after the sink is given a frame)."""
    sink = probe.sink
    with sink.cond:
        ok = sink.cond.wait_for(lambda: sink.last is not None and sink.last.width == width, timeout)
    assert ok, f"no {width}-wide frame on screen in {timeout} s"
    probe.wait_frames(len(sink.shown) + 2, timeout)


def test_report_media_video_follows_the_rung_on_screen(ladder: ThrottleServer) -> None:
    probe = Probe(replace(TEST_CONFIG, audio=AudioConfig(enabled=False)))
    try:
        probe.player.open(ladder.url("master.m3u8"))
        probe.wait_event(MediaOpened, 10)
        probe.player.select_variant(0)
        _shown_width(probe, 320, 15)
        low = probe.report()["media"]["video"]
        assert (low["width"], low["height"]) == (320, 180)

        probe.player.select_variant(1)
        _shown_width(probe, 640, 15)
        report = probe.report()
        high = report["media"]["video"]
        assert (high["width"], high["height"]) == (640, 360)
        assert high["codec"] == low["codec"] == "h264"
        sizes = [(e["width"], e["height"]) for e in report["timeline"] if e["type"] == "video_size"]
        # Each change of picture size on screen is on the timeline, the last one is 360p.
        assert (320, 180) in sizes and sizes[-1] == (640, 360)
        assert all(a != b for a, b in itertools.pairwise(sizes))
    finally:
        probe.close()
