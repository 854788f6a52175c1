"""A live HLS start against a real ffmpeg packager on loopback (MPEG-TS and
fMP4): the first frame comes after one playlist request (no extra round trip
before the first segment), and the start is taken near the live edge, not
from the playlist's head."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from player import DEFAULT_CONFIG, Player
from player.config import AudioConfig
from player.video_sink import RecordingVideoSink
from tests.support.live_packager import PLAYLIST, LivePackager

#: segments listed before the player opens: its start must skip the oldest
LISTED = 6


@pytest.mark.parametrize("fmp4", [False, True], ids=["ts", "fmp4"])
def test_a_live_start_asks_for_the_playlist_once_and_starts_near_the_edge(fmp4: bool) -> None:
    with LivePackager(segment=1.0, fmp4=fmp4, ready_segments=LISTED) as packager:
        sink = RecordingVideoSink()
        player = Player(replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False)), video_sink=sink)
        try:
            player.open(packager.url)
            assert sink.wait_for(1, 20), "no frame from the live stream"
        finally:
            player.close()
        asked = list(packager.requests)
    media = [i for i, name in enumerate(asked) if name != PLAYLIST and name != "init.mp4"]
    assert media, asked
    # one playlist request before the first segment: no round trip wasted
    assert asked[: media[0]].count(PLAYLIST) == 1, asked
    # three target durations from the end of at least LISTED segments: not the head
    first = re.fullmatch(r"s(\d+)\.(ts|m4s)", asked[media[0]])
    assert first is not None, asked
    assert int(first.group(1)) >= LISTED - 4, asked
    if fmp4:
        assert "init.mp4" in asked[: media[0] + 2], asked
