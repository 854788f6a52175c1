"""The variant *playing* (at the playback position) is not the one being
fetched: the buffer between them holds what was chosen earlier. The window's
quality menu and overlay follow the first; the ABR plot the second."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lab.origin import ThrottleServer
from player.hls.hls_source import HlsSource
from tests.support import hls_media
from tests.support.hls_packets import read_all

pytestmark = pytest.mark.integration


@pytest.fixture
def ladder() -> Iterator[ThrottleServer]:
    with ThrottleServer(hls_media.ladder_vod(), bandwidth=lambda t: 8e6 / 8) as srv:
        yield srv


def test_playing_variant_follows_the_position_not_the_fetch(ladder: ThrottleServer) -> None:
    src = HlsSource(ladder.url("master.m3u8"))
    try:
        info = src.open()
        heights = [v.height for v in info.variants]
        src.set_playback_position(0.0)
        packets = read_all(src)
        fetching = src.current_variant()
        video = [p for p in packets if p.stream.kind == "video" and p.pts is not None]
        switch_at = next(p.pts for p in video if p.stream.height != video[0].stream.height)
        assert switch_at is not None and switch_at > 0.5  # it started low, then climbed
        # At each position: the rung whose pictures are there, whatever is fetched now.
        for p in video[:: max(1, len(video) // 40)]:
            assert p.pts is not None
            src.set_playback_position(p.pts + 0.01)
            playing = src.playing_variant()
            assert playing is not None and heights[playing] == p.stream.height, p.pts
        src.set_playback_position(0.0)
        assert src.playing_variant() != fetching
    finally:
        src.close()
