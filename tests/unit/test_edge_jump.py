"""Low-latency RTSP's first picture after an open or a reconnect: the newest
frame received, not the oldest of the burst a server held back
until PLAY (issue 11). The presenter and the control loop on a
``ManualClock``, frames put in the session's queues by hand."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace
from fractions import Fraction

from player.clock import ManualClock
from player.config import DEFAULT_CONFIG, LatencyConfig
from player.edge_jump import edge_target, frame_period, wants_edge_jump
from player.engine import Session
from player.events import BufferingChanged, Event, MediaInfo, PlayerState, VideoInfo
from player.levels import Levels
from player.queues import EOS, QueueItem
from player.source_api import SourceInfo, StreamSpec
from player.video_sink import RecordingVideoSink, VideoFrame
from tests.support.background import Background

LOW = replace(DEFAULT_CONFIG, latency=LatencyConfig(low_latency=True))
PERIOD = 0.04


def _camera(protocol: str = "rtsp", fps: float | None = 25.0) -> SourceInfo:
    """What opening a live 25 fps camera without sound would have found."""
    media = MediaInfo(
        url=f"{protocol}://cam/live",
        protocol=protocol,
        container=protocol,
        duration=None,
        is_live=True,
        seekable=False,
        video=VideoInfo("h264", 320, 240, fps, "yuv420p"),
        audio=None,
    )
    spec = StreamSpec("video", "h264", Fraction(1, 90000), lambda: None, 320, 240)
    return SourceInfo(media=media, video=spec, audio=None)


def _session(
    clock: ManualClock,
    sink: RecordingVideoSink | None = None,
    emit: Callable[[Event], None] = lambda e: None,
) -> Session:
    session = Session("rtsp://cam/live", None, LOW, clock, sink, emit, levels=Levels())
    session.info = _camera()
    session.media = session.info.media
    session.edge_jump_pending = wants_edge_jump(session.config.latency, session.info)
    return session


def _received(session: Session, *pts: float) -> None:
    """Frames decoded from packets the demux thread has read."""
    for p in pts:
        picture = VideoFrame(pts=p, width=320, height=240, pix_fmt="yuv420p", frame=None)
        assert session.frames.put(QueueItem[VideoFrame](picture, session.serial, p, PERIOD, 0), 1.0)
    session.newest_video_pts = max(pts)


def _end(session: Session) -> None:
    session.frames.put_nowait(QueueItem[VideoFrame](EOS, session.serial, None, 0.0, 0))


def _burst(start: float, count: int) -> list[float]:
    return [round(start + i * PERIOD, 3) for i in range(count)]


def _pending(session: Session) -> bool:
    """Read afresh (the loop's apply changed it, out of mypy's sight)."""
    return session.edge_jump_pending


def _edge_events(session: Session) -> list[dict[str, object]]:
    return [
        e
        for e in session.metrics.timeline
        if e.get("type") == "catch_up" and e.get("action") == "edge"
    ]


def test_only_paced_live_video_in_low_latency_jumps() -> None:
    assert wants_edge_jump(LOW.latency, _camera("rtsp"))
    assert wants_edge_jump(LOW.latency, _camera("rtmp"))
    assert not wants_edge_jump(DEFAULT_CONFIG.latency, _camera("rtsp"))
    # HLS reads whole segments at once: its newest frame is no live edge
    assert not wants_edge_jump(LOW.latency, _camera("hls"))
    assert not wants_edge_jump(LOW.latency, None)


def test_the_target_is_the_newest_frame_less_one() -> None:
    assert frame_period(_camera(fps=50.0)) == 0.02
    assert frame_period(_camera(fps=None)) == PERIOD  # the probe guessed none
    target = edge_target(1.0, PERIOD)
    assert target is not None
    # the newest is in (its decoded stamp may be rounded), the one before not
    assert 0.96 < target < 1.0
    assert edge_target(None, PERIOD) is None


def test_an_open_shows_the_newest_frame_of_the_held_back_burst() -> None:
    """GStreamer's server sends ~0.3 s held back since DESCRIBE in one burst
    at PLAY: all of it is decoded (the keyframe with it), its newest shown."""
    clock = ManualClock()
    sink = RecordingVideoSink(clock)
    session = _session(clock, sink)
    burst = _burst(0.0, 9)  # 0.00 .. 0.32
    _received(session, *burst)
    presenter = Background(session.presenter.run)
    _end(session)
    clock.until_waiting(1)  # at the end of the frames
    assert [pts for pts, _ in sink.shown] == [0.32]
    session.apply_messages()  # the control loop's part: the preroll anchors the clocks
    assert session.start_pts == 0.32 and session.position() == 0.32
    assert session.metrics.frames_dropped_catchup == 8
    assert not session.edge_jump_pending
    assert [(e["to"], e["skipped"]) for e in _edge_events(session)] == [(0.32, 0.32)]
    session.stopping.set()
    session.wake()
    presenter.result()


def test_a_frame_at_the_edge_is_shown_at_once() -> None:
    clock = ManualClock()
    sink = RecordingVideoSink(clock)
    session = _session(clock, sink)
    _received(session, 0.0)  # no burst: the server sends as it makes
    _end(session)
    presenter = Background(session.presenter.run)
    clock.until_waiting(1)
    assert [pts for pts, _ in sink.shown] == [0.0]
    assert session.metrics.frames_dropped_catchup == 0 and _edge_events(session) == []
    assert session.skip_before is None and session.quiet_refill_until is None
    session.apply_messages()  # the loop's part: the edge reached, no jump made
    assert not session.edge_jump_pending
    assert session.skip_before is None and session.quiet_refill_until is None
    session.stopping.set()
    session.wake()
    presenter.result()


def test_the_target_moves_on_while_the_burst_is_still_being_read() -> None:
    clock = ManualClock()
    session = _session(clock)
    behind = session.presenter._behind_edge
    session.newest_video_pts = 0.12  # the first packets of the burst
    assert behind(0.0) and behind(0.04)
    assert (session.skip_before, len(session.inbox)) == (None, 1)  # one jump, posted only
    session.apply_messages()  # the control loop's part
    first_target = session.skip_before
    assert session.quiet_refill_until is not None
    session.newest_video_pts = 0.32  # the rest of it read meanwhile
    assert behind(0.08) and behind(0.28)
    assert len(session.inbox) == 1  # the target moved on once: one more jump
    session.apply_messages()
    assert first_target is not None and session.skip_before is not None
    assert session.skip_before > first_target + 0.19
    assert session.start_pts is None and session.position() is None  # an open: no clock yet
    assert not behind(0.32)  # the newest: shown
    assert _pending(session)  # until the loop applies the edge reached
    session.apply_messages()
    assert not _pending(session)
    assert [e["to"] for e in _edge_events(session)] == [0.32]


def test_a_reconnect_jumps_the_clock_to_the_new_connections_edge() -> None:
    """Playing, the connection dropped at 5 s and came back: the new burst is
    rebased after the old stream's end and the clock is pinned on its edge."""
    clock = ManualClock()
    sink = RecordingVideoSink(clock)
    session = _session(clock, sink)
    session.edge_jump_pending = False
    session.start_pts = 0.0
    session.preroll = False
    session.last_shown_pts = 5.0
    session.sysclock.set(5.0)
    session.set_state(PlayerState.PLAYING)
    session.run_clocks(True)
    session.want_edge_jump(True)  # what the demux thread's reconnect does
    _received(session, *_burst(5.04, 9))  # 5.04 .. 5.36
    _end(session)
    presenter = Background(session.presenter.run)
    clock.until_waiting(1)  # 5.36 waits for the loop to apply the jump
    assert session.position() == 5.0  # the presenter moved no clock itself
    assert [pts for pts, _ in sink.shown] == []
    session.apply_messages()  # the control loop's part: the clocks jump
    clock.settle(1)  # 5.36 waits for the clock pinned just before it
    position = session.position()
    assert position is not None and 5.33 < position < 5.35
    assert [pts for pts, _ in sink.shown] == []
    assert session.metrics.frames_dropped_catchup == 8
    assert session.quiet_refill_until is not None and not session.edge_jump_pending
    clock.advance(0.02)
    clock.until_waiting(1)  # at the end of the frames
    assert [pts for pts, _ in sink.shown] == [5.36]
    session.stopping.set()
    session.wake()
    presenter.result()


def test_a_reconnect_right_after_the_edge_was_reached_jumps_again() -> None:
    """The presenter reached the open's edge; before the loop applied that,
    the connection dropped and came back: the loop's late ``EdgeReached``
    ends the open's request only, and the new burst is jumped over too."""
    clock = ManualClock()
    sink = RecordingVideoSink(clock)
    session = _session(clock, sink)
    _received(session, 0.0)
    presenter = Background(session.presenter.run)
    clock.until_waiting(1)  # shown at once, the edge reached: posted
    assert [pts for pts, _ in sink.shown] == [0.0]
    session.want_edge_jump(True)  # the reconnect, before the loop's tick
    session.apply_messages()
    assert _pending(session)  # the new request stands
    assert session.start_pts == 0.0
    session.set_state(PlayerState.PLAYING)
    session.run_clocks(True)
    _received(session, *_burst(0.04, 9))  # 0.04 .. 0.36, one burst
    _end(session)
    clock.settle(1)  # the presenter waits for its jump to be applied
    assert session.metrics.frames_dropped_catchup == 8
    session.apply_messages()
    assert not _pending(session) and session.skip_before is not None
    assert [e["to"] for e in _edge_events(session)] == [0.36]
    session.stopping.set()
    session.wake()
    presenter.result()


def _tick(clock: ManualClock, ticks: int = 1) -> None:
    for _ in range(ticks):
        clock.until_waiting(1)
        clock.advance(0.02)
    clock.until_waiting(1)


def _starve(session: Session, clock: ManualClock) -> None:
    """Playing with nothing queued until the position is 0.5 s past the
    last frame shown: the control loop's sign of a video stall."""
    session.start_pts = 0.0
    session.preroll = False
    session.last_shown_pts = 0.0
    session.demuxed_end = {"video": 0.04}
    session.sysclock.set(0.0)
    session.set_state(PlayerState.PLAYING)
    session.run_clocks(True)


def test_the_refill_after_a_jump_is_no_stall_but_a_later_starve_is() -> None:
    clock = ManualClock()
    events: list[Event] = []
    session = _session(clock, emit=events.append)
    session.quiet_refill_until = clock.now() + 1.0  # a jump just now
    _starve(session, clock)
    loop = Background(session.control.loop)
    _tick(clock, 30)  # 0.6 s: starved
    # low latency restarts on any frame at all: buffering, then playing again
    buffering = [e for e in session.metrics.timeline if e.get("state") == "buffering"]
    assert buffering and session.metrics.stalls == []
    assert "refill" in [e["type"] for e in session.metrics.timeline]
    # the listeners are told no rebuffer either (a compare run counted one)
    told = [e for e in events if isinstance(e, BufferingChanged)]
    assert told and not any(e.rebuffer for e in told)
    session.stopping.set()
    session.wake()
    loop.result()

    events.clear()
    later = _session(clock, emit=events.append)
    later.quiet_refill_until = clock.now() - 0.1  # long past
    _starve(later, clock)
    loop = Background(later.control.loop)
    _tick(clock, 30)
    assert len(later.metrics.stalls) >= 1
    assert "refill" not in [e["type"] for e in later.metrics.timeline]
    told = [e for e in events if isinstance(e, BufferingChanged)]
    assert any(e.rebuffer and e.buffering for e in told)
    assert any(e.rebuffer and not e.buffering for e in told)
    later.stopping.set()
    later.wake()
    loop.result()


def test_a_reconnects_edge_jump_request_is_made_by_the_loop() -> None:
    """The demux thread asks for the jump after a reconnect: the control
    loop's thread numbers the request and sets it, and the demux thread
    reads on (returns) only once it is in effect."""
    clock = ManualClock()
    session = _session(clock)
    session.edge_jump_pending = False
    session.start_pts = 0.0
    session.preroll = False
    writers: list[str] = []
    applied = session.edge_wanted

    def spy(wanted: bool) -> None:
        writers.append(threading.current_thread().name)
        applied(wanted)

    session.edge_wanted = spy  # type: ignore[method-assign]
    session.inbox.owned_by(threading.current_thread())  # this thread is the loop
    demux = Background(lambda: session.want_edge_jump(True))
    clock.until_waiting(1)  # the demux thread waits for the loop
    assert not demux.done
    assert (session.edge_jumps, _pending(session)) == (0, False)  # posted only
    assert len(session.inbox) == 1
    session.apply_messages()  # the control loop's part
    demux.result()
    assert (session.edge_jumps, _pending(session)) == (1, True)
    assert writers == [threading.current_thread().name]


def test_the_opens_edge_jump_request_is_set_at_once_before_the_loop_runs() -> None:
    """At the open no loop runs yet (it starts once the source is open): the
    demux thread, then the session's one writer, sets the request itself."""
    clock = ManualClock()
    session = _session(clock)
    session.edge_jump_pending = False
    Background(lambda: session.want_edge_jump(True)).result()
    assert (session.edge_jumps, _pending(session)) == (1, True)
    assert len(session.inbox) == 0


def test_a_real_loop_applies_the_request_on_its_own_thread() -> None:
    clock = ManualClock()
    session = _session(clock)
    session.edge_jump_pending = False
    session.start_pts = 0.0
    session.preroll = False
    session.set_state(PlayerState.PLAYING)
    writers: list[str] = []
    applied = session.edge_wanted

    def spy(wanted: bool) -> None:
        writers.append(threading.current_thread().name)
        applied(wanted)

    session.edge_wanted = spy  # type: ignore[method-assign]
    loop = Background(session.control.loop)
    clock.until_waiting(1)
    owner = session.inbox._owner
    assert owner is not None
    demux = threading.Thread(target=lambda: session.want_edge_jump(True), name="demux-stand-in")
    demux.start()
    demux.join(10.0)
    assert not demux.is_alive()
    assert writers == [owner.name] and _pending(session)
    session.stopping.set()
    session.wake()
    loop.result()
