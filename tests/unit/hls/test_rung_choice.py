"""``RungChoice`` and the ``Ladder``'s exclusions, on the ManualClock and a
scripted fetcher: which rung a segment comes from, capped by a lock, the
view's size and the penalty box, and what a switch tells."""

from __future__ import annotations

import random

import pytest

from player.abr.driver import AbrDriver
from player.abr.hybrid import HybridPolicy
from player.abr.policy import Decision
from player.clock import ManualClock
from player.config import DEFAULT_CONFIG
from player.events import Event, VariantSwitched
from player.hls.config import HlsConfig
from player.hls.downloads import Downloads
from player.hls.hint_streams import HintStreams
from player.hls.ladder import Ladder
from player.hls.loader_state import LoaderState
from player.hls.penalty_box import PenaltyBox
from player.hls.playlist import Variant
from player.hls.rung_choice import RungChoice
from tests.support.fake_fetcher import FakeFetcher

SIZES = ((640, 360, 800_000), (1280, 720, 2_500_000), (1920, 1080, 6_000_000))


class _Rig:
    def __init__(self, rungs: int = len(SIZES)) -> None:
        self.clock = ManualClock()
        self.events: list[Event] = []
        self.switched = 0
        abr = AbrDriver(HybridPolicy())
        self.state = LoaderState(
            "http://example.test/master.m3u8",
            config=DEFAULT_CONFIG,
            hls=HlsConfig(),
            clock=self.clock,
            meter=abr.meter,
            emit=self.events.append,
            wall=lambda: pytest.fail("no wall clock on this path"),
        )
        s = self.state
        fetcher = FakeFetcher(self.clock)
        streams = HintStreams(
            fetcher,
            s.cancel,
            max_bytes=1 << 20,
            check_stop=s.check_stop,
            warn=s.warn,
            received=s.received,
            stats=s.ll_stats,
        )
        downloads = Downloads(
            fetcher,
            s.cancel,
            abr.meter,
            streams,
            max_segments=100,
            rand=random.Random(1).random,
            sleep=s.sleep,
            check_stop=s.check_stop,
            received=s.received,
            failed=lambda exc, kind, delay: None,
            worked=lambda: None,
            warn=s.warn,
            decrypt=lambda data, key, iv: data,
        )
        self.penalty = PenaltyBox(30.0)
        self.ladder = Ladder(s, downloads, self.penalty)
        self.choice = RungChoice(s, abr, self.ladder, self._on_switch)
        s.ladder = [
            Variant(index=i, uri=f"v{i}.m3u8", bandwidth=bw, width=w, height=h)
            for i, (w, h, bw) in enumerate(SIZES[:rungs])
        ]

    def _on_switch(self) -> None:
        self.switched += 1


def test_one_rung_is_the_only_choice() -> None:
    rig = _Rig(rungs=1)
    assert rig.choice.decide(4.0) == Decision(0, "single", "one variant")


def test_a_lock_holds_unless_its_rung_is_in_the_penalty_box() -> None:
    rig = _Rig()
    rig.state.manual = 2
    assert rig.choice.decide(4.0).rule == "manual"
    assert rig.choice.decide(4.0).index == 2
    rig.penalty.penalise(2, rig.clock.now())
    d = rig.choice.decide(4.0)
    assert d.rule != "manual" and d.index < 2


def test_the_views_size_caps_the_choice() -> None:
    rig = _Rig()
    assert rig.choice.cap_index() == 2
    rig.state.max_resolution = (640, 360)
    assert rig.choice.cap_index() == 0
    rig.state.manual = None
    assert rig.choice.decide(4.0).index == 0


def test_a_rung_in_the_box_is_readmitted_when_its_time_is_up() -> None:
    rig = _Rig()
    rig.penalty.penalise(1, rig.clock.now())
    assert rig.ladder.excluded() == frozenset({1})
    rig.clock.advance(30.0)
    assert rig.ladder.excluded() == frozenset()
    assert [e.marker for e in rig.state.timeline] == ["readmit"]


def test_a_switch_is_told_once_with_its_rule_and_the_renditions_follow() -> None:
    rig = _Rig()
    rig.choice.switch(Decision(1, "throughput", "measured"))
    rig.choice.switch(Decision(1, "throughput", "measured again"))
    switches = [e for e in rig.events if isinstance(e, VariantSwitched)]
    assert [(e.from_index, e.to_index, e.rule) for e in switches] == [(None, 1, "throughput")]
    assert switches[0].bandwidth == SIZES[1][2]
    assert rig.state.rung == 1 and rig.switched == 1
    assert [e.marker for e in rig.state.timeline] == ["switch"]
