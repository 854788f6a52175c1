"""The OpenGL probe's software verdict is kept between starts (issue 13): the
next start on the same display skips the probe (its GL context held the
interpreter between the first paint and the first picture), the window's
close probes again for the start after; an OpenGL verdict is never kept."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from player import Player
from player.config import DEFAULT_CONFIG, AudioConfig
from tests.gui.conftest import TIMEOUT_MS
from ui import video_view
from ui.main_window import MainWindow
from ui.probe_memory import ProbeMemory
from ui.render_image import ImageRenderer
from ui.settings import Settings
from ui.video_view import VideoView

PENDING = "until OpenGL is probed"
SOFTWARE = ("software", "OpenGL is software-rendered (llvmpipe, a test's)")


class _Probes:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, verdict: tuple[str, str]) -> None:
        self.calls = 0
        self.verdict = verdict
        monkeypatch.delenv("HEUREUM_RENDERER", raising=False)
        monkeypatch.setattr(video_view, "choose_renderer", self)

    def __call__(self) -> tuple[str, str]:
        self.calls += 1
        return self.verdict


def _shown(qtbot: QtBot, memory: ProbeMemory) -> VideoView:
    view = VideoView()
    qtbot.addWidget(view)
    view.remember_probe(memory)
    view.resize(320, 180)
    view.show()
    qtbot.waitUntil(lambda: view.renderer_reason != PENDING, timeout=TIMEOUT_MS)
    return view


def test_a_software_verdict_is_kept_and_the_next_start_skips_the_probe(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    probes = _Probes(monkeypatch, SOFTWARE)
    settings = Settings(str(tmp_path / "s.ini"))
    first = _shown(qtbot, ProbeMemory(settings))
    assert probes.calls == 1 and first.renderer_reason == SOFTWARE[1]
    first.probe_again()
    assert probes.calls == 1  # this start probed: nothing to refresh
    settings.sync()
    # the next start, its settings read from the file again
    again = ProbeMemory(Settings(str(tmp_path / "s.ini")))
    assert again.recall() == SOFTWARE[1]
    second = _shown(qtbot, again)
    assert probes.calls == 1  # not probed before the first picture
    assert isinstance(second.render_widget, ImageRenderer)
    assert second.renderer_reason == f"{SOFTWARE[1]}, as probed before"
    # the close probes for the next start: now OpenGL works, nothing is kept
    probes.verdict = ("opengl", "a new driver")
    second.probe_again()
    assert probes.calls == 2
    assert isinstance(second.render_widget, ImageRenderer)  # nothing changed on screen
    assert again.recall() is None
    second.probe_again()
    assert probes.calls == 2  # once


def test_an_opengl_verdict_is_not_kept(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    probes = _Probes(monkeypatch, ("opengl", "a real GPU"))
    memory = ProbeMemory(Settings(str(tmp_path / "s.ini")))
    memory.learn(SOFTWARE)  # what an earlier start found
    monkeypatch.setenv("DISPLAY", ":4242")  # but this start is on another display
    assert memory.recall() is None
    view = _shown(qtbot, memory)
    assert probes.calls == 1
    assert view.renderer_name.startswith("opengl")
    assert memory.recall() is None
    monkeypatch.setenv("DISPLAY", ":4243")
    memory.learn(SOFTWARE)
    assert memory.recall() == SOFTWARE[1]
    monkeypatch.setenv("DISPLAY", ":4244")
    assert memory.recall() is None  # kept for its own display only


def _window(qtbot: QtBot) -> MainWindow:
    player = Player(replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False)))
    window = MainWindow(player, Settings(), renderer=None)  # left to choose: it probes
    qtbot.addWidget(window)
    window.resize(640, 400)
    window.show()
    qtbot.waitUntil(lambda: window.view.renderer_reason != PENDING, timeout=TIMEOUT_MS)
    return window


def test_the_window_keeps_the_verdict_and_probes_again_as_it_closes(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    probes = _Probes(monkeypatch, SOFTWARE)
    first = _window(qtbot)
    assert probes.calls == 1
    first.close()  # settings written
    assert probes.calls == 1
    second = _window(qtbot)
    assert probes.calls == 1 and second.view.renderer_reason.endswith("as probed before")
    second.close()
    assert probes.calls == 2  # for the next start
    assert ProbeMemory(Settings()).recall() == SOFTWARE[1]
