"""Help → About shows the versions, the licences and the log file; Help has
an entry that opens the log folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from player.versions import components
from ui.about import AboutDialog
from ui.app_icon import app_icon
from ui.main_window import MainWindow
from ui.qt_version import qt_component


def test_about_lists_versions_licences_and_the_log_file(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HEUREUM_LOG_DIR", str(tmp_path / "logs"))
    assert window.menus.about_action in window.menus.help_menu.actions()
    window.menus.about_action.trigger()
    dialog = window.menus.about_dialog
    assert isinstance(dialog, AboutDialog)
    qtbot.waitExposed(dialog)
    text = dialog.summary.text()
    for part in components(qt_component()):
        assert part.name in text and part.version.split(" (")[0] in text, part
    assert "GNU GPL version 3" in text
    assert str(tmp_path / "logs" / "heureum.log") in text
    assert "x265" in dialog.notices.toPlainText()
    dialog.close()


def test_help_has_open_log_folder_and_the_window_has_our_icon(window: MainWindow) -> None:
    assert window.menus.open_log_action in window.menus.help_menu.actions()
    assert window.menus.open_log_action.text()
    icon = app_icon()
    assert {s.width() for s in icon.availableSizes()} >= {16, 32, 48, 256}
    pixmap = icon.pixmap(64, 64)
    assert not pixmap.isNull() and pixmap.toImage().pixelColor(32, 32).alpha() == 255
    assert QGuiApplication.instance() is not None
