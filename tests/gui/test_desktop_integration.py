"""The window on the desktop's bus: MPRIS answers the shell's calls and
reports what plays; the screen saver is held while video plays."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from player.events import PlayerState
from tests.gui.conftest import TIMEOUT_MS, wait_playing, wait_state
from tests.support.session_bus import LineReader, screensaver_service
from ui.main_window import MainWindow

DEST = "org.mpris.MediaPlayer2.heureum"


def _dbus_send(qtbot: QtBot, *args: str) -> str:
    """dbus-send as the shell would, while the GUI thread keeps answering."""
    tool = shutil.which("dbus-send")
    assert tool is not None, "dbus-send is missing (apt-get install dbus-bin)"
    proc = subprocess.Popen(
        [tool, "--session", "--print-reply", f"--dest={DEST}", "/org/mpris/MediaPlayer2", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=TIMEOUT_MS)
    finally:
        if proc.poll() is None:
            proc.kill()
    out, err = proc.communicate()
    assert proc.returncode == 0, err
    return out


def _get(qtbot: QtBot, name: str) -> str:
    return _dbus_send(
        qtbot,
        "org.freedesktop.DBus.Properties.Get",
        "string:org.mpris.MediaPlayer2.Player",
        f"string:{name}",
    )


def test_mpris_reports_and_controls_playback(
    qtbot: QtBot, window: MainWindow, media: Path, media2: Path, tmp_path: Path
) -> None:
    mpris = window.desktop.mpris
    assert mpris is not None
    qtbot.waitUntil(lambda: mpris.service == DEST, timeout=TIMEOUT_MS)  # the bus thread
    monitor = subprocess.Popen(
        ["dbus-monitor", "--session", "member='PropertiesChanged'"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        changes = LineReader(monitor)
        m3u = tmp_path / "list.m3u"
        m3u.write_text(f"#EXTM3U\n#EXTINF:12,First clip\n{media}\n{media2}\n", encoding="utf-8")
        window.open_url(str(m3u))
        wait_playing(qtbot, window)
        assert 'string "Playing"' in _get(qtbot, "PlaybackStatus")
        meta = _get(qtbot, "Metadata")
        assert 'string "First clip"' in meta and 'string "mpris:length"' in meta
        # the spec's types: the length (12 s, in microseconds) as int64, the id a path
        assert re.search(r"variant\s+int64 12000000\n", meta), meta
        assert re.search(r"variant\s+object path \"/org/heureum/track/0\"", meta), meta
        assert str(media) not in meta  # the shell gets the title, never the URL
        assert "boolean true" in _get(qtbot, "CanGoNext")
        assert re.search(r"variant\s+int64 \d+", _get(qtbot, "Position"))
        every = _dbus_send(
            qtbot, "org.freedesktop.DBus.Properties.GetAll", "string:org.mpris.MediaPlayer2.Player"
        )
        assert re.search(r'string "Position"\s+variant\s+int64 \d+', every), every
        assert re.search(r'string "PlaybackStatus"\s+variant\s+string "Playing"', every)
        _dbus_send(
            qtbot,
            "org.freedesktop.DBus.Properties.Set",
            "string:org.mpris.MediaPlayer2.Player",
            "string:Volume",
            "variant:double:0.5",
        )
        qtbot.waitUntil(lambda: abs(window.player.volume - 0.5) < 1e-9, timeout=TIMEOUT_MS)
        _dbus_send(qtbot, "org.mpris.MediaPlayer2.Player.PlayPause")
        wait_state(qtbot, window, PlayerState.PAUSED)
        qtbot.waitUntil(
            lambda: any('"Paused"' in line for line in changes.lines), timeout=TIMEOUT_MS
        )
        _dbus_send(qtbot, "org.mpris.MediaPlayer2.Player.Next")
        qtbot.waitUntil(lambda: window.current_url == str(media2), timeout=TIMEOUT_MS)
        assert "boolean false" in _get(qtbot, "CanGoNext")
    finally:
        monitor.terminate()
        monitor.wait(timeout=10)
        changes.close()


def test_the_screen_saver_waits_while_video_plays(
    qtbot: QtBot, window: MainWindow, media: Path
) -> None:
    with screensaver_service(dict(os.environ)) as saver:
        qtbot.waitUntil(lambda: bool(saver.lines), timeout=TIMEOUT_MS)
        assert saver.lines[0] == "ready"
        window.open_url(str(media))
        wait_playing(qtbot, window)
        qtbot.waitUntil(lambda: bool(saver.seen("Inhibit")), timeout=TIMEOUT_MS)
        assert saver.seen("Inhibit") == ["Inhibit 'Heureum' 'Playing video' -> 1"]
        awake = window.desktop.awake
        assert awake.held
        window.toggle_pause()
        wait_state(qtbot, window, PlayerState.PAUSED)
        qtbot.waitUntil(lambda: saver.seen("UnInhibit") == ["UnInhibit 1"], timeout=TIMEOUT_MS)
        assert not window.desktop.awake.held
        window.toggle_pause()
        qtbot.waitUntil(lambda: len(saver.seen("Inhibit")) == 2, timeout=TIMEOUT_MS)
        window.close()
        qtbot.waitUntil(lambda: len(saver.seen("UnInhibit")) == 2, timeout=TIMEOUT_MS)


def test_each_platform_gets_its_backend() -> None:
    from ui.screen_awake import (
        FreedesktopScreenSaver,
        MacPowerAssertion,
        WindowsExecutionState,
        screen_awake,
    )

    assert isinstance(screen_awake("linux"), FreedesktopScreenSaver)
    assert isinstance(screen_awake("win32"), WindowsExecutionState)
    assert isinstance(screen_awake("darwin"), MacPowerAssertion)
    other = screen_awake("plan9")
    other.hold()
    assert not other.held  # nothing to hold there, and no error
    # Without ctypes.windll (here), Windows' backend declines quietly.
    windows = screen_awake("win32")
    windows.hold()
    assert not windows.held


def test_a_second_window_takes_the_per_instance_name_and_both_let_go(
    qtbot: QtBot, make_window: Any
) -> None:
    first = make_window()
    assert first.desktop.mpris is not None
    qtbot.waitUntil(lambda: first.desktop.mpris.service == DEST, timeout=TIMEOUT_MS)
    second = make_window()
    assert second.desktop.mpris is not None
    instance = f"{DEST}.instance{os.getpid()}"
    qtbot.waitUntil(lambda: second.desktop.mpris.service == instance, timeout=TIMEOUT_MS)
    first.close()
    assert first.desktop.mpris.service is None
    # the name is free again: dbus-send finds no owner for it
    proc = subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
         "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{DEST}"],
        capture_output=True, text=True, timeout=10,
    )  # fmt: skip
    assert "boolean false" in proc.stdout, proc.stdout + proc.stderr


def test_a_slow_bus_never_holds_the_window_and_a_close_lets_the_name_go(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The name is asked for on the bus thread: the window goes on while the
    bus is slow to answer, and a window closed before the answer never keeps
    the name."""
    from ui.mpris import Mpris

    gate = threading.Event()
    real_open = Mpris._open

    def slow_open(self: Mpris, name: str) -> tuple[Any, str]:
        assert threading.current_thread().name == "heureum-mpris"
        gate.wait(30)
        return real_open(self, name)

    monkeypatch.setattr(Mpris, "_open", slow_open)
    slow = Mpris(window, service="org.mpris.MediaPlayer2.heureumslow")
    assert slow.service is None  # returned at once, the bus not reached yet
    slow.close()  # closed before the bus answered
    gate.set()
    thread = slow._thread
    assert thread is not None
    qtbot.waitUntil(lambda: not thread.is_alive(), timeout=TIMEOUT_MS)
    assert slow.service is None
    proc = subprocess.run(
        ["dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
         "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
         "string:org.mpris.MediaPlayer2.heureumslow"],
        capture_output=True, text=True, timeout=10,
    )  # fmt: skip
    assert "boolean false" in proc.stdout, proc.stdout + proc.stderr
