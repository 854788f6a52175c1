"""The ABR-aware view on a real HLS ladder (made with the demo's encoder,
served by the throttling loopback server): the panel plots and marks
switches, the Quality menu lists and locks variants, the overlay names the
variant, the timeline exports as JSON and CSV without credentials, and the
view's size caps the ladder."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from lab.demo_hls import BandwidthPattern, make_hls_demo
from lab.origin import ThrottleServer
from player.config import DEFAULT_CONFIG, BufferConfig
from player.events import BufferingChanged, ErrorOccurred, VariantSwitched
from player.timeline_export import CSV_COLUMNS
from ui.main_window import PANEL_HEIGHT, MainWindow

from .conftest import TIMEOUT_MS, press, spy, wait_playing

RUNGS = ((320, 180, 150_000), (480, 270, 600_000))
#: fast for 1.5 s (the player climbs), then below the top rung (it steps down)
SQUEEZE = BandwidthPattern(((0.0, 20e6), (1.5, 0.3e6)), period=1000.0)
#: a short buffer, so a squeeze or a lock shows within seconds (as a long one
#: would in the demo), and the 40 s ladder is not all fetched at once
SHORT_BUFFER = replace(DEFAULT_CONFIG, buffer=BufferConfig(max_seconds=4.0))


@pytest.fixture(scope="module")
def ladder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("abr") / "ladder"
    return make_hls_demo(folder, seconds=4, loops=10, rungs=RUNGS)


@pytest.fixture
def serve(ladder: Path) -> Iterator[Callable[..., ThrottleServer]]:
    servers: list[ThrottleServer] = []

    def start(pattern: BandwidthPattern | None = None) -> ThrottleServer:
        server = ThrottleServer(ladder.parent, bandwidth=pattern).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _vertical_lines(plot: pg.PlotItem) -> list[pg.InfiniteLine]:
    return [i for i in plot.items if isinstance(i, pg.InfiniteLine) and i.angle == 90]


def test_panel_plots_the_session_and_marks_switches(
    qtbot: QtBot, make_window: Callable[..., MainWindow], serve: Callable[..., ThrottleServer]
) -> None:
    window = make_window(config=SHORT_BUFFER)
    switches: list[VariantSwitched] = []
    window.bridge.variantSwitched.connect(switches.append)
    window.open_url(serve(SQUEEZE).url("master.m3u8"))
    wait_playing(qtbot, window)
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    panel = window.abr_panel
    assert panel.isVisible() and window.actions_by_name["abr_panel"].isChecked()
    qtbot.waitUntil(lambda: panel.point_count >= 3, timeout=TIMEOUT_MS)
    assert panel.adaptive
    qtbot.waitUntil(lambda: "switch" in panel.marker_kinds, timeout=TIMEOUT_MS)
    # Only real switches are marked (not the first choice), each with its rule.
    real = [s for s in switches if s.from_index is not None]
    marked = [m for m in panel.markers if m.kind == "switch"]
    assert real and len(marked) <= len(real)
    assert marked[0].label[0] in "↑↓" and marked[0].label.endswith("p")
    assert real[0].rule in marked[0].tooltip and real[0].reason in marked[0].tooltip
    # One line per marker on each plot, at the switch's time.
    assert any(abs(line.value() - marked[0].t) < 1e-6 for line in _vertical_lines(panel.rate_plot))
    assert len(_vertical_lines(panel.buffer_plot)) == len(panel.markers)
    # Curves: the rungs' bitrates (Mb/s) and a buffer in seconds.
    assert window.info is not None
    rungs = [v.bandwidth / 1e6 for v in window.info.variants]
    _xs, selected = panel.selected_curve.getOriginalDataset()
    assert selected is not None and len(selected) >= 3
    assert all(min(abs(y - r) / r for r in rungs) < 0.05 for y in selected)
    _xs, estimate = panel.estimate_curve.getOriginalDataset()
    assert estimate is not None and max(estimate) > 0.1
    _xs, buffer = panel.buffer_curve.getData()
    assert buffer is not None and min(buffer) >= 0 and max(buffer) < 10
    assert "bandwidth estimate" in panel.status.text() and "selected" in panel.status.text()
    assert panel.height() >= 250  # docked with room for the plots
    # Ladder lines: one per rung.
    assert len([i for i in panel.rate_plot.items if getattr(i, "angle", None) == 0]) == 2
    # Closing the panel stops the polling.
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert not panel.isVisible() and not window._abr_timer.isActive()


def test_panel_plots_input_bitrate_and_marks_stalls_for_other_streams(
    qtbot: QtBot, window: MainWindow, media: Path
) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window)
    window.abr_panel.show()
    panel = window.abr_panel
    qtbot.waitUntil(lambda: panel.point_count >= 2, timeout=TIMEOUT_MS)
    assert not panel.adaptive
    _xs, rate = panel.selected_curve.getOriginalDataset()
    assert rate is not None and max(rate) > 0
    assert "input bitrate" in panel.status.text() and "estimate" not in panel.status.text()
    t = 1.0 + max(m.t for m in panel.markers) if panel.markers else 1.0
    window.bridge._dispatch(BufferingChanged(True, 0.1, 5.0, True, t=t))
    window.bridge._dispatch(BufferingChanged(False, 2.0, 100.0, False, t=t + 1.5))
    window.bridge._dispatch(ErrorOccurred("network", "read timed out", False, t=t + 2))
    assert panel.marker_kinds[-2:] == ["stall", "error"]
    regions = [i for i in panel.buffer_plot.items if isinstance(i, pg.LinearRegionItem)]
    assert len(regions) == 1 and regions[0].getRegion() == pytest.approx((t, t + 1.5))
    assert "read timed out" in panel.markers[-1].tooltip
    panel.reset()
    assert panel.point_count == 0 and panel.markers == []
    assert not [i for i in panel.buffer_plot.items if isinstance(i, pg.LinearRegionItem)]


def test_quality_menu_lists_and_locks_variants_and_the_overlay_follows(
    qtbot: QtBot, make_window: Callable[..., MainWindow], serve: Callable[..., ThrottleServer]
) -> None:
    window = make_window(config=SHORT_BUFFER)
    switches: list[VariantSwitched] = []
    window.bridge.variantSwitched.connect(switches.append)
    window.open_url(serve().url("master.m3u8"))
    wait_playing(qtbot, window)
    menu = window.quality_menu
    qtbot.waitUntil(lambda: menu.current is not None, timeout=TIMEOUT_MS)
    actions = [a for a in menu.actions() if not a.isSeparator()]
    texts = [a.text() for a in actions]
    assert texts[0].startswith("Auto")
    assert texts[1].startswith("480x270 · ") and texts[2].startswith("320x180 · ")
    assert all(t.endswith(("kb/s", "Mb/s")) for t in texts[1:])
    # Auto is checked, and so is the variant in use.
    in_use = menu.current
    assert actions[0].isChecked()
    assert [a.isChecked() for a in actions[1:]] == [in_use == 1, in_use == 0]
    # Lock the other one.
    other = 0 if in_use == 1 else 1
    target = actions[1] if other == 1 else actions[2]
    target.trigger()
    assert spy(window).last("select_variant")[0] == (other,)
    assert not actions[0].isChecked() and target.isChecked()
    qtbot.waitUntil(lambda: bool(switches) and switches[-1].to_index == other, timeout=TIMEOUT_MS)
    assert switches[-1].rule == "manual"
    # The check mark moves once the locked variant plays (the buffer ahead of
    # it was fetched before the lock).
    qtbot.waitUntil(lambda: menu.current == other, timeout=TIMEOUT_MS)
    press(qtbot, window, Qt.Key.Key_I)
    size = "480x270" if other == 1 else "320x180"
    qtbot.waitUntil(lambda: size in window.overlay.text(), timeout=TIMEOUT_MS)
    assert "locked" in window.overlay.text() and "Estimate" in window.overlay.text()
    # Back to Auto.
    actions[0].trigger()
    assert spy(window).last("select_variant")[0] == (None,)
    assert actions[0].isChecked() and menu.locked is None


def test_timeline_exports_as_json_and_csv_without_credentials(
    qtbot: QtBot,
    window: MainWindow,
    serve: Callable[..., ThrottleServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    server = serve()
    url = server.url("master.m3u8").replace("://", "://viewer:hunter2@") + "?token=s3cr3tv4lue"
    window.open_url(url)
    wait_playing(qtbot, window, min_frames=10)
    qtbot.waitUntil(lambda: len(window.player.abr_timeline()) >= 3, timeout=TIMEOUT_MS)
    out = window.export_timeline(tmp_path / "session.json")
    assert out is not None
    data = json.loads(out.read_text())
    assert data["report"]["protocol"] == "hls"
    assert data["abr_timeline"] and "estimate_bps" in data["abr_timeline"][0]
    assert any(e["type"] == "switch" for e in data["report"]["timeline"])
    # Through the dialog: no extension typed, CSV chosen -> .csv.
    chosen = str(tmp_path / "picked")
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (chosen, "CSV (*.csv)"))
    )
    out = window.export_timeline()
    assert out == tmp_path / "picked.csv"
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert any(r["kind"] == "abr" and float(r["selected_bitrate"]) > 0 for r in rows)
    assert any(r["marker"] == "switch" for r in rows)
    times = [float(r["t"]) for r in rows]
    assert times == sorted(times)
    assert window.messages.level == "info" and str(out) in window.messages.label.text()
    assert window.settings.export_dir == str(tmp_path)
    for written in (tmp_path / "session.json", out):
        text = written.read_text()
        assert "hunter2" not in text and "s3cr3tv4lue" not in text and "viewer" not in text
    # Only the two files: written atomically, no temporary left behind.
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == [
        "picked.csv",
        "session.json",
    ]


def test_export_name_has_the_title_and_the_time(window: MainWindow) -> None:
    window.title = "Live: cam/1 <HD>"
    name = window.export_name()
    assert name.startswith("Live_cam_1_HD-") and name.endswith(".json")
    assert len(name.removesuffix(".json").rsplit("-", 2)[-2]) == 8  # YYYYmmdd


def test_view_size_caps_adaptive_streams_once_it_settles(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window._cap_timer.isActive(), timeout=TIMEOUT_MS)
    before = len([c for c in spy(window).calls if c[0] == "set_max_resolution"])
    for size in ((700, 500), (660, 480), (640, 470)):
        window.resize(*size)
    qtbot.waitUntil(
        lambda: len([c for c in spy(window).calls if c[0] == "set_max_resolution"]) > before,
        timeout=TIMEOUT_MS,
    )
    calls = [c for c in spy(window).calls if c[0] == "set_max_resolution"][before:]
    ratio = window.view.devicePixelRatioF()
    expected = (round(window.view.width() * ratio), round(window.view.height() * ratio))
    assert [c[1] for c in calls] == [expected]  # one call, after the last resize
    # Showing the panel shrinks the view without resizing the window.
    window.abr_panel.show()
    qtbot.waitUntil(
        lambda: spy(window).last("set_max_resolution")[0][1] < expected[1], timeout=TIMEOUT_MS
    )


def test_the_demo_opens_with_the_panel_showing(
    qtbot: QtBot,
    window: MainWindow,
    serve: Callable[..., ThrottleServer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import lab.demo
    from ui.app import start_demo

    url = serve().url("master.m3u8")
    fractions: list[float] = []

    def fake_demo(progress: Callable[[float, str], None]) -> str:
        for f in (0.0, 0.5, 1.0):
            progress(f, "Encoding the ABR demo")
            fractions.append(f)
        return url

    monkeypatch.setattr(lab.demo, "ensure_demo", fake_demo)
    assert not window.abr_panel.isVisible()
    start_demo(window)
    qtbot.waitUntil(lambda: window.current_url == url, timeout=TIMEOUT_MS)
    assert fractions == [0.0, 0.5, 1.0]
    assert window.abr_panel.isVisible()
    qtbot.waitUntil(lambda: window.abr_panel.point_count >= 2, timeout=TIMEOUT_MS)


def test_the_panel_comes_back_where_it_was(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    first = make_window()
    first.abr_panel.show()
    qtbot.waitUntil(first.abr_panel.isVisible, timeout=TIMEOUT_MS)
    # Shown at its minimum, the panel is given room once the layout settles.
    qtbot.waitUntil(lambda: first.abr_panel.height() >= PANEL_HEIGHT - 2, timeout=TIMEOUT_MS)
    height = first.abr_panel.height()
    first.close()
    second = make_window(resize=False)
    qtbot.waitUntil(second.abr_panel.isVisible, timeout=TIMEOUT_MS)
    assert second.actions_by_name["abr_panel"].isChecked()
    assert abs(second.abr_panel.height() - height) <= 2
    assert second._abr_timer.isActive()
