"""Live HLS after an origin outage, without I/O: when the cursor has to jump
to the live edge again, how long it may lag first, the stuck clock restarted
when the origin answers again, the timeline re-based at a jump, and the
backoff of the playlist retries."""

from __future__ import annotations

import itertools

import pytest

from player.clock import ManualClock
from player.config import NetworkConfig
from player.hls.live_playlist import (
    STALLED_LAG,
    LiveReloader,
    live_start_index,
    ll_start,
    max_live_lag,
    rejoin_reason,
    target_latency,
)
from player.hls.playlist import MediaPlaylist
from player.hls.playlist_parser import parse_media_playlist
from player.hls.timestamps import Rebaser
from player.retry import LIVE_OUTAGE_RETRY

URL = "http://h/live.m3u8"


def plain(first: int, n: int, td: int = 2, endlist: bool = False) -> MediaPlaylist:
    body = "".join(f"#EXTINF:{td},\ns{first + i}.ts\n" for i in range(n))
    end = "#EXT-X-ENDLIST\n" if endlist else ""
    text = f"#EXTM3U\n#EXT-X-TARGETDURATION:{td}\n#EXT-X-MEDIA-SEQUENCE:{first}\n{body}{end}"
    return parse_media_playlist(text, URL)


def low_latency(first: int, n: int, trailing: int) -> MediaPlaylist:
    """``n`` 2 s segments (the last two with their 0.5 s parts listed) and
    ``trailing`` parts of the next one; PART-HOLD-BACK 1.5 s."""
    text = (
        "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n"
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5\n"
        f"#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:{first}\n"
    )

    def parts(seq: int, count: int) -> str:
        return "".join(
            f'#EXT-X-PART:DURATION=0.5,URI="p{4 * seq + i}.ts"'
            f"{',INDEPENDENT=YES' if i % 2 == 0 else ''}\n"
            for i in range(count)
        )

    for m in range(first, first + n):
        if m >= first + n - 2:
            text += parts(m, 4)
        text += f"#EXTINF:2,\ns{m}.ts\n"
    text += parts(first + n, trailing)
    return parse_media_playlist(text, URL)


def test_the_lag_allowed_before_a_jump() -> None:
    # at least 3 s (a minute and a half of +3 % speed-up), else one target duration
    assert max_live_lag(plain(0, 5, td=2)) == 3.0
    assert max_live_lag(plain(0, 5, td=6)) == 6.0
    assert max_live_lag(plain(0, 5, td=6), configured=1.0) == 1.0
    assert max_live_lag(plain(0, 5), configured=-1.0) == 0.0
    # nothing buffered (a stall): a jump costs nothing more, so a smaller lag
    assert max_live_lag(plain(0, 5, td=6), stalled=True) == STALLED_LAG == 1.0
    assert max_live_lag(plain(0, 5), configured=0.5, stalled=True) == 0.5


def test_plain_live_rejoins_when_the_cursor_left_the_window_or_lags() -> None:
    pl = plain(first=100, n=10)  # 20 s listed, target 3 x 2 s = 6 s, lag 3 s
    target, lag = target_latency(pl), max_live_lag(pl)
    assert (target, lag) == (6.0, 3.0)
    # where start-up puts it, and a little behind that: the rate control's job
    assert rejoin_reason(pl, 107, 0, target, lag) is None  # 6 s listed after it
    assert rejoin_reason(pl, 106, 0, target, lag) is None  # 8 s: within the lag
    # the origin came back with the edge 10 s on: jump
    why = rejoin_reason(pl, 105, 0, target, lag)
    assert why is not None and "10.0 s behind" in why.english()
    why = rejoin_reason(pl, 99, 0, target, lag)
    assert why is not None and "left the live window" in why.english()
    # ahead of the playlist (a stale copy, or the next segment): nothing to do
    assert rejoin_reason(pl, 110, 0, target, lag) is None
    # a stalled player 2 s behind the target: worth the jump now
    landing = (pl.segments[live_start_index(pl)].sequence, 0)
    assert landing == (107, 0)
    assert rejoin_reason(pl, 106, 0, target, max_live_lag(pl, stalled=True), landing) is not None
    # but never a jump that lands where the cursor is, or behind it
    assert rejoin_reason(pl, 107, 0, target, 0.0, landing) is None
    assert rejoin_reason(pl, 108, 0, target, 0.0, landing) is None
    # a finished event stream plays on from where it is
    assert rejoin_reason(plain(100, 10, endlist=True), 99, 0, target, lag) is None


def test_low_latency_counts_the_parts_behind() -> None:
    pl = low_latency(first=20, n=6, trailing=2)  # edge: 2 parts into segment 26
    target, lag = target_latency(pl, True), max_live_lag(pl)
    assert (target, lag) == (1.5, 3.0)
    start = ll_start(pl, target)
    assert start == (25, 2)  # 1.5 s from the edge, back to an independent part: 2 s
    assert rejoin_reason(pl, *start, target, lag) is None
    # 4.5 s behind the edge is exactly target + lag: still the rate control's
    assert rejoin_reason(pl, 24, 1, target, lag) is None
    why = rejoin_reason(pl, 24, 0, target, lag)  # one part more: 5 s
    assert why is not None and "5.0 s behind" in why.english()


def test_stuck_clock_restarts_when_the_origin_is_back() -> None:
    clock = ManualClock()
    r = LiveReloader(stuck_factor=3.0)
    pl = plain(0, 5)
    r.update(pl, clock.now())
    clock.advance(20)  # an outage: no reload could advance anything
    assert r.stuck(pl, clock.now())
    r.restart(clock.now())
    assert r.changed and not r.stuck(pl, clock.now())
    # the same playlist again: the server is up but stuck, and says so in time
    assert not r.update(pl, clock.now())
    clock.advance(6.1)
    assert r.stuck(pl, clock.now())


def test_a_jump_is_rebased_even_when_small() -> None:
    r = Rebaser()
    assert not r.begin_segment(0, 0.0, 10.0, mpegts=True)
    assert r.map(10.0, True) == pytest.approx(0.0)
    assert not r.begin_segment(0, 2.0, 12.0, mpegts=True)
    # a jump of 2 s of media (under the 3 s tolerance) onto the timeline at 4 s
    r.break_next()
    assert r.begin_segment(0, 4.0, 16.0, mpegts=True)
    assert r.map(16.0, True) == pytest.approx(4.0)  # no 2 s hole
    assert r.map_in_domain(16.0, 0, True) == pytest.approx(4.0)
    # and on from there as usual
    assert not r.begin_segment(0, 6.0, 18.0, mpegts=True)


def test_outage_retries_back_off_with_jitter_to_a_small_cap() -> None:
    lows = [LIVE_OUTAGE_RETRY.delay(n, lambda: 0.0) for n in range(1, 8)]
    highs = [LIVE_OUTAGE_RETRY.delay(n, lambda: 0.999999) for n in range(1, 8)]
    mids = [LIVE_OUTAGE_RETRY.delay(n, lambda: 0.5) for n in range(1, 8)]
    assert mids == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    assert all(a < b for a, b in zip(lows, highs, strict=True))
    assert max(highs) <= 3.0 and min(lows) >= 0.25
    assert all(b >= a for a, b in itertools.pairwise(mids))
    # time bounds the retries, not a count
    assert LIVE_OUTAGE_RETRY.should_retry(1000, None)
    assert NetworkConfig().live_outage_timeout == 30.0
