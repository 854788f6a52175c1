"""The control loop on a ``ManualClock``: its ticks moved by the test, the
presenter's part done by hand."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

import numpy as np

from player.audio_mix import _Voice
from player.clock import ManualClock
from player.commands import SpeedChanged
from player.config import DEFAULT_CONFIG, LatencyConfig
from player.engine import Session
from player.events import Event, PlayerState, StateChanged
from player.levels import Levels
from player.source_api import Source
from tests.support.background import Background
from tests.support.sessions import headless_session, live_rtmp, silent_output, video_file


def _tick(clock: ManualClock, ticks: int = 1) -> None:
    for _ in range(ticks):
        clock.until_waiting(1)
        clock.advance(0.02)
    clock.until_waiting(1)


def test_a_file_read_whole_before_its_first_frame_starts_with_that_frame() -> None:
    """A short file reaches the end of its input before the first frame is
    decoded. The clock stays still until that frame: it used to start at
    once, so the position ran on while nothing was shown or heard (and a
    subtitle came that much early)."""
    clock = ManualClock()
    states: list[PlayerState] = []

    def record(event: Event) -> None:
        if isinstance(event, StateChanged):
            states.append(event.state)

    session = headless_session(clock, record)
    session.info = video_file()
    session.media = session.info.media
    session.set_state(PlayerState.BUFFERING)
    session.demux_eos = True  # the whole file demuxed
    session.demuxed_end = {"video": 4.0}
    loop = Background(session.control.loop)
    _tick(clock, 10)
    assert states == [PlayerState.BUFFERING]
    assert session.position() is None  # no frame yet: no position to run
    # the presenter shows the first frame and anchors the clock on it
    session.last_shown_pts = 0.04
    session.start_pts = 0.04
    session.sysclock.set(0.04)
    session.preroll = False
    _tick(clock)
    assert states[-1] == PlayerState.PLAYING
    clock.advance(0.5)
    assert abs((session.position() or 0.0) - 0.54) < 1e-9  # from the frame, not before it
    session.stopping.set()
    session.wake()
    loop.result()
    assert states == [PlayerState.BUFFERING, PlayerState.PLAYING]


def _live_audio_ready(clock: ManualClock, states: list[PlayerState]) -> tuple[Session, _Voice]:
    """A live RTMP stream of sound alone, 1 s buffered: all a start needs
    but an audio device that runs. (With a picture the start does not wait
    for the device: ``test_audio_joins_running_clock.py``.)"""

    def record(event: Event) -> None:
        if isinstance(event, StateChanged):
            states.append(event.state)

    session = headless_session(clock, record)
    session.info = replace(live_rtmp(), video=None)
    session.media = session.info.media
    voice = silent_output(clock)
    assert isinstance(voice, _Voice)
    session.audio = voice
    session.set_state(PlayerState.BUFFERING)
    session.demuxed_end = {"audio": 1.0}
    return session, voice


def _stop(session: Session, loop: Background[None]) -> None:
    session.stopping.set()
    session.wake()
    loop.result()


def test_a_start_of_sound_alone_waits_for_the_audio_device_to_run() -> None:
    """A PulseAudio stream that starts calls back three blocks and then
    nothing for up to 1.8 s, or runs dry hundreds of times (issue 11): a start
    then said playing while its clock held, or fed sound that was thrown
    away and starved at once."""
    clock = ManualClock()
    states: list[PlayerState] = []
    session, voice = _live_audio_ready(clock, states)
    loop = Background(session.control.loop)
    block = np.zeros((512, 2), dtype=np.float32)
    voice.render(block, 512)  # the stream's first blocks, then silence from it
    _tick(clock, 25)
    assert states == [PlayerState.BUFFERING]
    was_playing = voice.playing  # read once: mypy would keep the narrowing below
    assert not was_playing
    for _ in range(5):  # the device takes samples at its pace from here
        voice.render(block, 512)
        voice.render(block, 512)
        _tick(clock)
    assert states == [PlayerState.BUFFERING]  # 0.1 s of a steady pace first
    voice.render(block, 512)
    voice.render(block, 512)
    _tick(clock)
    assert states == [PlayerState.BUFFERING, PlayerState.PLAYING]
    assert voice.playing
    _stop(session, loop)


def test_a_start_plays_anyway_when_the_audio_device_never_runs() -> None:
    clock = ManualClock()
    states: list[PlayerState] = []
    session, voice = _live_audio_ready(clock, states)
    loop = Background(session.control.loop)
    _tick(clock, 95)  # 1.9 s
    assert states == [PlayerState.BUFFERING]
    _tick(clock, 10)
    assert states == [PlayerState.BUFFERING, PlayerState.PLAYING]
    assert voice.playing
    assert session.position() == 0.0  # held at its start until a sample is out
    _stop(session, loop)


def test_low_latency_wins_back_what_a_stall_cost() -> None:
    """Low-latency RTMP after a 3 s stall (issue 11): the catch-up only acts
    on more than 0.5 s over its 0.3 s target, so the stream stayed ~0.4 s
    buffered (0.6 s behind the glass) where it had played 40 ms before."""
    clock = ManualClock()
    config = replace(DEFAULT_CONFIG, latency=LatencyConfig(low_latency=True))
    session = Session("rtmp://o.test/live/cam", None, config, clock, None, lambda e: None,
                      levels=Levels())  # fmt: skip
    session.info = live_rtmp()  # its sound unheard: no output
    session.media = session.info.media
    session.set_state(PlayerState.BUFFERING)
    session.last_shown_pts = session.start_pts = 0.0
    session.preroll = False
    session.demuxed_end = {"video": 0.04}
    loop = Background(session.control.loop)
    for tick in range(600):  # 12 s: 2 s played, 3 s stalled, then 7 s
        now = clock.now()
        feeding = not 2.0 <= now < 5.0
        if feeding:
            # the source at its pace, 40 ms ahead; the presenter keeps up
            session.demuxed_end = {"video": now + 0.04}
            pos = session.position()
            if pos is not None:
                session.last_shown_pts = pos
        _tick(clock)
        if tick == 90:
            assert abs(session.buffered() - 0.04) < 0.03
    assert session.state == PlayerState.PLAYING
    assert abs(session.buffered() - 0.04) < 0.1  # back where it was
    _stop(session, loop)


def test_the_refill_after_a_catch_up_jump_is_no_stall() -> None:
    """Default-mode RTMP 1.5 s over its start buffer (a start that waited for
    the audio device) jumps ahead; what was decoded before the target is
    thrown away and the output refills: that is the jump, not a stall (it
    failed the A+V RTMP start test as one)."""
    clock = ManualClock()
    session = headless_session(clock)
    session.info = live_rtmp()  # its sound unheard: no output
    session.media = session.info.media
    session.set_state(PlayerState.BUFFERING)
    session.last_shown_pts = session.start_pts = 0.0
    session.preroll = False
    loop = Background(session.control.loop)
    jumped_at: float | None = None
    for _ in range(150):  # 3 s
        now = clock.now()
        session.demuxed_end = {"video": now + 2.0}  # 2 s buffered, at the source's pace
        pos = session.position()
        jumps = [e for e in session.metrics.timeline if e["type"] == "catch_up"]
        if jumped_at is None and jumps:
            jumped_at = now
        if pos is not None and (jumped_at is None or now - jumped_at > 0.6):
            session.last_shown_pts = pos  # the presenter keeps up, but for the refill
        _tick(clock)
    kinds = [e["type"] for e in session.metrics.timeline]
    assert jumped_at is not None and jumps[0]["action"] == "jump"
    assert "refill" in kinds
    assert "stall_start" not in kinds
    _stop(session, loop)


class _Positions:
    """A PositionAware source: every tick tells it the position."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def set_playback_position(self, seconds: float) -> None:
        self.calls.append(seconds)


def _playing_vod(
    clock: ManualClock, demuxed_to: float
) -> tuple[Session, _Positions, Background[None]]:
    """A VOD file playing from 0, demuxed to ``demuxed_to``, its loop running."""
    session = headless_session(clock)
    session.info = video_file(duration=60.0)
    session.media = session.info.media
    positions = _Positions()
    session.source = cast(Source, positions)
    session.demuxed_end = {"video": demuxed_to}
    session.last_shown_pts = session.start_pts = 0.0
    session.sysclock.set(0.0)
    session.preroll = False
    session.set_state(PlayerState.PLAYING)
    session.run_clocks(True)
    loop = Background(session.control.loop)
    clock.until_waiting(1)
    return session, positions, loop


def _ticks_in_a_second(demuxed_to: float, subtitles: bool = False) -> int:
    clock = ManualClock()
    session, positions, loop = _playing_vod(clock, demuxed_to)
    if subtitles:  # a file's subtitle track selected: its cues are timed by the tick
        session.text_source = lambda position: None
        session.text_selected = lambda: True
    start = len(positions.calls)
    for _ in range(50):
        session.last_shown_pts = session.position()  # frames keep coming
        clock.advance(0.02)
        clock.until_waiting(1)
    _stop(session, loop)
    return len(positions.calls) - start


def test_steady_vod_playback_ticks_five_times_less_often() -> None:
    quiet = _ticks_in_a_second(demuxed_to=30.0)
    busy = _ticks_in_a_second(demuxed_to=0.5)  # near empty: a stall may begin
    assert busy == 50
    assert 10 <= quiet <= 12  # every 100 ms, and the stats update on its second
    assert _ticks_in_a_second(demuxed_to=30.0, subtitles=True) == 50


def test_a_message_wakes_the_quiet_loop_at_once() -> None:
    clock = ManualClock()
    session, positions, loop = _playing_vod(clock, demuxed_to=30.0)
    clock.advance(0.02)  # the first tick: the loop now sleeps 100 ms
    clock.settle(1)
    before = len(positions.calls)
    session.post(SpeedChanged())
    clock.settle(1)
    assert len(positions.calls) == before + 1  # ticked with no time passing
    clock.advance(0.02)
    clock.settle(1)
    assert len(positions.calls) == before + 1  # and sleeps quietly again
    _stop(session, loop)
