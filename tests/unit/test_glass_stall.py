"""The after-a-stall benchmark's parts: when the glass latency counts as back
(a pure function of the samples), and the relay that holds a real loopback
connection for the stall and passes on what it held afterwards."""

from __future__ import annotations

import socket

from benchmarks.glass_stall import StallRelay, recovery, via

STALL = (20.0, 23.0)


def _samples(latency_at: dict[float, float], until: float = 40.0) -> list[tuple[float, float]]:
    """A sample every 20 ms from t=10, each the latency of the latest key at or before it."""
    out: list[tuple[float, float]] = []
    keys = sorted(latency_at)
    for n in range(round((until - 10.0) / 0.02)):
        t = round(10.0 + n * 0.02, 2)
        out.append((t, [latency_at[k] for k in keys if k <= t][-1]))
    return out


def test_back_once_within_the_margin_for_a_second() -> None:
    # 500 ms before; the frames stop (latency climbs to 3.5 s), then a
    # catch-up brings it to 560 ms 2.5 s after the path is back
    samples = _samples({10: 500.0, 20: 3500.0, 23: 1800.0, 25.5: 560.0})
    r = recovery(samples, 10.0, STALL, within_ms=100)
    assert r["before_median_ms"] == 500
    assert r["worst_after_ms"] == 3500
    assert r["recovered_s"] == 2.5
    assert r["tail_minus_before_ms"] == 60


def test_a_moment_within_the_margin_is_not_back() -> None:
    # one dip under the margin at 24 s, behind again until 30 s
    samples = _samples({10: 500.0, 20: 3500.0, 24: 550.0, 24.2: 1200.0, 30: 520.0})
    assert recovery(samples, 10.0, STALL, within_ms=100)["recovered_s"] == 7.0


def test_a_player_that_stays_behind_never_recovers() -> None:
    samples = _samples({10: 500.0, 20: 3500.0, 23: 3500.0})
    r = recovery(samples, 10.0, STALL, within_ms=100)
    assert r["recovered_s"] is None
    assert r["tail_minus_before_ms"] == 3000


def test_no_samples_before_the_stall_is_an_error() -> None:
    samples = _samples({10: 500.0})
    assert "error" in recovery(samples, 19.0, STALL, within_ms=100)


def test_via_replaces_the_port_only() -> None:
    assert via("rtmp://127.0.0.1:1935/live/clock", 4000) == "rtmp://127.0.0.1:4000/live/clock"
    assert via("http://127.0.0.1:80/a/b.m3u8?x=1", 81) == "http://127.0.0.1:81/a/b.m3u8?x=1"


def test_the_relay_holds_both_ways_and_delivers_what_it_held() -> None:
    with socket.create_server(("127.0.0.1", 0)) as origin:
        relay = StallRelay("127.0.0.1", origin.getsockname()[1])
        try:
            with socket.create_connection(("127.0.0.1", relay.port), timeout=5) as client:
                upstream, _ = origin.accept()
                with upstream:
                    upstream.settimeout(5)
                    client.sendall(b"ping")
                    assert upstream.recv(16) == b"ping"
                    relay.stop()
                    upstream.sendall(b"held")
                    client.sendall(b"back")
                    # nothing gets through while the path is down ...
                    client.settimeout(0.2)
                    try:
                        early = client.recv(16)
                    except TimeoutError:
                        early = b""
                    assert early == b""
                    relay.resume()
                    # ... then all of it, both ways
                    client.settimeout(5)
                    assert client.recv(16) == b"held"
                    assert upstream.recv(16) == b"back"
                    assert len(relay.holds) == 1
                    start, end = relay.holds[0]
                    assert end - start >= 0.2
        finally:
            relay.close()
