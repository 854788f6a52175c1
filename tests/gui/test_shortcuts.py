"""Every key of the table does what mpv users expect, on a real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog
from pytestqt.qtbot import QtBot

from player.config import OpenOptions
from ui.main_window import MainWindow
from ui.shortcuts import SHORTCUTS, help_rows

from .conftest import TIMEOUT_MS, press, spy

K = Qt.Key
NO = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def paused(qtbot: QtBot, window: MainWindow, media: Path) -> MainWindow:
    window.open_url(str(media), OpenOptions(start_paused=True))
    qtbot.waitUntil(lambda: window.view.current_frame is not None, timeout=TIMEOUT_MS)
    return window


@pytest.mark.parametrize(
    ("key", "method", "args"),
    [
        (K.Key_Space, "toggle_pause", ()),
        (K.Key_P, "toggle_pause", ()),
        (K.Key_Left, "seek_relative", (-5.0,)),
        (K.Key_Right, "seek_relative", (5.0,)),
        (K.Key_Up, "seek_relative", (60.0,)),
        (K.Key_Down, "seek_relative", (-60.0,)),
        (K.Key_Period, "frame_step", ()),
        (K.Key_Comma, "frame_back_step", ()),
        (K.Key_9, "set_volume", (0.98,)),
        (K.Key_0, "set_volume", (1.02,)),
        (K.Key_M, "set_muted", (True,)),
        (K.Key_BracketLeft, "set_speed", (round(1 / 1.1, 4),)),
        (K.Key_BracketRight, "set_speed", (1.1,)),
        (K.Key_Backspace, "set_speed", (1.0,)),
    ],
)
def test_key_sends_player_command(
    qtbot: QtBot, paused: MainWindow, key: Qt.Key, method: str, args: tuple[object, ...]
) -> None:
    before = len(spy(paused).calls)
    press(qtbot, paused, key)
    calls = spy(paused).calls[before:]
    assert (method, args, {}) in calls, calls


def test_speed_keys_follow_mpv(qtbot: QtBot, paused: MainWindow) -> None:
    press(qtbot, paused, K.Key_BracketRight)
    press(qtbot, paused, K.Key_BracketRight)
    assert abs(paused.player.speed - 1.21) < 1e-6
    assert paused.transport.speed_button.text() == "1.21×"
    for _ in range(30):
        press(qtbot, paused, K.Key_BracketLeft)
    assert paused.player.speed == 0.25
    press(qtbot, paused, K.Key_Backspace)
    assert paused.player.speed == 1.0


def test_stats_overlay_toggles_with_i(qtbot: QtBot, paused: MainWindow) -> None:
    press(qtbot, paused, K.Key_I)
    assert paused.overlay.isVisible()
    text = paused.overlay.text()
    for needle in ("Renderer", "software", "h264", "320×240", "Protocol"):
        assert needle in text
    press(qtbot, paused, K.Key_I)
    assert not paused.overlay.isVisible()


def test_always_on_top(qtbot: QtBot, paused: MainWindow) -> None:
    press(qtbot, paused, K.Key_T, Qt.KeyboardModifier.ShiftModifier)
    assert paused.modes.always_on_top
    qtbot.waitExposed(paused)
    # no window manager re-activates the re-created window: the key reaches it directly
    press(qtbot, paused, K.Key_T, Qt.KeyboardModifier.ShiftModifier)
    assert not paused.modes.always_on_top


@pytest.mark.parametrize(("key", "mod"), [(K.Key_F1, NO), (K.Key_Question, NO)])
def test_help_lists_every_key(
    qtbot: QtBot, paused: MainWindow, key: Qt.Key, mod: Qt.KeyboardModifier
) -> None:
    press(qtbot, paused, key, mod)
    dialog = paused.findChild(QDialog, "helpDialog")
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert len(help_rows()) == len(SHORTCUTS)
    dialog.reject()


def test_open_file_dialog_with_ctrl_o(qtbot: QtBot, paused: MainWindow, media2: Path) -> None:
    opened: list[bool] = []

    def choose() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, choose)
            return
        opened.append(True)
        dialog.selectFile(str(media2))
        dialog.accept()

    QTimer.singleShot(0, choose)
    press(qtbot, paused, K.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert opened
    qtbot.waitUntil(lambda: paused.current_url == str(media2), timeout=TIMEOUT_MS)


def test_q_quits(qtbot: QtBot, paused: MainWindow) -> None:
    press(qtbot, paused, K.Key_Q)
    qtbot.waitUntil(lambda: not paused.isVisible(), timeout=TIMEOUT_MS)
    assert "close" in spy(paused).names()
