"""Issue 10: the bitrate panel's "N stalls" and its stall markers agree with
the report's ``rebuffer_count`` and ``rebuffer_seconds`` after a real run
that stalls: a real HLS ladder served on loopback through a link that drops
below the lowest rung twice, then stays fast."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from lab.demo_hls import BandwidthPattern, make_hls_demo
from lab.origin import ThrottleServer
from player.capabilities import TimelineEntry
from player.config import DEFAULT_CONFIG, BufferConfig
from player.events import BufferingChanged, PlayerState
from player.stats import AbrStatus, SessionStats
from ui.main_window import MainWindow
from ui.stats_overlay import stats_lines

from .conftest import TIMEOUT_MS, press, wait_playing

RUNGS = ((320, 180, 150_000), (480, 270, 600_000))
#: fast, then 40 kb/s (a fifth of the lowest rung) twice for 6 s, then fast
#: for good: two stalls at least, and none once the link stays fast
TWO_DROPS = BandwidthPattern(
    ((0.0, 20e6), (4.0, 40e3), (10.0, 20e6), (13.0, 40e3), (19.0, 20e6)), period=10_000.0
)
#: seconds of the server's clock after which the link stays fast
CALM_AFTER_S = 19.0
#: a short buffer, so each drop is felt as a stall
SHORT_BUFFER = replace(DEFAULT_CONFIG, buffer=BufferConfig(max_seconds=4.0))


@pytest.fixture(scope="module")
def ladder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("abr-stalls") / "ladder"
    return make_hls_demo(folder, seconds=4, loops=12, rungs=RUNGS)


@pytest.fixture
def server(ladder: Path) -> Iterator[ThrottleServer]:
    with ThrottleServer(ladder.parent, bandwidth=TWO_DROPS) as running:
        yield running


def _report(window: MainWindow) -> dict[str, Any]:
    return dict(window.player.report())


def _status_stalls(window: MainWindow) -> int:
    found = re.search(r"(\d+) stalls?<", window.abr_panel.status.text())
    assert found is not None, window.abr_panel.status.text()
    return int(found.group(1))


def test_the_panel_counts_the_stalls_the_report_counts(
    qtbot: QtBot, make_window: Callable[..., MainWindow], server: ThrottleServer
) -> None:
    window = make_window(config=SHORT_BUFFER)
    starts: list[BufferingChanged] = []

    def on_buffering(event: BufferingChanged) -> None:
        if event.buffering and event.rebuffer:
            starts.append(event)

    window.bridge.bufferingChanged.connect(on_buffering)
    window.abr_panel.show()
    window.open_url(server.url("master.m3u8"))
    wait_playing(qtbot, window)
    # both drops felt, the link fast for good, and playing again
    long = TIMEOUT_MS * 6

    def settled() -> bool:
        report = _report(window)
        return (
            report["rebuffer_count"] >= 2
            and report["session_seconds"] > CALM_AFTER_S + 2.0
            and window.state == PlayerState.PLAYING
        )

    qtbot.waitUntil(settled, timeout=long)
    report = _report(window)
    assert not [e for e in report["errors"] if e["fatal"]], report["errors"]
    # the panel's count follows the events, the status line its poll (2 Hz)
    qtbot.waitUntil(lambda: _status_stalls(window) == report["rebuffer_count"], timeout=TIMEOUT_MS)
    panel = window.abr_panel
    stalls = [m for m in panel.markers if m.kind == "stall"]
    assert len(stalls) == report["rebuffer_count"]
    # progress is reported all through each stall: more events than stalls
    assert len(starts) > len(stalls)
    # each marker spans its stall as the report times it (event times are
    # taken a moment after the metrics' own)
    spans = [m.span for m in stalls]
    assert all(span is not None for span in spans)
    total = sum(end - start for start, end in (s for s in spans if s is not None))
    assert total == pytest.approx(report["rebuffer_seconds"], abs=0.1 * len(stalls))
    marked = [e["t"] for e in report["timeline"] if e["type"] == "stall_start"]
    assert [round(m.t, 1) for m in stalls] == pytest.approx(
        [round(t, 1) for t in marked[-len(stalls) :]], abs=0.15
    )
    # the buffer drawn runs dry in each stall: the polls while no segment
    # arrives are kept (a line from download to download stayed above 1 s)
    xs, buffer = panel.buffer_curve.getData()
    assert xs is not None and buffer is not None
    assert list(xs) == sorted(xs)
    for start, end in (s for s in spans if s is not None):
        during = [y for x, y in zip(xs, buffer, strict=True) if start <= x <= end]
        assert during and min(during) < 0.5, (start, end, during)


def test_polls_are_kept_while_no_segment_arrives_and_give_way_to_a_later_one(
    qtbot: QtBot, window: MainWindow
) -> None:
    panel = window.abr_panel
    panel.show()
    qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT_MS)
    first = TimelineEntry(t=2.0, estimate_bps=2e6, selected_bitrate=800_000, buffer=6.0)
    panel.update_from([first], _stats(2.5, 5.5))  # provisional: replaced at the next poll
    assert panel.point_count == 1
    # no segment for seconds: the buffer drains, a poll a second is kept
    for t in (3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0):
        panel.update_from([first], _stats(t, max(0.0, 6.0 - (t - 2.0))))
    _xs, kept = panel.buffer_curve.getData()
    assert kept is not None and panel.point_count == 1 + 6  # 3.0, 4.0, ... 8.0
    assert min(kept) < 0.1  # dry at 8 s, as the stall it causes
    # a download recorded at 7.9 s (read after the 8.0 s poll) replaces the
    # polls kept after it: the curve never runs back in time
    late = TimelineEntry(t=7.9, estimate_bps=2e6, selected_bitrate=800_000, buffer=2.0)
    panel.update_from([first, late], _stats(8.5, 1.9))
    xs, _ys = panel.buffer_curve.getData()
    assert xs is not None and list(xs) == sorted(xs)
    assert 8.0 not in list(xs) and 7.9 in list(xs) and 7.0 in list(xs)


def _stats(t: float, buffer: float) -> SessionStats:
    return SessionStats(session_seconds=t, abr=AbrStatus(0, 0, 800_000, 2e6, buffer, 2))


def test_the_panel_opening_low_on_the_screen_keeps_the_window_on_it(
    qtbot: QtBot, window: MainWindow, media: Path
) -> None:
    """The window grows to give the panel its room; low on the screen, it
    grew past the bottom edge and the time axis was off screen."""
    window.open_url(str(media))
    wait_playing(qtbot, window)
    qtbot.waitUntil(lambda: window.view.width() >= 638, timeout=TIMEOUT_MS)  # fitted
    screen = window.screen()
    assert screen is not None
    avail = screen.availableGeometry()
    low = avail.bottom() + 1 - window.frameGeometry().height() - 20
    window.move(window.frameGeometry().left(), low)
    qtbot.waitUntil(lambda: window.frameGeometry().top() == low, timeout=TIMEOUT_MS)
    height = window.height()
    press(qtbot, window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.height() > height + 100, timeout=TIMEOUT_MS)  # it grew
    qtbot.waitUntil(lambda: window.frameGeometry().bottom() <= avail.bottom(), timeout=TIMEOUT_MS)
    assert window.frameGeometry().top() >= avail.top()
    axis = window.abr_panel.buffer_plot.getAxis("bottom")
    graphs = window.abr_panel.graphs
    under_axis = graphs.mapFromScene(axis.mapToScene(axis.boundingRect().bottomLeft()))
    assert graphs.viewport().mapToGlobal(under_axis).y() <= avail.bottom()  # on the screen


def test_the_status_line_and_the_overlay_name_one_buffer_alike(
    qtbot: QtBot, window: MainWindow
) -> None:
    """An adaptive stream has two buffers in the report: ``buffer_s`` (the
    player's) and ``abr.buffer_s`` (fetched ahead). The panel draws the second;
    its status line said "buffer 12.9 s" beside an overlay's "Buffer 2.00 s"."""
    panel = window.abr_panel
    panel.show()
    qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT_MS)
    abr = AbrStatus(0, 0, 800_000, 3.1e6, 12.94, 2)
    stats = SessionStats(session_seconds=30.0, buffer_s=2.0, abr=abr, rebuffer_count=3)
    entry = TimelineEntry(t=29.0, estimate_bps=3.1e6, selected_bitrate=800_000, buffer=12.0)
    panel.update_from([entry], stats)
    text = panel.status.text()
    assert "buffer 12.9 s downloaded<" in text
    rows = dict(stats_lines(None, stats, "software", "x"))
    assert rows["Buffer"] == "2.00 s · 12.9 s downloaded"
    assert rows["Estimate"] in text  # one estimate, one way of writing it
