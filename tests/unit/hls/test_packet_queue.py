"""``PacketQueue``, the read() side of the HLS source, on the ManualClock:
what it hands out and when, what a seek leaves, and when read() gives up."""

from __future__ import annotations

import threading
from fractions import Fraction

import pytest

from player.abr.estimator import BandwidthEstimator
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.errors import FormatError, NetworkError
from player.hls.config import HlsConfig
from player.hls.live_edge import OutageWatch
from player.hls.loader_state import GRACE, LoaderState
from player.hls.packet_queue import _STALL_READS, PacketQueue
from player.source_api import DemuxPacket, StreamSpec

VIDEO = StreamSpec("video", "h264", Fraction(1, 90_000), lambda: None)
AUDIO = StreamSpec("audio", "aac", Fraction(1, 48_000), lambda: None)


def _packet(t: float, stream: StreamSpec = VIDEO, size: int = 100) -> DemuxPacket:
    return DemuxPacket(stream, None, t, t, 0.04, size, keyframe=True)


def _queue(clock: ManualClock) -> tuple[LoaderState, PacketQueue]:
    state = LoaderState(
        "http://user:secret@example.test/master.m3u8",
        config=DEFAULT_CONFIG,
        hls=HlsConfig(),
        clock=clock,
        meter=BandwidthEstimator(),
        emit=None,
        wall=lambda: pytest.fail("no wall clock on this path"),
    )
    return state, PacketQueue(state, OutageWatch(0.0))


def _fill(state: LoaderState, packets: list[DemuxPacket]) -> None:
    with state.cond:
        state.queue.extend(packets)
        state.queued_bytes += sum(p.size for p in packets)


def test_read_hands_out_the_queue_in_order_and_tracks_what_it_handed_out() -> None:
    state, queue = _queue(ManualClock())
    _fill(state, [_packet(0.0), _packet(0.04, size=30), _packet(0.08)])
    got = [queue.read() for _ in range(2)]
    assert [p.pts for p in got if p is not None] == [0.0, 0.04]
    assert state.queued_bytes == 100
    assert state.read_pts == 0.04 and state.read_front == 0.04


def test_read_ends_fails_or_stops_as_the_loader_left_it() -> None:
    state, queue = _queue(ManualClock())
    state.ended = True
    assert queue.read() is None
    state.ended, state.error = False, FormatError("bad stream")
    with pytest.raises(FormatError, match="bad stream"):
        queue.read()
    state.error, state.interrupted = None, True
    with pytest.raises(NetworkError, match="interrupted"):
        queue.read()


def test_a_seek_drops_what_was_queued_and_moves_the_buffer() -> None:
    state, queue = _queue(ManualClock())
    _fill(state, [_packet(1.0), _packet(1.04)])
    state.rungs_at.append((0.0, 2))
    before = state.generation
    queue.clear_for_seek(-3.0)
    assert not state.queue and state.queued_bytes == 0 and not state.rungs_at
    assert state.generation == before + 1
    assert (state.seek_request, state.position, state.fetched_until) == (0.0, 0.0, 0.0)
    assert state.cancel.is_set()


def test_merged_packets_keep_decode_order() -> None:
    state, queue = _queue(ManualClock())
    _fill(state, [_packet(0.0), _packet(0.08)])
    with state.cond:
        queue.merge_locked([_packet(0.06, AUDIO, 10), _packet(0.02, AUDIO, 10)])
    assert [p.dts for p in state.queue] == [0.0, 0.02, 0.06, 0.08]
    assert state.queued_bytes == 220


def test_the_playing_rung_is_the_one_fetched_for_the_position() -> None:
    state, queue = _queue(ManualClock())
    assert queue.playing_variant() is None
    state.rungs_at.extend([(0.0, 0), (4.0, 2), (8.0, 3)])
    state.position = 5.0
    assert queue.playing_variant() == 2
    state.position = 8.0
    assert queue.playing_variant() == 3


def test_a_held_packet_waits_until_the_hold_is_lifted() -> None:
    clock = ManualClock()
    state, queue = _queue(clock)
    _fill(state, [_packet(2.0, AUDIO)])
    state.hold_at = 2.0
    got: list[DemuxPacket | None] = []
    reader = threading.Thread(target=lambda: got.append(queue.read()))
    reader.start()
    clock.until_waiting()
    assert not got  # held: read() waits rather than hand it out
    with state.cond:
        state.hold_at = None
        state.cond.notify_all()
    reader.join(10)
    assert [p.pts for p in got if p is not None] == [2.0]


def _read_until_it_gives_up(clock: ManualClock, queue: PacketQueue) -> list[Exception]:
    """read() on a thread of its own, the clock moved on in 50 ms steps
    while it waits, until it ends; what it raised."""
    errors: list[Exception] = []

    def read() -> None:
        try:
            queue.read()
        except NetworkError as exc:
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    while clock.settle(1, unless=lambda: not reader.is_alive()):
        clock.advance(0.05)
    reader.join(10)
    return errors


def test_read_gives_up_after_its_timeout_with_no_data_and_says_where() -> None:
    clock = ManualClock()
    _state, queue = _queue(clock)
    timeout = DEFAULT_CONFIG.network.read_timeout
    # the deadline: the later of the call, the last bytes (plus grace) and
    # the loader's busy time, each plus the timeout
    errors = _read_until_it_gives_up(clock, queue)
    assert len(errors) == 1
    message = str(errors[0])
    assert f"no HLS data for {timeout:g} s" in message
    assert "secret" not in message  # the URL is redacted
    assert GRACE + timeout <= clock.now() < GRACE + timeout + 0.1


def test_a_request_begun_after_the_last_bytes_is_waited_for_as_a_fresh_one() -> None:
    """VOD, the buffer full: the last bytes came long before the loader asked
    for the next segment, and the origin holds that request. read() waits
    for that request as for any (its open timeout plus a grace), not only
    _STALL_READS read timeouts from the last bytes, which ran out as the
    request timed out, before the loader could say it was retrying."""
    clock = ManualClock()
    state, queue = _queue(clock)
    net = DEFAULT_CONFIG.network
    clock.advance(3 * net.read_timeout)  # the buffer was full: nothing asked
    state.busy(None)  # the next segment is asked for now; it hangs
    asked = clock.now()
    errors = _read_until_it_gives_up(clock, queue)
    assert len(errors) == 1
    # as long as a request can take (its open timeout, plus a grace), at most
    # _STALL_READS read timeouts: well past the request's own read timeout,
    # so the loader has time to say it retries (before: one read timeout)
    expected = min(net.open_timeout + GRACE, _STALL_READS * net.read_timeout)
    waited = clock.now() - asked
    assert expected >= net.read_timeout + GRACE
    assert expected <= waited < expected + 0.1
