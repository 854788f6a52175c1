"""The real window on a real Player: open, play, pause, seek, volume, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from player.config import OpenOptions
from player.events import PlayerState
from tests.support.media import read_frame_number
from ui.main_window import MainWindow
from ui.open_dialog import OpenUrlDialog

from .conftest import TIMEOUT_MS, drop_on, press, spy, wait_playing, wait_state


def test_open_file_plays_and_shows_media(qtbot: QtBot, window: MainWindow, media: Path) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window)
    assert window.info is not None and window.info.video is not None
    assert window.info.video.width == 320
    assert media.name in window.windowTitle()
    assert str(media) in window.settings.recent
    frame = window.view.current_frame
    assert frame is not None and frame.width == 320


def test_pause_resume_and_seek_bar(qtbot: QtBot, window: MainWindow, media: Path) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window)
    press(qtbot, window, Qt.Key.Key_Space)
    wait_state(qtbot, window, PlayerState.PAUSED)
    bar = window.transport.seek_bar
    qtbot.waitUntil(lambda: bar.isEnabled(), timeout=TIMEOUT_MS)
    track = bar._track()
    x = int(track.left() + track.width() * 0.75)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=QPoint(x, bar.height() // 2))
    args, _ = spy(window).last("seek")
    assert abs(args[0] - 9.0) < 0.3
    qtbot.waitUntil(lambda: abs((window.player.position or 0) - 9.0) < 0.6, timeout=TIMEOUT_MS)
    press(qtbot, window, Qt.Key.Key_P)
    wait_state(qtbot, window, PlayerState.PLAYING, PlayerState.ENDED)


def test_seek_keys_move_position(qtbot: QtBot, window: MainWindow, media: Path) -> None:
    window.open_url(str(media), OpenOptions(start_paused=True))
    qtbot.waitUntil(lambda: window.view.current_frame is not None, timeout=TIMEOUT_MS)
    press(qtbot, window, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: (window.player.position or 0) >= 4.5, timeout=TIMEOUT_MS)
    press(qtbot, window, Qt.Key.Key_Left)
    qtbot.waitUntil(lambda: (window.player.position or 0) <= 1.0, timeout=TIMEOUT_MS)
    assert spy(window).last("seek_relative")[0] == (-5.0,)


def test_frame_step_shows_next_frame(qtbot: QtBot, window: MainWindow, media: Path) -> None:
    window.open_url(str(media), OpenOptions(start_paused=True))
    qtbot.waitUntil(lambda: window.view.current_frame is not None, timeout=TIMEOUT_MS)
    first = window.view.current_frame
    assert first is not None
    n0 = read_frame_number(first.frame.to_ndarray(format="gray"))
    press(qtbot, window, Qt.Key.Key_Period)
    qtbot.waitUntil(lambda: window.view.current_frame is not first, timeout=TIMEOUT_MS)
    current = window.view.current_frame
    assert current is not None
    assert read_frame_number(current.frame.to_ndarray(format="gray")) == n0 + 1
    wait_state(qtbot, window, PlayerState.PAUSED)


def test_volume_mute_and_wheel(qtbot: QtBot, window: MainWindow, media: Path) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window)
    start = window.player.volume
    press(qtbot, window, Qt.Key.Key_9)
    assert abs(window.player.volume - (start - 0.02)) < 1e-6
    press(qtbot, window, Qt.Key.Key_0)
    press(qtbot, window, Qt.Key.Key_0)
    assert abs(window.player.volume - (start + 0.02)) < 1e-6
    assert abs(window.settings.volume - window.player.volume) < 1e-6  # kept as the player has it
    assert window.transport.volume_slider.value() == round(window.player.volume * 100)
    view = window.view.render_widget
    center = QPointF(view.width() / 2, view.height() / 2)
    before = window.player.volume
    wheel = QWheelEvent(
        center, view.mapToGlobal(center), QPoint(0, 0), QPoint(0, -120),
        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    QApplication.sendEvent(view, wheel)
    assert window.player.volume < before
    press(qtbot, window, Qt.Key.Key_M)
    assert _muted(window) == (True, True)
    press(qtbot, window, Qt.Key.Key_M)
    assert _muted(window) == (False, False)


def _muted(window: MainWindow) -> tuple[bool, bool]:
    # the player holds it; the Audio menu's check shows it
    return window.player.muted, window.actions_by_name["mute"].isChecked()


def test_fullscreen_keys_and_double_click(qtbot: QtBot, window: MainWindow, media: Path) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window)
    press(qtbot, window, Qt.Key.Key_F)
    qtbot.waitUntil(window.isFullScreen, timeout=TIMEOUT_MS)
    press(qtbot, window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=TIMEOUT_MS)
    view = window.view.render_widget
    qtbot.mouseDClick(view, Qt.MouseButton.LeftButton, pos=view.rect().center())
    qtbot.waitUntil(window.isFullScreen, timeout=TIMEOUT_MS)
    press(qtbot, window, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=TIMEOUT_MS)


def test_open_through_url_dialog(qtbot: QtBot, window: MainWindow, media: Path) -> None:
    seen: list[OpenUrlDialog] = []

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, OpenUrlDialog):
            QTimer.singleShot(20, fill)
            return
        seen.append(dialog)
        dialog.url_box.setCurrentText(str(media))
        dialog.transport_box.setCurrentIndex(2)  # TCP
        dialog.low_latency_box.setChecked(True)
        dialog.accept()

    QTimer.singleShot(0, fill)
    press(qtbot, window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert seen, "the URL dialog did not open"
    args, _ = spy(window).last("open")
    assert args[0] == str(media)
    assert args[1].rtsp_transport == "tcp" and args[1].low_latency is True
    wait_playing(qtbot, window)
    assert window.settings.url_history[0] == str(media)


def test_open_by_drag_and_drop(qtbot: QtBot, window: MainWindow, media: Path, media2: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(media2)), QUrl.fromLocalFile(str(media))])
    drop_on(window, mime)
    wait_playing(qtbot, window)
    assert spy(window).last("open")[0][0] == str(media2)
    assert len(window.playlist) == 2
    press(qtbot, window, Qt.Key.Key_Greater)
    qtbot.waitUntil(lambda: window.current_url == str(media), timeout=TIMEOUT_MS)
    wait_playing(qtbot, window)
    text = QMimeData()
    text.setText(str(media2))
    drop_on(window, text)
    qtbot.waitUntil(lambda: window.current_url == str(media2), timeout=TIMEOUT_MS)


def test_m3u_playlist_next_previous(
    qtbot: QtBot, window: MainWindow, media: Path, media2: Path, tmp_path: Path
) -> None:
    m3u = tmp_path / "list.m3u"
    m3u.write_text(f"#EXTM3U\n#EXTINF:3,Second clip\n{media2}\n#EXTINF:12,First\n{media}\n")
    window.open_url(str(m3u))
    wait_playing(qtbot, window)
    assert window.title == "Second clip"
    assert window.transport.next_button.isVisible()
    window.play_next()
    qtbot.waitUntil(lambda: window.current_url == str(media), timeout=TIMEOUT_MS)
    press(qtbot, window, Qt.Key.Key_Less)
    qtbot.waitUntil(lambda: window.current_url == str(media2), timeout=TIMEOUT_MS)


def test_bad_url_shows_error_and_window_stays_usable(
    qtbot: QtBot, window: MainWindow, media: Path, tmp_path: Path
) -> None:
    window.open_url(str(tmp_path / "missing.mp4"))
    qtbot.waitUntil(lambda: window.messages.level == "error", timeout=TIMEOUT_MS)
    assert window.messages.isVisible()
    window.open_url("rtsp://user:secret@127.0.0.1:1/none")
    qtbot.waitUntil(
        lambda: window.messages.level == "error" and "secret" not in window.messages.label.text(),
        timeout=TIMEOUT_MS,
    )
    window.open_url(str(media))
    wait_playing(qtbot, window)


def test_screenshot_matches_source_frame(qtbot: QtBot, window: MainWindow, media: Path) -> None:
    import av

    window.open_url(str(media), OpenOptions(start_paused=True))
    qtbot.waitUntil(lambda: window.view.current_frame is not None, timeout=TIMEOUT_MS)
    with qtbot.waitSignal(window.screenshotSaved, timeout=TIMEOUT_MS) as saved:
        press(qtbot, window, Qt.Key.Key_S)
    path = Path(saved.args[0])
    assert path.parent == Path(window.settings.screenshot_dir)
    assert path.suffix == ".png" and media.stem in path.name
    assert str(path) in window.messages.label.text()
    image = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert (image.width(), image.height()) == (320, 240)
    ptr = image.constBits()
    shot = np.frombuffer(ptr, np.uint8).reshape(240, image.bytesPerLine())[:, : 320 * 3]
    shot = shot.reshape(240, 320, 3).astype(np.int16)
    with av.open(str(media)) as container:
        first = next(container.decode(video=0)).to_ndarray(format="rgb24").astype(np.int16)
    assert float(np.abs(shot - first).mean()) < 2.0
