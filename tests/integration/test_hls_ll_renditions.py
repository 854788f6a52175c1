"""Alternate audio renditions in low-latency HLS: a real-time origin
(``tests.support.ll_server.LlRenditionServer``) publishes real encoded video
parts and two audio-only renditions (440 Hz, 1 kHz) in parts of their own,
and the audio is followed part by part near the live edge, as the video is."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import numpy as np
import pytest

from player.hls.hls_source import HlsSource
from player.source_api import DemuxPacket
from tests.support import hls_media
from tests.support.ll_server import LlRenditionServer
from tests.support.player_probe import TEST_CONFIG, sample_live_latency

pytestmark = pytest.mark.integration

BACKLOG = 40  # parts already "produced" when the server starts (20 s)


@pytest.fixture
def origin() -> Iterator[LlRenditionServer]:
    with LlRenditionServer(
        hls_media.ll_parts(),
        audio=hls_media.ll_audio_parts(),
        audio_names=["English", "French"],
        bandwidths=[300_000, 900_000],
        backlog_parts=BACKLOG,
    ) as srv:
        yield srv


def tone(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


def heard(packets: list[DemuxPacket]) -> list[tuple[float, int]]:
    """(pts, the nearer of the two rendition tones) of every decoded frame."""
    lo, hi = hls_media.RENDITION_TONES
    audio = sorted((p for p in packets if p.stream.kind == "audio"), key=lambda p: p.pts or 0)
    ctx = audio[0].stream.make_decoder()
    out = []
    for p in audio:
        for frame in ctx.decode(p.packet):
            f = tone(frame.to_ndarray().astype(np.float64).reshape(-1), frame.sample_rate)
            out.append((p.pts or 0.0, lo if abs(f - lo) < abs(f - hi) else hi))
    return out


def first_media_time(origin: LlRenditionServer) -> float:
    """Media time of our timeline's 0: the first video segment or part fetched."""
    for r in origin.requests:
        m = re.fullmatch(r"/v\d+/([sp])(\d+)\.ts", r)
        if m:
            return int(m.group(2)) * origin.part_duration * (origin.k if m.group(1) == "s" else 1)
    raise AssertionError("no media fetched")


def test_audio_parts_follow_the_video_and_a_track_switch_stays_continuous(
    origin: LlRenditionServer,
) -> None:
    src = HlsSource(origin.url("master.m3u8"), config=TEST_CONFIG)
    packets: list[DemuxPacket] = []
    switched_at = None
    #: (pts, media seconds produced by then) of each video packet when read
    reads: list[tuple[float, float]] = []
    try:
        info = src.open()
        assert info.extra["low_latency"] and info.audio is not None
        while True:
            p = src.read()
            assert p is not None
            packets.append(p)
            if p.stream.kind != "video" or p.pts is None:
                continue
            src.set_playback_position(p.pts)
            reads.append((p.pts, origin.edge_seconds()))
            if p.pts > 2.5 and switched_at is None:
                src.select_audio_track(1)
                switched_at = p.pts
            if p.pts > 6.0:
                break
        latency = src.live_latency()
        stats = dict(src.ll_stats)
    finally:
        src.close()
    assert switched_at is not None
    # the reader keeps up with production, audio included: about a part behind
    assert latency is not None and latency < 1.2
    # and all along: once caught up with the edge, each packet is read within
    # about a part of its production (a segment-wise audio follower holds the
    # video back up to a segment, 2 s)
    base = first_media_time(origin)
    lags = [edge - (base + pts) for pts, edge in reads if pts > 2.0]
    assert max(lags) < 1.2, max(lags)
    assert stats["audio_parts"] >= 8
    a0 = [r for r in origin.requests if r.startswith("/a0/")]
    a1 = [r for r in origin.requests if r.startswith("/a1/")]
    assert any(re.fullmatch(r"/a0/p\d+\.ts", r) for r in a0)
    assert any(re.fullmatch(r"/a1/p\d+\.ts", r) for r in a1)
    # the audio playlist is reloaded blocking for its next part, never a segment ahead
    blocking = [r for r in a0 + a1 if "_HLS_msn=" in r]
    assert blocking and all("_HLS_part=" in r for r in blocking)
    # one timeline: audio covers the video read so far, no gap and no overlap
    audio = sorted(p.pts for p in packets if p.stream.kind == "audio" and p.pts is not None)
    video = [p.pts for p in packets if p.stream.kind == "video" and p.pts is not None]
    steps = [b - a for a, b in itertools.pairwise(audio)]
    assert min(steps) > 0.015 and max(steps) < 0.03, (min(steps), max(steps))
    assert abs(audio[0] - min(video)) < 0.05
    assert audio[-1] > max(video) - 0.1
    # one change of tone, 440 Hz → 1 kHz, after the switch was asked for
    lo, hi = hls_media.RENDITION_TONES
    tones = heard(packets)
    changes = [b[0] for a, b in itertools.pairwise(tones) if a[1] != b[1]]
    assert len(changes) == 1, changes
    assert tones[0][1] == lo and tones[-1][1] == hi
    assert switched_at < changes[0] < switched_at + 2.1


def test_player_latency_with_alternate_audio_stays_near_part_hold_back(
    origin: LlRenditionServer,
) -> None:
    """Compare test_hls_low_latency.py::test_player_latency_stays_near_part_hold_back:
    the same bound with the audio in a rendition of its own. And the buffer
    reaches close to the live edge at every sample: latency - buffer is how far
    behind the edge the fetching is, about a part here, where an audio
    rendition followed a segment at a time keeps it up to a segment (2 s)
    behind, the buffer see-sawing with each audio segment."""
    run = sample_live_latency(origin.url("master.m3u8"), 6)
    info, samples, behind = run.media, run.latencies, run.behind
    assert info is not None and info.is_live and info.audio is not None
    assert len(samples) >= 6, samples
    target = 1.5
    assert all(target - 0.2 <= s <= target + 1.0 for s in samples), samples
    assert samples[-1] <= samples[0] + 0.1
    assert len(behind) >= 6 and max(behind) < 0.9, behind
    assert run.seconds < 15
    audio_parts = [r for r in origin.requests if re.fullmatch(r"/a0/p\d+\.ts", r)]
    assert len(audio_parts) >= 4, origin.requests
