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
from player.capabilities import TimelineEntry
from player.config import DEFAULT_CONFIG, BufferConfig
from player.events import BufferingChanged, ErrorOccurred, VariantSwitched
from player.stats import AbrStatus, SessionStats
from player.timeline_export import CSV_COLUMNS
from ui.main_window import MainWindow
from ui.window_panels import PANEL_HEIGHT

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


def _loading(window: MainWindow) -> object:
    """The rung the loader fetches (the stats' ``abr.variant_index``)."""
    abr = window.player.stats().abr
    return None if abr is None else abr.variant_index


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
    # docked with room for the plots, once the layout settles
    qtbot.waitUntil(lambda: panel.height() >= 250, timeout=TIMEOUT_MS)
    # Ladder lines: one per rung.
    assert len([i for i in panel.rate_plot.items if getattr(i, "angle", None) == 0]) == 2
    # Closing the panel stops the polling.
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    assert not panel.isVisible() and not window.panels.abr_timer.isActive()


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
    # Auto is checked, and so is the variant in use (once what plays is what
    # the loader fetches: the start is on the lowest rung until it measures).
    qtbot.waitUntil(lambda: menu.current == _loading(window), timeout=TIMEOUT_MS)
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
    out = window.panels.export_timeline(tmp_path / "session.json")
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
    out = window.panels.export_timeline()
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
    name = window.panels.export_name()
    assert name.startswith("Live_cam_1_HD-") and name.endswith(".json")
    assert len(name.removesuffix(".json").rsplit("-", 2)[-2]) == 8  # YYYYmmdd


def test_view_size_caps_adaptive_streams_once_it_settles(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: not window.cap.timer.isActive(), timeout=TIMEOUT_MS)
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
    window.cap.apply()  # the window's size caps sessions (as after any resize)
    assert window.cap.size is not None
    start_demo(window)
    qtbot.waitUntil(lambda: window.current_url == url, timeout=TIMEOUT_MS)
    assert fractions == [0.0, 0.5, 1.0]
    assert window.abr_panel.isVisible()
    qtbot.waitUntil(lambda: window.abr_panel.point_count >= 2, timeout=TIMEOUT_MS)
    # With the panel open the view is small (the size cap would hold the demo
    # at 360p): the demo is left uncapped, and the window says so.
    qtbot.waitUntil(lambda: not window.cap.timer.isActive(), timeout=TIMEOUT_MS)
    cap: object = window.cap.size
    assert cap is None
    assert spy(window).last("set_max_resolution")[0] == (None, None)
    assert "view-size cap is off" in window.messages.label.text()
    # Anything else opened afterwards is capped again.
    window.open_url(serve().url("master.m3u8?again"))
    qtbot.waitUntil(lambda: window.cap.size is not None, timeout=TIMEOUT_MS)
    width, height = spy(window).last("set_max_resolution")[0]
    assert isinstance(width, int) and isinstance(height, int) and width > 0


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
    assert second.panels.abr_timer.isActive()


# -- issue 10: the panel moves on, one time axis, reset per session, labels apart ---------


@pytest.fixture(scope="module")
def short_ladder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 s of media: a default 30 s buffer holds it all after the first seconds."""
    folder = tmp_path_factory.mktemp("abr-short") / "ladder"
    return make_hls_demo(folder, seconds=4, loops=2, rungs=RUNGS)


def test_the_panel_moves_on_while_no_segment_arrives(
    qtbot: QtBot, window: MainWindow, short_ladder: Path
) -> None:
    with ThrottleServer(short_ladder.parent) as server:
        window.open_url(server.url("master.m3u8"))
        wait_playing(qtbot, window)
        window.abr_panel.show()
        panel = window.abr_panel

        # the whole VOD is fetched: the loader's timeline stops growing
        def downloads() -> list[float]:
            return [e.t for e in window.player.abr_timeline() if e.marker is None]

        qtbot.waitUntil(lambda: len(downloads()) >= 4, timeout=TIMEOUT_MS)  # 4 x 2 s segments
        last_download = max(downloads())

        def plotted_until() -> float:
            xs, _ys = panel.buffer_curve.getData()
            return float(xs[-1]) if xs is not None and len(xs) else -1.0

        # ... yet the plot follows the session's time, from the polls
        qtbot.waitUntil(lambda: plotted_until() > last_download + 2.0, timeout=TIMEOUT_MS)
        assert max(downloads()) == last_download
        xs, buffer = panel.buffer_curve.getData()
        assert xs is not None and buffer is not None
        assert list(xs) == sorted(xs)  # timeline and polls interleaved in time order
        # the buffer drains as it plays: the later polls show less than the peak
        assert buffer[-1] < max(buffer)


def test_one_time_axis_in_plain_seconds(qtbot: QtBot, window: MainWindow) -> None:
    panel = window.abr_panel
    window.abr_panel.show()
    qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT_MS)
    for t in range(0, 1600, 20):  # a long session: ticks in the thousands
        entry = TimelineEntry(t=float(t), estimate_bps=2e6, selected_bitrate=600_000, buffer=8.0)
        abr = AbrStatus(None, None, None, estimate_bps=2e6, buffer_s=8.0, variants=0)
        panel.update_from([entry], SessionStats(session_seconds=float(t), abr=abr))
    qtbot.wait(50)
    bottom = panel.buffer_plot.getAxis("bottom")
    top = panel.rate_plot.getAxis("bottom")
    assert panel.buffer_plot.viewRange()[0][1] > 1500
    for axis in (bottom, top, panel.buffer_plot.getAxis("left")):
        assert axis.autoSIPrefixScale == 1.0 and "x0.001" not in axis.labelString()
    assert "session time (s)" in bottom.labelString()
    # the upper plot shares the lower one's axis: no second set of numbers
    assert not top.style["showValues"]
    assert panel.rate_plot.viewRange()[0] == pytest.approx(panel.buffer_plot.viewRange()[0])


def test_a_new_session_resets_the_time_axis(qtbot: QtBot, window: MainWindow) -> None:
    panel = window.abr_panel
    panel.show()
    qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT_MS)
    for t in range(0, 800, 20):
        panel.update_from(
            [TimelineEntry(t=float(t), estimate_bps=2e6, selected_bitrate=600_000, buffer=8.0)],
            SessionStats(session_seconds=float(t)),
        )
    qtbot.waitUntil(lambda: panel.rate_plot.viewRange()[0][1] > 700, timeout=TIMEOUT_MS)
    # a URL that fails at once: its plot must not keep the last session's 0-780 s
    window.open_url("http://127.0.0.1:9/missing/master.m3u8")
    qtbot.waitUntil(lambda: window.messages.level == "error", timeout=TIMEOUT_MS)
    assert all(m.t < 60 for m in panel.markers)
    low, high = panel.rate_plot.viewRange()[0]
    assert low == pytest.approx(0.0, abs=0.5) and high < 60


def test_switch_labels_never_overlap(qtbot: QtBot, window: MainWindow) -> None:
    panel = window.abr_panel
    panel.show()
    qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT_MS)
    from player.events import VariantInfo

    ladder = tuple(
        VariantInfo(index=i, bandwidth=b, width=w, height=h, codecs=None, frame_rate=None, name="")
        for i, (w, h, b) in enumerate(
            ((640, 360, 800_000), (960, 540, 1_600_000), (1280, 720, 3_000_000))
        )
    )
    panel.set_variants(ladder)
    for t in range(0, 60, 2):
        panel.update_from(
            [TimelineEntry(t=float(t), estimate_bps=2e6, selected_bitrate=800_000, buffer=8.0)],
            SessionStats(session_seconds=float(t)),
        )
    # switches a fraction of a second apart, as in "↓540720p"
    times = (20.0, 20.3, 20.6, 21.0, 21.2, 30.0, 30.4, 45.0)
    for i, at in enumerate(times):
        window.bridge._dispatch(
            VariantSwitched(i % 3, (i + 1) % 3, 800_000, 2e6, 8.0, "throughput", "test", t=at)
        )
    qtbot.waitUntil(lambda: len(panel.markers) == len(times), timeout=TIMEOUT_MS)
    qtbot.wait(50)  # the layout runs once the events are handled
    labels = [
        line.label
        for line in _vertical_lines(panel.rate_plot)
        if line.label is not None and line.label.isVisible()
    ]
    rects = [label.sceneBoundingRect() for label in labels]
    assert len(rects) >= 4
    for i, a in enumerate(rects):
        for b in rects[i + 1 :]:
            assert not a.intersects(b), (a, b)
    # zoomed in, the labels have room again: all of them show
    panel.rate_plot.setXRange(19.5, 23.0, padding=0)
    qtbot.wait(50)
    shown = [ln for ln in _vertical_lines(panel.rate_plot) if ln.label and ln.label.isVisible()]
    assert len(shown) >= 5


def test_an_unmeasured_estimate_says_so(qtbot: QtBot, window: MainWindow) -> None:
    panel = window.abr_panel
    panel.show()
    qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT_MS)
    entry = TimelineEntry(
        t=1.0, estimate_bps=1_000_000, selected_bitrate=150_000, buffer=2.0, measured=False
    )
    abr = AbrStatus(None, None, None, 1_000_000, 2.0, 0, estimate_measured=False)
    panel.update_from([entry], SessionStats(session_seconds=1.5, abr=abr))
    assert "not measured yet" in panel.status.text() and "1.0 Mb/s" not in panel.status.text()
    _xs, estimate = panel.estimate_curve.getData()
    assert estimate is None or len(estimate) == 0  # the default is not drawn as a measurement
    from ui.stats_overlay import stats_lines

    rows = dict(stats_lines(None, SessionStats(abr=abr), "software", ""))
    assert rows["Estimate"] == "not measured yet"
    measured = replace(abr, estimate_measured=True)
    rows = dict(stats_lines(None, SessionStats(abr=measured), "software", ""))
    assert rows["Estimate"] == "1.0 Mb/s"


def test_an_error_marker_reads_in_the_windows_language(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    """The error marker's tooltip says what the message bar says, in Korean
    in the Korean window (not the engine's English), with its own details."""
    panel = window.abr_panel
    panel.show()
    gone = tmp_path / "gone.mp4"
    window.set_language("ko")
    try:
        qtbot.waitUntil(lambda: window.menus.file_menu.title() == "파일(&F)", timeout=TIMEOUT_MS)
        window.open_url(str(gone))
        qtbot.waitUntil(lambda: "error" in panel.marker_kinds, timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: window.messages.level == "error", timeout=TIMEOUT_MS)
        marker = [m for m in panel.markers if m.kind == "error"][-1]
        heading, words = marker.tooltip.split("\n", 1)
        assert words == (
            f"파일을 찾을 수 없습니다: {gone}. 이름과 폴더를 확인하세요. "
            "파일이 옮겨졌거나 삭제되었을 수 있습니다."
        )
        assert words == window.messages.label.text()
        assert heading == f"{marker.t:.1f}초에 오류"
        # the lines drawn carry the same words
        lines = [ln for ln in _vertical_lines(panel.rate_plot) if ln.toolTip() == marker.tooltip]
        assert lines
    finally:
        window.set_language("en")
    qtbot.waitUntil(lambda: window.menus.file_menu.title() == "&File", timeout=TIMEOUT_MS)
    window.open_url(str(tmp_path / "gone-too.mp4"))
    qtbot.waitUntil(lambda: any("gone-too" in m.tooltip for m in panel.markers), timeout=TIMEOUT_MS)
    english = next(m for m in panel.markers if "gone-too" in m.tooltip)
    assert english.tooltip.split("\n", 1)[1].startswith("File not found: ")
    assert english.tooltip.startswith("Error at ")


def test_the_status_line_counts_in_words_and_wraps_between_its_parts(
    qtbot: QtBot, window: MainWindow
) -> None:
    panel = window.abr_panel
    panel.show()
    qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT_MS)
    window.bridge._dispatch(BufferingChanged(True, 0.1, 5.0, True, t=1.0))
    window.bridge._dispatch(BufferingChanged(False, 2.0, 100.0, False, t=1.5))
    entry = TimelineEntry(t=2.0, estimate_bps=2e6, selected_bitrate=800_000, buffer=2.0)
    abr = AbrStatus(None, None, None, 2_000_000, 2.0, 0)
    panel.update_from([entry], SessionStats(session_seconds=2.5, abr=abr))
    text = panel.status.text()
    assert "1 stall<" in text and "0 switches<" in text  # not "1 stalls"
    # narrower than the line: it wraps (taller than one line), not cut off
    assert panel.status.wordWrap()
    assert panel.status.heightForWidth(200) > panel.status.heightForWidth(4000)
