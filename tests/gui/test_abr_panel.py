"""The ABR-aware view on a real HLS ladder: the panel plots, marks switches,
the overlay names the variant, the timeline exports as JSON and CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from player.demo_hls import make_hls_demo
from player.hls.demo_server import ThrottleServer
from player.timeline_export import CSV_COLUMNS
from ui.main_window import MainWindow

from .conftest import TIMEOUT_MS, press, spy, wait_playing

RUNGS = ((320, 180, 150_000), (480, 270, 600_000))


@pytest.fixture(scope="module")
def ladder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("abr") / "ladder"
    return make_hls_demo(folder, seconds=4, loops=3, rungs=RUNGS)


@pytest.fixture
def hls_url(ladder: Path) -> Iterator[str]:
    with ThrottleServer(ladder.parent) as server:
        yield server.url("master.m3u8")


def test_panel_plots_the_session_and_marks_switches(
    qtbot: QtBot, window: MainWindow, hls_url: str
) -> None:
    window.open_url(hls_url)
    wait_playing(qtbot, window)
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert window.abr_panel.isVisible()
    assert window.actions_by_name["abr_panel"].isChecked()
    qtbot.waitUntil(lambda: window.abr_panel.point_count >= 3, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: "switch" in window.abr_panel.marker_kinds, timeout=TIMEOUT_MS)
    _xs, ys = window.abr_panel.selected_curve.getData()
    assert ys is not None and max(ys) > 0.1  # Mb/s of the rung in use
    # The quality menu lists both rungs and the overlay names the one in use.
    qtbot.waitUntil(lambda: len(window.quality_menu.actions()) >= 3, timeout=TIMEOUT_MS)
    press(qtbot, window, Qt.Key.Key_I)
    qtbot.waitUntil(lambda: "Variant" in window.overlay.text(), timeout=TIMEOUT_MS)
    assert "Estimate" in window.overlay.text()


def test_timeline_exports_as_json_and_csv(
    qtbot: QtBot, window: MainWindow, hls_url: str, tmp_path: Path
) -> None:
    window.open_url(hls_url)
    wait_playing(qtbot, window, min_frames=10)
    qtbot.waitUntil(lambda: len(window.player.abr_timeline()) >= 2, timeout=TIMEOUT_MS)
    out = window.export_timeline(tmp_path / "session.json")
    assert out is not None
    data = json.loads(out.read_text())
    assert data["report"]["protocol"] == "hls"
    assert data["abr_timeline"] and "estimate_bps" in data["abr_timeline"][0]
    out = window.export_timeline(tmp_path / "session.csv")
    assert out is not None
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert any(r["kind"] == "abr" for r in rows) and any(r["marker"] == "switch" for r in rows)
    assert window.messages.level == "info" and "session.csv" in window.messages.label.text()
    assert "abr_timeline" in spy(window).names()


def test_view_size_caps_adaptive_streams(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(640, 480)
    qtbot.waitUntil(lambda: "set_max_resolution" in spy(window).names(), timeout=TIMEOUT_MS)
    args, _ = spy(window).last("set_max_resolution")
    ratio = window.view.devicePixelRatioF()
    assert args == (round(window.view.width() * ratio), round(window.view.height() * ratio))
