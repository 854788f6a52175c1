"""The presenter on a ``ManualClock`` (no decoder, no window): frames put in
the session's queue by hand, its waits moved by the test."""

from __future__ import annotations

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
