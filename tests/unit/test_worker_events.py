"""A worker's events and non-fatal errors are messages too: the thread where
they happen (the demux thread, a decoder, a source's own threads) posts
them, and the control loop tells the listeners and fills the report, in the
order each thread posted; where no loop runs to take them, they are told
at once, as before. On a ``ManualClock``; the loop run by the test or by
hand (``apply_messages``)."""

from __future__ import annotations

import threading

from player.clock import ManualClock
from player.commands import Notice
from player.errors import ErrorCode, error_for
from player.events import (
    ErrorOccurred,
    Event,
    PlayerState,
    Reconnected,
    StateChanged,
    WarningRaised,
)
from player.warning_text import WarningCode
from tests.support.background import Background
from tests.support.sessions import buffering_session

_LOST = error_for(ErrorCode.RECONNECT_FAILED, attempts=3, reason="connection lost")


def _told(seen: list[tuple[Event, str]]) -> list[tuple[str, str]]:
    out = []
    for event, thread in seen:
        if isinstance(event, WarningRaised):
            out.append((f"warning:{event.code}", thread))
        elif isinstance(event, ErrorOccurred):
            out.append((f"error:{event.code}:{event.fatal}", thread))
        elif isinstance(event, Reconnected):
            out.append(("reconnected", thread))
        elif isinstance(event, StateChanged):
            out.append((f"state:{event.state.value}", thread))
    return out


def test_a_workers_warning_is_told_by_the_loop_stamped_when_it_happened() -> None:
    clock = ManualClock(10.0)  # past the first decode error's quiet time
    seen: list[tuple[Event, str]] = []
    session = buffering_session(clock, seen)
    session.inbox.owned_by(threading.current_thread())  # this thread is the loop
    clock.advance(1.5)
    Background(lambda: session.warn(WarningCode.NO_AUDIO_OUTPUT, reason="no device")).result()
    # posted only: nobody was told, the report has no warning yet
    assert seen == [] and session.metrics.warnings == []
    assert len(session.inbox) == 1
    clock.advance(0.5)
    session.apply_messages()  # the control loop's part
    here = threading.current_thread().name
    assert _told(seen) == [("warning:no-audio-output", here)]
    assert seen[0][0].t == 1.5  # when it happened, not when the loop told it
    assert [w["code"] for w in session.metrics.warnings] == ["no-audio-output"]


def test_a_decoders_non_fatal_error_is_reported_by_the_loop() -> None:
    clock = ManualClock(10.0)  # past the first decode error's quiet time
    seen: list[tuple[Event, str]] = []
    session = buffering_session(clock, seen)
    session.inbox.owned_by(threading.current_thread())
    Background(lambda: session.on_decode_error("video", ValueError("corrupt frame"))).result()
    assert seen == [] and session.metrics.errors == []
    assert session.metrics.decode_errors == 1  # the decoder's own count
    session.apply_messages()
    here = threading.current_thread().name
    assert _told(seen) == [("error:corrupt_video:False", here)]
    assert [(e["code"], e["fatal"]) for e in session.metrics.errors] == [("corrupt_video", False)]
    assert session.state == PlayerState.BUFFERING  # non-fatal: plays on


def test_one_threads_events_and_its_failure_are_told_in_the_order_posted() -> None:
    clock = ManualClock(10.0)  # past the first decode error's quiet time
    seen: list[tuple[Event, str]] = []
    session = buffering_session(clock, seen)
    session.inbox.owned_by(threading.current_thread())

    def demux() -> None:
        session.warn(WarningCode.NO_VARIANTS)
        session.notify(Reconnected(attempt=1, outage=0.5))
        session.report_error(error_for(ErrorCode.CORRUPT_AUDIO, position="1.0"))
        session.fail_from_thread(_LOST)

    Background(demux).result()
    assert seen == [] and len(session.inbox) == 4
    session.apply_messages()
    here = threading.current_thread().name
    assert _told(seen) == [
        ("warning:no-variants", here),
        ("reconnected", here),
        ("error:corrupt_audio:False", here),
        ("error:reconnect_failed:True", here),
        ("state:error", here),
    ]
    assert session.metrics.reconnects == 1


def test_with_no_loop_to_tell_them_a_workers_events_are_told_at_once() -> None:
    """The source still opening (no loop yet), or the loop already ended."""
    clock = ManualClock(10.0)  # past the first decode error's quiet time
    seen: list[tuple[Event, str]] = []
    session = buffering_session(clock, seen)

    def demux() -> str:
        session.warn(WarningCode.NO_VARIANTS)
        session.report_error(error_for(ErrorCode.CORRUPT_AUDIO, position="1.0"))
        return threading.current_thread().name

    name = Background(demux).result()
    assert _told(seen) == [("warning:no-variants", name), ("error:corrupt_audio:False", name)]
    assert len(session.inbox) == 0


def test_a_running_loop_tells_a_decoders_error_on_its_own_thread() -> None:
    clock = ManualClock(10.0)  # past the first decode error's quiet time
    seen: list[tuple[Event, str]] = []
    session = buffering_session(clock, seen)
    loop = Background(session.control.loop)
    clock.until_waiting(1)  # the loop waits for its next tick
    loop_thread = session.inbox._owner
    assert loop_thread is not None
    decoder = threading.Thread(
        target=lambda: session.on_decode_error("audio", ValueError("bad")), name="decoder"
    )
    decoder.start()
    decoder.join(10.0)
    clock.settle(1)  # the loop woke, told it, and waits again
    assert _told(seen) == [("error:corrupt_audio:False", loop_thread.name)]
    session.stopping.set()
    session.wake()
    loop.result()


def test_events_posted_as_the_loop_stops_are_still_applied_by_it() -> None:
    """The session stops; before the loop looks again a worker warns and
    fails: the loop leaves without another tick, but applies both on its
    way out, in order (the report keeps them), instead of dropping them."""
    clock = ManualClock(10.0)  # past the first decode error's quiet time
    seen: list[tuple[Event, str]] = []
    session = buffering_session(clock, seen)
    loop = Background(session.control.loop)
    clock.until_waiting(1)
    loop_thread = session.inbox._owner
    assert loop_thread is not None

    def worker() -> None:
        session.warn(WarningCode.NO_VARIANTS)
        session.report_error(error_for(ErrorCode.CORRUPT_AUDIO, position="1.0"))
        session.stopping.set()  # not woken yet: the loop still waits
        session.fail_from_thread(_LOST)

    Background(worker).result()
    loop.result()
    told = _told(seen)
    # the warning was posted before the stop: told, by the loop
    assert told == [("warning:no-variants", loop_thread.name), ("state:error", loop_thread.name)]
    assert [w["code"] for w in session.metrics.warnings] == ["no-variants"]
    assert [e["code"] for e in session.metrics.errors] == ["corrupt_audio", "reconnect_failed"]
    assert len(session.inbox) == 0


def test_a_notice_carries_the_event_as_posted() -> None:
    event = Reconnected(attempt=2, outage=1.0)
    assert Notice(event).event is event
