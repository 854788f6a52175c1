"""``Player.stats()`` as typed figures: sessions on a ``ManualClock`` give a
``SessionStats`` whose ``as_report()`` is the documented JSON report, key for
key and in order, and a report read back is the same tree."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from fractions import Fraction
from typing import Any

import pytest

from player.capabilities import Adaptive, Live, TimelineEntry
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.engine import Session
from player.events import MediaInfo, PlayerState, VariantInfo
from player.levels import Levels
from player.metrics import REPORT_SCHEMA
from player.session_stats import session_stats
from player.source_api import DemuxPacket, SourceInfo, StreamSpec
from player.sources.urls import classify
from player.stats import (
    AbrStatus,
    LatencyStats,
    SessionStats,
    VariantStats,
    from_report,
)
from player.stream_info import AudioInfo, VideoInfo
from tests.support.sessions import headless_session, video_file

#: the wall clock the tests' sessions see (for the end-to-end latency)
WALL = datetime(2026, 12, 7, 3, 0, 0, tzinfo=UTC).timestamp()


def _started(report: dict[str, Any]) -> str:
    started = report["started_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", started)
    return str(started)


def _round_trips(stats: SessionStats) -> dict[str, Any]:
    """The report, checked to come back as the same figures through JSON."""
    report = stats.as_report()
    text = json.dumps(report)
    back = from_report(json.loads(text))
    assert back == stats
    assert json.dumps(back.as_report()) == text  # the same keys in the same order
    return report


def test_a_video_file_gives_the_reports_exact_entries() -> None:
    clock = ManualClock()
    session = headless_session(clock)
    session.info = video_file(duration=4.0)
    session.media = session.info.media
    metrics = session.metrics
    metrics.start("clip.mkv")
    metrics.protocol, metrics.container = "file", "matroska"
    metrics.on_packet("video", 6_000, 0.0)
    metrics.on_packet("video", 4_000, 2.0)  # 10 kB over 2 s of media: 40 kb/s
    clock.advance(0.5)
    metrics.on_presented(0.004, (320, 240))
    metrics.on_frames_dropped("late", 2)
    metrics.on_warning("hwdec-fallback", "decoding in software", "no-device", (("api", "vaapi"),))
    clock.advance(1.5)
    metrics.on_presented(-0.002, (320, 240))
    session.state = PlayerState.PLAYING
    session.start_pts = 0.0
    session.sysclock.set(1.25)
    stats = session_stats(session, lambda: WALL)

    assert stats.frames.presented == 2 and stats.frames.dropped_late == 2
    assert stats.frames.not_painted is None  # headless: nothing painted to count
    assert stats.media is not None and stats.media.video == VideoInfo(
        "h264", 320, 240, 25.0, "yuv420p"
    )
    assert stats.abr is None and stats.variant is None and stats.live_latency_s is None
    report = _round_trips(stats)
    expected = {
        "schema": REPORT_SCHEMA,
        "url": "clip.mkv",
        "protocol": "file",
        "container": "matroska",
        "started_at": _started(report),
        "session_seconds": 2.0,
        "played_seconds": 0.0,
        "time_to_first_frame_s": 0.5,
        "time_to_first_audio_s": None,
        "rebuffer_count": 0,
        "rebuffer_seconds": 0.0,
        "frames": {
            "decoded": 0,
            "presented": 2,
            "dropped": 2,
            "dropped_late": 2,
            "dropped_catchup": 0,
            "dropped_decoder": 0,
        },
        "decode_errors": 0,
        "audio_underruns": 0,
        "audio_underruns_idle": 0,
        "av_offset_ms": {
            "count": 2,
            "mean": 1.0,
            "p50": 3.0,
            "p95": 3.9,
            "p99": 3.98,
            "max": 4.0,
        },
        "bitrate_kbps": {"input": 40.0, "media": 40.0, "video": 40.0, "audio": 0.0},
        "bytes_in": 10_000,
        "reconnects": 0,
        "seeks": 0,
        "errors": [],
        "warnings": [
            {
                "t": 0.5,
                "code": "hwdec-fallback",
                "message": "decoding in software",
                "reason": {"code": "no-device", "api": "vaapi"},
            }
        ],
        "timeline": [
            {"t": 0.5, "type": "video_size", "width": 320, "height": 240},
            {
                "type": "warning",
                "t": 0.5,
                "code": "hwdec-fallback",
                "message": "decoding in software",
                "reason": {"code": "no-device", "api": "vaapi"},
            },
        ],
        "state": "playing",
        "position_s": 1.25,
        "buffer_s": 0.0,
        "speed": 1.0,
        "av_offset_last_ms": -2.0,
        "media": {
            "title": "",
            "duration_s": 4.0,
            "is_live": False,
            "video": {
                "codec": "h264",
                "width": 320,
                "height": 240,
                "fps": 25.0,
                "pix_fmt": "yuv420p",
                "bit_rate": None,
            },
            "audio": None,
        },
        "latency": {
            "end_to_end_s": None,
            "source": None,
            "end_to_end_reason": "not a live stream",
            "to_live_edge_s": None,
            "to_live_edge_reason": "not a live stream",
        },
    }
    # the same entries, nested ones included, in the same order
    assert json.dumps(report) == json.dumps(expected)


def test_an_audio_file_reports_its_output_and_no_video() -> None:
    clock = ManualClock()
    session = headless_session(clock)
    media = replace(video_file().media, video=None, audio=AudioInfo("aac", 48_000, 2, 128_000))
    session.info = SourceInfo(media=media, video=None, audio=None)
    session.media = media
    metrics = session.metrics
    metrics.start("clip.mkv")
    metrics.protocol, metrics.container = "file", "matroska"
    # what the session records once its audio output opens
    metrics.extra["audio"] = {
        "device": "null sink",
        "sample_rate": 48_000,
        "latency_s": 0.0213,
        "latency_source": "portaudio",
    }
    metrics.on_packet("audio", 16_000, 0.0)
    metrics.on_packet("audio", 16_000, 1.0)
    clock.advance(1.0)
    metrics.first_audio_at = 0.25
    metrics.on_audio_underrun()
    metrics.on_audio_underrun(heard=False)
    metrics.on_audio_underrun(heard=False)
    metrics.on_error("audio", "the device went away", False, "audio-device")
    stats = session_stats(session, lambda: WALL)

    assert stats.audio is not None and stats.audio.device == "null sink"
    assert stats.media is not None and stats.media.video is None
    assert stats.media.audio == AudioInfo("aac", 48_000, 2, 128_000)
    assert stats.errors[0].code == "audio-device" and not stats.errors[0].fatal
    assert stats.av_offset_ms.p95 is None and stats.av_offset_last_ms is None
    report = _round_trips(stats)
    assert list(report)[list(report).index("timeline") + 1] == "audio"  # where it always was
    keys = ("time_to_first_audio_s", "audio_underruns", "audio_underruns_idle", "audio")
    assert {k: report[k] for k in keys} == {
        "time_to_first_audio_s": 0.25,
        "audio_underruns": 1,
        "audio_underruns_idle": 2,
        "audio": {
            "device": "null sink",
            "sample_rate": 48_000,
            "latency_s": 0.0213,
            "latency_source": "portaudio",
        },
    }
    assert report["bitrate_kbps"] == {"input": 256.0, "media": 256.0, "video": 0.0, "audio": 256.0}
    assert report["av_offset_ms"] == {
        "count": 0,
        "mean": None,
        "p50": None,
        "p95": None,
        "p99": None,
        "max": None,
    }
    assert report["errors"] == [
        {
            "t": 1.0,
            "kind": "audio",
            "code": "audio-device",
            "message": "the device went away",
            "fatal": False,
        }
    ]
    assert report["timeline"] == [
        {"t": 1.0, "type": "audio_underrun", "count": 1},
        {"type": "error", **report["errors"][0]},
    ]
    assert report["media"] == {
        "title": "",
        "duration_s": 4.0,
        "is_live": False,
        "video": None,
        "audio": {"codec": "aac", "sample_rate": 48_000, "channels": 2, "bit_rate": 128_000},
    }
    assert "abr" not in report and "variant" not in report and "live_latency_s" not in report


class _LiveLadder:
    """A live HLS source as the session sees it: a two-rung ladder fetching
    rung 2 while rung 1 plays, with program dates."""

    started_at = 0.0

    def open(self) -> SourceInfo:
        raise AssertionError("not opened in these tests")

    def read(self) -> DemuxPacket | None:
        return None

    def seek(self, position: float, exact: bool) -> None: ...

    def interrupt(self) -> None: ...

    def close(self) -> None: ...

    @property
    def is_live(self) -> bool:
        return True

    def select_variant(self, index: int | None) -> None: ...

    def variants(self) -> tuple[VariantInfo, ...]:
        return (VariantInfo(0, 800_000, 640, 360), VariantInfo(1, 2_500_000, 1280, 720))

    def abr_status(self) -> AbrStatus:
        return AbrStatus(1, 0, 2_500_000, 3_141_592.6, 4.25678, 2, slow_segments=1, policy="mpc")

    def timeline(self) -> list[TimelineEntry]:
        return []

    def pin_height(self, height: int | None) -> None: ...

    def pin_variant(self, index: int) -> None: ...

    def set_max_resolution(self, width: int | None, height: int | None) -> None: ...

    def live_latency(self) -> float | None:
        return 3.5

    def program_date_time(self, position: float) -> datetime | None:
        # the frame at 40 s was captured 6.25 s before WALL
        return datetime.fromtimestamp(WALL - 6.25 - (40.0 - position), tz=UTC)

    def edge_latency(self) -> float | None:
        return 3.25


def test_live_hls_reports_its_rungs_and_both_latencies() -> None:
    clock = ManualClock()
    url = "https://cdn.test/live/master.m3u8"
    session = Session(url, None, DEFAULT_CONFIG, clock, None, lambda e: None, levels=Levels())
    source = _LiveLadder()
    assert isinstance(source, Adaptive) and isinstance(source, Live)
    media = MediaInfo(
        url=url, protocol="hls", container="mpegts", duration=None, is_live=True,
        seekable=False, video=VideoInfo("h264", 640, 360, 30.0, "yuv420p"),
        audio=AudioInfo("aac", 48_000, 2), variants=source.variants(),
    )  # fmt: skip
    spec = StreamSpec("video", "h264", Fraction(1, 90_000), lambda: None, 640, 360)
    session.info = SourceInfo(media=media, video=spec, audio=None)
    session.media = media
    session.source = source
    session.target = classify(url)
    session.metrics.start(url)
    session.metrics.protocol, session.metrics.container = "hls", "mpegts"
    clock.advance(0.75)
    session.metrics.on_presented(None, (1280, 720))  # the rung fetched reached the screen
    session.last_shown_pts = 40.0
    stats = session_stats(session, lambda: WALL)

    assert stats.abr == source.abr_status()
    assert stats.variant == VariantStats(0, 640, 360, 800_000)  # what is seen, not fetched
    assert stats.latency == LatencyStats(6.25, "program-date-time", None, 3.25, None)
    assert stats.latency.headline() == (6.25, "end to end")
    assert stats.live_latency_s == 3.5
    assert stats.media is not None and stats.media.video is not None
    assert (stats.media.video.width, stats.media.video.height) == (1280, 720)
    report = stats.as_report()
    assert from_report(json.loads(json.dumps(report))).as_report() == report
    assert list(report)[-5:] == ["media", "abr", "variant", "live_latency_s", "latency"]
    assert report["abr"] == {
        "variant_index": 1,
        "playing_index": 0,
        "variant_bandwidth": 2_500_000,
        "estimate_bps": 3_141_593,  # rounded for people
        "buffer_s": 4.257,
        "variants": 2,
        "segment_gaps": 0,
        "slow_segments": 1,
        "estimate_measured": True,
        "policy": "mpc",
    }
    assert report["variant"] == {"index": 0, "width": 640, "height": 360, "bandwidth": 800_000}
    assert report["live_latency_s"] == 3.5
    assert report["latency"] == {
        "end_to_end_s": 6.25,
        "source": "program-date-time",
        "end_to_end_reason": None,
        "to_live_edge_s": 3.25,
        "to_live_edge_reason": None,
    }
    assert report["media"]["video"]["width"] == 1280 and report["media"]["is_live"] is True
    # the rounded figures read back as the rounded figures
    back = from_report(report)
    assert back.abr is not None and back.abr.estimate_bps == 3_141_593


def test_no_session_is_a_state_and_nothing_else() -> None:
    closed = SessionStats.closed("idle")
    assert closed.as_report() == {"state": "idle"}
    assert from_report({"state": "idle"}) == closed
    assert not closed.opened and closed.latency.headline() == (None, "-")


def test_a_report_that_is_not_ours_is_refused_with_a_reason() -> None:
    for bad in ({"frames": [1, 2]}, {"errors": 3}, {"media": {"title": "no more"}}):
        with pytest.raises(ValueError, match="not a heureum report"):
            from_report({"schema": REPORT_SCHEMA, **bad})


class _TimedLadder(_LiveLadder):
    """A source that started 2.5 s into the clock, with three entries."""

    started_at = 2.5
    entries = (
        TimelineEntry(0.4, 1_000_000.0, 800_000, 0.0, measured=False),
        TimelineEntry(2.0, 3_210_987.6, 2_500_000, 4.1234, marker="switch", detail="throughput"),
        TimelineEntry(4.0, 3_300_000.0, 2_500_000, 5.5),
    )

    def timeline(self) -> list[TimelineEntry]:
        return list(self.entries)


def test_the_abr_timeline_is_typed_on_the_sessions_clock() -> None:
    clock = ManualClock()
    url = "https://cdn.test/live/master.m3u8"
    session = Session(url, None, DEFAULT_CONFIG, clock, None, lambda e: None, levels=Levels())
    assert session.abr_timeline() == []  # nothing adaptive opened
    source = _TimedLadder()
    session.source = source
    clock.advance(1.0)
    session.metrics.start(url)  # the session opened at 1.0, the source at 2.5
    timeline = session.abr_timeline()
    assert all(isinstance(e, TimelineEntry) for e in timeline)
    # every field as the source has it, the time moved by 1.5 s (not rounded)
    assert timeline == [replace(e, t=e.t + 1.5) for e in source.entries]
    assert [e.t for e in timeline] == [1.9, 3.5, 5.5]
    assert source.timeline()[0].t == 0.4  # the source's own entries are left as they were
