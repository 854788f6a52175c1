"""Variant re-admission: a variant that failed is kept out for a while
(hls.js's penalty, Shaka's maxDisabledTime), then re-admitted, or sooner
when every other variant fails too. The box alone, then ``HlsSource`` on the
scripted origin and a ``ManualClock``."""

from __future__ import annotations

from pathlib import Path

import pytest

from player.clock import ManualClock
from player.events import Event, VariantSwitched, WarningRaised
from player.hls.hls_source import HlsConfig, HlsSource
from player.hls.penalty_box import PenaltyBox
from tests.support.clocked_run import play_to_end
from tests.support.fake_fetcher import FakeFetcher, Reply
from tests.support.hls_media import muxed_ladder_vod

ORIGIN = "http://origin.test/"


def test_a_penalised_rung_is_out_until_its_time_is_up() -> None:
    box = PenaltyBox(30.0)
    box.penalise(2, now=10.0)
    assert 2 in box and box.release_due(39.9) == []
    assert box.release_due(40.0) == [2] and 2 not in box
    assert box.release_due(41.0) == []  # released once


def test_a_second_failure_starts_the_time_again() -> None:
    box = PenaltyBox(30.0)
    box.penalise(1, now=0.0)
    box.penalise(1, now=20.0)
    assert box.release_due(30.0) == [] and box.release_due(50.0) == [1]


@pytest.mark.parametrize(
    ("current", "tried", "boxed", "expected"),
    [
        (2, {2}, set(), (1, False)),  # the next rung down
        (0, {0}, set(), (1, False)),  # none below: the lowest above
        (2, {2}, {1}, (0, False)),  # a boxed rung is passed over
        (1, {1, 0}, {2}, (2, True)),  # every free rung failed: the boxed one comes back
        (1, {1, 0}, {3, 2}, (2, True)),  # among the boxed, the same order
        (1, {0, 1, 2}, set(), None),  # every rung tried
    ],
)
def test_the_fallback_order(
    current: int, tried: set[int], boxed: set[int], expected: tuple[int, bool] | None
) -> None:
    box = PenaltyBox(30.0)
    for rung in boxed:
        box.penalise(rung, now=0.0)
    size = 4 if 3 in boxed else 3
    assert box.fallback(current, size, tried) == expected


# --------------------------------------------------------------------------- the loader


def _ladder(clock: ManualClock, root: Path) -> FakeFetcher:
    origin = FakeFetcher(clock)
    # about half a second of the clock per segment of the high rung
    origin.serve_directory(ORIGIN, root, ttfb=0.02, bits_per_second=6e6)
    return origin


def _play(origin: FakeFetcher, clock: ManualClock, penalty: float) -> tuple[list[str], list[Event]]:
    """The ladder locked to its high rung, a 4 s buffer: the segments that
    loaded ("v1 s000", in order) and the events."""
    events: list[Event] = []
    src = HlsSource(
        ORIGIN + "master.m3u8",
        clock=clock,
        fetcher=origin,
        emit=events.append,
        rand=lambda: 0.0,
        hls=HlsConfig(variant_penalty=penalty, buffer_target=4.0),
    )
    src.select_variant(1)
    play_to_end(src, clock)
    loaded = [r.url for r in origin.requests if r.kind == "segment" and r.outcome == "200"]
    return [u.removeprefix(ORIGIN).removesuffix(".ts").replace("/", " ") for u in loaded], events


def test_a_failed_variant_is_readmitted_after_its_penalty() -> None:
    clock = ManualClock()
    origin = _ladder(clock, muxed_ladder_vod(20.0))
    origin.script(ORIGIN + "v1/s001.ts", Reply(status=404))
    fetched, events = _play(origin, clock, penalty=5.0)
    rungs = [f.split()[0] for f in fetched]
    # s001 from the low rung, a few while v1 is out, then v1 to the end
    assert fetched[:2] == ["v1 s000", "v0 s001"]
    assert rungs[-1] == "v1" and "v0" not in rungs[rungs.index("v1", 2) :]
    back = rungs.index("v1", 2)
    assert back >= 3  # it stayed out for a while (at least one more from v0)
    assert len(fetched) == 10
    warnings = [e.code for e in events if isinstance(e, WarningRaised)]
    assert warnings.count("variant-failed") == 1 and "segment-skipped" not in warnings
    up = [e for e in events if isinstance(e, VariantSwitched) and e.from_index == 0]
    assert [(e.to_index, e.rule) for e in up] == [(1, "manual")]
    # back no sooner than the penalty after the failure (on the clock)
    failed_at = next(r.t for r in origin.requests if r.outcome == "404")
    back_url = ORIGIN + fetched[back].replace(" ", "/") + ".ts"
    back_at = next(r.t for r in origin.requests if r.url == back_url)
    assert failed_at + 5.0 <= back_at < failed_at + 5.0 + 2.0


def test_a_penalised_variant_comes_back_when_the_others_fail() -> None:
    """v1 fails s001 and is boxed for 60 s; then v0 fails s003: rather than a
    gap, s003 comes from v1, re-admitted early."""
    clock = ManualClock()
    origin = _ladder(clock, muxed_ladder_vod(20.0))
    origin.script(ORIGIN + "v1/s001.ts", Reply(status=404))
    origin.script(ORIGIN + "v0/s003.ts", Reply(status=404))
    fetched, events = _play(origin, clock, penalty=60.0)
    assert fetched[:4] == ["v1 s000", "v0 s001", "v0 s002", "v1 s003"]
    assert len(fetched) == 10  # no gap
    codes = [e.code for e in events if isinstance(e, WarningRaised)]
    assert codes.count("variant-failed") == 2 and "segment-skipped" not in codes


def test_without_readmission_a_variant_lost_once_stays_lost() -> None:
    """The control: a penalty longer than the run keeps v1 out to the end
    (the old behaviour for the whole session)."""
    clock = ManualClock()
    origin = _ladder(clock, muxed_ladder_vod(20.0))
    origin.script(ORIGIN + "v1/s001.ts", Reply(status=404))
    fetched, _ = _play(origin, clock, penalty=600.0)
    assert [f.split()[0] for f in fetched[1:]] == ["v0"] * 9
