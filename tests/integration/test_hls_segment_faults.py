"""One bad HLS segment on the project's fault-injecting server (a stall, a
404, resets, a wrong Content-Length, a trickle, a run of missing segments):
playback rides it out when the buffer covers it, skips a segment nothing can
fetch as a gap, and ends only when no progress is possible, after playing
what it had. Also a progressive file reset mid-body: what was read plays out
before the error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from player.errors import NetworkError
from player.events import Event, WarningRaised
from player.hls.hls_source import HlsConfig, HlsSource
from tests.support import hls_media, media
from tests.support.fault_play import play_to_end
from tests.support.faulty_http import FaultyHttpServer, SegmentFault
from tests.support.hls_packets import read_all

pytestmark = pytest.mark.integration


@pytest.fixture
def vod16() -> Iterator[FaultyHttpServer]:
    """A 16 s single-variant VOD of eight 2 s MPEG-TS segments."""
    with FaultyHttpServer(hls_media.ts_vod(16.0)) as srv:
        yield srv


def timeline_codes(report: dict[str, object], code: str) -> list[dict[str, object]]:
    entries = report["timeline"]
    assert isinstance(entries, list)
    return [e for e in entries if e.get("code") == code]


def source_run(srv: FaultyHttpServer) -> tuple[list[float], list[Event], list[int]]:
    """Every video dts of the stream read through HlsSource, its events and gaps."""
    events: list[Event] = []
    src = HlsSource(srv.hls("index.m3u8"), emit=events.append, rand=lambda: 0.0)
    try:
        src.open()
        packets = read_all(src)
        gaps = list(src.segment_gaps)
    finally:
        src.close()
    return [p.dts for p in packets if p.stream.kind == "video" and p.dts is not None], events, gaps


# --------------------------------------------------------------------------- played in real time


def test_a_stall_inside_a_segment_is_ridden_out_with_a_range(vod16: FaultyHttpServer) -> None:
    """s004's bytes after 30000 come 7 s late (longer than the 5 s read
    timeout): its request times out, the rest is asked for with a range from
    byte 30000 while the 8 s buffered play, and nothing stops."""
    vod16.add_fault("s004.ts", SegmentFault("pause", after=30_000, seconds=7.0, times=None))
    run = play_to_end(vod16.hls("index.m3u8"), timeout=40)
    assert run.outcome == "ended", run.row()
    assert run.reached > 15.5
    asked = [r.headers.get("Range") for r in vod16.hits("s004.ts")]
    assert asked[0] is None and "bytes=30000-" in (asked[1] or "")
    assert run.report["rebuffer_count"] == 0  # the buffer covered the stall
    assert timeline_codes(run.report, "segment-resumed")


def test_a_segment_missing_everywhere_is_a_gap_and_playback_goes_on(
    vod16: FaultyHttpServer,
) -> None:
    """Held-out playlist: s003 is 404 for good. The 6 s before it play, its
    2 s are skipped with a warning listed in the report, the rest plays."""
    vod16.add_fault("s003.ts", SegmentFault("status", status=404, times=None))
    run = play_to_end(vod16.hls("index.m3u8"), timeout=40)
    assert run.outcome == "ended" and run.error is None, run.row()
    assert run.reached > 15.5
    skipped = timeline_codes(run.report, "segment-skipped")
    assert len(skipped) == 1 and "segment 3 " in str(skipped[0]["message"])
    assert len(vod16.hits("s003.ts")) == 2  # tried, tried once more, skipped
    assert run.report["abr"]["segment_gaps"] == 1
    assert any(w.code == "segment-skipped" for w in run.warnings)


def test_a_trickling_segment_is_reported_within_seconds_and_abandoned(
    vod16: FaultyHttpServer,
) -> None:
    """s003 trickles at 2 kB/s on every try (about 75 s for it): within the
    first seconds the player says it is buffering on it and how fast it
    comes, gives it up, tries again and skips it, and plays on."""
    vod16.add_fault("s003.ts", SegmentFault("trickle", rate=2000, times=None))
    run = play_to_end(vod16.hls("index.m3u8"), timeout=60)
    assert run.outcome == "ended", run.row()
    assert run.reached > 15.5
    slow = [w for w in run.warnings if w.code == "slow-segment"]
    assert slow, [w.code for w in run.warnings]
    found = re.fullmatch(r"buffering: segment 3 downloading at ([0-9.]+) kB/s", slow[0].message)
    assert found is not None and 0.5 < float(found.group(1)) < 8.0
    assert slow[0].t is not None and slow[0].t < 5.0
    assert timeline_codes(run.report, "slow-segment")
    assert run.report["abr"]["slow_segments"] == 1
    # abandoned and retried, not waited out: the whole run is far below 75 s
    assert run.seconds < 40
    assert len(vod16.hits("s003.ts")) >= 2


def test_a_fatal_run_of_missing_segments_plays_out_what_was_downloaded() -> None:
    """Segments 5-14 of a 30 s VOD are 404: 10 s were downloaded. Playback
    reaches 10 s, then ends with the error."""
    with FaultyHttpServer(hls_media.ts_vod(30.0)) as srv:
        srv.add_fault("s00[5-9].ts", SegmentFault("status", status=404, times=None))
        srv.add_fault("s01[0-4].ts", SegmentFault("status", status=404, times=None))
        run = play_to_end(srv.hls("index.m3u8"), timeout=40)
    assert run.outcome == "error", run.row()
    assert run.reached > 9.5
    assert run.error is not None and "in a row failed" in run.error
    assert "network" in {e["kind"] for e in run.report["errors"]}


def test_a_progressive_file_reset_mid_body_plays_what_was_read(tmp_path: Path) -> None:
    """The file (20 s, about 63 kB/s) comes at 250 kB/s and is reset at byte
    800000 (about 12.5 s of media), its reconnects too (the origin broke):
    what was demuxed, seconds ahead of the play position, plays out, then
    the error. It used to stop where the play position was."""
    file = media.make_av_file(seconds=20.0, crf=30)
    with FaultyHttpServer(file.parent) as srv:
        run = play_to_end(srv.reset_after(800_000, file.name, rate=250_000), timeout=40)
    assert run.outcome == "error", run.row()
    assert run.read_until > 8.0
    assert run.reached >= run.read_until - 0.3  # nothing read was thrown away


# ------------------------------------------------------------------ read through the source


def test_a_404_on_the_first_request_of_every_segment_is_retried(
    vod16: FaultyHttpServer,
) -> None:
    vod16.add_fault("s*.ts", SegmentFault("status", status=404, times=1))
    video, _, gaps = source_run(vod16)
    assert max(video) == pytest.approx(16.0, abs=0.3) and gaps == []
    for n in range(8):
        assert len(vod16.hits(f"s00{n}.ts")) == 2


def test_a_stall_on_a_server_without_ranges_starts_the_segment_again(
    vod16: FaultyHttpServer,
) -> None:
    vod16.ranges = False
    vod16.add_fault("s004.ts", SegmentFault("pause", after=30_000, seconds=7.0, times=None))
    video, _, gaps = source_run(vod16)
    assert max(video) == pytest.approx(16.0, abs=0.3) and gaps == []
    hits = vod16.hits("s004.ts")
    assert len(hits) >= 2 and all("Range" not in r.headers for r in hits)
    # one copy of every frame: the bytes of the broken try were dropped
    assert len(video) == len(set(video))


@pytest.mark.parametrize(
    "fault",
    [
        SegmentFault("reset", after=20_000, times=None),
        SegmentFault("long-length", times=None),
    ],
    ids=["reset-every-try", "content-length-too-long"],
)
def test_a_segment_that_breaks_on_every_try_is_skipped(
    vod16: FaultyHttpServer, fault: SegmentFault
) -> None:
    vod16.add_fault("s003.ts", fault)
    video, events, gaps = source_run(vod16)
    assert max(video) == pytest.approx(16.0, abs=0.3)
    assert gaps == [3]
    assert not any(6.05 < t < 7.95 for t in video)
    assert len(vod16.hits("s003.ts")) == 4  # the segment retry policy's attempts
    assert [e.code for e in events if isinstance(e, WarningRaised)].count("segment-skipped") == 1


def test_a_short_content_length_plays_what_it_delivered(vod16: FaultyHttpServer) -> None:
    vod16.add_fault("s003.ts", SegmentFault("short-length", times=None))
    video, _, gaps = source_run(vod16)
    assert max(video) == pytest.approx(16.0, abs=0.3) and gaps == []
    assert any(6.0 <= t < 7.0 for t in video)  # its first half is there


def test_a_segment_missing_on_every_try_and_then_more_is_one_error() -> None:
    with FaultyHttpServer(hls_media.ts_vod(16.0)) as srv:
        srv.add_fault("s00[3-7].ts", SegmentFault("status", status=404, times=None))
        src = HlsSource(srv.hls("index.m3u8"), rand=lambda: 0.0)
        packets = []
        try:
            src.open()
            with pytest.raises(NetworkError, match="3 segments in a row"):
                while (p := src.read()) is not None:
                    packets.append(p)
        finally:
            src.close()
    video = [p.dts for p in packets if p.stream.kind == "video" and p.dts is not None]
    assert max(video) == pytest.approx(6.0, abs=0.3)  # all that loaded was handed out


def test_a_segment_missing_on_every_variant_is_a_gap_and_both_rungs_go_on() -> None:
    """Two rungs, s001 gone from both: the higher rung's failure falls back
    to the lower one, which lacks it too, so it is a gap; both rungs are
    usable again after it (the fault was the segment's, not theirs)."""
    with FaultyHttpServer(hls_media.muxed_ladder_vod()) as srv:
        srv.add_fault("v*/s001.ts", SegmentFault("status", status=404, times=None))
        events: list[Event] = []
        src = HlsSource(srv.hls("master.m3u8"), emit=events.append, rand=lambda: 0.0)
        src.select_variant(1)
        try:
            src.open()
            packets = read_all(src)
            gaps = src.segment_gaps
        finally:
            src.close()
        v0, v1 = srv.hits("v0/s001.ts"), srv.hits("v1/s001.ts")
    video = [p for p in packets if p.stream.kind == "video" and p.dts is not None]
    assert max(p.dts for p in video if p.dts is not None) == pytest.approx(6.0, abs=0.3)
    assert gaps == [1]
    assert len(v1) == 2 and len(v0) == 2  # each rung: a try and one more
    codes = [e.code for e in events if isinstance(e, WarningRaised)]
    assert "variant-failed" in codes and codes.count("segment-skipped") == 1
    # the user's rung again after the gap
    assert {p.stream.height for p in video if p.dts is not None and p.dts > 4.0} == {360}


def test_an_alternate_audio_segment_missing_is_an_audio_gap_not_the_end() -> None:
    """The English audio rendition's second segment is gone for good: the
    video plays to its end, the audio around the hole too."""
    with FaultyHttpServer(hls_media.renditions_vod()) as srv:
        srv.add_fault("v2/s001.ts", SegmentFault("status", status=404, times=None))
        events: list[Event] = []
        src = HlsSource(srv.hls("master.m3u8"), emit=events.append, rand=lambda: 0.0)
        try:
            src.open()
            packets = read_all(src)
        finally:
            src.close()
        tries = len(srv.hits("v2/s001.ts"))
    video = [p.dts for p in packets if p.stream.kind == "video" and p.dts is not None]
    audio = [p.pts for p in packets if p.stream.kind == "audio" and p.pts is not None]
    assert max(video) == pytest.approx(8.0, abs=0.3)
    assert max(audio) > 7.0 and min(audio) < 0.5
    warnings = [e for e in events if isinstance(e, WarningRaised)]
    skipped = [e for e in warnings if e.code == "audio-segment-skipped"]
    assert len(skipped) == 1 and "audio segment 1" in skipped[0].message
    assert tries == 2


def test_a_variant_that_failed_is_readmitted_after_its_penalty() -> None:
    """The user's rung (v1) 404s s001: s001 and the next segments come from
    v0 while v1 sits in the penalty box (3 s here), then v1 is re-admitted
    and plays to the end, instead of being lost for the session. The
    server paces the transfers (v0 at 100 kB/s, about 1 s a segment) so the
    penalty runs out mid-stream."""
    with FaultyHttpServer(hls_media.muxed_ladder_vod(20.0)) as srv:
        srv.add_fault("v1/s001.ts", SegmentFault("status", status=404, times=None))
        srv.add_fault("v0/*.ts", SegmentFault("trickle", rate=100_000, times=None))
        srv.add_fault("v1/*.ts", SegmentFault("trickle", rate=1_000_000, times=None))
        events: list[Event] = []
        src = HlsSource(
            srv.hls("master.m3u8"),
            emit=events.append,
            rand=lambda: 0.0,
            hls=HlsConfig(variant_penalty=3.0),
        )
        src.select_variant(1)
        try:
            src.open()
            packets = read_all(src)
            gaps = list(src.segment_gaps)
            marks = [e.marker for e in src.timeline()]
        finally:
            src.close()
        v0 = sorted(r.path.rsplit("/", 1)[1] for r in srv.hits("v0/s*.ts"))
        v1_failed = len(srv.hits("v1/s001.ts"))
        v1_last = srv.hits("v1/s009.ts")
    assert gaps == [] and v1_failed == 2
    assert v0[0] == "s001.ts" and 2 <= len(v0) <= 6  # the penalty's worth, not the rest
    assert v1_last  # back on v1 by the end
    video = [p for p in packets if p.stream.kind == "video" and p.dts is not None]
    assert max(p.dts for p in video if p.dts is not None) == pytest.approx(20.0, abs=0.3)
    assert {p.stream.height for p in video if p.dts is not None and p.dts > 18.0} == {360}
    assert "readmit" in marks
    codes = [e.code for e in events if isinstance(e, WarningRaised)]
    assert codes.count("variant-failed") == 1 and "segment-skipped" not in codes


def test_a_live_segment_reset_on_every_try_behind_the_edge_is_a_gap() -> None:
    """Live (a window sliding with the clock over 2 s segments): s006 is
    reset on every try while the playlist goes on listing newer segments.
    It is a hole, skipped as a gap with a warning, and the stream plays on
    to its end instead of ending or stalling on it."""
    with FaultyHttpServer(hls_media.ts_vod(24.0)) as srv:
        srv.add_fault("s006.ts", SegmentFault("reset", after=20_000, times=None))
        run = play_to_end(srv.live(), timeout=60)
        tries = len(srv.hits("s006.ts"))
        after = srv.hits("s007.ts")
    assert run.outcome == "ended", run.row()
    assert run.report["abr"]["segment_gaps"] == 1
    skipped = timeline_codes(run.report, "segment-skipped")
    assert len(skipped) == 1 and "segment 6 " in str(skipped[0]["message"])
    assert tries >= 2 and after
    assert run.reached > 20.0  # played on past the hole to the last segments


def test_a_live_segment_failing_at_the_edge_is_a_gap_without_reconnecting() -> None:
    """Live, played at the edge: s009 answers 503 on every try while the
    playlist keeps answering and moves on. That is one bad segment, not the
    origin going away: retried, skipped as a gap with a warning, and no
    Reconnecting (nor "live origin unreachable") in the report."""
    with FaultyHttpServer(hls_media.ts_vod(24.0)) as srv:
        srv.add_fault("s009.ts", SegmentFault("status", status=503, times=None))
        run = play_to_end(srv.live(lead=1), timeout=60)
        tries = len(srv.hits("s009.ts"))
        after = srv.hits("s010.ts")
    assert run.outcome == "ended", run.row()
    assert run.report["abr"]["segment_gaps"] == 1
    skipped = timeline_codes(run.report, "segment-skipped")
    assert len(skipped) == 1 and "segment 9 " in str(skipped[0]["message"])
    assert tries >= 2 and after
    kinds = [entry["type"] for entry in run.report["timeline"]]
    assert "reconnecting" not in kinds and run.report["reconnects"] == 0
    assert "unreachable" not in str(run.report["timeline"])
