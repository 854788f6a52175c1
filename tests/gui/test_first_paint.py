"""The window paints before it opens (issue 13): the first open imports the
engine (PyAV) on the GUI thread, which left the mapped window blank for a
quarter of a second. Now the window, its controls and "Opening <title>…"
are painted first; the open (and with it the engine) comes after."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

import ui.app
from player import Player
from player.config import DEFAULT_CONFIG, AudioConfig, OpenOptions
from tests.gui.conftest import TIMEOUT_MS
from ui import first_paint, video_view
from ui.first_paint import after_first_paint
from ui.main_window import MainWindow
from ui.video_view import VideoView


class _Paints(QObject):
    """Paint events the application delivers, by the widget's class name."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget):
            self.seen.append(type(watched).__name__)
        return False


@pytest.fixture
def paints() -> Iterator[_Paints]:
    app = QApplication.instance()
    assert app is not None
    counter = _Paints()
    app.installEventFilter(counter)
    yield counter
    app.removeEventFilter(counter)


def test_the_window_is_painted_with_the_opening_notice_before_the_engine_opens(
    qtbot: QtBot, tmp_path: Path, media: Path, paints: _Paints, monkeypatch: pytest.MonkeyPatch
) -> None:
    at_open: list[tuple[list[str], str, bool]] = []
    windows: list[MainWindow] = []
    real_open = Player.open

    def spy(self: Player, url: str, options: OpenOptions | None = None) -> None:
        osd = windows[0].osd
        at_open.append((list(paints.seen), osd.text(), osd.isVisible()))
        real_open(self, url, options)

    monkeypatch.setattr(Player, "open", spy)
    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    window = ui.app.create_window([str(media)], {"settings_path": str(tmp_path / "s.ini")}, config)
    windows.append(window)
    qtbot.addWidget(window)
    try:
        assert at_open == []  # create_window returned without opening
        assert window.windowTitle() == f"{media.name} — Heureum"
        qtbot.waitUntil(lambda: bool(at_open), timeout=TIMEOUT_MS)
        painted, text, visible = at_open[0]
        # the window, its controls and the notice reached the screen first
        for part in ("MainWindow", "TransportBar", "Osd"):
            assert part in painted, painted
        assert (text, visible) == (f"Opening {media.name}…", True)
        # then it plays, and the notice is gone
        qtbot.waitUntil(lambda: window.view.painted > 0, timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: not window.osd.isVisible(), timeout=TIMEOUT_MS)
        assert window.current_url == str(media) and len(at_open) == 1
    finally:
        window.close()


def test_an_open_that_fails_at_once_takes_the_notice_away(qtbot: QtBot, tmp_path: Path) -> None:
    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    missing = tmp_path / "missing.mp4"
    window = ui.app.create_window(
        [str(missing)], {"settings_path": str(tmp_path / "s.ini")}, config
    )
    qtbot.addWidget(window)
    try:
        assert window.osd.text() == "Opening missing.mp4…"
        qtbot.waitUntil(lambda: window.messages.level == "error", timeout=TIMEOUT_MS)
        qtbot.waitUntil(lambda: not window.osd.isVisible(), timeout=TIMEOUT_MS)
        assert window.osd.text() == "Opening missing.mp4…"  # hidden, not replaced
    finally:
        window.close()


def test_a_window_never_painted_opens_after_the_fallback_once(qtbot: QtBot) -> None:
    widget = QWidget()  # never shown: no paint will come
    qtbot.addWidget(widget)
    ran: list[int] = []
    after_first_paint(widget, lambda: ran.append(1), fallback_ms=50)
    qtbot.waitUntil(lambda: bool(ran), timeout=TIMEOUT_MS)
    widget.show()
    qtbot.waitExposed(widget)
    widget.repaint()
    # a second run would be a zero-timer started in that paint: it fires before this one
    later: list[int] = []
    QTimer.singleShot(0, lambda: later.append(1))
    qtbot.waitUntil(lambda: bool(later), timeout=TIMEOUT_MS)
    assert ran == [1]


def test_the_work_runs_after_the_paint_and_not_during_it(qtbot: QtBot, paints: _Paints) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    seen_at_run: list[int] = []
    after_first_paint(
        widget, lambda: seen_at_run.append(paints.seen.count("QWidget")), fallback_ms=60_000
    )
    widget.show()
    qtbot.waitUntil(lambda: bool(seen_at_run), timeout=TIMEOUT_MS)
    assert seen_at_run[0] >= 1  # the paint came first (the fallback is a minute away)


def test_the_renderer_probe_waits_for_the_windows_first_paint(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, paints: _Paints
) -> None:
    monkeypatch.delenv("HEUREUM_RENDERER", raising=False)  # left to choose: it probes
    painted_at_probe: list[list[str]] = []

    def probe() -> tuple[str, str]:
        painted_at_probe.append(list(paints.seen))
        return "software", "a test's choice"

    monkeypatch.setattr(video_view, "choose_renderer", probe)
    monkeypatch.setattr(first_paint, "FALLBACK_MS", 60_000)  # the paint, not the fallback
    view = VideoView()
    qtbot.addWidget(view)
    view.resize(320, 180)
    view.show()
    qtbot.waitUntil(lambda: view.renderer_reason == "a test's choice", timeout=TIMEOUT_MS)
    # the view's picture area (its only visible part) was on screen first
    assert len(painted_at_probe) == 1 and "ImageRenderer" in painted_at_probe[0]


_FRESH = r"""
import json, sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
seen = {}
class Paints(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and type(watched).__name__ == "MainWindow":
            seen.setdefault("engine", "player.engine" in sys.modules)
            seen.setdefault("av", "av" in sys.modules)
        return False
paints = Paints()
app.installEventFilter(paints)
from dataclasses import replace
from player.config import DEFAULT_CONFIG, AudioConfig
from ui.app import create_window
config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
window = create_window([sys.argv[1]], {"settings_path": sys.argv[2]}, config)
def first_frame():
    seen["first_frame"] = True
    app.quit()
window.view.firstFrame.connect(first_frame)
QTimer.singleShot(20_000, app.quit)  # the parent's assertion says what did not come
app.exec()
window.close()
print(json.dumps(seen))
"""


def test_a_fresh_window_paints_before_the_engine_and_pyav_are_imported(
    tmp_path: Path, media: Path
) -> None:
    env = dict(os.environ)
    env.pop("HEUREUM_RENDERER", None)  # as a user starts it: the probe comes after the paint
    result = subprocess.run(
        [sys.executable, "-c", _FRESH, str(media), str(tmp_path / "s.ini")],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {"engine": False, "av": False, "first_frame": True}


def test_a_window_on_screen_already_runs_the_work_at_once(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(first_paint, "FALLBACK_MS", 60_000)  # not the fallback either
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    ran: list[int] = []
    after_first_paint(widget, lambda: ran.append(1))
    assert ran == []  # from a zero-timer, never inside the caller
    qtbot.waitUntil(lambda: bool(ran), timeout=TIMEOUT_MS)
    assert ran == [1]


def test_a_demo_ready_at_once_opens_after_the_first_paint(
    qtbot: QtBot, tmp_path: Path, media: Path, paints: _Paints, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lab.demo

    monkeypatch.setattr(lab.demo, "ensure_demo", lambda _progress: str(media))  # made before
    painted_at_open: list[list[str]] = []
    real_open = Player.open

    def spy(self: Player, url: str, options: OpenOptions | None = None) -> None:
        painted_at_open.append(list(paints.seen))
        real_open(self, url, options)

    monkeypatch.setattr(Player, "open", spy)
    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    window = ui.app.create_window([], {"settings_path": str(tmp_path / "s.ini")}, config)
    qtbot.addWidget(window)
    try:
        qtbot.waitUntil(lambda: window.current_url == str(media), timeout=TIMEOUT_MS)
        assert len(painted_at_open) == 1
        assert "MainWindow" in painted_at_open[0] and "TransportBar" in painted_at_open[0]
    finally:
        window.close()


def test_the_opening_notice_speaks_the_windows_language(qtbot: QtBot, tmp_path: Path) -> None:
    from ui.i18n import install_language

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    missing = tmp_path / "missing.mp4"  # what opens does not matter: the notice does
    try:
        window = ui.app.create_window(
            [str(missing)], {"settings_path": str(tmp_path / "s.ini"), "language": "ko"}, config
        )
        qtbot.addWidget(window)
        assert window.osd.text() == "missing.mp4 여는 중…"
        window.close()
    finally:
        install_language(app, "en")
