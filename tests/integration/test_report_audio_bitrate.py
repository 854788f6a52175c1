"""The report's bitrate counts what plays: of a file's several audio streams
(all read, so a switch plays on at once) only the selected one's bytes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import av
import pytest

from player import EndOfStream
from player.config import AudioConfig
from tests.support.audio_tracks_media import make_two_audio_tracks
from tests.support.player_probe import TEST_CONFIG, Probe

pytestmark = pytest.mark.integration


@pytest.fixture
def probe() -> Iterator[Probe]:
    config = replace(
        TEST_CONFIG, audio=AudioConfig(enabled=False), sync=replace(TEST_CONFIG.sync, untimed=True)
    )
    p = Probe(config)
    yield p
    p.close()


def _stream_kbps(path: Path) -> tuple[float, float, float]:
    """(video, audio track 0, audio track 1) in kb/s over the file's packets,
    measured the report's way: bytes over the span of their timestamps."""
    with av.open(str(path)) as container:
        sizes: dict[int, int] = {}
        first: float | None = None
        last: float | None = None
        for packet in container.demux():
            if packet.pts is None or packet.size == 0:
                continue
            sizes[packet.stream.index] = sizes.get(packet.stream.index, 0) + packet.size
            assert packet.time_base is not None
            t = float(packet.pts * packet.time_base)
            first = t if first is None else min(first, t)
            last = t if last is None else max(last, t)
        assert first is not None and last is not None
        video = container.streams.video[0].index
        a0, a1 = (s.index for s in container.streams.audio)
    span = last - first
    return tuple(sizes[i] * 8 / 1000 / span for i in (video, a0, a1))  # type: ignore[return-value]


def test_only_the_selected_audio_track_counts(probe: Probe) -> None:
    path = make_two_audio_tracks("mkv", seconds=4.0, default=0)
    video, track0, track1 = _stream_kbps(path)
    probe.player.open(str(path))
    probe.wait_event(EndOfStream, 30)
    rates = probe.report()["bitrate_kbps"]
    # both tracks are 96 kb/s AAC: counting both would double the audio figure
    assert rates["audio"] == pytest.approx(track0, rel=0.15)
    assert rates["audio"] < 0.6 * (track0 + track1)
    assert rates["video"] == pytest.approx(video, rel=0.15)
    assert rates["media"] == pytest.approx(video + track0, rel=0.15)
    # the input rate stays what was read: every stream of the file
    assert probe.report()["bytes_in"] >= path.stat().st_size * 0.9
