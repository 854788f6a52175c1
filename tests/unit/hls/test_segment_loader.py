"""``SegmentLoader`` on the ManualClock and a scripted origin: a failing
segment retried with its backoff, then taken from a redundant copy or
another rung, then skipped as a gap with a warning (fatal after too many in
a row); a transfer abandoned by the ABR or for arriving too slowly."""

from __future__ import annotations

from functools import partial

import pytest

from player.errors import NetworkError
from player.events import Reconnected, Reconnecting, VariantSwitched
from player.hls.config import HlsConfig
from player.hls.segment_loader import Abandon
from player.warning_text import WarningCode
from tests.support.fake_fetcher import Reply
from tests.support.hls_loader_rig import BASE, LoaderRig, media_playlist


def _names(count: int) -> list[str]:
    return [f"s{i}.ts" for i in range(count)]


def _vod(rig: LoaderRig, playlist: str, names: list[str], duration: float = 4.0) -> None:
    rig.fetcher.serve(BASE + playlist, media_playlist(names, duration=duration))


def test_a_failing_segment_is_retried_with_its_backoff_and_then_loads() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ())])
    _vod(rig, "v0.m3u8", ["s0.ts", "s1.ts"])
    rig.fetcher.script(BASE + "s0.ts", Reply(status=503), Reply(status=503), Reply(body=b"S0"))
    pl, chunk = rig.first()
    got = rig.run(lambda: rig.loader.fetch_with_fallback(pl, chunk))
    assert got is not None and got[1] == b"S0"
    times = [r.t for r in rig.fetcher.requests if r.url == BASE + "s0.ts"]
    # SEGMENT_RETRY with no jitter: 0.5 s, then twice that
    assert times == pytest.approx([0.0, 0.5, 1.5])
    # the first failure had the origin asked (its playlist answered: not away)
    assert rig.fetcher.urls("playlist") == [BASE + "v0.m3u8"] * 2
    assert rig.loader.segment_gaps == [] and not rig.warnings(WarningCode.SEGMENT_SKIPPED)
    assert rig.watch.failing_since is None


def test_a_segment_failing_on_its_copy_is_taken_from_the_backup_copy() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ("b/v0.m3u8",))])
    _vod(rig, "v0.m3u8", ["s0.ts"])
    _vod(rig, "b/v0.m3u8", ["s0.ts"])
    rig.fetcher.script(BASE + "s0.ts", Reply(status=404))
    rig.fetcher.serve(BASE + "b/s0.ts", b"BACKUP")
    pl, chunk = rig.first()
    got = rig.run(lambda: rig.loader.fetch_with_fallback(pl, chunk))
    assert got is not None
    moved, data = got
    assert data == b"BACKUP" and moved.seg.uri == BASE + "b/s0.ts"
    assert rig.state.copy[0] == 1 and rig.state.rung == 0
    (failover,) = rig.warnings(WarningCode.REDUNDANT_FAILOVER)
    assert dict(failover.params)["url"] == BASE + "b/v0.m3u8"
    assert not rig.warnings(WarningCode.VARIANT_FAILED)
    # a 404 off the live edge is asked twice (a CDN edge may not have it yet), no more
    assert rig.fetcher.urls("segment").count(BASE + "s0.ts") == 2
    assert 0 not in rig.penalty


def test_a_segment_failing_on_every_copy_is_taken_from_another_rung() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ()), ("v1.m3u8", 2_500_000, ())])
    rig.state.rung = 1
    _vod(rig, "v0.m3u8", ["a0.ts"])
    _vod(rig, "v1.m3u8", ["b0.ts"])
    rig.fetcher.script(BASE + "b0.ts", Reply(status=404))
    rig.fetcher.serve(BASE + "a0.ts", b"LOW")
    pl, chunk = rig.first()
    got = rig.run(lambda: rig.loader.fetch_with_fallback(pl, chunk))
    assert got is not None and got[1] == b"LOW"
    assert rig.state.rung == 0 and 1 in rig.penalty
    (failed,) = rig.warnings(WarningCode.VARIANT_FAILED)
    assert (dict(failed.params)["variant"], dict(failed.params)["target"]) == ("1", "0")
    switches = [e for e in rig.events if isinstance(e, VariantSwitched)]
    assert [(e.to_index, e.rule) for e in switches] == [(0, "fallback")]


def test_a_segment_failing_everywhere_is_a_gap_and_too_many_in_a_row_are_fatal() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ())])
    names = [f"s{i}.ts" for i in range(4)]
    _vod(rig, "v0.m3u8", names)
    for name in names:
        rig.fetcher.script(BASE + name, Reply(status=404))
    for n in range(2):
        rig.state.next_time = 4.0 * n
        pl, chunk = rig.first()
        assert rig.run(partial(rig.loader.fetch_with_fallback, pl, chunk)) is None
    assert rig.loader.segment_gaps == [0, 1] and rig.loader.failed_in_row == 2
    skipped = rig.warnings(WarningCode.SEGMENT_SKIPPED)
    assert [dict(w.params)["sequence"] for w in skipped] == ["0", "1"]
    assert dict(skipped[0].params)["duration"] == "4.0"
    # the fault was the segment's: the variant is not kept out for the next one
    assert 0 not in rig.penalty
    rig.state.next_time = 8.0
    pl, chunk = rig.first()
    with pytest.raises(NetworkError, match="3 segments in a row failed on every variant"):
        rig.run(lambda: rig.loader.fetch_with_fallback(pl, chunk))
    assert rig.loader.segment_gaps == [0, 1]


def test_a_segment_marked_gap_is_not_fetched() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ())])
    text = media_playlist(["s0.ts"]).replace("#EXTINF", "#EXT-X-GAP\n#EXTINF")
    rig.fetcher.serve(BASE + "v0.m3u8", text)
    pl, chunk = rig.first()
    assert chunk.seg.gap
    assert rig.run(lambda: rig.loader.fetch_with_fallback(pl, chunk)) is None
    assert rig.fetcher.urls("segment") == []


def test_a_transfer_too_slow_to_wait_for_is_abandoned_for_a_lower_rung() -> None:
    # ABR checks out of the way: only the slow-transfer rule decides here
    rig = LoaderRig([("v0.m3u8", 800_000, ()), ("v1.m3u8", 2_500_000, ())], abr_check_interval=1e9)
    rig.state.rung = 1
    _vod(rig, "v1.m3u8", ["b0.ts"])
    size = 2_500_000 * 4 // 8
    # 20 s for a 4 s segment, nothing buffered: hopeless
    rig.fetcher.script(BASE + "b0.ts", Reply(body=bytes(size), duration=20.0, pieces=20))
    _pl, chunk = rig.first()
    with pytest.raises(Abandon) as caught:
        rig.run(lambda: rig.loader.segment_bytes(chunk.seg, 1, False))
    decision = caught.value.decision
    assert (decision.index, decision.rule) == (0, "slow")
    assert "segment 0 arriving at" in decision.reason
    # given up once bytes had flowed for slow_after (the first of 20 pieces
    # came at 1 s), not before, and not waited to the end
    (req,) = [r for r in rig.fetcher.requests if r.kind == "segment"]
    assert req.outcome == "stopped by the caller"
    assert rig.clock.now() == pytest.approx(1.0 + HlsConfig().slow_after)
    assert rig.loader.slow_segments == 1
    (slow,) = rig.warnings(WarningCode.SLOW_SEGMENT)
    assert dict(slow.params)["sequence"] == "0"
    assert [e.marker for e in rig.state.timeline] == ["slow"]
    # what arrived is measured: the next choice knows the link is slow
    assert rig.abr.meter.measured


def test_a_late_first_byte_is_not_a_slow_transfer() -> None:
    """The origin answers 8 s late, then sends the segment at twice its
    playing rate: the rate counts from the first byte, so it is neither
    reported slow nor given up (a late first byte is the read timeout's
    business). Counted from the request, it read as 1/5 of the rate and was
    given up with nothing buffered."""
    rig = LoaderRig([("v0.m3u8", 800_000, ()), ("v1.m3u8", 2_500_000, ())], abr_check_interval=1e9)
    rig.state.rung = 1
    _vod(rig, "v1.m3u8", ["b0.ts"])
    size = 2_500_000 * 4 // 8
    body = bytes(size)
    rig.fetcher.script(BASE + "b0.ts", Reply(body=body, ttfb=8.0, duration=2.0, pieces=20))
    _pl, chunk = rig.first()
    assert rig.run(lambda: rig.loader.segment_bytes(chunk.seg, 1, False)) == body
    assert rig.clock.now() == pytest.approx(10.0)
    assert rig.loader.slow_segments == 0 and not rig.warnings(WarningCode.SLOW_SEGMENT)
    (req,) = [r for r in rig.fetcher.requests if r.kind == "segment"]
    assert req.outcome == "200"


def test_a_late_first_byte_then_a_trickle_is_judged_on_the_trickle() -> None:
    # the same wait, then bytes at a fifth of the playing rate: slow from its first byte
    rig = LoaderRig([("v0.m3u8", 800_000, ()), ("v1.m3u8", 2_500_000, ())], abr_check_interval=1e9)
    rig.state.rung = 1
    _vod(rig, "v1.m3u8", ["b0.ts"])
    size = 2_500_000 * 4 // 8
    rig.fetcher.script(BASE + "b0.ts", Reply(body=bytes(size), ttfb=8.0, duration=20.0, pieces=20))
    _pl, chunk = rig.first()
    with pytest.raises(Abandon) as caught:
        rig.run(lambda: rig.loader.segment_bytes(chunk.seg, 1, False))
    assert caught.value.decision.rule == "slow"
    # first byte at 9 s (8 s wait, one 1 s piece), judged slow_after later
    assert rig.clock.now() == pytest.approx(9.0 + HlsConfig().slow_after)
    (slow,) = rig.warnings(WarningCode.SLOW_SEGMENT)
    # the rate shown is the trickle's, 62.5 kB/s (not diluted by the wait)
    assert dict(slow.params)["rate"] == "62.5"


def test_a_slow_transfer_on_the_lowest_rung_is_reported_and_asked_again() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ())], abr_check_interval=1e9)
    _vod(rig, "v0.m3u8", ["s0.ts"])
    size = 800_000 * 4 // 8
    rig.fetcher.script(
        BASE + "s0.ts",
        Reply(body=bytes(size), duration=40.0, pieces=40),
        Reply(body=b"FAST"),
    )
    _pl, chunk = rig.first()
    assert rig.run(lambda: rig.loader.segment_bytes(chunk.seg, 0, False)) == b"FAST"
    seg_requests = [r for r in rig.fetcher.requests if r.kind == "segment"]
    # given up slow_after past its first byte (1 s) as a failure of its own,
    # asked again after the backoff
    assert [r.outcome for r in seg_requests] == ["SlowTransfer", "200"]
    assert [r.t for r in seg_requests] == pytest.approx([0.0, 1.0 + HlsConfig().slow_after + 0.5])
    assert rig.loader.slow_segments == 1 and len(rig.warnings(WarningCode.SLOW_SEGMENT)) == 1


def test_the_abr_abandons_a_transfer_before_the_slow_rule_would() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ()), ("v1.m3u8", 2_500_000, ())])
    rig.state.rung = 1
    _vod(rig, "v1.m3u8", ["b0.ts"])
    size = 2_500_000 * 4 // 8
    rig.fetcher.script(BASE + "b0.ts", Reply(body=bytes(size), duration=40.0, pieces=400))
    _pl, chunk = rig.first()
    with pytest.raises(Abandon) as caught:
        rig.run(lambda: rig.loader.segment_bytes(chunk.seg, 1, False))
    assert caught.value.decision.index == 0 and caught.value.decision.rule != "slow"
    assert rig.clock.now() < HlsConfig().slow_after
    assert rig.loader.slow_segments == 0


def test_a_locked_rung_is_not_abandoned_by_the_abr_only_by_the_slow_rule() -> None:
    # the transfer the ABR gives up above, on a rung the user locked
    rig = LoaderRig([("v0.m3u8", 800_000, ()), ("v1.m3u8", 2_500_000, ())])
    rig.state.rung = rig.state.manual = 1
    _vod(rig, "v1.m3u8", ["b0.ts"])
    size = 2_500_000 * 4 // 8
    rig.fetcher.script(
        BASE + "b0.ts",
        Reply(body=bytes(size), duration=40.0, pieces=400),
        Reply(body=b"OK"),
    )
    _pl, chunk = rig.first()
    assert rig.run(lambda: rig.loader.segment_bytes(chunk.seg, 1, False)) == b"OK"
    first, again = [r for r in rig.fetcher.requests if r.kind == "segment"]
    # its first byte came with the first of 400 pieces, at 0.1 s
    assert first.outcome == "SlowTransfer" and again.t == pytest.approx(
        0.1 + HlsConfig().slow_after + 0.5
    )
    assert rig.state.rung == 1 and not [e for e in rig.events if isinstance(e, VariantSwitched)]


def test_a_failing_preload_hint_turns_hints_off_with_a_warning() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ())], live=True)
    rig.fetcher.serve(BASE + "v0.m3u8", media_playlist(["s0.ts"], endlist=False))
    rig.fetcher.script(BASE + "s0.ts", Reply(status=503), Reply(body=b"LATE"))
    rig.state.next_seq = 0
    _pl, chunk = rig.first()
    assert rig.run(lambda: rig.loader.hint_bytes(chunk.seg)) is None
    assert rig.state.hints_ok is False
    assert len(rig.warnings(WarningCode.PRELOAD_HINT_FAILED)) == 1
    # one attempt only: a hint server that fails gets blocking reloads instead
    assert rig.fetcher.urls("segment") == [BASE + "s0.ts"]


def test_a_failing_segment_with_every_rung_in_the_box_readmits_one() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ()), ("v1.m3u8", 2_500_000, ())])
    rig.state.rung = 1
    rig.penalty.penalise(0, 0.0)
    _vod(rig, "v0.m3u8", ["a0.ts"])
    _vod(rig, "v1.m3u8", ["b0.ts"])
    rig.fetcher.script(BASE + "b0.ts", Reply(status=404))
    rig.fetcher.serve(BASE + "a0.ts", b"LOW")
    pl, chunk = rig.first()
    got = rig.run(lambda: rig.loader.fetch_with_fallback(pl, chunk))
    assert got is not None and got[1] == b"LOW"
    # the boxed rung is tried before the segment is given up as a gap
    assert rig.state.rung == 0 and 0 not in rig.penalty and 1 in rig.penalty
    assert [e.detail for e in rig.state.timeline if e.marker == "readmit"] == [
        "variant 0 re-admitted: every other variant failed"
    ]


def test_vod_a_segment_failing_with_the_origin_away_is_an_outage_not_a_gap() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ())])
    _vod(rig, "v0.m3u8", ["s0.ts"])
    pl, chunk = rig.first()
    rig.fetcher.outage(0.0, 1e9)
    with pytest.raises(NetworkError, match="connection refused") as err:
        rig.run(lambda: rig.loader.fetch_with_fallback(pl, chunk))
    assert type(err.value) is NetworkError  # the failure itself, for the outage ride
    # no retries spent on it, nothing skipped: it is fetched again once the origin is back
    assert rig.fetcher.urls("segment") == [BASE + "s0.ts"]
    assert rig.loader.segment_gaps == [] and not rig.warnings(WarningCode.SEGMENT_SKIPPED)
    assert rig.outages.outage_tolerated(err.value)


def test_live_a_missing_segment_behind_the_edge_is_a_hole() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ())], live=True)
    rig.fetcher.serve(BASE + "v0.m3u8", media_playlist(_names(10), endlist=False))
    rig.fetcher.script(BASE + "s5.ts", Reply(status=404))
    rig.state.next_seq = 5
    pl, chunk = rig.first()
    assert rig.run(lambda: rig.loader.fetch_with_fallback(pl, chunk)) is None
    assert rig.loader.segment_gaps == [5]
    # a 404 behind the edge needs no playlist to tell it is a hole
    assert rig.fetcher.urls("playlist") == [BASE + "v0.m3u8"]


def test_live_a_segment_failing_at_the_edge_is_a_hole_once_a_newer_one_is_listed() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ())], live=True)
    rig.fetcher.serve_live(
        BASE + "v0.m3u8",
        lambda t: Reply(media_playlist(_names(10 + int(t // 4.0)), endlist=False).encode()),
    )
    rig.fetcher.script(BASE + "s9.ts", Reply(status=503))
    rig.state.next_seq = 9
    pl, chunk = rig.first()
    assert rig.run(lambda: rig.loader.fetch_with_fallback(pl, chunk)) is None
    assert rig.loader.segment_gaps == [9]
    # the failures lasting (1.5 s), the origin was asked once and answered:
    # no outage. SEGMENT_RETRY gave up at 3.5 s, when the playlist still
    # ended at s9; it was asked again a target duration later, and listed
    # s10 by then
    reloads = [r.t for r in rig.fetcher.requests if r.kind == "playlist"][1:]
    assert reloads == [1.5, 3.5, 7.5]
    (skipped,) = rig.warnings(WarningCode.SEGMENT_SKIPPED)
    assert dict(skipped.params)["sequence"] == "9"
    assert not [e for e in rig.events if isinstance(e, Reconnecting | Reconnected)]
    assert "unreachable" not in " ".join(e.detail for e in rig.state.timeline)


def test_live_a_segment_failing_at_the_edge_of_a_stopped_playlist_is_an_error() -> None:
    rig = LoaderRig([("v0.m3u8", 800_000, ())], live=True)
    rig.fetcher.serve(BASE + "v0.m3u8", media_playlist(_names(10), endlist=False))
    rig.fetcher.script(BASE + "s9.ts", Reply(status=503))
    rig.state.next_seq = 9
    pl, chunk = rig.first()
    with pytest.raises(NetworkError, match="every variant failed; last error"):
        rig.run(lambda: rig.loader.fetch_with_fallback(pl, chunk))
    # the origin asked once as the failures lasted (1.5 s), then the playlist
    # three times, a target duration apart, before saying so
    reloads = [r.t for r in rig.fetcher.requests if r.kind == "playlist"][1:]
    assert reloads == [1.5, 3.5, 7.5, 11.5]
    assert rig.loader.segment_gaps == []


def test_after_a_gap_the_next_segment_is_not_lost_to_a_broken_backup_copy() -> None:
    # The primary failed one segment, the backup it failed over to has no
    # playlist at all: the segment is a gap, and the next one comes from the
    # primary again instead of ending the stream on the broken backup.
    rig = LoaderRig([("v0.m3u8", 800_000, ("b/v0.m3u8",))])
    _vod(rig, "v0.m3u8", ["s0.ts", "s1.ts"])
    rig.fetcher.script(BASE + "b/v0.m3u8", Reply(status=404))
    rig.fetcher.script(BASE + "s0.ts", Reply(status=404))
    rig.fetcher.serve(BASE + "s1.ts", b"S1")
    cursor = rig.cursor()
    first = rig.run(cursor.next_segment)
    assert first is not None
    pl, chunk = first
    assert rig.run(lambda: rig.loader.fetch_with_fallback(pl, chunk)) is None
    assert rig.loader.segment_gaps == [0]
    cursor.advance(chunk)
    nxt = rig.run(cursor.next_segment)
    assert nxt is not None and nxt[1].seg.uri == BASE + "s1.ts"
    assert rig.state.copy.get(0, 0) == 0  # back on the primary


def test_live_a_segment_failing_at_the_edge_on_every_rung_is_a_gap_not_an_outage() -> None:
    # the playlists answer and move on; only segment 9 fails, on both rungs
    rig = LoaderRig([("v0.m3u8", 800_000, ()), ("v1.m3u8", 2_500_000, ())], live=True)

    def listing(rung: int, t: float) -> Reply:
        names = [f"r{rung}/{n}" for n in _names(10 + int(t // 8.0))]
        return Reply(media_playlist(names, endlist=False).encode())

    for i in range(2):
        rig.fetcher.serve_live(BASE + f"v{i}.m3u8", partial(listing, i))
        rig.fetcher.script(BASE + f"r{i}/s9.ts", Reply(status=503))
    rig.state.rung = 1
    rig.state.next_seq = 9
    pl, chunk = rig.first()
    assert rig.run(lambda: rig.loader.fetch_with_fallback(pl, chunk)) is None
    # retried on its rung, then taken from the other, then skipped with a warning
    tries = rig.fetcher.urls("segment")
    assert tries.count(BASE + "r1/s9.ts") == 4 and tries.count(BASE + "r0/s9.ts") == 4
    assert tries.index(BASE + "r0/s9.ts") > tries.index(BASE + "r1/s9.ts")
    assert rig.loader.segment_gaps == [9]
    (skipped,) = rig.warnings(WarningCode.SEGMENT_SKIPPED)
    assert skipped.reason_code == "http-status"
    (failed,) = rig.warnings(WarningCode.VARIANT_FAILED)
    assert (dict(failed.params)["variant"], dict(failed.params)["target"]) == ("1", "0")
    # the origin answered throughout: not one Reconnecting, no outage on the timeline
    assert not [e for e in rig.events if isinstance(e, Reconnecting | Reconnected)]
    assert rig.watch.attempt == 0
    assert "unreachable" not in " ".join(e.detail for e in rig.state.timeline)
