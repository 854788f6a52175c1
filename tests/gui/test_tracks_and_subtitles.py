"""Audio and subtitle menus from the media's renditions; the subtitle text the
engine times is drawn over the picture."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QImage, QRegion
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from player.events import MediaInfo, MediaOpened, SubtitleChanged, TrackInfo
from ui.main_window import MainWindow

from .conftest import TIMEOUT_MS, spy, wait_playing

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
    # No subtitles in the file: only Off, and Load… for a file of them.
    assert [a.text() for a in window.menus.subtitles_menu.actions() if a.text()] == ["Off", "Load…"]
    window.bridge._dispatch(MediaOpened(info=INFO))
    audio = window.menus.audio_tracks_menu.actions()
    assert [a.text() for a in audio] == ["English", "한국어 (ko)"]
    assert audio[0].isChecked()
    audio[1].trigger()
    assert spy(window).last("select_audio_track")[0] == (1,)
    subs = window.menus.subtitles_menu.actions()
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


def _render(widget: QWidget, ratio: float = 1.0) -> QImage:
    """The widget alone on mid grey, at ``ratio`` device pixels per pixel."""
    size = widget.size() * ratio
    image = QImage(size, QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(ratio)
    image.fill(QColor(128, 128, 128))
    widget.render(image, QPoint(), QRegion(), QWidget.RenderFlag.DrawChildren)
    return image


def _count(image: QImage, test: Callable[[QColor], bool]) -> int:
    w, h = image.width(), image.height()
    return sum(1 for y in range(h) for x in range(w) if test(image.pixelColor(x, y)))


def _white(c: QColor) -> bool:
    return min(c.red(), c.green(), c.blue()) > 240


def _dark(c: QColor) -> bool:
    return max(c.red(), c.green(), c.blue()) < 40


def test_subtitles_are_outlined_korean_glyphs_sharp_at_any_ratio(
    qtbot: QtBot, window: MainWindow
) -> None:
    label = window.subtitle_label
    window.bridge._dispatch(SubtitleChanged(text="안녕하세요"))
    hello = _render(label)
    white, dark = _count(hello, _white), _count(hello, _dark)
    assert white > 100 and dark > 100  # white text, dark outline
    assert _count(hello, lambda c: c.red() == 128) > white  # no box: the picture shows
    # Real Hangul glyphs, not one missing-glyph box repeated: other syllables
    # draw differently.
    window.bridge._dispatch(SubtitleChanged(text="감사합니다"))
    assert _render(label) != hello
    # At a device pixel ratio of 2 the same text covers 4x the device pixels
    # (drawn at device resolution, sized in logical pixels).
    assert 3.0 < _count(_render(label, 2.0), _white) / _count(_render(label), _white) < 5.0


def test_subtitles_scale_with_the_view_and_wrap(qtbot: QtBot, window: MainWindow) -> None:
    label = window.subtitle_label
    window.bridge._dispatch(SubtitleChanged(text="short"))
    small = label.pixel_size
    window.resize(1200, 900)
    qtbot.waitUntil(lambda: label.pixel_size > small, timeout=TIMEOUT_MS)
    long = " ".join(["자막이"] * 12 + ["wraps"] * 12)
    window.bridge._dispatch(SubtitleChanged(text=long))
    assert len(label.lines) > 1
    assert " ".join(label.lines) == long
    assert label.width() <= window.view.width()
    assert label.geometry().bottom() < window.view.height()
