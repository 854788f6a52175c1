"""Volume, mute and speed are the Player's: the window keeps no copy. A
change made on the Player itself (MPRIS, a script) is what the next key
starts from, and the transport bar, the menus and the settings show what the
Player holds, also when it refused a change."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from player.config import DEFAULT_CONFIG, AudioConfig
from ui.app import create_window
from ui.main_window import MainWindow

from .conftest import press, spy

K = Qt.Key


def test_volume_keys_start_from_the_players_volume(qtbot: QtBot, window: MainWindow) -> None:
    window.player.set_volume(0.5)  # not through the window
    press(qtbot, window, K.Key_0)
    assert spy(window).last("set_volume") == ((0.52,), {})
    assert window.player.volume == 0.52
    assert window.transport.volume_slider.value() == 52
    assert window.settings.volume == 0.52
    assert window.osd.text().endswith("52%")


def test_mute_toggles_what_the_player_holds(qtbot: QtBot, window: MainWindow) -> None:
    window.player.set_muted(True)  # not through the window
    press(qtbot, window, K.Key_M)
    assert spy(window).last("set_muted") == ((False,), {})
    assert window.player.muted is False
    assert not window.actions_by_name["mute"].isChecked()
    assert window.settings.muted is False


def test_speed_keys_start_from_the_players_speed(qtbot: QtBot, window: MainWindow) -> None:
    window.player.set_speed(2.0)  # not through the window
    press(qtbot, window, K.Key_BracketRight)
    assert spy(window).last("set_speed") == ((2.2,), {})
    assert window.transport.speed_button.text() == "2.2×"
    checked = [a.data() for a in window.menus.speed_menu.actions() if a.isChecked()]
    assert checked == []  # 2.2 is none of the menu's speeds
    press(qtbot, window, K.Key_Backspace)
    checked = [a.data() for a in window.menus.speed_menu.actions() if a.isChecked()]
    assert checked == [1.0] and window.player.speed == 1.0


def test_a_refused_volume_shows_what_the_player_kept(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    window.player.set_volume(0.4)

    def refuse(volume: float) -> None:
        raise RuntimeError("the output device is gone")

    monkeypatch.setattr(spy(window)._real, "set_volume", refuse)
    press(qtbot, window, K.Key_0)
    assert window.messages.level == "error"
    assert "the output device is gone" in window.messages.label.text()
    assert window.player.volume == 0.4
    assert window.transport.volume_slider.value() == 40  # not the 42 it asked for


def test_the_command_lines_volume_is_for_this_run_only(qtbot: QtBot, window: MainWindow) -> None:
    window.settings.volume = 0.8
    window.levels.start_at(0.3)  # heureum --volume 30
    assert window.player.volume == 0.3
    assert window.transport.volume_slider.value() == 30
    window.levels.save()
    assert window.settings.volume == 0.8  # what the user chose before stays
    press(qtbot, window, K.Key_0)  # the user's own change is kept
    window.levels.save()
    assert window.settings.volume == 0.32


def test_heureum_volume_reaches_the_window(qtbot: QtBot, tmp_path: Path, av_file: Path) -> None:
    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    settings_path = tmp_path / "settings.ini"
    window = create_window(
        [str(av_file)], {"volume": 0.45, "settings_path": str(settings_path)}, config
    )
    qtbot.addWidget(window)
    try:
        assert window.player.volume == 0.45
        assert window.transport.volume_slider.value() == 45
    finally:
        window.close()
