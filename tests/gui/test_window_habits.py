"""Habits mpv and VLC users expect of the window: it fits the video, keeps what
opened in Open Recent, resumes VOD where it was left, shows the seek target and
the end of playback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from player.config import OpenOptions
from player.events import PlayerState
from tests.gui.conftest import TIMEOUT_MS, press, spy, wait_playing, wait_state
from tests.support.media import make_av_file
from ui.main_window import MainWindow, seek_osd_text


@pytest.fixture(scope="module")
def hd_media() -> Path:
    return make_av_file(seconds=2.0, width=1280, height=720, fps=25, audio=False)


@pytest.fixture(scope="module")
def full_hd_media() -> Path:
    return make_av_file(seconds=2.0, width=1920, height=1080, fps=25, audio=False)


def test_window_fits_a_video_that_fits_the_screen(
    qtbot: QtBot, window: MainWindow, hd_media: Path
) -> None:
    window.open_url(str(hd_media))
    qtbot.waitUntil(lambda: window.info is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: abs(window.view.width() - 1280) <= 2, timeout=TIMEOUT_MS)
    assert abs(window.view.height() - 720) <= 2


def test_window_fits_a_larger_video_inside_the_screen_keeping_its_shape(
    qtbot: QtBot, window: MainWindow, full_hd_media: Path
) -> None:
    window.open_url(str(full_hd_media))
    qtbot.waitUntil(lambda: window.info is not None, timeout=TIMEOUT_MS)
    screen = window.screen()
    assert screen is not None
    avail = screen.availableGeometry()
    qtbot.waitUntil(lambda: window.view.width() > 800, timeout=TIMEOUT_MS)
    assert window.frameGeometry().width() <= avail.width()
    assert window.frameGeometry().height() <= avail.height()
    assert window.view.width() < 1920
    assert abs(window.view.width() / window.view.height() - 16 / 9) < 0.01


def test_a_small_video_gets_a_window_its_controls_fit(
    qtbot: QtBot, window: MainWindow, media: Path
) -> None:
    window.open_url(str(media))  # 320x240
    qtbot.waitUntil(lambda: window.info is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.view.width() >= 638, timeout=TIMEOUT_MS)
    assert abs(window.view.width() / window.view.height() - 4 / 3) < 0.02
    width = window.view.width()
    press(qtbot, window, Qt.Key.Key_F8)  # the play list opens beside the picture
    qtbot.waitUntil(window.playlist_panel.isVisible, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.view.width() >= width - 4, timeout=TIMEOUT_MS)


def test_recent_holds_only_what_opened(
    qtbot: QtBot, window: MainWindow, media: Path, tmp_path: Path
) -> None:
    missing = str(tmp_path / "missing.mp4")
    window.open_url(missing)
    qtbot.waitUntil(lambda: window.messages.level == "error", timeout=TIMEOUT_MS)
    assert missing not in window.settings.recent
    window.open_url(str(media), remember=False)  # the demo's temporary URL
    wait_playing(qtbot, window)
    assert str(media) not in window.settings.recent
    window.open_url(str(media))
    wait_playing(qtbot, window)
    assert window.settings.recent == [str(media)]
    assert window.menus.recent_menu.isEnabled()


def test_vod_resumes_where_it_was_left(
    qtbot: QtBot, window: MainWindow, media: Path, media2: Path
) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window)
    window.seek(7.0)
    qtbot.waitUntil(lambda: (window.player.position or 0) >= 7.0, timeout=TIMEOUT_MS)
    window.open_url(str(media2))  # leaving the first file keeps its position
    wait_playing(qtbot, window, min_frames=1)
    stored = json.loads(window.resume.path.read_text(encoding="utf-8"))
    assert len(stored) == 1
    window.open_url(str(media))
    args, _ = spy(window).last("open")
    options = args[1]
    assert isinstance(options, OpenOptions)
    assert options.start_position is not None and 7.0 <= options.start_position < 9.0
    qtbot.waitUntil(
        lambda: ("info", "Resumed at 00:07") in window.messages.history, timeout=TIMEOUT_MS
    )
    qtbot.waitUntil(lambda: (window.player.position or 0) >= 7.0, timeout=TIMEOUT_MS)


def test_seek_osd_shows_the_target_and_the_duration(
    qtbot: QtBot, window: MainWindow, media: Path
) -> None:
    window.open_url(str(media), OpenOptions(start_paused=True))
    qtbot.waitUntil(lambda: window.view.current_frame is not None, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: window.player.duration is not None, timeout=TIMEOUT_MS)
    press(qtbot, window, Qt.Key.Key_Right)
    assert window.osd.isVisible()
    assert window.osd.text() == "00:05 / 00:12"


def test_seek_osd_text() -> None:
    assert seek_osd_text(42.0, 5.0, 600.0) == "00:47 / 10:00"
    assert seek_osd_text(2.0, -5.0, 600.0) == "00:00 / 10:00"
    assert seek_osd_text(598.0, 60.0, 600.0) == "10:00 / 10:00"
    assert seek_osd_text(30.0, 5.0, None) == "00:35 (+5 s)"
    assert seek_osd_text(None, -60.0, None) == "−60 s"


def test_end_of_playback_stays_shown_and_space_replays(
    qtbot: QtBot, window: MainWindow, media2: Path
) -> None:
    window.open_url(str(media2))
    wait_state(qtbot, window, PlayerState.ENDED)
    assert window.osd.isVisible() and window.osd.text() == "Ended — Space to replay"
    press(qtbot, window, Qt.Key.Key_Space)
    wait_state(qtbot, window, PlayerState.PLAYING)
    qtbot.waitUntil(lambda: not window.osd.isVisible(), timeout=TIMEOUT_MS)


def test_statistics_fit_a_small_view(qtbot: QtBot, window: MainWindow, media: Path) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window)
    window.resize(480, 320)
    qtbot.waitUntil(lambda: window.height() < 400, timeout=TIMEOUT_MS)
    assert window.view.height() < 300
    press(qtbot, window, Qt.Key.Key_I)
    overlay = window.overlay
    qtbot.waitUntil(overlay.isVisible, timeout=TIMEOUT_MS)
    window.panels.update_overlay()
    assert overlay.y() + overlay.height() <= window.view.height()
    assert overlay.x() + overlay.width() <= window.view.width()
    text = overlay.text()
    assert "—</td>" not in text  # no row ends in a stray dash
    assert text.count(">Buffer<") == 1
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: window.view.height() > 600, timeout=TIMEOUT_MS)
    window.panels.update_overlay()
    assert "more rows" not in overlay.text()  # everything fits again
    # the decoder in use is named (no GPU here: software, after the first frame)
    assert ">Video decoder</td><td>software</td>" in overlay.text()


def test_a_resumed_entry_does_not_pass_its_position_to_the_next(
    qtbot: QtBot, window: MainWindow, media: Path, media2: Path, tmp_path: Path
) -> None:
    window.resume.remember(str(media), 7.0, 12.0)
    m3u = tmp_path / "list.m3u"
    m3u.write_text(f"#EXTM3U\n{media}\n{media2}\n", encoding="utf-8")
    window.open_url(str(m3u))
    wait_playing(qtbot, window, min_frames=1)
    assert spy(window).last("open")[0][1].start_position == 7.0  # the first resumes
    window.play_next()
    qtbot.waitUntil(lambda: window.current_url == str(media2), timeout=TIMEOUT_MS)
    args, _ = spy(window).last("open")
    assert args[0] == str(media2)
    assert args[1].start_position is None  # the next one starts at its start
