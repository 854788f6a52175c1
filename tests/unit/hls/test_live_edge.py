"""``hls.live_edge``: the live cursor's next chunk, reloads (paced, blocking,
delta) and riding out an outage, on a scripted origin and a manual clock."""

from __future__ import annotations

import pytest

from player.clock import ManualClock
from player.errors import NetworkError
from player.fetch import HttpStatusError
from player.hls.live_edge import (
    OutageWatch,
    Track,
    live_chunk,
    live_start_point,
    reload_live,
    ride_out,
    switch_params,
)
from player.hls.live_playlist import LiveReloader
from player.hls.playlist import MediaPlaylist
from player.hls.playlist_parser import parse_media_playlist
from player.retry import RetryPolicy
from tests.support.background import Background
from tests.support.download_rig import Rig
from tests.support.fake_fetcher import FakeFetcher, Reply

URL = "http://origin.test/live.m3u8"


def live(first: int, n: int = 4, td: int = 2, head: str = "", tail: str = "") -> str:
    body = "".join(f"#EXTINF:{td},\ns{first + i}.ts\n" for i in range(n))
    return (
        f"#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:{td}\n"
        f"#EXT-X-MEDIA-SEQUENCE:{first}\n{head}{body}{tail}"
    )


LL_HEAD = (
    "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=1.5\n"
    "#EXT-X-PART-INF:PART-TARGET=0.5\n"
)


def ll(first: int, parts: int) -> str:
    """Four whole segments, then ``parts`` parts of the next, a hint at the one after."""
    tail = "".join(f'#EXT-X-PART:DURATION=0.5,URI="p{first + 4}.{i}.mp4"\n' for i in range(parts))
    tail += f'#EXT-X-PRELOAD-HINT:TYPE=PART,URI="p{first + 4}.{parts}.mp4"\n'
    return live(first, head=LL_HEAD, tail=tail)


def track(text: str, clock: ManualClock) -> Track:
    pl = parse_media_playlist(text, URL)
    reloader = LiveReloader(stuck_factor=3.0)
    reloader.update(pl, clock.now())
    return Track(pl, reloader, clock.now())


class Live:
    """``reload_live`` with ``Downloads`` loading from the fake origin."""

    def __init__(self) -> None:
        self.rig = Rig()
        self.clock = self.rig.clock
        self.origin: FakeFetcher = self.rig.origin
        self.stats = {"blocking_reloads": 0, "delta_updates": 0}

    def load(self, url: str, params: dict[str, str] | None, retry: RetryPolicy) -> MediaPlaylist:
        return self.rig.downloads.media_playlist(url, params, retry)

    def reload(self, tr: Track, cursor: tuple[int, int] | None, **kw: bool) -> None:
        reload_live(
            tr,
            URL,
            cursor,
            ll=kw.get("ll", False),
            delta_updates=kw.get("delta_updates", False),
            stuck_factor=3.0,
            failing=kw.get("failing", False),
            clock=self.clock,
            load=self.load,
            sleep=self.clock.sleep,
            check_stop=lambda: None,
            stats=self.stats,
        )


def test_a_plain_live_reload_waits_one_target_duration_on_the_clock() -> None:
    lv = Live()
    tr = track(live(10), lv.clock)
    lv.origin.serve(URL, live(11))
    job = Background(lambda: lv.reload(tr, (14, 0)))
    lv.clock.until_waiting(1)
    assert lv.origin.requests == []  # still waiting out the reload delay
    lv.clock.advance(2.0)
    job.result()
    assert [(r.t, r.url) for r in lv.origin.requests] == [(2.0, URL)]
    assert tr.playlist.first_sequence == 11 and tr.loaded_at == 2.0
    # the same playlist again: the next reload comes after half the delay
    job = Background(lambda: lv.reload(tr, (15, 0)))
    lv.clock.until_waiting(1)
    lv.clock.advance(2.0)
    job.result()
    assert not tr.reloader.changed
    job = Background(lambda: lv.reload(tr, (15, 0)))
    lv.clock.until_waiting(1)
    lv.clock.advance(1.0)
    job.result()
    assert [r.t for r in lv.origin.requests] == [2.0, 4.0, 5.0]


def test_a_playlist_that_does_not_advance_is_stuck_unless_fetches_are_failing() -> None:
    lv = Live()
    tr = track(live(10), lv.clock)
    lv.clock.advance(6.1)  # over three target durations without news
    with pytest.raises(NetworkError, match="has not advanced for 3 target durations"):
        lv.reload(tr, (14, 0))
    assert lv.origin.requests == []
    lv.origin.serve(URL, live(12))
    lv.reload(tr, (14, 0), failing=True)  # an outage, not a stuck origin
    assert tr.playlist.first_sequence == 12


def test_a_blocking_reload_asks_for_the_cursor_without_waiting() -> None:
    lv = Live()
    tr = track(ll(10, 2), lv.clock)
    lv.origin.serve(URL + "?_HLS_msn=14&_HLS_part=2", ll(10, 3))
    lv.reload(tr, (14, 2), ll=True)
    assert lv.origin.urls() == [URL + "?_HLS_msn=14&_HLS_part=2"]
    assert lv.stats["blocking_reloads"] == 1
    assert len(tr.playlist.trailing_parts) == 3
    # a held request that fails is no news: the playlist stays, nothing raised
    lv.origin.serve(URL + "?_HLS_msn=14&_HLS_part=3", b"", status=503)
    lv.reload(tr, (14, 3), ll=True)
    assert len(tr.playlist.trailing_parts) == 3 and not tr.reloader.changed


def test_a_delta_update_is_asked_for_and_merged() -> None:
    lv = Live()
    head = "#EXT-X-SERVER-CONTROL:CAN-SKIP-UNTIL=12\n"
    tr = track(live(10, n=8, head=head), lv.clock)
    delta = (
        "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:11\n"
        + head
        + "#EXT-X-SKIP:SKIPPED-SEGMENTS=6\n#EXTINF:2,\ns17.ts\n#EXTINF:2,\ns18.ts\n"
    )
    lv.origin.serve(URL + "?_HLS_skip=YES", delta)
    job = Background(lambda: lv.reload(tr, (18, 0), delta_updates=True))
    lv.clock.until_waiting(1)
    lv.clock.advance(2.0)
    job.result()
    assert lv.stats["delta_updates"] == 1
    assert [s.sequence for s in tr.playlist.segments] == list(range(11, 19))
    assert tr.playlist.segments[0].uri.endswith("s11.ts")


def test_the_cursor_walks_parts_then_the_hinted_part() -> None:
    pl = parse_media_playlist(ll(10, 2), URL)
    assert live_chunk(pl, 13, 0, ll=True, hints_ok=True)[2] is not None
    seq, idx, chunk, hint = live_chunk(pl, 14, 1, ll=True, hints_ok=True)
    assert (seq, idx, hint) == (14, 1, None)
    assert chunk is not None and chunk.part == 1 and chunk.seg.uri.endswith("p14.1.mp4")
    # the part after the listed ones is only hinted: fetched at PART-TARGET
    seq, idx, chunk, _ = live_chunk(pl, 14, 2, ll=True, hints_ok=True)
    assert chunk is not None and chunk.hint and chunk.seg.duration == 0.5
    # hints off (one failed): nothing to fetch until the playlist lists it
    assert live_chunk(pl, 14, 2, ll=True, hints_ok=False)[2:] == (None, None)
    # past the edge of a plain live playlist: wait for a reload
    assert live_chunk(pl, 14, 0, ll=False, hints_ok=True)[2] is None


def test_the_start_point_holds_back_from_the_edge() -> None:
    assert live_start_point(parse_media_playlist(live(10, n=10), URL), False, None) == (17, 0)
    seq, part = live_start_point(parse_media_playlist(ll(10, 2), URL), True, None)
    assert (seq, part) in {(13, 0), (14, 0)}  # 1.5 s back, at an independent part


def test_after_a_switch_the_rendition_report_sets_the_blocking_request() -> None:
    report = '#EXT-X-RENDITION-REPORT:URI="../hi/live.m3u8",LAST-MSN=14,LAST-PART=1\n'
    pl = parse_media_playlist(ll(10, 2) + report, "http://origin.test/lo/live.m3u8")
    assert switch_params(pl, "http://origin.test/hi/live.m3u8", True) == {
        "_HLS_msn": "14",
        "_HLS_part": "1",
    }
    assert switch_params(pl, "http://origin.test/mid/live.m3u8", True) is None


def test_an_outage_is_ridden_out_with_backoff_until_the_origin_answers() -> None:
    lv = Live()
    watch = OutageWatch(bound=30.0)
    lv.origin.outage(0.0, 3.0, "refused")
    lv.origin.serve(URL, live(20))
    reports: list[tuple[str, float]] = []

    def reload() -> None:
        try:
            lv.rig.downloads.media_playlist(URL, None, RetryPolicy(max_attempts=1))
        except NetworkError as exc:
            watch.note(exc, "playlist", None, lv.clock.now())
            raise

    first = NetworkError("connection refused")
    watch.note(first, "playlist", 0.5, lv.clock.now())
    job = Background(
        lambda: ride_out(
            watch,
            first,
            URL,
            clock=lv.clock,
            rand=lambda: 0.5,
            reload=reload,
            report=lambda reason, delay: reports.append((reason, delay)),
            sleep=lv.clock.sleep,
            check_stop=lambda: None,
        )
    )
    for delay in (0.5, 1.0, 2.0):
        lv.clock.until_waiting(1)
        lv.clock.advance(delay)
    job.result()
    assert [r.t for r in lv.origin.requests] == [0.5, 1.5, 3.5]
    assert [d for _, d in reports] == [0.5, 1.0, 2.0]
    assert watch.playlist_failed
    assert watch.over(lv.clock.now()) == (3.5, 0, True)


def test_an_outage_past_its_bound_is_one_clear_error() -> None:
    lv = Live()
    watch = OutageWatch(bound=3.0)
    lv.origin.outage(0.0, 100.0, "503")
    failed = HttpStatusError(503, URL)
    watch.note(failed, "playlist", 0.5, 0.0)

    def reload() -> None:
        lv.rig.downloads.media_playlist(URL, None, RetryPolicy(max_attempts=1))

    job = Background(
        lambda: ride_out(
            watch,
            failed,
            "http://user:secret@origin.test/live.m3u8",
            clock=lv.clock,
            rand=lambda: 0.5,
            reload=reload,
            report=lambda reason, delay: None,
            sleep=lv.clock.sleep,
            check_stop=lambda: None,
        )
    )
    # the last wait is cut to what is left of the bound
    for delay in (0.5, 1.0, 1.5):
        lv.clock.until_waiting(1)
        lv.clock.advance(delay)
    with pytest.raises(NetworkError, match="unreachable for 3 s") as err:
        job.result()
    assert "secret" not in str(err.value)
    assert [r.t for r in lv.origin.requests] == [0.5, 1.5, 3.0]


def test_the_watch_tolerates_what_an_away_origin_does_and_not_a_refusal() -> None:
    watch = OutageWatch(bound=30.0)
    assert not watch.tolerated(NetworkError("x"))  # nothing failed yet
    watch.note(HttpStatusError(503, URL), "segment", 0.5, 10.0)
    assert watch.tolerated(NetworkError("again"))
    watch.note(HttpStatusError(403, URL), "segment", None, 11.0)
    assert not watch.tolerated(NetworkError("again"))
    # a quick retry that works is a hiccup; failures lasting a second are reported
    fresh = OutageWatch(bound=30.0)
    assert not fresh.note(NetworkError("reset"), "segment", 0.5, 0.0)
    assert fresh.note(NetworkError("reset"), "segment", 0.5, 1.0)
    assert not OutageWatch(bound=0.0).tolerated(NetworkError("x"))


def test_a_reply_script_is_what_the_tests_think_it_is() -> None:
    """The fake origin itself: the last reply repeats, unknown URLs are 404."""
    clock = ManualClock()
    origin = FakeFetcher(clock)
    origin.script(URL, Reply(status=500), Reply(body=b"ok"))
    with pytest.raises(HttpStatusError):
        origin.get(URL, max_bytes=10)
    assert origin.get(URL, max_bytes=10).data == b"ok"
    assert origin.get(URL, max_bytes=10).data == b"ok"
    with pytest.raises(HttpStatusError) as missing:
        origin.get(URL + "x", max_bytes=10)
    assert missing.value.status == 404
    assert [r.outcome for r in origin.requests] == ["500", "200", "200", "404"]
