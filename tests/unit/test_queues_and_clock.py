from __future__ import annotations

import numpy as np
import pytest

from player.audio_buffer import AudioBuffer
from player.clock import ManualClock, PlaybackClock
from player.queues import MediaQueue, QueueItem
from tests.support.background import Background


def _item(pts: float, size: int = 10, serial: int = 0) -> QueueItem[str]:
    return QueueItem[str](f"p{pts}", serial, pts, 0.5, size)


def test_queue_is_bounded_in_seconds() -> None:
    q: MediaQueue[str] = MediaQueue(max_seconds=2.0, max_bytes=10_000, clock=ManualClock())
    for i in range(4):
        assert q.put(_item(i * 0.5), timeout=0)
    assert q.seconds == pytest.approx(2.0)
    assert not q.put(_item(2.0), timeout=0)
    q.get(timeout=0)
    assert q.put(_item(2.0), timeout=0)


def test_a_get_on_an_empty_queue_ends_only_when_the_clock_passes_its_deadline() -> None:
    clock = ManualClock()
    q: MediaQueue[str] = MediaQueue(max_seconds=2.0, max_bytes=10_000, clock=clock)
    got = Background(lambda: q.get(timeout=1.0))
    clock.until_waiting(1)
    clock.advance(0.999)
    clock.until_waiting(1)  # 999 ms of the clock: still waiting
    assert not got.done
    q.wake()  # a wake is no item: the wait goes on
    clock.until_waiting(1)
    clock.advance(0.001)
    assert got.result() is None
    # an item ends a wait at once, with no time passing
    got = Background(lambda: q.get(timeout=30.0))
    clock.until_waiting(1)
    assert q.put(_item(0.0), timeout=0)
    item = got.result()
    assert item is not None and item.value == "p0.0" and clock.now() == 1.0


def test_a_put_on_a_full_queue_waits_for_room_on_the_clock() -> None:
    clock = ManualClock()
    q: MediaQueue[str] = MediaQueue(max_seconds=1.0, max_bytes=10_000, clock=clock)
    assert q.put(_item(0.0), timeout=0) and q.put(_item(0.5), timeout=0)  # 1 s: full
    put = Background(lambda: q.put(_item(1.0), timeout=0.1))
    clock.until_waiting(1)
    clock.advance(0.1)
    assert put.result() is False  # still full at its deadline
    put = Background(lambda: q.put(_item(1.0), timeout=5.0))
    clock.until_waiting(1)
    q.get(timeout=0)  # room: the producer goes on at once
    assert put.result() is True and len(q) == 2
    # a closed queue lets its waiters go
    waiting = Background(lambda: q.put(_item(1.5), timeout=5.0))
    clock.until_waiting(1)
    q.close()
    assert waiting.result() is False


def test_queue_is_bounded_in_bytes() -> None:
    q: MediaQueue[str] = MediaQueue(max_seconds=100.0, max_bytes=25, clock=ManualClock())
    assert q.put(_item(0, size=20), timeout=0)
    assert q.put(_item(0.5, size=20), timeout=0)  # under the bound before this one
    assert not q.put(_item(1.0, size=20), timeout=0)
    assert q.nbytes == 40


def test_playback_clock_runs_pauses_and_changes_speed() -> None:
    t = ManualClock()
    c = PlaybackClock(t)
    c.set(10.0)
    t.advance(1.0)
    assert c.position() == 10.0  # not running yet
    c.start()
    t.advance(1.0)
    assert c.position() == pytest.approx(11.0)
    c.set_speed(2.0)
    t.advance(1.0)
    assert c.position() == pytest.approx(13.0)
    c.stop()
    t.advance(5.0)
    assert c.position() == pytest.approx(13.0)


def test_audio_buffer_reports_pts_of_written_samples_and_skips() -> None:
    buf = AudioBuffer(rate=1000, channels=2, max_seconds=10, clock=ManualClock())
    data = np.ones((1000, 2), dtype=np.float32)
    assert buf.put(5.0, data, 1.0, timeout=0)
    out = np.zeros((100, 2), dtype=np.float32)
    written, first, speed, end = buf.read_into(out, gain=0.5)
    assert (written, first, speed) == (100, 5.0, 1.0)
    assert end == pytest.approx(5.1)
    assert float(out[0, 0]) == 0.5
    buf.skip_until(5.5)
    written, first, _, _ = buf.read_into(out, gain=1.0)
    assert first == pytest.approx(5.5)
    assert buf.seconds == pytest.approx(0.4)
