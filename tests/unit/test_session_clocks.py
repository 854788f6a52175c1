"""The session's clocks on a ``ManualClock``: the position at the start and
at the end, and what counts as buffered."""

from __future__ import annotations

from dataclasses import replace

from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.engine import Session
from player.events import AudioInfo, PlayerState
from player.levels import Levels
from player.load_control import CatchUpAction, catch_up
from player.source_api import SourceInfo
from tests.support.sessions import (
    headless_session,
    live_hls,
    live_rtmp,
    live_rtsp,
    silent_output,
    video_file,
)


def test_the_reported_position_never_passes_the_duration() -> None:
    clock = ManualClock()
    session = headless_session(clock)
    session.info = video_file(duration=4.0)
    session.media = session.info.media
    session.start_pts = 3.9
    session.sysclock.set(3.9)
    session.sysclock.start()
    clock.advance(0.3)  # the clock ran on a little past the last frame
    assert abs((session.position() or 0.0) - 4.2) < 1e-9  # the master is not bent
    assert session.reported_position() == 4.0
    assert session.stats().position_s == 4.0


def test_the_reported_position_never_reads_below_where_playback_began() -> None:
    """While the device's queue of silence before the first sample plays,
    the sample heard "now" is from before the media: an LL-HLS start read
    0.0, -0.064, 1.0. The master clock is not bent (the sync needs it)."""
    clock = ManualClock()
    session = headless_session(clock)
    session.info = video_file(duration=4.0)
    session.media = session.info.media
    session.start_pts = 1.0  # the preroll frame, after a seek to 1 s
    session.sysclock.set(0.936)
    assert abs((session.position() or 0.0) - 0.936) < 1e-9
    assert session.reported_position() == 1.0
    assert session.stats().position_s == 1.0
    session.sysclock.set(1.25)
    assert session.reported_position() == 1.25
    session.seek(0.5, False)  # a seek posted and not yet applied: its target
    assert session.reported_position() == 0.5


def _audio_alone() -> SourceInfo:
    media = replace(video_file().media, video=None, audio=AudioInfo("aac", 48_000, 2, None))
    return SourceInfo(media=media, video=None, audio=None)


def test_audio_alone_holds_the_position_until_its_first_sample_is_out() -> None:
    """A sink that wakes from suspend calls back a second or two late: the
    position used to run on the system clock meanwhile, then fall back."""
    clock = ManualClock()
    session = headless_session(clock)
    session.audio = silent_output(clock)
    session.info = _audio_alone()
    session.media = session.info.media
    session.set_state(PlayerState.BUFFERING)
    session.control.end_buffering(buffered=4.0)
    assert session.state == PlayerState.PLAYING
    clock.advance(1.5)  # the device has not called back yet
    assert session.position() == 0.0


def test_what_the_device_queued_is_not_counted_as_buffered() -> None:
    """The samples a starting stream took in a burst are out of the session's
    hands: counted as buffer, RTSP's latency recovery jumped again and again
    to win back what no jump can."""
    clock = ManualClock()
    session = headless_session(clock)
    out = silent_output(clock)
    session.audio = out
    session.info = _audio_alone()
    session.media = session.info.media
    session.start_pts = 0.0
    out.set_position(1.0)
    out.set_playing(True)
    out.lead = 0.5  # learnt from a burst (test_audio_clock)
    session.demuxed_end = {"audio": 3.0}
    assert session.position() == 1.0  # the sample heard
    assert session.buffered() == 1.5  # from the sample written on


def test_a_speed_chosen_before_the_open_runs_the_system_clock_from_the_start() -> None:
    clock = ManualClock()
    levels = Levels()
    levels.set_speed(2.0)
    session = Session("clip.mkv", None, DEFAULT_CONFIG, clock, None, lambda e: None, levels=levels)
    session.sysclock.set(0.0)
    session.run_clocks(True)
    clock.advance(1.0)
    # without sound the system clock is the master: 1 s at 2x is 2 s of media
    assert session.sysclock.position() == 2.0


def _live_av(clock: ManualClock) -> Session:
    session = headless_session(clock)
    session.audio = silent_output(clock)
    session.info = live_rtmp()
    session.media = session.info.media
    session.start_pts = 0.0
    return session


def test_live_latency_counts_what_the_device_holds_beyond_its_latency() -> None:
    """RTSP/RTMP have no edge of their own: the latency is the newest media
    demuxed against the sound heard. A device that learnt a 2 s lead holds
    that much more, written and not heard: the buffer (what the catch-up
    steers by) leaves it out; the latency must not (it read 0.0 while the
    frame on screen was 2.04 s behind the newest packet)."""
    clock = ManualClock()
    session = _live_av(clock)
    out = session.audio
    assert out is not None
    out.set_position(10.0)
    out.set_playing(True)
    out.lead = 2.0
    session.demuxed_end = {"video": 12.04, "audio": 12.1}
    assert session.position() == 10.0
    assert abs(session.buffered() - 0.04) < 1e-9
    assert abs((session.behind_edge() or 0.0) - 2.04) < 1e-9
    session.set_state(PlayerState.PLAYING)
    assert session.stats().live_latency_s == 2.04
    assert session.stats().buffer_s == 0.04


def test_live_latency_is_unknown_not_zero_until_every_stream_has_an_end() -> None:
    clock = ManualClock()
    session = _live_av(clock)
    out = session.audio
    assert out is not None
    session.pin_clock(1.0)  # not playing yet: held there
    session.demuxed_end = {"video": 3.0}  # no audio demuxed yet
    assert session.buffered() == 0.0  # nothing to start on yet
    assert session.behind_edge() is None
    assert session.stats().live_latency_s is None
    session.demuxed_end["audio"] = 2.5
    assert session.behind_edge() == 1.5


def test_the_catch_up_is_tight_on_paced_sources_and_looser_on_hls() -> None:
    """Low latency holds RTSP/RTMP at 0.2 s (10 % fast from 0.25 s): their
    packets come at the pace they are made. HLS comes a segment at a time,
    and held that tight one 30 s run stalled three times: it keeps 0.3 s,
    5 % fast from 0.8 s."""
    low = replace(DEFAULT_CONFIG, latency=replace(DEFAULT_CONFIG.latency, low_latency=True))
    rules = {}
    for name, info in (("rtsp", live_rtsp()), ("rtmp", live_rtmp()), ("hls", live_hls(0.0))):
        session = Session(
            info.media.url, None, low, ManualClock(), None, lambda e: None, levels=Levels()
        )
        session.info = info
        session.media = info.media
        rules[name] = session.latency_rule()
    assert rules["rtsp"] == rules["rtmp"] == low.latency
    hls = rules["hls"]
    assert (hls.target_latency, hls.catch_up_threshold, hls.catch_up_speed) == (0.3, 0.5, 1.05)
    # 0.6 s buffered: over the paced target's band, within HLS's
    assert catch_up(0.6, 1.0, rules["rtsp"]) == CatchUpAction.SPEED_UP
    assert catch_up(0.6, 1.0, hls) == CatchUpAction.NONE
