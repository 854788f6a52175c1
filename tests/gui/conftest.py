"""Fixtures for the desktop window: a real Player (audio off), a temporary
settings file and screenshot folder, short media from tests/support/media."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from player import Player
from player.config import DEFAULT_CONFIG, AudioConfig, PlayerConfig
from player.events import PlayerState
from tests.support.media import make_av_file
from tests.support.session_bus import private_session_bus
from ui.main_window import MainWindow
from ui.settings import Settings

TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gui)


@pytest.fixture(scope="session", autouse=True)
def _private_session_bus() -> Iterator[str]:
    """MPRIS and the screen saver talk to a bus of the tests' own, set before
    the first QDBusConnection is made (Qt keeps the session connection)."""
    with private_session_bus() as address:
        previous = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = address
        yield address
        if previous is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = previous


@pytest.fixture(autouse=True)
def _collector_back() -> Iterator[None]:
    """A window turns automatic collection off (ui.gc_guard); the tests
    after this one may have no window to collect for them."""
    yield
    from ui import gc_guard

    gc_guard.uninstall()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        pytest.skip("no display (run under xvfb-run)")
    monkeypatch.setenv("HEUREUM_RENDERER", "software")
    monkeypatch.setenv("HEUREUM_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("HEUREUM_SCREENSHOT_DIR", str(tmp_path / "shots"))


@pytest.fixture(autouse=True)
def _no_qt_warnings(qtlog: Any) -> Iterator[None]:
    """Qt must not complain (layout, painter, GL, thread warnings)."""
    yield
    from PySide6.QtCore import QtMsgType

    bad = [r.message for r in qtlog.records if r.type != QtMsgType.QtDebugMsg]
    bad = [m for m in bad if "propagateSizeHints" not in m]  # Xvfb without a WM
    assert not bad, f"Qt warnings: {bad}"


@pytest.fixture(scope="session")
def media() -> Path:
    """12 s of 320x240 30 fps H.264 + AAC with the frame number drawn in it."""
    return make_av_file(seconds=12.0, width=320, height=240, fps=30)


@pytest.fixture(scope="session")
def media2() -> Path:
    return make_av_file(seconds=3.0, width=256, height=144, fps=25)


class SpyPlayer:
    """The real Player, with every method call recorded as (name, args, kwargs)."""

    def __init__(self, real: Player) -> None:
        self._real = real
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._real, name)
        if not callable(attr):
            return attr

        def record(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, args, kwargs))
            return attr(*args, **kwargs)

        return record

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

    def last(self, name: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
        for n, args, kwargs in reversed(self.calls):
            if n == name:
                return args, kwargs
        raise AssertionError(f"{name} was not called; calls: {self.names()}")


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path) -> Iterator[Callable[..., MainWindow]]:
    windows: list[MainWindow] = []

    def make(resize: bool = True, config: PlayerConfig | None = None) -> MainWindow:
        base = config or DEFAULT_CONFIG
        real = Player(replace(base, audio=AudioConfig(enabled=False)))
        spy = SpyPlayer(real)
        window = MainWindow(spy, Settings(), renderer="software")
        qtbot.addWidget(window)
        if resize:
            window.resize(800, 560)
        window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=TIMEOUT_MS)
        windows.append(window)
        return window

    yield make
    for w in windows:
        w.close()


@pytest.fixture
def window(make_window: Callable[..., MainWindow]) -> MainWindow:
    return make_window()


def spy(window: MainWindow) -> SpyPlayer:
    p = window.player
    assert isinstance(p, SpyPlayer)
    return p


def wait_state(qtbot: QtBot, window: MainWindow, *states: PlayerState) -> None:
    qtbot.waitUntil(lambda: window.state in states, timeout=TIMEOUT_MS)


def wait_playing(qtbot: QtBot, window: MainWindow, min_frames: int = 3) -> None:
    start = window.view.painted
    wait_state(qtbot, window, PlayerState.PLAYING)
    qtbot.waitUntil(lambda: window.view.painted >= start + min_frames, timeout=TIMEOUT_MS)


def press(
    qtbot: QtBot, widget: QWidget, key: Qt.Key, mod: Qt.KeyboardModifier | None = None
) -> None:
    qtbot.keyClick(widget, key, mod or Qt.KeyboardModifier.NoModifier)


def drop_on(window: MainWindow, mime: QMimeData) -> None:
    pos = QPointF(window.width() / 2, window.height() / 2)
    action = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(
        pos.toPoint(), action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(pos, action, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
