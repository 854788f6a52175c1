"""Settings → Video → Hardware decoding in the window: offered only where
PyAV reports this platform's device type (the list injected), saved in the
settings, passed with every open, and a device that cannot decode shows one
warning while the video plays in software."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import player.hwdec as hwdec
from player.config import OpenOptions
from tests.gui.conftest import TIMEOUT_MS, spy, wait_playing
from ui.main_window import MainWindow


def _report_devices(monkeypatch: pytest.MonkeyPatch, devices: tuple[str, ...]) -> None:
    monkeypatch.setattr(hwdec, "available_devices", lambda: devices)
    monkeypatch.setitem(hwdec._PLATFORM_DEVICES, sys.platform, ("vaapi",))


def test_offered_where_reported_saved_and_used_for_every_open(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _report_devices(monkeypatch, ("vaapi", "drm"))
    window = make_window()
    menu = window.menus.video_settings_menu
    assert menu.menuAction() in window.menus.settings_menu.actions()
    assert (menu.title(), window.hwdec_action.text()) == ("Video", "Hardware decoding")
    menu.aboutToShow.emit()
    assert window.hwdec_action.isEnabled() and not window.hwdec_action.isChecked()
    window.hwdec_action.trigger()
    assert window.settings.hwdec is True
    window.open_url(str(media))
    wait_playing(qtbot, window, min_frames=3)
    (_, options), _ = spy(window).last("open")
    assert isinstance(options, OpenOptions) and options.hwdec == "auto"
    # no VAAPI to decode on here: software, and the user is told once
    qtbot.waitUntil(lambda: "Hardware decoding" in window.messages.label.text(), timeout=TIMEOUT_MS)
    painted = window.view.painted
    qtbot.waitUntil(lambda: window.view.painted >= painted + 10, timeout=TIMEOUT_MS)
    window.close()
    again = make_window(resize=False)
    assert again.hwdec_action.isChecked()  # saved


def test_not_offered_without_the_device_and_a_stale_choice_is_dropped(
    make_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> None:
    _report_devices(monkeypatch, ("cuda", "qsv", "drm"))  # what PyAV's wheel has here
    first = make_window()
    first.settings.hwdec = True  # chosen on a machine that had VAAPI
    first.close()
    window = make_window()
    assert window.hwdec_action.isChecked()
    window.menus.video_settings_menu.aboutToShow.emit()
    assert not window.hwdec_action.isEnabled()
    assert not window.hwdec_action.isChecked() and window.settings.hwdec is False
    assert window.settings.open_options().hwdec is None
