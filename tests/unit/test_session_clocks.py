"""The session's clocks on a ``ManualClock``: the position at the start and
at the end, and what counts as buffered."""

from __future__ import annotations

from dataclasses import replace

from player.clock import ManualClock
from player.events import AudioInfo, PlayerState
from player.source_api import SourceInfo
from tests.support.sessions import headless_session, silent_output, video_file


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
