"""Subtitles of files in the window: the window's language picks the track,
a dropped subtitle file joins the video, z/x shift them (mpv's keys)."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QUrl
from pytestqt.qtbot import QtBot

from tests.gui.conftest import TIMEOUT_MS, drop_on, press, spy, wait_playing
from tests.support.subtitle_media import KOREAN_SRT, make_subtitled
from ui.main_window import MainWindow


def test_korean_window_picks_korean_subtitles_and_takes_a_dropped_file(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    window.settings.language = "ko"
    media = tmp_path / "clip.mkv"
    shutil.copy(make_subtitled("mkv"), media)
    (tmp_path / "clip.ko.srt").write_text(KOREAN_SRT, encoding="utf-8")
    window.open_url(str(media))
    wait_playing(qtbot, window, min_frames=1)
    checked = [a.text() for a in window.menus.subtitles_menu.actions() if a.isChecked()]
    assert checked == ["clip.ko.srt"]
    qtbot.waitUntil(lambda: window.subtitle_label.text() == "안녕하세요", timeout=TIMEOUT_MS)
    vtt = tmp_path / "more.en.vtt"
    vtt.write_text("WEBVTT\n\n00:00.000 --> 00:09.000\nDropped in\n", encoding="utf-8")
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(vtt))])
    drop_on(window, mime)
    assert spy(window).last("load_subtitles")[0] == (str(vtt),)
    assert window.current_url == str(media)  # the video plays on
    qtbot.waitUntil(lambda: window.subtitle_label.text() == "Dropped in", timeout=TIMEOUT_MS)
    names = [a.text() for a in window.menus.subtitles_menu.actions() if a.isChecked()]
    assert names == ["more.en.vtt"]


def test_subtitle_delay_keys(qtbot: QtBot, window: MainWindow, media: Path) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window, min_frames=1)
    press(qtbot, window, Qt.Key.Key_Z)
    press(qtbot, window, Qt.Key.Key_Z)
    assert abs(window.player.subtitle_delay + 0.2) < 1e-9
    assert window.osd.text() == "Subtitle delay: -200 ms"
    press(qtbot, window, Qt.Key.Key_X)
    assert abs(window.player.subtitle_delay + 0.1) < 1e-9


def test_preferred_subtitle_follows_the_window_language() -> None:
    from dataclasses import replace

    from player.events import MediaInfo, TrackInfo
    from ui.window_tracks import preferred_subtitle

    english = TrackInfo(0, "subtitles", "English", "en", default=True)
    korean = TrackInfo(1, "subtitles", "한국어", "ko")
    hls = MediaInfo("u", "hls", "mpegts", 60.0, False, True, None, None)
    hls = replace(hls, subtitle_tracks=(english, korean))
    assert preferred_subtitle(hls, "ko") == 1
    assert preferred_subtitle(hls, "en") is None  # already shown
    no_default = replace(hls, subtitle_tracks=(replace(english, default=False), korean))
    assert preferred_subtitle(no_default, "ko") == 1
    file = replace(no_default, protocol="file")
    assert preferred_subtitle(file, "ko") is None  # a file chose when it opened
    kor3 = replace(hls, subtitle_tracks=(english, replace(korean, language="kor")))
    assert preferred_subtitle(kor3, "ko") == 1
