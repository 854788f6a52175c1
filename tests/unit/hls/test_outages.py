"""``Outages`` on the ManualClock and a scripted origin: which failures are
reported (``Reconnecting``, its attempt and delay), how an outage is ridden
out with backoff until the origin answers (``Reconnected``) or its bound
has passed (one clear error), and, VOD, when a failing segment has the
origin asked whether it is away as a whole."""

from __future__ import annotations

import pytest

from player.errors import NetworkError
from player.events import Reconnected, Reconnecting
from player.fetch import HttpStatusError
from player.hls.outages import OriginAway
from tests.support.fake_fetcher import Reply
from tests.support.hls_loader_rig import BASE, LoaderRig, media_playlist

SECRET_URL = "http://user:hunter2@o.test/s0.ts"


def _rig(*, live: bool, bound: float = 30.0, url: str = BASE + "master.m3u8") -> LoaderRig:
    rig = LoaderRig([("v0.m3u8", 800_000, ())], live=live, outage_bound=bound, url=url)
    rig.fetcher.serve(BASE + "v0.m3u8", media_playlist(["s0.ts", "s1.ts"], endlist=not live))
    rig.state.next_seq = 0
    rig.first()  # the rung's playlist is loaded before anything fails
    return rig


def _reconnecting(rig: LoaderRig) -> list[tuple[int, float]]:
    return [(e.attempt, e.delay) for e in rig.events if isinstance(e, Reconnecting)]


def _reconnected(rig: LoaderRig) -> list[tuple[int, float]]:
    return [(e.attempt, round(e.outage, 6)) for e in rig.events if isinstance(e, Reconnected)]


def test_live_a_quick_retry_is_a_hiccup_and_lasting_failures_are_reported() -> None:
    rig = _rig(live=True)
    rig.fetcher.outage(0.0, 2.5)  # the origin away: its playlist fails too
    refused = NetworkError(f"connection refused by {SECRET_URL}")
    rig.outages.note_failure(refused, "segment", 0.5)
    assert _reconnecting(rig) == []  # one quick retry: the buffer hides it
    rig.clock.advance(1.0)
    rig.outages.note_failure(refused, "segment", 1.0)
    rig.clock.advance(1.0)
    rig.outages.note_failure(refused, "segment", 2.0)
    assert _reconnecting(rig) == [(1, 1.0), (2, 2.0)]
    # the timeline says it once, with the reason and no credentials
    (error,) = [e for e in rig.state.timeline if e.marker == "error"]
    assert error.detail.startswith("live origin unreachable: connection refused")
    reasons = [e.reason for e in rig.events if isinstance(e, Reconnecting)]
    assert all("hunter2" not in text for text in [error.detail, *reasons])
    rig.penalty.penalise(0, rig.clock.now())
    rig.clock.advance(1.0)
    rig.outages.fetch_worked()
    assert _reconnected(rig) == [(2, 3.0)]
    # the playlist is as old as the outage: reloaded before the next fetch
    assert rig.state.refresh and rig.state.hints_ok and rig.streams.ok
    assert [e.detail for e in rig.state.timeline if e.marker == "reload"] == [
        "live origin back after 3.0 s"
    ]
    # the origin was asked once (its playlist), when the failures lasted
    assert rig.fetcher.urls("playlist") == [BASE + "v0.m3u8"] * 2
    # the playlist failed too: the origin was away, every variant gets another chance
    assert 0 not in rig.penalty
    assert rig.watch.failing_since is None and rig.watch.attempt == 0


def test_live_a_segment_failing_beside_a_playlist_that_answers_is_no_outage() -> None:
    rig = _rig(live=True)
    failed = HttpStatusError(503, BASE + "s0.ts")
    for delay in (0.5, 1.0, 2.0, 2.0):
        rig.outages.note_failure(failed, "segment", delay)
        rig.clock.advance(delay)
    # the origin was asked once, when the failures lasted, and it answered
    assert rig.fetcher.urls("playlist") == [BASE + "v0.m3u8"] * 2
    assert _reconnecting(rig) == [] and list(rig.state.timeline) == []
    rig.outages.fetch_worked()
    assert _reconnected(rig) == [] and not rig.state.refresh
    # a new run of failures has it asked again: this time it is away
    rig.fetcher.outage(rig.clock.now(), 1e9)
    rig.outages.note_failure(failed, "segment", 0.5)
    rig.clock.advance(1.0)
    rig.outages.note_failure(failed, "segment", 1.0)
    assert _reconnecting(rig) == [(1, 1.0)]
    (error,) = [e for e in rig.state.timeline if e.marker == "error"]
    assert error.detail.startswith("live origin unreachable: HTTP 503")


def test_live_a_hiccup_that_recovers_is_not_an_outage() -> None:
    rig = _rig(live=True)
    rig.outages.note_failure(NetworkError("reset"), "segment", 0.5)
    rig.clock.advance(0.5)
    rig.outages.fetch_worked()
    assert _reconnecting(rig) == [] and _reconnected(rig) == []
    assert not rig.state.refresh and list(rig.state.timeline) == []
    assert rig.watch.failing_since is None


def test_live_an_outage_is_ridden_out_with_backoff_until_the_origin_answers() -> None:
    rig = _rig(live=True)
    rig.fetcher.outage(0.0, 5.0)  # from now: the playlist above loaded before it
    refused = NetworkError("connection refused")
    rig.outages.note_failure(refused, "segment", None)
    rig.penalty.penalise(0, 0.0)
    rig.run(lambda: rig.outages.ride_out_outage(refused))
    # LIVE_OUTAGE_RETRY without jitter: 0.5 s doubling to a 2 s cap
    assert _reconnecting(rig) == [(1, 0.5), (2, 1.0), (3, 2.0), (4, 2.0)]
    reloads = [r.t for r in rig.fetcher.requests if r.kind == "playlist"][1:]
    assert reloads == pytest.approx([0.5, 1.5, 3.5, 5.5])
    assert _reconnected(rig) == [(4, 5.5)]
    # just reloaded: no second reload; every variant gets another chance
    assert not rig.state.refresh and 0 not in rig.penalty
    assert rig.watch.failing_since is None and rig.watch.attempt == 0


def test_live_an_outage_past_its_bound_is_one_clear_error_without_credentials() -> None:
    rig = _rig(live=True, bound=10.0, url="http://user:hunter2@o.test/master.m3u8")
    rig.fetcher.outage(0.0, 1e9)
    refused = NetworkError("connection refused")
    rig.outages.note_failure(refused, "segment", None)
    with pytest.raises(NetworkError, match="live stream has been unreachable for 10 s") as err:
        rig.run(lambda: rig.outages.ride_out_outage(refused))
    assert "hunter2" not in str(err.value)
    delays = [d for _, d in _reconnecting(rig)]
    assert delays[:3] == [0.5, 1.0, 2.0] and max(delays) == 2.0
    # the last wait is cut to the bound: the error comes at the bound, not after
    assert sum(delays) == pytest.approx(10.0) and rig.clock.now() == pytest.approx(10.0)
    assert _reconnected(rig) == []


def test_live_a_refusal_during_an_outage_ends_it_at_once() -> None:
    rig = _rig(live=True)
    pl = media_playlist(["s0.ts"], endlist=False)
    rig.fetcher.script(BASE + "v0.m3u8", Reply(status=403), Reply(body=pl.encode()))
    refused = NetworkError("connection refused")
    rig.outages.note_failure(refused, "segment", None)
    with pytest.raises(HttpStatusError) as err:
        rig.run(lambda: rig.outages.ride_out_outage(refused))
    assert err.value.status == 403
    assert _reconnecting(rig) == [(1, 0.5)] and rig.clock.now() == pytest.approx(0.5)


def test_vod_a_segment_failing_with_the_playlist_failing_too_is_the_origin_away() -> None:
    rig = _rig(live=False)
    rig.fetcher.outage(0.0, 1e9)
    refused = NetworkError("connection refused")
    # a failing segment alone is that segment's business
    assert not rig.outages.outage_tolerated(refused)
    with pytest.raises(OriginAway) as away:
        rig.run(lambda: rig.outages.note_failure(refused, "segment", 0.5))
    assert away.value.error is refused
    # the origin was asked once, through the variant's playlist
    assert rig.fetcher.urls("playlist") == [BASE + "v0.m3u8"] * 2
    assert rig.watch.playlist_failed and rig.watch.failing_since == 0.0
    assert rig.outages.outage_tolerated(refused)
    # VOD: no Reconnecting for the retries themselves
    assert _reconnecting(rig) == []


def test_vod_the_origin_is_asked_once_per_run_of_failures_and_may_answer() -> None:
    rig = _rig(live=False)
    refused = NetworkError("connection refused")
    rig.run(lambda: rig.outages.note_failure(refused, "segment", 0.5))
    rig.run(lambda: rig.outages.note_failure(refused, "segment", 1.0))
    # the playlist answered: the segment's own fault, the watch left as it was
    assert rig.fetcher.urls("playlist") == [BASE + "v0.m3u8"] * 2
    assert rig.watch.failing_since is None and not rig.outages.outage_tolerated(refused)
    rig.outages.fetch_worked()  # a new run of failures asks again
    rig.run(lambda: rig.outages.note_failure(refused, "segment", 0.5))
    assert rig.fetcher.urls("playlist") == [BASE + "v0.m3u8"] * 3


def test_vod_a_missing_segment_or_a_failing_playlist_does_not_ask_the_origin() -> None:
    rig = _rig(live=False)
    rig.run(lambda: rig.outages.note_failure(HttpStatusError(404, BASE + "s0.ts"), "segment", 0.5))
    rig.run(lambda: rig.outages.note_failure(NetworkError("reset"), "playlist", 0.5))
    assert rig.fetcher.urls("playlist") == [BASE + "v0.m3u8"]


def test_vod_outages_are_not_ridden_out_when_reconnecting_is_off() -> None:
    rig = _rig(live=False, bound=0.0)
    rig.fetcher.outage(0.0, 1e9)
    refused = NetworkError("connection refused")
    rig.run(lambda: rig.outages.note_failure(refused, "segment", 0.5))  # no OriginAway
    assert rig.fetcher.urls("playlist") == [BASE + "v0.m3u8"]
    assert not rig.outages.outage_tolerated(refused)


def test_vod_an_origin_back_is_told_and_the_segment_fetched_again() -> None:
    rig = _rig(live=False)
    rig.fetcher.outage(0.0, 2.0)
    refused = NetworkError("connection refused")
    with pytest.raises(OriginAway):
        rig.run(lambda: rig.outages.note_failure(refused, "segment", 0.5))
    rig.run(lambda: rig.outages.ride_out_outage(refused))
    assert _reconnecting(rig) == [(1, 0.5), (2, 1.0), (3, 2.0)]
    assert _reconnected(rig) == [(3, 3.5)]
    details = [(e.marker, e.detail) for e in rig.state.timeline]
    assert details[0] == ("error", "origin unreachable: connection refused")
    assert details[-1] == ("reload", "origin back after 3.5 s")
    # VOD: nothing to rejoin, the segment that failed is simply asked for again
    assert not rig.state.refresh


def test_vod_the_origin_answering_on_a_backup_copy_is_not_away() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ("b/v0.m3u8",))])
    rig.fetcher.serve(BASE + "b/v0.m3u8", media_playlist(["s0.ts"]))
    rig.fetcher.script(BASE + "v0.m3u8", Reply(status=503))
    refused = NetworkError("connection refused")
    rig.run(lambda: rig.outages.note_failure(refused, "segment", 0.5))  # no OriginAway
    assert rig.fetcher.urls("playlist") == [BASE + "v0.m3u8", BASE + "b/v0.m3u8"]
    # asking is not moving: the copy in use stays the one that failed
    assert rig.state.copy.get(0, 0) == 0
    assert rig.watch.failing_since is None


def test_vod_the_origin_is_asked_from_the_copy_in_use_on() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ("b/v0.m3u8",))])
    rig.state.copy[0] = 1  # failed over to the backup already
    rig.fetcher.outage(0.0, 1e9)
    refused = NetworkError("connection refused")
    with pytest.raises(OriginAway):
        rig.run(lambda: rig.outages.note_failure(refused, "segment", 0.5))
    assert rig.fetcher.urls("playlist") == [BASE + "b/v0.m3u8"]


def test_a_fetch_working_while_the_origin_is_asked_does_not_end_the_failures() -> None:
    rig = _rig(live=True)
    rig.fetcher.outage(0.0, 1.5)  # the origin away: the lasting failures are reported
    rig.outages.note_failure(NetworkError("reset"), "segment", 0.5)
    rig.clock.advance(1.0)
    rig.outages.note_failure(NetworkError("reset"), "segment", 1.0)
    rig.origin.checking = True  # the answer is the origin's, not the failed fetch's
    rig.outages.fetch_worked()
    assert _reconnected(rig) == [] and rig.watch.failing_since == 0.0
    rig.origin.checking = False
    rig.outages.fetch_worked()
    assert _reconnected(rig) == [(1, 1.0)]


def test_riding_out_an_outage_replays_the_same_on_every_run() -> None:
    def once() -> tuple[list[object], list[object]]:
        rig = _rig(live=True)
        rig.fetcher.outage(0.0, 7.0)
        refused = NetworkError("connection refused")
        rig.outages.note_failure(refused, "segment", None)
        rig.run(lambda: rig.outages.ride_out_outage(refused))
        return list(rig.fetcher.requests), list(rig.events)

    first = once()
    assert first == once() == once()


def test_after_a_live_outage_the_playlist_has_its_full_time_again_before_stuck() -> None:
    # the same quiet playlist, ridden through a 20 s outage or not
    def stuck_at(outage_over: bool) -> float:
        rig = _rig(live=True)
        rig.fetcher.outage(0.0, 1.5)  # the origin away, its playlist failing too
        cursor = rig.cursor()
        rig.state.next_seq = 2  # past the edge: waits for the playlist to move
        rig.outages.note_failure(NetworkError("reset"), "segment", 1.0)
        rig.clock.advance(1.0)
        rig.outages.note_failure(NetworkError("reset"), "segment", 2.0)  # reported
        rig.clock.advance(19.0)
        if outage_over:
            rig.outages.fetch_worked()
        else:
            rig.watch.failing_since = None  # failures forgotten, clocks not restarted
        with pytest.raises(NetworkError, match="has not advanced"):
            rig.run(cursor.next_segment)
        return rig.clock.now()

    # nothing could advance during the outage: the stuck clock starts at its end
    assert stuck_at(False) == pytest.approx(20.0)
    assert stuck_at(True) >= 20.0 + 3 * 4.0
