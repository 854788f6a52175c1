"""``lab.demo.ensure_demo``: the built-in ABR demo, made on first run into
an isolated cache, served on loopback, and played by the engine through a
compressed bandwidth pattern (down, then back up)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from lab import demo as demo_module
from lab import demo_hls
from lab.demo import ensure_demo, stop_demo_server
from lab.demo_hls import DEMO_PATTERN, RUNGS
from player import SubtitleChanged, VariantSwitched
from player.config import BufferConfig
from player.hls.playlist import MediaPlaylist, MultivariantPlaylist
from player.hls.playlist_parser import parse_playlist
from tests.support.player_probe import TEST_CONFIG, Probe


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One small ladder (the real rungs, 4 s of media looped 10 times) for the
    module, in a cache of its own; the demo server is stopped after each test."""
    folder = tmp_path_factory.getbasetemp() / "demo-cache"
    monkeypatch.setenv("HEUREUM_CACHE_DIR", str(folder))
    monkeypatch.setattr(demo_hls, "SECONDS", 4)
    monkeypatch.setattr(demo_hls, "LOOPS", 10)
    return folder


@pytest.fixture(autouse=True)
def _stop_server() -> Iterator[None]:
    yield
    stop_demo_server()


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as answer:
        body: bytes = answer.read()
    return body.decode()


def test_first_run_makes_the_ladder_then_the_cache_serves_it(cache: Path) -> None:
    seen: list[tuple[float, str]] = []
    url = ensure_demo(lambda f, text: seen.append((f, text)))
    assert url.startswith("http://127.0.0.1:") and url.endswith("/master.m3u8")
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) >= 3
    top = parse_playlist(_get(url), url)
    assert isinstance(top, MultivariantPlaylist)
    assert [(v.width, v.height) for v in top.variants] == [(w, h) for w, h, _ in RUNGS]
    rates = [v.bandwidth for v in top.variants]
    assert rates == sorted(rates)
    # Each rung's peak is near its target (video + 96 kb/s audio + TS overhead).
    for (_w, _h, target), peak in zip(RUNGS, rates, strict=True):
        assert target < peak < target * 1.2 + 250_000
    assert all(v.subtitles_group == "subs" for v in top.variants)
    subs = [(r.name, r.language, r.default) for r in top.renditions if r.type == "SUBTITLES"]
    assert subs == [("English", "en", True), ("한국어", "ko", False)]
    media = parse_playlist(_get(top.variants[-1].uri), top.variants[-1].uri)
    assert isinstance(media, MediaPlaylist)
    assert len(media.segments) == 2 * 10  # 4 s in 2 s segments, ten times
    master = demo_module.cache_dir() / f"hls-demo-v{demo_hls.DEMO_VERSION}" / "master.m3u8"
    made = master.stat().st_mtime_ns
    # Second call: same server, nothing re-made.
    seen.clear()
    assert ensure_demo(lambda f, text: seen.append((f, text))) == url
    assert seen == [(1.0, "Demo ready")]
    assert master.stat().st_mtime_ns == made
    assert not [p for p in master.parent.parent.iterdir() if p.name.startswith(".hls-demo-")]


@pytest.fixture
def probe(audio_device: str) -> Iterator[Probe]:
    # A short buffer stands in for the demo's 30 s one at a compressed pace.
    p = Probe(replace(TEST_CONFIG, buffer=BufferConfig(max_seconds=4.0)))
    yield p
    p.close()


def test_the_pattern_makes_the_player_step_down_and_climb_back(cache: Path, probe: Probe) -> None:
    url = ensure_demo(bandwidth=DEMO_PATTERN.scaled(0.2))
    probe.player.open(url)
    down = probe.wait_event(
        VariantSwitched,
        30,
        lambda e: e.from_index is not None and e.to_index < e.from_index,
    )
    up = probe.wait_event(
        VariantSwitched, 45, lambda e: e.t > down.t and e.to_index > down.to_index
    )
    assert down.rule and down.reason and up.rule
    # The English tips (on by default) show, in loop time, across the loops.
    tip = demo_hls.TIPS[0][2]
    shown = probe.wait_event(SubtitleChanged, 5, lambda e: e.text == tip)
    assert 0.5 < shown.t < 4.0
    report = probe.report()
    switches = [e for e in report["timeline"] if e["type"] == "switch"]
    assert len(switches) >= 3  # start, down, up
