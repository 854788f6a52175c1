"""The lab's link on a ManualClock: bytes go out at the profile's rate (steps
and ramps), connections share it, a stop ends a transfer; and the profile's
errors and delays land on the requests they name, and its outages follow
their schedule."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from lab.impair import Impairment, lane_of
from lab.profile import parse_profile
from lab.throttle import Link
from player.clock import ManualClock


class Sender:
    """A thread sending ``size`` bytes through ``link``; ``got`` counts what
    has been written so far."""

    def __init__(self, link: Link, size: int) -> None:
        self.got = 0
        self.stop = threading.Event()
        self.result: list[bool] = []
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, args=(link, size), daemon=True)
        self.thread.start()

    def _write(self, piece: bytes) -> None:
        with self._lock:
            self.got += len(piece)

    def _run(self, link: Link, size: int) -> None:
        self.result.append(link.send(bytes(size), self._write, self.stop))


def step(clock: ManualClock, seconds: float, waiting: int = 1) -> None:
    """Let the senders block on the clock, then move it on."""
    clock.settle(waiting)
    clock.advance(seconds)


def run_until(clock: ManualClock, t: float, senders: list[Sender], dt: float = 0.05) -> None:
    while clock.now() < t - 1e-9:
        alive = sum(1 for s in senders if s.thread.is_alive())
        if not alive:
            return
        clock.settle(alive, unless=lambda: not all(s.thread.is_alive() for s in senders))
        clock.advance(min(dt, t - clock.now()))


def test_bytes_go_out_at_the_rate_and_no_sooner() -> None:
    clock = ManualClock()
    link = Link(clock, lambda _t: 10_000.0, chunk=1000)  # 10 kB/s
    s = Sender(link, 50_000)
    run_until(clock, 2.0, [s])
    clock.settle(1)
    assert 19_000 <= s.got <= 21_000  # 2 s at 10 kB/s
    run_until(clock, 4.9, [s])
    clock.settle(1)
    assert s.got < 50_000 and s.thread.is_alive()  # not done before 5 s
    run_until(clock, 5.2, [s])
    s.thread.join(5)
    assert s.got == 50_000 and s.result == [True]


def test_two_connections_share_one_link() -> None:
    clock = ManualClock()
    link = Link(clock, lambda _t: 10_000.0, chunk=1000)
    a, b = Sender(link, 40_000), Sender(link, 40_000)
    run_until(clock, 4.0, [a, b])
    clock.settle(2)
    assert 18_000 <= a.got <= 22_000 and 18_000 <= b.got <= 22_000  # half each
    run_until(clock, 8.5, [a, b])
    a.thread.join(5)
    b.thread.join(5)
    assert a.got == b.got == 40_000 and link.sent == 80_000


def test_the_rate_follows_the_profile_over_time() -> None:
    # 8 kbit/s for 2 s, then a ramp 8 -> 24 kbit/s over 4 s, from 6 s 24 kbit/s
    profile = parse_profile(
        "[[bandwidth]]\nkbps = 8\n[[bandwidth]]\nat_s = 2\nkbps = 8\nto_kbps = 24\n"
        "[[bandwidth]]\nat_s = 6\nkbps = 24\n",
        "p.toml",
    )
    rate: Callable[[float], float | None] = profile.bytes_per_second
    clock = ManualClock()
    link = Link(clock, rate, chunk=100)
    s = Sender(link, 100_000)
    run_until(clock, 2.0, [s], dt=0.02)
    clock.settle(1)
    first = s.got
    assert first == pytest.approx(2_000, abs=150)  # 1 kB/s
    run_until(clock, 6.0, [s], dt=0.02)
    clock.settle(1)
    assert s.got - first == pytest.approx(8_000, abs=300)  # the ramp's mean, 2 kB/s, for 4 s
    before = s.got
    run_until(clock, 7.0, [s], dt=0.02)
    clock.settle(1)
    assert s.got - before == pytest.approx(3_000, abs=150)  # 3 kB/s
    s.stop.set()
    clock.advance(1)
    s.thread.join(5)
    assert s.result == [False] and s.got < 100_000  # a stop ends the transfer


def test_no_rate_sends_at_once() -> None:
    clock = ManualClock()
    link = Link(clock, lambda _t: None)
    s = Sender(link, 1_000_000)
    s.thread.join(5)
    assert s.got == 1_000_000 and clock.now() == 0.0


def test_errors_land_on_the_nth_request_and_on_matching_paths_per_lane() -> None:
    profile = parse_profile(
        '[[error]]\nstatus = 404\nnth = 2\n[[error]]\nstatus = 503\nmatch = "s00[0-9]\\\\.ts$"\n'
        "count = 2\n",
        "e.toml",
    )
    imp = Impairment(profile, ManualClock())
    ts = [imp.error_for("ts", p) for p in ("/ts/a.m3u8", "/ts/b.m3u8", "/ts/s001.ts",
                                           "/ts/s002.ts", "/ts/s003.ts")]  # fmt: skip
    assert ts == [None, 404, 503, 503, None]  # the 2nd; the first two matching
    fmp4 = [imp.error_for("fmp4", p) for p in ("/fmp4/a.m3u8", "/fmp4/s001.ts")]
    assert fmp4 == [None, 404]  # another stream counts its own requests
    assert [e[3] for e in imp.errors_sent] == [404, 503, 503, 404]
    assert imp.requests("ts") == 5 and imp.requests("fmp4") == 2
    assert lane_of("/fmp4/r0/s001.m4s?x=1") == "fmp4" and lane_of("/progressive.mp4") == (
        "progressive.mp4"
    )


def test_the_delay_waits_on_the_clock_and_a_close_ends_it() -> None:
    clock = ManualClock()
    imp = Impairment(parse_profile("delay_ms = 300", "d.toml"), clock)
    done = threading.Event()

    def request() -> None:
        imp.delay()
        done.set()

    threading.Thread(target=request, daemon=True).start()
    step(clock, 0.2)
    clock.settle(1)
    assert not done.is_set()  # 0.2 s of 0.3
    clock.advance(0.1)
    assert done.wait(5)
    done.clear()
    threading.Thread(target=request, daemon=True).start()
    clock.settle(1)
    imp.close()
    assert done.wait(5)  # no clock time passed: the close ended the wait


class FakeOrigin:
    """Records when the schedule takes it down and brings it back."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.calls: list[tuple[str, float, str | None]] = []

    def outage(self, seconds: float | None, mode: str = "refuse") -> None:
        self.calls.append(("down", self.clock.now(), mode))

    def restore(self) -> None:
        self.calls.append(("up", self.clock.now(), None))


def test_outages_follow_the_schedule_and_repeat() -> None:
    clock = ManualClock()
    profile = parse_profile(
        'repeat_s = 10\n[[outage]]\nat_s = 2\nfor_s = 3\nmode = "hang"\n'
        "[[outage]]\nat_s = 6\nfor_s = 1\n",
        "o.toml",
    )
    imp = Impairment(profile, clock)
    origins = [FakeOrigin(clock), FakeOrigin(clock)]
    for o in origins:
        imp.attach(o)  # type: ignore[arg-type]
    imp.start()
    for _ in range(int(14 / 0.5)):
        step(clock, 0.5)
    clock.settle(1)
    imp.close()  # joins the schedule's thread
    expected = [
        ("down", 2.0, "hang"), ("up", 5.0, None), ("down", 6.0, "refuse"), ("up", 7.0, None),
        ("down", 12.0, "hang"), ("up", 14.0, None),  # the close brings them back
    ]  # fmt: skip
    assert all(o.calls == expected for o in origins), origins[0].calls
    assert imp.outages_applied == [[2.0, 5.0], [6.0, 7.0], [12.0, 14.0]]
