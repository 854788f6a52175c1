"""``--hwdec=auto`` through the engine on a machine without a GPU: the file
plays in software and the user is told once per file; ``no`` (the default)
says nothing. With VAAPI injected as reported, PyAV really tries it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

import player.hwdec as hwdec
from lab.origin import ThrottleServer
from player import EndOfStream, PlayerState, WarningRaised
from player.config import AudioConfig, OpenOptions
from tests.support import hls_media
from tests.support.player_probe import TEST_CONFIG, Probe

pytestmark = pytest.mark.integration


@pytest.fixture
def probe() -> Iterator[Probe]:
    p = Probe(replace(TEST_CONFIG, audio=AudioConfig(enabled=False)))
    yield p
    p.close()


def _play(probe: Probe, path: Path, hwdec_mode: str | None) -> list[WarningRaised]:
    probe.clear_events()
    shown = len(probe.sink.shown)
    probe.player.open(str(path), OpenOptions(hwdec=hwdec_mode))  # type: ignore[arg-type]
    probe.wait_event(EndOfStream, 20)
    assert probe.states()[-1] == PlayerState.ENDED
    assert len(probe.sink.shown) - shown >= 100  # 4 s at 30 fps, decoded in software
    return [w for w in probe.of(WarningRaised) if w.code == "hwdec-fallback"]


def test_auto_here_plays_in_software_and_warns_once_per_file(probe: Probe, av_file: Path) -> None:
    offered = hwdec.offered_devices()
    warnings = _play(probe, av_file, "auto")
    if offered:
        pytest.fail(f"this machine offers {offered}: the fallback is not what runs here")
    assert len(warnings) == 1
    assert "decoding in software" in warnings[0].message
    assert probe.report()["warnings"][0]["code"] == "hwdec-fallback"
    assert probe.report()["video_decoder"] == "software"  # the report says what decoded
    assert len(_play(probe, av_file, "auto")) == 1  # the next file: told again, once
    assert _play(probe, av_file, None) == []  # the default is software, silently
    assert _play(probe, av_file, "no") == []


def test_auto_with_vaapi_reported_tries_pyav_and_falls_back(
    probe: Probe, av_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hwdec, "available_devices", lambda: ("vaapi", "drm"))
    monkeypatch.setitem(hwdec._PLATFORM_DEVICES, sys.platform, ("vaapi",))
    warnings = _play(probe, av_file, "auto")
    assert len(warnings) == 1
    assert "vaapi" in warnings[0].message and "PyAV reports no" not in warnings[0].message


def test_hls_too_falls_back_once(probe: Probe, monkeypatch: pytest.MonkeyPatch) -> None:
    """Our HLS engine's decoders go the same way (one warning per stream)."""
    monkeypatch.setattr(hwdec, "available_devices", lambda: ("vaapi",))
    monkeypatch.setitem(hwdec._PLATFORM_DEVICES, sys.platform, ("vaapi",))
    with ThrottleServer(hls_media.ts_vod()) as server:
        probe.player.open(server.url("index.m3u8"), OpenOptions(hwdec="auto"))
        probe.wait_event(EndOfStream, 20)
    assert len(probe.sink.shown) >= 100  # 6 s at 25 fps or more
    warnings = [w for w in probe.of(WarningRaised) if w.code == "hwdec-fallback"]
    assert len(warnings) == 1 and "vaapi" in warnings[0].message
    assert probe.report()["video_decoder"] == "software"
