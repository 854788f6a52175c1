"""The window keeps the headless contract: ``--duration`` stops it and
``--report`` is written, complete and valid, however it ends (the duration,
SIGTERM, SIGINT), for the player window and the compare window alike. Each
test runs ``heureum`` as a process on the test's display."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from player.metrics import REPORT_SCHEMA
from tests.support.media import make_av_file
from tests.support.servers import wait_until
from ui.compare_window import CompareWindow
from ui.main_window import MainWindow

TIMEOUT = 60.0


@pytest.fixture(scope="module")
def long_media() -> Path:
    """Long enough that only a signal ends the run."""
    return make_av_file(seconds=40.0, width=320, height=240, fps=25)


def _heureum(*args: str) -> subprocess.Popen[str]:
    env = dict(os.environ, HEUREUM_RENDERER="software")
    return subprocess.Popen(
        [sys.executable, "-m", "player.cli", "--no-audio", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _window_shown(title: str) -> Callable[[], bool]:
    def shown() -> bool:
        found = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--name", title],
            capture_output=True,
            text=True,
            timeout=10,
        )
        return bool(found.stdout.strip())

    return shown


def test_the_window_stops_at_the_duration_and_writes_the_report(
    media: Path, tmp_path: Path
) -> None:
    report = tmp_path / "window.json"
    proc = _heureum(str(media), "--duration", "3", "--report", str(report))
    _out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err
    data = json.loads(report.read_text())
    assert data["schema"] == REPORT_SCHEMA
    assert data["frames"]["presented"] > 30
    # stopped at the duration (the window's own start-up comes first), not at
    # the end of the 12 s file
    assert 2.0 <= data["session_seconds"] <= 6.0, data["session_seconds"]
    assert data["state"] in ("playing", "buffering")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_closes_the_window_and_writes_the_report(
    long_media: Path, tmp_path: Path, sig: int, code: int
) -> None:
    report = tmp_path / "signalled.json"
    proc = _heureum(str(long_media), "--report", str(report))
    try:
        # the title names the media once it is open
        wait_until(_window_shown(long_media.stem), TIMEOUT, what="the player window")
        proc.send_signal(sig)
        _out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err
    data = json.loads(report.read_text())
    assert data["schema"] == REPORT_SCHEMA
    assert data["url"].endswith(long_media.name)
    assert isinstance(data["frames"]["presented"], int)
    assert "Traceback" not in err


def test_the_compare_window_honours_duration_and_report(
    media: Path, media2: Path, tmp_path: Path
) -> None:
    report = tmp_path / "compare.json"
    proc = _heureum(
        "--compare", str(media), str(media2), "--duration", "3", "--report", str(report)
    )
    _out, err = proc.communicate(timeout=TIMEOUT)
    assert proc.returncode == 0, err
    data = json.loads(report.read_text())
    assert [s["compare"]["played"] for s in data["streams"]] == [True, True]
    assert all(s["schema"] == REPORT_SCHEMA for s in data["streams"])
    assert data["comparison"]["all_played"] is True


def test_sigterm_closes_the_compare_window_with_its_report(
    long_media: Path, media2: Path, tmp_path: Path
) -> None:
    report = tmp_path / "compare-term.json"
    proc = _heureum("--compare", str(long_media), str(media2), "--report", str(report))
    try:
        wait_until(_window_shown("Heureum — compare"), TIMEOUT, what="the compare window")
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 143, err
    data = json.loads(report.read_text())
    assert len(data["streams"]) == 2
    assert "table" in data["comparison"]


def test_file_menu_opens_the_compare_window(
    window: MainWindow, qtbot: QtBot, media: Path, media2: Path
) -> None:
    assert window.menus.compare_action in window.menus.file_menu.actions()
    assert window.menus.compare_action.text() == "Compare streams…"
    opened = window.opener.open_compare([str(media), str(media2)])
    assert isinstance(opened, CompareWindow)
    try:
        qtbot.waitUntil(lambda: all(t.view.painted >= 5 for t in opened.tiles), timeout=20_000)
        # what the main window played is paused while the comparison runs
        assert window.player.names().count("pause") >= 1  # type: ignore[attr-defined]
    finally:
        opened.close()  # deletes itself (WA_DeleteOnClose) once the loop runs
    result = opened.result
    assert result is not None and result["comparison"]["all_played"] is True
