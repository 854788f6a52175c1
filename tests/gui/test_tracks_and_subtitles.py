"""Audio and subtitle menus from the media's renditions; the subtitle text the
engine times is drawn over the picture."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from player.events import MediaInfo, MediaOpened, SubtitleChanged, TrackInfo
from ui.main_window import MainWindow

from .conftest import spy, wait_playing

INFO = MediaInfo(
    url="https://cdn.example/master.m3u8",
    protocol="hls",
    container="mpegts",
    duration=60.0,
    is_live=False,
    seekable=True,
    video=None,
    audio=None,
    audio_tracks=(
        TrackInfo(0, "audio", "English", "en", default=True, autoselect=True),
        TrackInfo(1, "audio", "한국어", "ko"),
    ),
    subtitle_tracks=(
        TrackInfo(0, "subtitles", "English", "en"),
        TrackInfo(1, "subtitles", "한국어", "ko"),
    ),
)


def test_menus_list_renditions_and_choose_them(
    qtbot: QtBot, window: MainWindow, media: Path
) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window)
    assert not window.subtitles_menu.isEnabled()
    window.bridge._dispatch(MediaOpened(info=INFO))
    audio = window.audio_tracks_menu.actions()
    assert [a.text() for a in audio] == ["English", "한국어 (ko)"]
    assert audio[0].isChecked()
    audio[1].trigger()
    assert spy(window).last("select_audio_track")[0] == (1,)
    subs = window.subtitles_menu.actions()
    assert subs[0].isChecked()  # "Off" while no default subtitle
    subs[2].trigger()
    assert spy(window).last("select_subtitle_track")[0] == (1,)
    subs[0].trigger()
    assert spy(window).last("select_subtitle_track")[0] == (None,)


def test_subtitle_text_shows_over_the_picture_and_clears(
    qtbot: QtBot, window: MainWindow, media: Path
) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window)
    window.bridge._dispatch(SubtitleChanged(text="안녕하세요\nHello"))
    label = window.subtitle_label
    assert label.isVisible() and label.text() == "안녕하세요\nHello"
    # Inside the picture, in its lower part.
    assert label.geometry().bottom() <= window.view.height()
    assert label.geometry().top() > window.view.height() // 2
    window.bridge._dispatch(SubtitleChanged(text=None))
    assert not label.isVisible()
