"""The control loop on a ``ManualClock``: its ticks moved by the test, the
presenter's part done by hand."""

from __future__ import annotations

from player.clock import ManualClock
from player.events import Event, PlayerState, StateChanged
from tests.support.background import Background
from tests.support.sessions import headless_session, video_file


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
