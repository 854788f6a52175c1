"""The built-in ABR demo: a real ladder made with PyAV, served by the throttling
loopback server, played by the engine across its loop discontinuities."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from lab.demo_hls import make_hls_demo
from lab.origin import ThrottleServer
from player import EndOfStream, VariantSwitched
from player.config import BufferConfig
from player.hls.playlist import MultivariantPlaylist
from player.hls.playlist_parser import parse_playlist
from tests.support.player_probe import TEST_CONFIG, Probe

RUNGS = ((320, 180, 150_000), (640, 360, 1_000_000))


@pytest.fixture(scope="module")
def ladder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_hls_demo(
        tmp_path_factory.mktemp("demo") / "ladder", seconds=4, loops=4, rungs=RUNGS
    )


def test_demo_playlists_parse_into_the_ladder(ladder: Path) -> None:
    top = parse_playlist(ladder.read_text(), "http://127.0.0.1/master.m3u8")
    assert isinstance(top, MultivariantPlaylist)
    assert [(v.width, v.height) for v in top.variants] == [(320, 180), (640, 360)]
    assert top.variants[0].bandwidth < top.variants[1].bandwidth
    media = (ladder.parent / "r1" / "index.m3u8").read_text()
    assert media.count("#EXT-X-DISCONTINUITY") == 3
    assert media.rstrip().endswith("#EXT-X-ENDLIST")


@pytest.fixture
def probe(audio_device: str) -> Iterator[Probe]:
    # A short buffer so a squeeze shows within seconds, as a long one would in the demo.
    network = replace(TEST_CONFIG.network, read_timeout=8.0)
    p = Probe(replace(TEST_CONFIG, buffer=BufferConfig(max_seconds=4.0), network=network))
    yield p
    p.close()


def test_demo_plays_through_its_discontinuities_on_one_timeline(probe: Probe, ladder: Path) -> None:
    with ThrottleServer(ladder.parent) as server:
        probe.player.open(server.url("master.m3u8"))
        probe.wait_event(EndOfStream, 60)
    switches = probe.of(VariantSwitched)
    assert switches and all(s.rule and s.reason for s in switches)
    shown = [pts for pts, _ in probe.sink.shown]
    # 16 s of media across three discontinuities: one timeline, no jumps back.
    assert shown == sorted(shown)
    gaps = [b - a for a, b in itertools.pairwise(shown)]
    assert max(gaps) < 0.5
    assert shown[-1] == pytest.approx(16.0, abs=0.2)
    report = probe.report()
    assert any(e["type"] == "switch" for e in report["timeline"])
    assert report["abr"]["variants"] == 2
    assert report["frames"]["dropped"] < 10
