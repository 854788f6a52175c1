"""A seek given while the source opens, before the control loop runs, is
applied before the first picture, whichever way it interleaves with the
start (issue 9: frame 0.0 was shown once, the seek having come just after
the start looked for one). On a ManualClock; the real file and threads are
``tests/integration/test_playback_file.py``."""

from __future__ import annotations

import pytest

from player.audio_out import AudioDevicePool
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.engine import Session
from player.events import Event, SeekCompleted
from player.levels import Levels
from player.queues import EOS, QueueItem
from player.video_sink import RecordingVideoSink, VideoFrame
from tests.support.background import Background
from tests.unit.test_audio_after_first_picture import _Pool, _Session


def _opening(clock: ManualClock, pool: AudioDevicePool) -> _Session:
    session = _Session(
        "/media/a.mp4", None, DEFAULT_CONFIG, clock, None, lambda e: None, Levels(), pool
    )
    session.steps = []
    return session


def _has_audio_and_video(session: Session) -> None:
    """``info`` as a file with both streams has it (only ``video`` and
    ``audio`` being set is read by the start's choice)."""

    class _Info:
        video = object()
        audio = object()

    session.info = _Info()  # type: ignore[assignment]


@pytest.mark.parametrize("seek_first", [True, False], ids=["seek-then-check", "check-then-seek"])
def test_a_seek_given_during_the_open_starts_the_loop_before_any_packet(
    seek_first: bool,
) -> None:
    """Either order: the loop that applies the seek is running (and the
    device opened for it) before the demux thread reads a packet, instead of
    waiting for a first picture that would be from 0 s."""
    clock = ManualClock()
    session = _opening(clock, _Pool())
    _has_audio_and_video(session)
    if seek_first:
        session.seek(2.5, exact=True)
    later = session._audio_after_first_picture()
    if not seek_first:
        session.seek(2.5, exact=True)
    if later:
        session._audio_waits_since = clock.now()
        session.demux.pending_start = session._start_rest
        # the demux thread's first look, before its first packet
        session._start_rest(False)
    else:
        session.steps += ["audio", "loop"]  # ``_start_pipeline`` does both at once
    assert later is not seek_first
    assert session.steps == ["audio", "loop"]
    assert session.demux.pending_start is None
    assert session.inbox.pending_seek() == 2.5  # still the loop's to apply


def _frame(session: Session, pts: float, serial: int) -> None:
    picture = VideoFrame(pts=pts, width=320, height=240, pix_fmt="yuv420p", frame=None)
    assert session.frames.put(QueueItem[VideoFrame](picture, serial, pts, 0.04, 0), 1.0)


@pytest.mark.parametrize("seek_first", [True, False], ids=["seek-then-frame", "frame-then-seek"])
def test_no_first_picture_while_a_seek_waits_for_the_loop(seek_first: bool) -> None:
    """The frame from 0 s decoded before the loop took the seek is never
    shown: the first picture is the seek's, whether the seek came before
    the frame was decoded or after."""
    clock = ManualClock()
    sink = RecordingVideoSink(clock)
    events: list[Event] = []
    session = Session("clip.mkv", None, DEFAULT_CONFIG, clock, sink, events.append, Levels())
    if seek_first:
        session.seek(2.5, exact=True)
    _frame(session, 0.0, serial=0)
    if not seek_first:
        session.seek(2.5, exact=True)
    presenter = Background(session.presenter.run)
    try:
        assert clock.settle(1, unless=lambda: presenter.done)
        assert sink.shown == []  # the frame from 0 s waits, unseen
        session.apply_messages()  # the loop starts: the seek first
        _frame(session, 2.5, serial=1)
        session.frames.put_nowait(QueueItem[VideoFrame](EOS, 1, None, 0.0, 0))
        assert clock.settle(1, unless=lambda: presenter.done)
        assert [pts for pts, _ in sink.shown] == [2.5]
        session.apply_messages()  # the preroll frame anchors the clocks
        assert [e.position for e in events if isinstance(e, SeekCompleted)] == [2.5]
    finally:
        session.stopping.set()
        session.wake()
        presenter.result()
