"""The presenter on a ``ManualClock`` (no decoder, no window): frames put in
the session's queue by hand, its waits moved by the test."""

from __future__ import annotations

import threading

from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.engine import Session
from player.events import Event, PlayerState, SeekCompleted
from player.levels import Levels
from player.queues import EOS, QueueItem
from player.video_sink import RecordingVideoSink, VideoFrame
from tests.support.background import Background


def _session(clock: ManualClock, sink: RecordingVideoSink, events: list[Event]) -> Session:
    return Session(
        "clip.mkv",
        None,
        DEFAULT_CONFIG,
        clock,
        sink,
        events.append,
        levels=Levels(),
    )


def _frame(session: Session, pts: float, serial: int) -> None:
    picture = VideoFrame(pts=pts, width=320, height=240, pix_fmt="yuv420p", frame=None)
    assert session.frames.put(QueueItem[VideoFrame](picture, serial, pts, 0.04, 0), 1.0)


def _end(session: Session, serial: int) -> None:
    session.frames.put_nowait(QueueItem[VideoFrame](EOS, serial, None, 0.0, 0))


def _shown(sink: RecordingVideoSink) -> list[float]:
    return [pts for pts, _ in sink.shown]


def test_the_first_frame_after_a_seek_anchors_the_clocks_and_completes_it() -> None:
    clock = ManualClock()
    sink = RecordingVideoSink(clock)
    events: list[Event] = []
    session = _session(clock, sink, events)
    session.seek(2.0, exact=False)
    session.apply_messages()  # the control loop's part
    _frame(session, 0.0, serial=0)  # decoded before the seek: dropped unseen
    _frame(session, 2.04, serial=1)
    _end(session, serial=1)
    presenter = Background(session.presenter.run)
    clock.until_waiting(1)  # it waits at the end of the frames
    assert _shown(sink) == [2.04]
    # what it learnt is posted, not written: the loop applies it
    assert (session.start_pts, session.preroll, session.video_done) == (None, True, False)
    session.apply_messages()
    assert session.start_pts == 2.04 and session.position() == 2.04
    assert [e.position for e in events if isinstance(e, SeekCompleted)] == [2.04]
    assert session.video_done and not session.preroll
    session.stopping.set()
    session.wake()
    presenter.result()


def test_a_frame_waits_for_the_clock_while_playing() -> None:
    clock = ManualClock()
    sink = RecordingVideoSink(clock)
    session = _session(clock, sink, [])
    _frame(session, 0.0, serial=0)
    _frame(session, 0.5, serial=0)
    presenter = Background(session.presenter.run)
    clock.until_waiting(1)  # the preroll frame is shown, the next waits
    assert _shown(sink) == [0.0]
    session.apply_messages()  # the control loop anchors the clocks on it
    session.set_state(PlayerState.PLAYING)
    session.run_clocks(True)
    clock.until_waiting(1)
    clock.advance(0.45)
    clock.until_waiting(1)
    assert _shown(sink) == [0.0]  # 50 ms early: not yet
    clock.advance(0.05)
    _end(session, serial=0)
    clock.until_waiting(1)
    assert _shown(sink) == [0.0, 0.5]
    assert abs(session.metrics.av_offsets[-1]) < 1e-9  # shown on its time
    session.stopping.set()
    session.wake()
    presenter.result()


def test_a_second_frame_is_no_preroll_while_the_loop_has_not_applied_the_first() -> None:
    """The preroll frame is posted to the control loop; until the loop
    applies it the session still says preroll, and the next frame waits
    for the clock instead of being shown as a second preroll."""
    clock = ManualClock()
    sink = RecordingVideoSink(clock)
    session = _session(clock, sink, [])
    session.set_state(PlayerState.BUFFERING)
    _frame(session, 0.0, serial=0)
    _frame(session, 0.04, serial=0)
    presenter = Background(session.presenter.run)
    clock.until_waiting(1)
    assert _shown(sink) == [0.0] and session.preroll
    assert len(session.inbox) == 1 and len(session.frames) == 1
    clock.advance(0.05)
    clock.until_waiting(1)
    assert _shown(sink) == [0.0]  # still one: buffering, not a preroll again
    session.apply_messages()
    assert (session.preroll, session.start_pts) == (False, 0.0)
    session.stopping.set()
    session.wake()
    presenter.result()


def _played_from(session: Session, pts: float) -> list[str]:
    """Past the preroll, the clocks at ``pts``, this thread standing in
    for the control loop; returns the names of the threads that pin the
    clocks from here."""
    session.start_pts = pts
    session.preroll = False
    session.sysclock.set(pts)
    session.inbox.owned_by(threading.current_thread())
    pinners: list[str] = []
    pin = session.pin_clock

    def spy(pts: float, keep_running: bool = False) -> None:
        pinners.append(threading.current_thread().name)
        pin(pts, keep_running)

    session.pin_clock = spy  # type: ignore[method-assign]
    return pinners


def test_a_stepped_frame_is_shown_and_the_loop_pins_the_clocks_on_it() -> None:
    clock = ManualClock()
    sink = RecordingVideoSink(clock)
    session = _session(clock, sink, [])
    pinners = _played_from(session, 0.0)
    session.set_state(PlayerState.PAUSED)
    session.step_requests = 2  # two FrameSteps the loop applied
    _frame(session, 0.04, serial=0)
    _frame(session, 0.08, serial=0)
    presenter = Background(session.presenter.run)
    clock.settle(1)  # the presenter waits for the loop
    assert _shown(sink) == [0.04]
    # posted, not pinned: the next step waits until the clocks stand on this one
    assert session.position() == 0.0 and pinners == []
    assert session.step_requests == 2  # the loop takes it, not the presenter
    assert len(session.inbox) == 1 and len(session.frames) == 1
    session.apply_messages()  # the control loop's part
    assert session.position() == 0.04 and session.step_requests == 1
    clock.settle(1)  # the second step, waiting for the loop in turn
    assert _shown(sink) == [0.04, 0.08] and session.position() == 0.04
    session.apply_messages()
    assert session.position() == 0.08
    assert pinners == [threading.current_thread().name] * 2
    assert session.step_requests == 0
    session.stopping.set()
    session.wake()
    presenter.result()


def test_a_jump_in_the_timestamps_is_pinned_by_the_loop_before_the_frame_shows() -> None:
    """No sound: a frame 20 s from the clock is a jump in the stream's
    timestamps; the clocks jump to it (on the loop), then it is shown."""
    clock = ManualClock()
    sink = RecordingVideoSink(clock)
    session = _session(clock, sink, [])
    pinners = _played_from(session, 1.0)
    session.set_state(PlayerState.PLAYING)
    session.run_clocks(True)
    _frame(session, 21.0, serial=0)
    _frame(session, 21.04, serial=0)
    presenter = Background(session.presenter.run)
    clock.settle(1)
    assert _shown(sink) == [] and pinners == []  # waits for the loop to move the clocks
    assert len(session.inbox) == 1
    session.apply_messages()
    clock.settle(1)  # shown, and the next waits for its time
    assert _shown(sink) == [21.0]
    assert session.position() == 21.0
    assert pinners == [threading.current_thread().name]
    session.stopping.set()
    session.wake()
    presenter.result()
