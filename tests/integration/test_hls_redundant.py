"""Redundant streams (RFC 8216 §6.3.4 / Apple's "backup streams"): the same
variant listed twice with the same attributes and another URI. When the
first copy is gone, the player plays the backup, not an error."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from lab.origin import ThrottleServer
from player.events import Event, VariantSwitched, WarningRaised
from player.hls.hls_source import HlsSource
from tests.support import hls_media
from tests.support.hls_packets import read_all

pytestmark = pytest.mark.integration


def _with_backup(root: Path, primary: str) -> None:
    shutil.copytree(hls_media.ts_vod(), root / "backup")
    attrs = 'BANDWIDTH=400000,RESOLUTION=320x180,CODECS="avc1.42c00d,mp4a.40.2"'
    (root / "master.m3u8").write_text(
        "#EXTM3U\n"
        f"#EXT-X-STREAM-INF:{attrs}\n{primary}\n"
        f"#EXT-X-STREAM-INF:{attrs}\nbackup/index.m3u8\n"
    )


def _play(root: Path) -> tuple[list[float], list[str], list[Event]]:
    """Every video dts, the paths the server served, and the events."""
    events: list[Event] = []
    with ThrottleServer(root) as srv:
        src = HlsSource(srv.url("master.m3u8"), emit=events.append, rand=lambda: 0.0)
        try:
            src.open()
            packets = read_all(src)
        finally:
            src.close()
        served = list(srv.requests)
    video = [p.dts for p in packets if p.stream.kind == "video" and p.dts is not None]
    return video, served, events


@pytest.mark.parametrize("primary", ["gone/index.m3u8", "http://127.0.0.1:9/index.m3u8"])
def test_a_dead_primary_plays_from_its_backup(tmp_path: Path, primary: str) -> None:
    _with_backup(tmp_path, primary)
    video, served, events = _play(tmp_path)
    assert video and max(video) == pytest.approx(6.0, abs=0.3)
    assert any(r.startswith("/backup/s") for r in served)
    assert not [e for e in events if isinstance(e, VariantSwitched) and e.rule == "fallback"]


def test_segments_failing_on_the_primary_come_from_the_backup(tmp_path: Path) -> None:
    """The primary's playlist loads but its second segment is gone: the same
    time is fetched from the backup copy instead of failing the variant."""
    _with_backup(tmp_path, "primary/index.m3u8")
    shutil.copytree(hls_media.ts_vod(), tmp_path / "primary")
    (tmp_path / "primary" / "s001.ts").unlink()
    video, served, events = _play(tmp_path)
    assert max(video) == pytest.approx(6.0, abs=0.3)
    steps = [b - a for a, b in itertools.pairwise(video)]
    assert max(steps) < 0.2  # no hole where s001 was
    assert "/primary/s000.ts" in served and "/backup/s001.ts" in served
    warnings = [e for e in events if isinstance(e, WarningRaised)]
    assert [w.code for w in warnings] == ["redundant-failover"]
