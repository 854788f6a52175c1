"""Commands and worker results as messages: the caller's thread only posts,
the control loop's thread changes the session's fields, in the order posted.
On a ``ManualClock``, the loop run by the test (or by hand through
``apply_messages``); no sleeps."""

from __future__ import annotations

import threading
from typing import cast

from player.clock import ManualClock
from player.commands import (
    WAIT_GUARD,
    AudioEnded,
    Inbox,
    InputEnded,
    Pause,
    Play,
    PrerollShown,
    Seek,
    VideoEnded,
)
from player.engine import Session
from player.errors import ErrorCode, error_for
from player.events import Event, PlayerState, SeekCompleted, StateChanged
from player.source_api import DemuxPacket, Source
from tests.support.background import Background
from tests.support.sessions import headless_session, video_file


def _opened(clock: ManualClock, emit: list[tuple[Event, str]] | None = None) -> Session:
    """A session whose file is open (4 s, video only), buffering."""

    def record(event: Event) -> None:
        if emit is not None:
            emit.append((event, threading.current_thread().name))

    session = headless_session(clock, record)
    session.info = video_file()
    session.media = session.info.media
    session.set_state(PlayerState.BUFFERING)
    return session


def _seek_fields(session: Session) -> tuple[object, ...]:
    return (
        session.serial,
        session.seek_target,
        session.pending_seek,
        session.preroll,
        session.metrics.seeks,
        session.sysclock.position(),
    )


def _stop(session: Session, loop: Background[None]) -> None:
    session.stopping.set()
    session.wake()
    loop.result()


def test_a_seek_posted_from_another_thread_changes_nothing_until_the_loop_applies_it() -> None:
    clock = ManualClock()
    session = _opened(clock)
    session.preroll = False  # a frame was shown
    before = _seek_fields(session)
    Background(lambda: session.post(Seek(2.0, exact=True))).result()
    assert _seek_fields(session) == before  # posted only
    assert session.reported_position() == 2.0  # what the caller asked for, meanwhile
    session.apply_messages()  # the control loop's part
    assert _seek_fields(session) == (1, 2.0, (2.0, True), True, 1, 2.0)
    assert session.drop_before == 2.0
    assert session.inbox.pending_seek() is None and len(session.inbox) == 0


def test_a_seek_while_playing_is_no_stall() -> None:
    clock = ManualClock()
    session = _opened(clock)
    session.preroll = False
    session.start_pts = 0.0
    session.metrics.on_presented(0.0, (320, 240))  # stalls count from here
    session.control.end_buffering(buffered=2.0)
    states = [session.state]
    clock.advance(1.0)
    session.post(Seek(3.0, exact=False))
    session.apply_messages()
    states.append(session.state)  # waiting for the target's frame
    assert states == [PlayerState.PLAYING, PlayerState.BUFFERING]
    clock.advance(0.3)
    session.control.end_buffering(buffered=1.0)
    report = session.metrics.snapshot()
    assert [e["type"] for e in report["timeline"] if e["type"] == "seek"] == ["seek"]
    assert report["rebuffer_count"] == 0 and report["rebuffer_seconds"] == 0.0


def test_commands_apply_in_the_order_they_were_posted() -> None:
    clock = ManualClock()
    session = _opened(clock)
    for message in (Pause(), Seek(1.0, False), Play(), Seek(3.0, False), Pause()):
        session.post(message)
    assert session.want_play and session.serial == 0
    assert session.reported_position() == 3.0  # the newest queued seek
    session.apply_messages()
    seeks = [e["to"] for e in session.metrics.timeline if e.get("type") == "seek"]
    assert seeks == [1.0, 3.0]
    assert session.serial == 2 and session.seek_target == 3.0
    assert not session.want_play  # the last Pause, after the Play


def test_a_seek_returns_once_the_loop_thread_applied_it() -> None:
    """``Session.seek`` from the caller's thread: the loop's thread makes the
    change (its state change is emitted there), and when ``seek`` returns the
    position already says so, with no time passed on the clock."""
    clock = ManualClock()
    events: list[tuple[Event, str]] = []
    session = _opened(clock, events)
    session.preroll = False
    session.start_pts = 0.0
    session.set_state(PlayerState.PLAYING)
    events.clear()
    loop = Background(session.control.loop)
    clock.until_waiting(1)  # the loop waits for its next tick
    loop_thread = session.inbox._owner
    assert loop_thread is not None
    caller = Background(lambda: session.seek(2.5, exact=False))
    caller.result()
    assert session.serial == 1 and session.reported_position() == 2.5
    assert session.state == PlayerState.BUFFERING
    changes = [(e.state, name) for e, name in events if isinstance(e, StateChanged)]
    assert changes == [(PlayerState.BUFFERING, loop_thread.name)]
    assert clock.now() == 0.0
    _stop(session, loop)
    assert session.inbox._owner is None  # the loop ended: commands no longer wait


def test_a_command_given_on_the_loop_thread_is_applied_at_once() -> None:
    """A subscriber that seeks from inside an event the loop emitted: it
    must not wait for the loop it runs on."""
    clock = ManualClock()
    session: Session | None = None

    def on_event(event: Event) -> None:
        if isinstance(event, StateChanged) and event.state == PlayerState.PAUSED:
            assert session is not None
            session.seek(1.0, exact=False)

    session = headless_session(clock, on_event)
    session.info = video_file()
    session.media = session.info.media
    session.preroll = False
    session.start_pts = 0.0
    session.set_state(PlayerState.PLAYING)
    loop = Background(session.control.loop)
    clock.until_waiting(1)
    Background(session.pause).result()
    assert session.serial == 1 and session.seek_target == 1.0
    assert not session.want_play
    _stop(session, loop)


def test_commands_before_the_loop_starts_wait_for_it_and_go_first() -> None:
    clock = ManualClock()
    session = _opened(clock)
    session.seek(3.0, exact=False)  # the source still opening: returns at once
    session.pause()
    assert (session.serial, session.want_play) == (0, True)
    assert session.reported_position() == 3.0
    loop = Background(session.control.loop)
    clock.until_waiting(1)
    assert (session.serial, session.seek_target, session.want_play) == (1, 3.0, False)
    _stop(session, loop)


def test_a_worker_result_from_before_a_seek_is_dropped() -> None:
    """The presenter met the end of the old video, the demux thread the end
    of its input on an error, the audio decoder its last sample: posted
    just as a seek was applied, none of it marks the new timeline."""
    clock = ManualClock()
    session = _opened(clock)
    session.post(Seek(1.0, False))
    session.apply_messages()
    old = session.serial - 1
    failed = error_for(ErrorCode.INTERNAL, detail="x")
    for message in (VideoEnded(old), InputEnded(old, failed), AudioEnded(old)):
        session.post(message)
    session.post(PrerollShown(old, 0.4))
    session.apply_messages()
    assert (session.video_done, session.demux_eos, session.pending_error) == (False, False, None)
    assert session.audio_eos_serial == -1
    assert (session.preroll, session.start_pts) == (True, None)
    # the same results of the current serial do
    new = session.serial
    for message in (VideoEnded(new), InputEnded(new, failed), AudioEnded(new)):
        session.post(message)
    session.apply_messages()
    assert session.video_done and session.demux_eos
    assert session.pending_error is failed and session.audio_eos_serial == new


def test_the_preroll_frame_anchors_the_clocks_and_completes_the_seek_on_the_loop() -> None:
    clock = ManualClock()
    events: list[tuple[Event, str]] = []
    session = _opened(clock, events)
    session.post(Seek(2.0, False))
    session.apply_messages()
    session.post(PrerollShown(session.serial, 2.04))
    assert (session.preroll, session.start_pts) == (True, None)  # posted only
    session.apply_messages()
    assert not session.preroll and session.start_pts == 2.04
    assert session.seek_target is None and session.position() == 2.04
    assert [e.position for e, _ in events if isinstance(e, SeekCompleted)] == [2.04]


def test_a_caller_waiting_for_its_command_is_let_go_when_the_session_stops() -> None:
    clock = ManualClock()
    session = _opened(clock)
    stuck = threading.Thread(target=lambda: None)  # a loop that never applies
    session.inbox.owned_by(stuck)
    caller = Background(lambda: session.seek(1.0, exact=False))
    clock.until_waiting(1)  # waiting for the loop, on the clock
    assert not caller.done
    session.stop()
    caller.result()
    assert session.serial == 0  # never applied


def test_the_inbox_counts_what_was_posted_and_applied() -> None:
    clock = ManualClock()
    inbox = Inbox(clock)
    first = inbox.post(Play())
    seek = Seek(-1.0, False)
    second = inbox.post(seek)
    assert (first, second, inbox.posted) == (1, 2, 2)
    assert inbox.pending_seek() == 0.0  # never before the start
    taken = inbox.pop()
    assert taken is not None and taken[0] == 1
    inbox.done(1)
    assert inbox.pending_seek() == 0.0  # the seek is still queued
    taken = inbox.pop()
    assert taken is not None and taken[1] is seek
    inbox.done(2)
    assert inbox.pending_seek() is None and inbox.pop() is None
    stopping = threading.Event()
    inbox.wait_applied(2, stopping)  # applied: returns at once
    inbox.owned_by(threading.current_thread())
    assert inbox.on_loop_thread()
    waiter = Background(lambda: inbox.wait_applied(3, stopping))
    clock.until_waiting(1)
    inbox.post(Pause())
    assert not waiter.done
    inbox.done(3)
    waiter.result()


def test_a_command_applied_inside_another_does_not_release_the_outer_ones_caller() -> None:
    """The loop applies 1; a subscriber on the loop thread posts 2 from
    inside it, applied (and done) first: 1's caller still waits for 1."""
    clock = ManualClock()
    inbox = Inbox(clock)
    inbox.owned_by(threading.Thread(target=lambda: None))
    stopping = threading.Event()
    pause = Pause()
    outer = inbox.post(pause)
    assert inbox.pop() == (outer, pause)  # the message posted, itself
    waiter = Background(lambda: inbox.wait_applied(outer, stopping))
    clock.until_waiting(1)
    seek = Seek(1.0, False)
    inner = inbox.post(seek)
    assert inbox.pop() == (inner, seek)
    inbox.done(inner)
    clock.until_waiting(1)  # still waiting: its own command is not applied yet
    assert not waiter.done
    inbox.done(outer)
    waiter.result()


def _ends(session: Session) -> tuple[dict[str, float], float | None]:
    return dict(session.demuxed_end), session.newest_video_pts


def test_a_packet_read_before_a_seek_marks_nothing_of_the_new_timeline() -> None:
    """The demux thread read a packet under the old serial; the loop applied
    a seek before the packet was routed: its end and pts are not the new
    timeline's (the buffered amount after the seek would count them), and
    it is not queued."""
    clock = ManualClock()
    session = _opened(clock)
    info = session.info
    assert info is not None and info.video is not None
    packet = DemuxPacket(info.video, None, 3.0, 3.0, 0.04, 100, keyframe=True)
    session.demux._route(packet, session.serial)  # read and routed before the seek
    assert _ends(session) == ({"video": 3.04}, 3.0)
    read_under = session.serial
    session.post(Seek(1.0, False))
    session.apply_messages()
    late = DemuxPacket(info.video, None, 3.04, 3.04, 0.04, 100, keyframe=False)
    session.demux._route(late, read_under)
    assert _ends(session) == ({}, None)
    assert len(session.video_packets) == 0  # the seek cleared the queue; nothing stale since


def test_a_caller_waits_for_a_held_up_loop_no_longer_than_the_guard() -> None:
    clock = ManualClock()
    session = _opened(clock)
    session.inbox.owned_by(threading.Thread(target=lambda: None))  # never applies
    caller = Background(lambda: session.seek(1.0, exact=False))
    clock.until_waiting(1)
    clock.advance(WAIT_GUARD - 0.001)
    clock.until_waiting(1)
    assert not caller.done
    clock.advance(0.001)
    caller.result()
    assert session.serial == 0 and len(session.inbox) == 1  # still to be applied
    session.apply_messages()
    assert session.serial == 1 and session.seek_target == 1.0


class _Rungs:
    """A source that records the rungs it is given."""

    def __init__(self) -> None:
        self.chosen: list[int | None] = []

    def select_variant(self, index: int | None) -> None:
        self.chosen.append(index)


def test_a_rung_chosen_while_the_stream_starts_reaches_the_open_source_at_once() -> None:
    # The source is open, the loop not yet running (an HLS source is still
    # fetching its first segments): waiting for the loop would let those
    # segments come from the rung the user did not choose.
    session = headless_session(ManualClock())
    rungs = _Rungs()
    session.source = cast(Source, rungs)
    session.select_variant(1)
    assert rungs.chosen == [1]
    session.select_variant(None)
    assert rungs.chosen == [1, None]
