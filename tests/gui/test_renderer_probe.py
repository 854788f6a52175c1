"""The view left to choose its renderer shows first and probes OpenGL after
(the probe makes a GL context: start-up time), then keeps or swaps; in a
window that opens something as it starts, after the first picture."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

import ui.app
from player.config import DEFAULT_CONFIG, AudioConfig
from tests.gui.conftest import TIMEOUT_MS
from ui import video_view
from ui.main_window import MainWindow
from ui.render_image import ImageRenderer
from ui.video_view import VideoView, choose_renderer

PENDING = "until OpenGL is probed"


def _view(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, calls: list[str]) -> VideoView:
    monkeypatch.delenv("HEUREUM_RENDERER", raising=False)
    real = video_view.choose_renderer

    def counted() -> tuple[str, str]:
        calls.append("probe")
        return real()

    monkeypatch.setattr(video_view, "choose_renderer", counted)
    view = VideoView()
    qtbot.addWidget(view)
    return view


def test_the_probe_waits_for_the_first_show(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    view = _view(qtbot, monkeypatch, calls)
    assert calls == []  # nothing probed while the window is being built
    assert isinstance(view.render_widget, ImageRenderer)
    assert view.renderer_reason == PENDING
    view.resize(320, 180)
    view.show()
    qtbot.waitUntil(lambda: view.renderer_reason != PENDING, timeout=TIMEOUT_MS)
    assert calls == ["probe"]
    kind, why = choose_renderer()  # what the probe says on this machine
    assert view.renderer_reason == why
    assert view.renderer_name.startswith(kind)
    view.hide()
    view.show()
    qtbot.wait(20)
    assert calls == ["probe"]  # once


def test_a_probe_that_picks_opengl_swaps_the_renderer(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    view = _view(qtbot, monkeypatch, calls)
    monkeypatch.setattr(video_view, "choose_renderer", lambda: ("opengl", "a test's choice"))
    first = view.render_widget
    view.resize(320, 180)
    view.show()
    qtbot.waitUntil(lambda: view.renderer_reason == "a test's choice", timeout=TIMEOUT_MS)
    assert view.renderer_name.startswith("opengl")
    assert view.render_widget is not first
    assert view.render_widget.parent() is view
    assert view.render_widget.isVisible()


def test_a_window_that_opens_a_file_probes_once_its_first_picture_is_on_screen(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, media: Path, tmp_path: Path
) -> None:
    """The probe's GL context holds the interpreter: made while the engine
    opens the file, it held back the first picture."""
    monkeypatch.delenv("HEUREUM_RENDERER", raising=False)
    painted_at_probe: list[int] = []
    windows: list[MainWindow] = []

    def probe() -> tuple[str, str]:
        painted_at_probe.append(windows[0].view.painted)
        return "software", "a test's choice"

    monkeypatch.setattr(video_view, "choose_renderer", probe)
    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    window = ui.app.create_window([str(media)], {"settings_path": str(tmp_path / "s.ini")}, config)
    windows.append(window)
    qtbot.addWidget(window)
    try:
        assert window.view.renderer_reason == PENDING
        qtbot.waitUntil(lambda: window.view.renderer_reason != PENDING, timeout=TIMEOUT_MS)
        assert painted_at_probe == [painted_at_probe[0]] and painted_at_probe[0] >= 1
        assert window.view.renderer_reason == "a test's choice"
    finally:
        window.close()
