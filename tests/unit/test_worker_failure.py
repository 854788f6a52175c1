"""A worker's fatal error is a message: the failing thread posts it and the
control loop applies it (the error event, the report's errors, state ERROR,
in that order, as before), so no worker thread changes ``state``. Where no
loop runs to apply it, it is applied at once. On a ``ManualClock``; the
loop run by the test or by hand (``apply_messages``)."""

from __future__ import annotations

import threading

from player.clock import ManualClock
from player.commands import Failed, Inbox, Play
from player.engine import Session
from player.errors import ErrorCode, error_for
from player.events import ErrorOccurred, Event, PlayerState, StateChanged
from player.queues import QueueItem
from player.video_sink import VideoFrame
from tests.support.background import Background
from tests.support.sessions import buffering_session, headless_session

_LOST = error_for(ErrorCode.RECONNECT_FAILED, attempts=3, reason="connection lost")


def _state(session: Session) -> PlayerState:
    """Read afresh (a worker's thread changed it, out of mypy's sight)."""
    return session.state


def _told(seen: list[tuple[Event, str]]) -> list[tuple[str, str]]:
    """What the listeners were told of the failure, and on which thread."""
    out = []
    for event, thread in seen:
        if isinstance(event, ErrorOccurred):
            out.append((f"error:{event.code}:{event.fatal}", thread))
        elif isinstance(event, StateChanged):
            out.append((f"state:{event.state.value}", thread))
    return out


def test_a_workers_fatal_error_changes_nothing_until_the_loop_applies_it() -> None:
    clock = ManualClock()
    seen: list[tuple[Event, str]] = []
    session = buffering_session(clock, seen)
    session.inbox.owned_by(threading.current_thread())  # this thread is the loop
    Background(lambda: session.fail_from_thread(_LOST)).result()  # the demux thread
    # posted only: the worker touched neither the state nor the report
    assert session.state == PlayerState.BUFFERING
    assert seen == [] and session.metrics.errors == []
    assert not session.stopping.is_set()
    assert len(session.inbox) == 1
    session.apply_messages()  # the control loop's part
    assert _state(session) == PlayerState.ERROR and session.stopping.is_set()
    here = threading.current_thread().name
    assert _told(seen) == [
        ("error:reconnect_failed:True", here),
        ("state:error", here),
    ]
    assert [(e["code"], e["fatal"]) for e in session.metrics.errors] == [("reconnect_failed", True)]
    assert len(session.inbox) == 0


def test_a_crashed_presenter_is_failed_on_the_loop_thread() -> None:
    """The presenter meets what is no frame and crashes: its error reaches
    the listeners from the loop's thread, which alone sets ERROR."""
    clock = ManualClock()
    seen: list[tuple[Event, str]] = []
    session = buffering_session(clock, seen)
    loop = Background(session.control.loop)
    clock.until_waiting(1)  # the loop waits for its next tick
    loop_thread = session.inbox._owner
    assert loop_thread is not None
    bogus = QueueItem[VideoFrame]("no frame", session.serial, 0.0, 0.04, 0)  # type: ignore[arg-type]
    session.preroll = False
    session.frames.put_nowait(bogus)
    presenter_names: list[str] = []

    def present() -> None:
        presenter_names.append(threading.current_thread().name)
        session.presenter.run()

    presenter = Background(present)
    presenter.result()  # crashed, and posted its error
    loop.result()  # which the loop applied, and then stopped
    assert session.state == PlayerState.ERROR
    told = _told(seen)
    assert [what for what, _ in told] == ["error:internal:True", "state:error"]
    assert {thread for _, thread in told} == {loop_thread.name}
    assert presenter_names[0] != loop_thread.name
    assert [e["code"] for e in session.metrics.errors] == ["internal"]


def test_with_no_loop_to_apply_it_a_failure_is_applied_at_once() -> None:
    """The source failed to open (no loop yet), or the loop already ended:
    the failing thread applies it itself, in the same order."""
    clock = ManualClock()
    seen: list[tuple[Event, str]] = []
    session = buffering_session(clock, seen)

    def fail() -> str:
        session.fail_from_thread(_LOST)
        return threading.current_thread().name

    name = Background(fail).result()
    assert session.state == PlayerState.ERROR and session.stopping.is_set()
    assert _told(seen) == [("error:reconnect_failed:True", name), ("state:error", name)]
    assert len(session.inbox) == 0


def test_on_the_loops_own_thread_a_failure_is_applied_at_once() -> None:
    clock = ManualClock()
    seen: list[tuple[Event, str]] = []
    session = buffering_session(clock, seen)
    session.inbox.owned_by(threading.current_thread())
    session.fail_from_thread(_LOST)
    assert session.state == PlayerState.ERROR
    assert [what for what, _ in _told(seen)] == ["error:reconnect_failed:True", "state:error"]
    assert len(session.inbox) == 0


def test_a_failure_posted_as_the_loop_stops_is_still_applied_by_it() -> None:
    """The session stops (``stop`` set ``stopping``); before the loop looks
    again, a worker fails: the loop leaves without another tick, but applies
    that failure on its way out instead of dropping it."""
    clock = ManualClock()
    seen: list[tuple[Event, str]] = []
    session = buffering_session(clock, seen)
    loop = Background(session.control.loop)
    clock.until_waiting(1)
    loop_thread = session.inbox._owner
    assert loop_thread is not None
    session.stopping.set()  # not woken yet: the loop still waits
    Background(lambda: session.fail_from_thread(_LOST)).result()
    loop.result()
    assert session.state == PlayerState.ERROR
    # a stopping session tells its listeners only of the state (as before)
    assert _told(seen) == [("state:error", loop_thread.name)]
    assert [e["code"] for e in session.metrics.errors] == ["reconnect_failed"]
    assert len(session.inbox) == 0 and session.inbox._owner is None


def test_the_inbox_takes_a_failure_only_while_a_loop_runs_elsewhere() -> None:
    clock = ManualClock()
    inbox = Inbox(clock)
    failed = Failed(_LOST)
    assert inbox.post_to_loop(failed) is None  # no loop: the caller applies it
    inbox.owned_by(threading.current_thread())
    assert inbox.post_to_loop(failed) is None  # the loop itself: applied at once
    inbox.owned_by(threading.Thread(target=lambda: None))
    play = inbox.post(Play())
    assert inbox.post_to_loop(failed) == play + 1
    assert len(inbox) == 2 and not inbox.applied(play + 1)
    inbox.owned_by(None)  # the loop ends
    assert inbox.take_last() == [failed]
    # the command stays unapplied: a stopped loop applies no commands
    assert len(inbox) == 1 and not inbox.applied(play)
    assert inbox.take_last() == []


def test_once_a_loop_runs_no_other_thread_may_change_the_state() -> None:
    """The rule of ``SessionState.set_state``: before the loop (the open's
    OPENING and first BUFFERING) any thread; then only the loop's."""
    clock = ManualClock()
    session = headless_session(clock)
    Background(lambda: session.set_state(PlayerState.OPENING)).result()  # no loop yet
    session.inbox.owned_by(threading.current_thread())  # this thread is the loop
    try:
        Background(lambda: session.set_state(PlayerState.PLAYING)).result()
    except AssertionError as exc:
        assert "not on the control loop's thread" in str(exc)
    else:
        raise AssertionError("a worker changed the state while the loop runs")
    assert _state(session) == PlayerState.OPENING
    session.set_state(PlayerState.BUFFERING)  # the loop's own thread
    assert _state(session) == PlayerState.BUFFERING
    session.inbox.owned_by(None)  # the loop ended
    Background(lambda: session.set_state(PlayerState.ERROR)).result()
    assert _state(session) == PlayerState.ERROR
