"""Live: a segment that fails on every try (refused, reset, 404) while the
origin still answers and lists newer segments is a hole, skipped as a gap
with a warning, and the stream plays on; an origin that stops answering is
still an outage ridden out. ``HlsSource`` on the scripted origin and a
``ManualClock``, a live window that moves with the clock."""

from __future__ import annotations

import contextlib

import pytest

from player.clock import ManualClock
from player.errors import NetworkError
from player.events import Event, Reconnected, WarningRaised
from player.hls.hls_source import HlsSource
from tests.support.clocked_run import PacedReader, drive
from tests.support.fake_fetcher import FakeFetcher, Reply
from tests.support.hls_media import ts_vod

ORIGIN = "http://origin.test/live/"
#: the segment that fails: listed from 4 s of the clock on
HOLE = 5


def live_playlist(t: float, window: int = 4) -> str:
    """Segment ``n`` (2 s) is published when the clock passes ``2 (n - 3)``."""
    newest = int(t // 2) + 3
    first = max(0, newest - window + 1)
    lines = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:2"]
    lines.append(f"#EXT-X-MEDIA-SEQUENCE:{first}")
    for n in range(first, newest + 1):
        lines += ["#EXTINF:2.000000,", f"s{n:03d}.ts"]
    return "\n".join(lines) + "\n"


def live_run(
    fault: Reply | None, *, outage: tuple[float, float] | None = None
) -> tuple[PacedReader, list[Event], list[int], FakeFetcher]:
    clock = ManualClock()
    origin = FakeFetcher(clock)
    root = ts_vod(40.0)
    for n in range(20):
        origin.serve(f"{ORIGIN}s{n:03d}.ts", (root / f"s{n:03d}.ts").read_bytes(), ttfb=0.05)
    if fault is not None:
        origin.script(f"{ORIGIN}s{HOLE:03d}.ts", fault)
    origin.serve_live(ORIGIN + "index.m3u8", lambda t: Reply(live_playlist(t).encode()))
    if outage is not None:
        origin.outage(*outage)
    events: list[Event] = []
    src = HlsSource(
        ORIGIN + "index.m3u8", clock=clock, fetcher=origin, emit=events.append, rand=lambda: 0.5
    )
    reader = PacedReader(src, clock)
    try:
        drive(clock, 2, lambda: reader.done or clock.now() >= 24.0, max_seconds=60)
        gaps = list(src.segment_gaps)
    finally:
        reader.stop()
        src.close()
    with contextlib.suppress(NetworkError):
        reader.join()  # stopped while pacing, or its read interrupted by the close
    return reader, events, gaps, origin


FAULTS = {
    "refused": Reply(error=NetworkError("connection refused by origin.test")),
    "reset": Reply(b"\x47" * 188 * 400, truncate_at=188 * 50),
    "404": Reply(status=404),
}


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_live_segment_failing_behind_the_edge_is_a_gap(fault: Reply) -> None:
    reader, events, gaps, origin = live_run(fault)
    assert reader.error is None  # no session end
    assert gaps == [HOLE]
    skipped = [e for e in events if isinstance(e, WarningRaised) and e.code == "segment-skipped"]
    assert len(skipped) == 1 and f"segment {HOLE} " in skipped[0].message
    # the stream plays on: segments after the hole were fetched and read
    after = [u for u in origin.urls("segment") if u > f"{ORIGIN}s{HOLE:03d}.ts"]
    assert len(set(after)) >= 5
    video = [p.pts for p in reader.packets if p.stream.kind == "video" and p.pts is not None]
    start = min(video)
    assert max(video) - start > 12.0  # 24 s of clock, a 6-8 s start delay, a 2 s hole
    # tried more than once before it was given up
    assert origin.urls("segment").count(f"{ORIGIN}s{HOLE:03d}.ts") >= 2


def test_an_origin_that_stops_answering_is_still_an_outage() -> None:
    """Everything refused from 4 s to 8 s, the segment included: the origin
    is away, not one segment; ridden out, and nothing is skipped."""
    reader, events, gaps, _ = live_run(None, outage=(4.0, 8.0))
    assert reader.error is None and gaps == []
    assert any(isinstance(e, Reconnected) for e in events)
    assert not any(isinstance(e, WarningRaised) and e.code == "segment-skipped" for e in events)
