"""Start-up order (issue 13): the window the app makes shows before the bus
(MPRIS, the screen saver) and the ``--enqueue`` socket start; they start once
its first frame is on screen, and then work as if they had always been there;
so do its icon's large sizes."""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Literal

import pytest
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

import ui.app
from player import Player
from player.config import DEFAULT_CONFIG, AudioConfig, OpenOptions
from tests.gui.conftest import TIMEOUT_MS, wait_playing
from tests.support.session_bus import screensaver_service
from ui.app_icon import FIRST_SIZES, SIZES, app_icon
from ui.first_frame import after_first_frame
from ui.main_window import MainWindow
from ui.single_instance import InstanceServer, send_to_running
from ui.video_view import VideoView

MPRIS = "org.mpris.MediaPlayer2.heureum"


def test_the_bus_and_the_socket_start_once_the_first_frame_is_painted(
    qtbot: QtBot, tmp_path: Path, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"heureum-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("HEUREUM_INSTANCE", name)
    painted_at_start: list[int] = []
    start = ui.app._after_first_frame

    def spy(window: MainWindow) -> None:
        painted_at_start.append(window.view.painted)
        start(window)

    monkeypatch.setattr(ui.app, "_after_first_frame", spy)
    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    with screensaver_service(dict(os.environ)) as saver:
        qtbot.waitUntil(lambda: saver.lines[:1] == ["ready"], timeout=TIMEOUT_MS)
        window = ui.app.create_window(
            [str(media)], {"settings_path": str(tmp_path / "s.ini")}, config
        )
        qtbot.addWidget(window)
        try:
            assert window.isVisible()
            assert (window.desktop.mpris, window.instance_server) == (None, None)
            assert not send_to_running([str(media)], name)  # nobody listens yet
            qtbot.waitUntil(lambda: window.instance_server is not None, timeout=TIMEOUT_MS)
            assert painted_at_start and painted_at_start[0] >= 1
            # the shell sees this window on the bus
            mpris = window.desktop.mpris
            assert mpris is not None
            qtbot.waitUntil(lambda: mpris.service == MPRIS, timeout=TIMEOUT_MS)
            # video was already playing: the screen saver is held from the start of the bus
            wait_playing(qtbot, window)
            qtbot.waitUntil(lambda: bool(saver.seen("Inhibit")), timeout=TIMEOUT_MS)
            assert window.desktop.awake.held
            # another heureum --enqueue finds it (tests/gui/test_single_instance.py sends)
            server = window.instance_server
            assert isinstance(server, InstanceServer) and server.server.isListening()
            assert server.server.serverName() == name
        finally:
            window.close()
        qtbot.waitUntil(lambda: saver.seen("UnInhibit") == ["UnInhibit 1"], timeout=TIMEOUT_MS)


def test_the_work_waits_for_the_first_frame_or_the_fallback(qtbot: QtBot) -> None:
    view = VideoView(renderer="software")
    qtbot.addWidget(view)
    ran: list[int] = []
    after_first_frame(view, lambda: ran.append(view.painted), settle_ms=10, fallback_ms=50)
    qtbot.waitUntil(lambda: bool(ran), timeout=TIMEOUT_MS)
    assert ran == [0]  # no picture came: the fallback ran it, once
    qtbot.wait(100)
    assert ran == [0]


def test_nothing_waits_after_the_window_closed(qtbot: QtBot, tmp_path: Path) -> None:
    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    missing = tmp_path / "missing.mp4"  # no frame: the fallback would start them
    window = ui.app.create_window(
        [str(missing)], {"settings_path": str(tmp_path / "s.ini")}, config
    )
    qtbot.addWidget(window)
    window.close()
    ui.app._after_first_frame(window)  # as the fallback timer would
    assert window.instance_server is None and window.desktop.mpris is None


@pytest.mark.parametrize(("aid", "prepared"), [("auto", ["open", "audio"]), ("no", ["open"])])
def test_the_window_opens_the_audio_device_after_the_open_unless_declined(
    qtbot: QtBot,
    tmp_path: Path,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
    aid: Literal["no", "auto"],
    prepared: list[str],
) -> None:
    """The audio device's thread (numpy, PortAudio) would take the interpreter
    from the window's first paint and from the open's imports of the engine
    (the open took twice as long beside it); it starts just after the open,
    and overlaps the file opening and its first frame decoding."""
    order: list[str] = []
    real_open = MainWindow.open_urls

    def spy(self: Player) -> None:
        order.append("audio")  # the real one would open PulseAudio's sink

    def spy_open(self: MainWindow, urls: list[str], options: OpenOptions | None = None) -> None:
        order.append("open")
        real_open(self, urls, options)

    monkeypatch.setattr(Player, "prepare_audio", spy)
    monkeypatch.setattr(MainWindow, "open_urls", spy_open)
    window = ui.app.create_window(
        [str(media)],
        {"settings_path": str(tmp_path / "s.ini"), "open_options": OpenOptions(audio_track=aid)},
        DEFAULT_CONFIG,
    )
    qtbot.addWidget(window)
    try:
        assert order == []  # nothing before the window painted
        qtbot.waitUntil(lambda: "open" in order, timeout=TIMEOUT_MS)
        assert order == prepared
    finally:
        window.close()


def test_the_log_file_waits_for_the_first_paint_and_comes_before_the_open(
    qtbot: QtBot, tmp_path: Path, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What ``run_gui`` hands to ``on_first_paint`` (the log file) is off the
    time to a painted window, yet installed before the open logs anything."""
    order: list[str] = []
    windows: list[MainWindow] = []
    real_open = MainWindow.open_urls

    def spy_open(self: MainWindow, urls: list[str], options: OpenOptions | None = None) -> None:
        order.append("open")
        real_open(self, urls, options)

    def first_paint_work() -> None:
        handle = windows[0].windowHandle()
        order.append("work, exposed" if handle is not None and handle.isExposed() else "work")

    monkeypatch.setattr(MainWindow, "open_urls", spy_open)
    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    window = ui.app.create_window(
        [str(media)],
        {"settings_path": str(tmp_path / "s.ini")},
        config,
        on_first_paint=first_paint_work,
    )
    windows.append(window)
    qtbot.addWidget(window)
    try:
        assert order == []  # nothing before the event loop painted the window
        qtbot.waitUntil(lambda: "open" in order, timeout=TIMEOUT_MS)
        assert order == ["work, exposed", "open"]
    finally:
        window.close()


def test_the_window_shows_with_the_small_icons_and_gets_the_large_ones_after_its_first_frame(
    qtbot: QtBot, tmp_path: Path, media: Path
) -> None:
    """Every size of the window's icon goes to the display server as the
    window maps: the 256 and 512 pixel ones wait for the first frame."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setWindowIcon(app_icon(FIRST_SIZES))  # as run_gui sets it
    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    window = ui.app.create_window([str(media)], {"settings_path": str(tmp_path / "s.ini")}, config)
    qtbot.addWidget(window)

    def sizes() -> set[int]:
        return {size.width() for size in window.windowIcon().availableSizes()}

    try:
        assert window.isVisible() and max(sizes()) == 64
        qtbot.waitUntil(lambda: window.instance_server is not None, timeout=TIMEOUT_MS)
        assert window.view.painted >= 1
        assert sizes() == set(SIZES) and max(SIZES) == 512
    finally:
        window.close()
        app.setWindowIcon(QIcon())
