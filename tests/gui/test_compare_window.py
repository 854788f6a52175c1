"""The compare window on a real display (Xvfb): tiles, live table, plots,
the stream heard, export, and a failing stream that fails alone."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from player.config import DEFAULT_CONFIG, AudioConfig, BufferConfig
from tests.support.servers import RtspServer, free_port
from ui.compare_window import CompareWindow

NO_AUDIO = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
WAIT_MS = 20_000


@pytest.fixture(scope="module")
def live_rtsp() -> Iterator[RtspServer]:
    with RtspServer(None, live_delay=0.0) as server:
        yield server


def _row(window: CompareWindow, label: str) -> list[str]:
    for r in range(window.table.rowCount()):
        head = window.table.verticalHeaderItem(r)
        if head is not None and head.text() == label:
            return [
                (item.text() if (item := window.table.item(r, c)) is not None else "")
                for c in range(window.table.columnCount())
            ]
    raise AssertionError(f"no row {label!r}")


def test_tiles_table_plots_and_export(
    qtbot: QtBot, media: Path, live_rtsp: RtspServer, tmp_path: Path
) -> None:
    dead = f"rtsp://127.0.0.1:{free_port()}/nothing"
    report = tmp_path / "on-close.json"
    window = CompareWindow([str(media), live_rtsp.url, dead], config=NO_AUDIO, report=str(report))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.start()
    tiles = window.tiles
    qtbot.waitUntil(lambda: all(t.view.painted >= 10 for t in tiles[:2]), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: tiles[2].error is not None, timeout=WAIT_MS)
    assert "refused" in (tiles[2].error or "").lower()
    assert "failed" in tiles[2].face.text()
    # the live table, updated while playing
    qtbot.waitUntil(lambda: _row(window, "status")[0] == "played", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "rtsp" in _row(window, "protocol")[1], timeout=WAIT_MS)
    assert _row(window, "status") == ["played", "played", "FAILED"]
    # the live RTSP tile has a latency on its face and in the plot
    qtbot.waitUntil(lambda: " s " in tiles[1].face.text(), timeout=WAIT_MS)
    assert tiles[1].face.text().startswith("#2 RTSP")
    _, ys = window.plots.curves["latency"][1].getData()
    assert ys is not None and len(ys) >= 2
    # one stream heard at a time, the others muted but playing
    window.hear(1)
    players = [s.player for s in window.session.streams]
    assert [p.muted for p in players] == [True, False, True]
    assert tiles[1].heard and not tiles[0].heard
    painted = tiles[0].view.painted
    qtbot.waitUntil(lambda: tiles[0].view.painted > painted + 5, timeout=WAIT_MS)
    shot = tmp_path / "window.png"
    assert window.grab().save(str(shot), "PNG")
    if os.environ.get("HEUREUM_SHOT_DIR"):
        window.grab().save(str(Path(os.environ["HEUREUM_SHOT_DIR"]) / "compare.png"), "PNG")
    written = window.export(tmp_path / "export" / "cmp")
    assert [p.suffix for p in written] == [".json", ".csv", ".png"]
    data = json.loads(written[0].read_text())
    assert len(data["streams"]) == 3 and data["comparison"]["failed"] == [3]
    lines = list(csv.DictReader(io.StringIO(written[1].read_text())))
    assert [line["status"] for line in lines] == ["played", "played", "FAILED"]
    png = QImage(str(written[2]))
    assert png.width() > 300 and png.height() > 150
    window.close()
    final = json.loads(report.read_text())
    assert [s["compare"]["played"] for s in final["streams"]] == [True, True, False]
    assert final["streams"][0]["frames"]["presented"] > 10
    assert window.exit_code == 1


def test_the_stats_overlay_shows_end_to_end_first_and_says_why_not() -> None:
    from player.events import MediaInfo
    from player.stats import LatencyStats, SessionStats
    from ui.stats_overlay import stats_lines

    info = MediaInfo(
        url="rtsp://cam/live", protocol="rtsp", container="rtsp", duration=None,
        is_live=True, seekable=False, video=None, audio=None,
    )  # fmt: skip
    with_sr = SessionStats(
        live_latency_s=0.9,
        latency=LatencyStats(end_to_end_s=1.234, source="rtcp-sender-report", to_live_edge_s=0.9),
    )
    rows = dict(stats_lines(info, with_sr, "software", "0"))
    assert rows["Latency, end to end"] == "1.23 s (RTCP sender reports)"
    assert rows["Latency to live edge"] == "0.90 s"
    assert "Live latency" not in rows
    rtmp = SessionStats(
        latency=LatencyStats(end_to_end_reason="RTMP carries no wall clock", to_live_edge_s=0.5)
    )
    rows = dict(stats_lines(info, rtmp, "software", "0"))
    assert rows["Latency, end to end"] == "— (RTMP carries no wall clock)"
    assert rows["Latency to live edge"] == "0.50 s"


@pytest.fixture(scope="module")
def ladder_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.support import hls_media
    from tests.support.servers import NginxHttpServer

    root = tmp_path_factory.mktemp("compare-gui-site")
    (root / "ladder").symlink_to(hls_media.muxed_ladder_vod(seconds=20.0), True)
    with NginxHttpServer(root) as server:
        yield server.url("ladder/master.m3u8")


def test_the_rung_menu_pins_every_hls_tile_to_the_same_height(
    qtbot: QtBot, ladder_url: str
) -> None:
    # A short buffer: segments are still to fetch when the pin changes (a
    # 20 s VOD fetched ahead whole would show no new rung).
    short = replace(NO_AUDIO, buffer=BufferConfig(max_seconds=4.0))
    window = CompareWindow([ladder_url, ladder_url], config=short, max_height=180)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.start()
    players = [s.player for s in window.session.streams]

    def fetching(index: int) -> bool:
        abrs = [p.stats().abr for p in players]
        return all(abr is not None and abr.variant_index == index for abr in abrs)

    qtbot.waitUntil(lambda: all(t.view.painted >= 3 for t in window.tiles), timeout=WAIT_MS)
    assert fetching(0)  # 180p from the start
    window._fill_rung_menu()
    texts = [a.text() for a in window.rung_menu.actions()]
    assert texts == ["Automatic", "360p", "180p"]
    assert [a.isChecked() for a in window.rung_menu.actions()] == [False, False, True]
    window.rung_menu.actions()[1].trigger()  # 360p for both
    qtbot.waitUntil(lambda: fetching(1), timeout=WAIT_MS)
    assert [s.pinned for s in window.session.streams] == [1, 1]
    window.close()
