"""``FetchCursor`` on the ManualClock and a scripted origin: where a VOD
starts and how the cursor walks it; where a live stream starts, how the
cursor waits for the playlist to list the next segment (and gives up on a
playlist that has stopped), when it rejoins the live edge, and how far
behind the edge the position is."""

from __future__ import annotations

import math

import pytest

from player.errors import NetworkError
from player.hls.fetch_cursor import FetchCursor
from player.hls.live_edge import Chunk
from player.hls.playlist import MediaPlaylist
from player.warning_text import WarningCode
from tests.support.fake_fetcher import Reply
from tests.support.hls_loader_rig import BASE, LoaderRig, media_playlist

TD = 4.0


def _rig(text: str, *, live: bool) -> tuple[LoaderRig, FetchCursor]:
    rig = LoaderRig([("v0.m3u8", 800_000, ())], live=live)
    rig.fetcher.serve(BASE + "v0.m3u8", text)
    return rig, rig.cursor()


def _names(first: int, count: int) -> list[str]:
    return [f"s{i}.ts" for i in range(first, first + count)]


def _live(first: int, count: int) -> str:
    return media_playlist(_names(first, count), first_seq=first, endlist=False)


def _next(rig: LoaderRig, cursor: FetchCursor) -> tuple[MediaPlaylist, Chunk]:
    nxt = rig.run(cursor.next_segment)
    assert nxt is not None
    return nxt


def _start(rig: LoaderRig, cursor: FetchCursor) -> None:
    pl = rig.run(lambda: rig.ladder.track(0)).playlist
    cursor.position_start(pl)


@pytest.mark.parametrize(
    ("start", "expected"),
    [("", 0.0), ("#EXT-X-START:TIME-OFFSET=9\n", 8.0), ("#EXT-X-START:TIME-OFFSET=-6\n", 4.0)],
)
def test_a_vod_starts_at_the_segment_holding_its_start_offset(start: str, expected: float) -> None:
    text = media_playlist(_names(0, 3)).replace("#EXTM3U\n", "#EXTM3U\n" + start)
    rig, cursor = _rig(text, live=False)
    _start(rig, cursor)
    assert rig.state.next_time == expected and rig.state.fetched_until == expected


def test_a_vod_cursor_walks_the_segments_to_the_end() -> None:
    rig, cursor = _rig(media_playlist(_names(0, 3)), live=False)
    _start(rig, cursor)
    seen: list[int] = []
    while (nxt := rig.run(cursor.next_segment)) is not None:
        seen.append(nxt[1].seg.sequence)
        cursor.advance(nxt[1])
    assert seen == [0, 1, 2]
    assert rig.state.next_time == 3 * TD and rig.state.fetched_until == 3 * TD
    # a VOD playlist is loaded once
    assert rig.fetcher.urls("playlist") == [BASE + "v0.m3u8"]


def test_a_live_stream_starts_three_target_durations_from_its_edge() -> None:
    rig, cursor = _rig(_live(0, 10), live=True)
    _start(rig, cursor)
    assert (rig.state.next_seq, rig.state.next_part, rig.state.next_time) == (7, 0, 0.0)
    assert rig.state.live_latency_target == 3 * TD and not rig.state.ll
    _pl, chunk = _next(rig, cursor)
    assert chunk.seg.sequence == 7
    # the edge is what is listed after the cursor, on the timeline
    assert rig.state.live_edge_time == 3 * TD
    cursor.advance(chunk)
    assert (rig.state.next_seq, rig.state.next_time) == (8, TD)


def test_a_live_cursor_past_the_edge_waits_for_the_playlist_to_list_it() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ())], live=True)
    # one more segment every target duration
    rig.fetcher.serve_live(
        BASE + "v0.m3u8",
        lambda t: Reply(_live(0, 10 + math.floor(t / TD)).encode()),
    )
    cursor = rig.cursor()
    _start(rig, cursor)
    rig.state.next_seq = 10
    _pl, chunk = _next(rig, cursor)
    assert chunk.seg.sequence == 10
    reloads = [r.t for r in rig.fetcher.requests if r.kind == "playlist"]
    # one target duration after a load that changed (RFC 8216 §6.3.4): then it is there
    assert reloads == [0.0, TD]


def test_a_live_playlist_that_stops_advancing_is_an_error() -> None:
    rig, cursor = _rig(_live(0, 10), live=True)
    _start(rig, cursor)
    rig.state.next_seq = 10
    with pytest.raises(NetworkError, match="has not advanced for 3 target durations"):
        rig.run(cursor.next_segment)
    assert rig.clock.now() >= 3 * TD


def test_a_cursor_that_left_the_live_window_rejoins_at_the_target_latency() -> None:
    rig, cursor = _rig(_live(20, 10), live=True)
    _start(rig, cursor)
    rig.state.next_seq = 5  # an outage longer than the window
    rig.state.next_time = 100.0
    _pl, chunk = _next(rig, cursor)
    assert chunk.seg.sequence == 27
    # the media jumps, the timeline goes on: a break for the decoders
    assert rig.state.next_time == 100.0 and rig.state.live_edge_time == 100.0 + 3 * TD
    assert [e.marker for e in rig.state.timeline] == ["rejoin"]
    assert len(rig.warnings(WarningCode.LIVE_REJOIN)) == 1
    assert not rig.state.reanchor  # the followers were lined up again


@pytest.mark.parametrize(
    ("seq", "stalled", "rejoined"),
    # 12 s target + a lag of one target duration: 16 s listed after it is still fine
    [(26, False, False), (25, False, True), (26, True, True)],
)
def test_a_live_cursor_too_far_behind_the_edge_rejoins(
    seq: int, stalled: bool, rejoined: bool
) -> None:
    rig, cursor = _rig(_live(20, 10), live=True)
    _start(rig, cursor)
    rig.state.next_seq = seq
    if stalled:  # nothing buffered: a jump costs the viewer nothing the stall did not
        rig.state.position = rig.state.fetched_until = 0.0
    _pl, chunk = _next(rig, cursor)
    assert chunk.seg.sequence == (27 if rejoined else seq)
    assert len(rig.warnings(WarningCode.LIVE_REJOIN)) == int(rejoined)


def test_the_edge_latency_moves_with_the_clock_but_not_past_a_stuck_origin() -> None:
    rig, cursor = _rig(_live(20, 10), live=True)
    _start(rig, cursor)
    assert cursor.edge_latency() is None  # nothing played yet
    rig.state.next_time = 100.0
    _next(rig, cursor)
    rig.state.position = 105.0
    assert cursor.edge_latency() == pytest.approx(112.0 - 105.0)
    rig.clock.advance(10.0)
    # the origin answers but has not moved: at most one target duration more
    assert cursor.edge_latency() == pytest.approx(112.0 + TD - 105.0)
    rig.watch.failing_since = rig.clock.now()  # away: the edge goes on without us
    assert cursor.edge_latency() == pytest.approx(112.0 + 10.0 - 105.0)


def test_a_vod_has_no_edge_latency() -> None:
    rig, cursor = _rig(media_playlist(_names(0, 3)), live=False)
    _start(rig, cursor)
    rig.state.position = 1.0
    assert cursor.edge_latency() is None and cursor.live_latency() is None


LL_HEAD = (
    "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n"
    "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5\n"
    "#EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:0\n"
)


def _ll_parts(seq: int, n: int) -> str:
    return "".join(
        f'#EXT-X-PART:DURATION=0.5,URI="p{seq}.{i}.ts"{",INDEPENDENT=YES" if i % 2 == 0 else ""}\n'
        for i in range(n)
    )


#: segments 0-2 (2 s each, 2 with its four parts listed), then two parts of 3
LL = (
    LL_HEAD
    + "#EXTINF:2.0,\ns0.ts\n#EXTINF:2.0,\ns1.ts\n"
    + _ll_parts(2, 4)
    + "#EXTINF:2.0,\ns2.ts\n"
    + _ll_parts(3, 2)
)


def test_low_latency_starts_at_an_independent_part_and_walks_part_by_part() -> None:
    rig, cursor = _rig(LL, live=True)
    _start(rig, cursor)
    # PART-HOLD-BACK 1.5 s from the end, on an independent part
    assert rig.state.ll and rig.state.live_latency_target == 1.5
    assert (rig.state.next_seq, rig.state.next_part) == (2, 2)
    walked: list[tuple[int, int | None]] = []
    for _ in range(4):
        _pl, chunk = _next(rig, cursor)
        walked.append((chunk.seg.sequence, chunk.part))
        cursor.advance(chunk)
    # segment 2's last parts, then the parts of 3 before it is listed whole
    assert walked == [(2, 2), (2, 3), (3, 0), (3, 1)]
    assert rig.state.next_time == pytest.approx(4 * 0.5)
    assert (rig.state.next_seq, rig.state.next_part) == (3, 2)


def _hint_fix(rig: LoaderRig) -> tuple[int, int, float] | None:
    return rig.state.hint_fix


def test_a_part_fetched_by_its_hint_gets_its_listed_duration() -> None:
    rig, cursor = _rig(LL, live=True)
    _start(rig, cursor)
    rig.state.next_seq, rig.state.next_part = 3, 1
    rig.state.next_time = rig.state.fetched_until = 10.6
    rig.state.hint_fix = (3, 0, 0.6)  # its duration guessed at 0.6 s; listed as 0.5 s
    _next(rig, cursor)
    assert _hint_fix(rig) is None
    assert rig.state.next_time == pytest.approx(10.5)
    assert rig.state.fetched_until == rig.state.next_time
    # not listed yet: the guess stands until it is
    rig.state.hint_fix = (7, 0, 0.6)
    rig.state.next_seq, rig.state.next_part = 3, 1
    _next(rig, cursor)
    assert _hint_fix(rig) == (7, 0, 0.6)
