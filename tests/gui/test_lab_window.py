"""Lab → Compare protocols on the real window (Xvfb): the profile asked for,
the lab started, the compare window opened on its streams (HLS, LL-HLS,
RTSP, RTMP: this machine has GStreamer's RTSP server and nginx-rtmp), every
tile playing; closing the compare window stops the lab. A profile file with
a mistake is one message naming its line."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox
from pytestqt.qtbot import QtBot

from ui.compare_window import CompareWindow
from ui.main_window import MainWindow

#: the first run makes the lab's media (the demo ladder: about half a minute)
START_MS = 120_000
PLAY_MS = 30_000


def _refused(url: str) -> bool:
    port = int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def _choose(monkeypatch: pytest.MonkeyPatch, starts_with: str, seen: list[list[str]]) -> None:
    def get_item(_parent: Any, _title: str, _label: str, items: list[str], *_: Any) -> Any:
        seen.append(list(items))
        return next(i for i in items if i.startswith(starts_with)), True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(get_item))


def test_lab_compare_protocols_plays_every_protocol_and_stops_with_its_window(
    qtbot: QtBot, make_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    window = make_window()
    seen: list[list[str]] = []
    _choose(monkeypatch, "Wi-Fi, congested", seen)
    menu = window.lab_menu
    assert menu.menu.title() == "&Lab" and menu.menu.menuAction().isVisible()
    assert menu.compare_action in menu.menu.actions()
    menu.compare_action.trigger()  # what the menu item does
    assert seen and seen[0][0] == "No impairment" and len(seen[0]) == 6
    qtbot.waitUntil(lambda: bool(menu.compare_windows), timeout=START_MS)
    compare = menu.compare_windows[0]
    assert isinstance(compare, CompareWindow)
    lab = menu.labs[0]
    assert lab.profile is not None and lab.profile.name == "Wi-Fi, congested"
    assert "Wi-Fi, congested" in compare.windowTitle()
    urls = [t.url for t in compare.tiles]
    assert [u.split("://")[0] for u in urls] == ["http", "http", "rtsp", "rtmp"]
    assert urls[0].endswith("/ts/master.m3u8") and urls[1] == lab.stream("ll-hls").url
    # every protocol plays in its tile
    qtbot.waitUntil(lambda: all(t.view.painted >= 5 for t in compare.tiles), timeout=PLAY_MS)
    assert all(t.error is None for t in compare.tiles)
    # the lab lives as long as its compare window
    compare.close()
    qtbot.waitUntil(lambda: not menu.labs, timeout=PLAY_MS)
    assert all(_refused(u) for u in urls)


def test_a_profile_file_with_a_mistake_is_one_message(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    window = make_window()
    bad = tmp_path / "mine.json"
    bad.write_text('{\n  "name": "mine",\n  "delay_ms": -1\n}\n')
    _choose(monkeypatch, "From a file", [])
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(bad), ""))
    )
    warned: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, _t, text, *a: warned.append(text))
    )
    assert window.lab_menu.compare_protocols() is False
    assert warned == [f"{bad}:3: delay_ms must be at least 0, not -1"]
    assert not window.lab_menu.labs and not window.lab_menu.busy


def test_the_lab_menu_speaks_korean(qtbot: QtBot, window: MainWindow) -> None:
    window.set_language("ko")
    try:
        qtbot.waitUntil(lambda: window.lab_menu.menu.title() == "실험실(&L)", timeout=10_000)
        assert window.lab_menu.compare_action.text() == "프로토콜 비교…"
    finally:
        window.set_language("en")
    qtbot.waitUntil(lambda: window.lab_menu.menu.title() == "&Lab", timeout=10_000)


def test_a_lab_still_starting_when_the_window_closes_is_stopped(
    qtbot: QtBot, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window()
    menu = window.lab_menu
    assert menu.compare_protocols(None) is True  # no impairment, no dialog
    lab = menu.starting
    assert lab is not None and menu.busy
    assert menu.compare_protocols(None) is False  # one start at a time
    window.close()
    qtbot.waitUntil(lambda: lab.impairment.stop.is_set(), timeout=START_MS)
    assert not menu.compare_windows and lab.streams
    qtbot.waitUntil(lambda: all(_refused(s.url) for s in lab.streams), timeout=PLAY_MS)
