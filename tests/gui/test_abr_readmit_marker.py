"""A variant leaving the penalty box shows on the ABR panel as a marker of
its own (as switches and stalls do), named by its rung, and is in the
exported timeline. A real session under Xvfb: a two-rung ladder on the
fault-injecting loopback server, the high rung locked, its s001 missing,
so the loader falls back and boxes it for 3 s, then re-admits it."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyqtgraph as pg
import pytest
from pytestqt.qtbot import QtBot

import player.hls.hls_source as hls_source
from player.config import DEFAULT_CONFIG, BufferConfig
from player.hls.hls_source import HlsConfig, HlsSource
from tests.support import hls_media
from tests.support.faulty_http import FaultyHttpServer, SegmentFault
from ui.main_window import MainWindow

from .conftest import TIMEOUT_MS, wait_playing

PENALTY = 3.0


class _ShortPenalty(HlsSource):
    """The engine's HLS source with a penalty box short enough for a test."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("hls", HlsConfig(variant_penalty=PENALTY))
        super().__init__(*args, **kwargs)


@pytest.fixture
def origin(monkeypatch: pytest.MonkeyPatch) -> Iterator[FaultyHttpServer]:
    monkeypatch.setattr(hls_source, "HlsSource", _ShortPenalty)
    with FaultyHttpServer(hls_media.muxed_ladder_vod(20.0)) as srv:
        srv.add_fault("v1/s001.ts", SegmentFault("status", status=404, times=None))
        # paced, so the penalty runs out mid-stream (about 1 s a low segment)
        srv.add_fault("v0/*.ts", SegmentFault("trickle", rate=100_000, times=None))
        srv.add_fault("v1/*.ts", SegmentFault("trickle", rate=1_000_000, times=None))
        yield srv


def test_a_readmitted_variant_is_marked_and_exported(
    qtbot: QtBot, make_window: Any, origin: FaultyHttpServer, tmp_path: Path
) -> None:
    config = replace(DEFAULT_CONFIG, buffer=BufferConfig(max_seconds=4.0))
    window: MainWindow = make_window(config=config)
    panel = window.abr_panel
    panel.show()
    qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT_MS)
    window.open_url(origin.hls("master.m3u8"))
    window.select_variant(1)  # the user's rung: the one that fails s001
    wait_playing(qtbot, window)
    qtbot.waitUntil(lambda: "readmit" in panel.marker_kinds, timeout=3 * TIMEOUT_MS)
    [back] = [m for m in panel.markers if m.kind == "readmit"]
    # named by the rung that came back, as a switch's label names its rung
    assert back.label == "↺360p"
    assert "640x360" in back.tooltip and "re-admitted" in back.tooltip
    # after the fallback it followed, no sooner than the penalty
    fallback = [m for m in panel.markers if m.kind == "switch" and m.label == "↓180p"]
    assert fallback and back.t >= fallback[0].t + PENALTY - 0.5
    # drawn on both plots at its time, its label on the rate plot
    for plot in (panel.rate_plot, panel.buffer_plot):
        lines = [
            i
            for i in plot.items
            if isinstance(i, pg.InfiniteLine) and i.angle == 90 and i.value() == back.t
        ]
        assert lines, plot
    labelled = [
        i.label
        for i in panel.rate_plot.items
        if isinstance(i, pg.InfiniteLine)
        and getattr(i, "label", None) is not None
        and i.value() == back.t
    ]
    assert [label.toPlainText() for label in labelled] == ["↺360p"]
    # and in the exported timeline, with the loader's words
    out = window.panels.export_timeline(tmp_path / "session.csv")
    assert out is not None
    with out.open() as fh:
        rows = [r for r in csv.DictReader(fh) if r["marker"] == "readmit"]
    assert len(rows) == 1 and rows[0]["detail"].startswith("variant 1 re-admitted")
    assert float(rows[0]["t"]) == pytest.approx(back.t, abs=0.01)
