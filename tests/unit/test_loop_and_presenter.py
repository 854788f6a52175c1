"""The control loop and the presenter on their own threads, together, on a
``ManualClock``: a start and a seek played through the inbox, each step
taken once both threads are quiescent (``ManualClock.settle``), no sleeps.
The demux thread's and decoders' part (frames, the end of the input) is
done by hand."""

from __future__ import annotations

from player.clock import ManualClock
from player.commands import InputEnded
from player.config import DEFAULT_CONFIG
from player.engine import Session
from player.events import Event, PlayerState, SeekCompleted, StateChanged
from player.levels import Levels
from player.queues import QueueItem
from player.video_sink import RecordingVideoSink, VideoFrame
from tests.support.background import Background
from tests.support.sessions import video_file


def _decoded(session: Session, serial: int, *pts: float) -> None:
    for p in pts:
        picture = VideoFrame(pts=p, width=320, height=240, pix_fmt="yuv420p", frame=None)
        session.frames.put_nowait(QueueItem[VideoFrame](picture, serial, p, 0.04, 0))


def _state(session: Session) -> PlayerState:
    return session.state  # read afresh: the loop's thread changes it


def _until_shown(clock: ManualClock, sink: RecordingVideoSink, count: int) -> None:
    """Moves the clock deadline by deadline (the loop's ticks, the
    presenter's wait for its frame) until ``count`` frames were shown."""
    for _ in range(50):
        if len(sink.shown) >= count:
            return
        deadline = clock.next_deadline()
        assert deadline is not None
        clock.advance(deadline - clock.now())
        clock.settle(2)
    raise AssertionError(f"{len(sink.shown)} frames shown, expected {count}")


def test_a_start_and_a_seek_go_through_the_loop_in_order() -> None:
    clock = ManualClock()
    sink = RecordingVideoSink(clock)
    events: list[Event] = []
    session = Session("clip.mkv", None, DEFAULT_CONFIG, clock, sink, events.append, Levels())
    session.info = video_file()
    session.media = session.info.media
    session.set_state(PlayerState.BUFFERING)
    _decoded(session, 0, 0.0, 0.04, 0.08)
    session.post(InputEnded(0))  # the whole (short) input read
    loop = Background(session.control.loop)
    presenter = Background(session.presenter.run)
    try:
        clock.settle(2)
        # the preroll frame shown, posted, applied: the clocks start on it
        assert [pts for pts, _ in sink.shown] == [0.0]
        assert _state(session) == PlayerState.PLAYING and session.start_pts == 0.0
        _until_shown(clock, sink, 2)
        assert [pts for pts, _ in sink.shown] == [0.0, 0.04]
        assert abs(clock.now() - 0.04) < 1e-9  # shown when the clock reached it

        session.seek(2.0, exact=False)  # returns once the loop applied it
        assert _state(session) == PlayerState.BUFFERING and session.serial == 1
        assert len(session.frames) == 0  # the old frames cleared with it
        _decoded(session, 0, 0.08)  # decoded just before the seek: stale
        _decoded(session, 1, 2.0, 2.04)
        session.post(InputEnded(1))
        clock.settle(2)
        assert [pts for pts, _ in sink.shown] == [0.0, 0.04, 2.0]
        assert _state(session) == PlayerState.PLAYING and session.position() == 2.0
        seek_done_at = clock.now()
        _until_shown(clock, sink, 4)
        assert [pts for pts, _ in sink.shown] == [0.0, 0.04, 2.0, 2.04]
        assert abs(clock.now() - seek_done_at - 0.04) < 1e-9
    finally:
        session.stop()  # closes the queues the presenter may wait on
        loop.result()
        presenter.result()
    states = [e.state for e in events if isinstance(e, StateChanged)]
    assert states == [
        PlayerState.BUFFERING,
        PlayerState.PLAYING,
        PlayerState.BUFFERING,
        PlayerState.PLAYING,
    ]
    assert [e.position for e in events if isinstance(e, SeekCompleted)] == [2.0]
    # each frame after a preroll on its time
    assert all(abs(offset) < 1e-9 for offset in session.metrics.av_offsets)
    assert len(session.metrics.av_offsets) == 2
