"""The play list panel on the real window: F8, reorder, remove, save, loop,
Enter for next, PLS, and several dropped files joining the list."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt, QUrl
from pytestqt.qtbot import QtBot

from player.events import PlayerState
from tests.gui.conftest import TIMEOUT_MS, drop_on, press, spy, wait_playing, wait_state
from ui.main_window import MainWindow
from ui.play_queue import Loop, parse_m3u


def _open_list(window: MainWindow, tmp_path: Path, *paths: Path) -> Path:
    m3u = tmp_path / "list.m3u"
    m3u.write_text("#EXTM3U\n" + "".join(f"{p}\n" for p in paths), encoding="utf-8")
    window.open_url(str(m3u))
    return m3u


def test_panel_shows_edits_and_saves_the_list(
    qtbot: QtBot, window: MainWindow, media: Path, media2: Path, tmp_path: Path
) -> None:
    _open_list(window, tmp_path, media2, media, media2)
    wait_playing(qtbot, window, min_frames=1)
    press(qtbot, window, Qt.Key.Key_F8)
    panel = window.playlist_panel
    qtbot.waitUntil(panel.isVisible, timeout=TIMEOUT_MS)
    assert window.actions_by_name["playlist_panel"].isChecked()
    assert panel.list.count() == 3
    assert panel.list.item(0).text().startswith("▶")
    panel.list.moved.emit(0, 2)  # what a drag from the first row to the last reports
    assert [e.url for e in window.playlist.entries] == [str(media), str(media2), str(media2)]
    assert window.playlist.index == 2 and panel.list.item(2).text().startswith("▶")
    panel.list.setCurrentRow(1)
    panel.remove_selected()
    assert len(window.playlist) == 2 and window.playlist.index == 1
    saved = window.opener.save_playlist_dialog(str(tmp_path / "out.m3u8"))
    assert saved is not None
    assert [e.url for e in parse_m3u(saved.read_text(encoding="utf-8"))] == [
        str(media),
        str(media2),
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".playlist-")]


def test_enter_plays_the_next_entry_and_loop_one_repeats(
    qtbot: QtBot, window: MainWindow, media: Path, media2: Path, tmp_path: Path
) -> None:
    _open_list(window, tmp_path, media, media2)
    wait_playing(qtbot, window, min_frames=1)
    press(qtbot, window, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.current_url == str(media2), timeout=TIMEOUT_MS)
    window.playlist_panel.loop_box.setCurrentIndex(list(Loop).index(Loop.ONE))
    assert window.playlist.loop == Loop.ONE
    opens = spy(window).names().count("open")
    qtbot.waitUntil(lambda: spy(window).names().count("open") > opens, timeout=TIMEOUT_MS)
    assert window.current_url == str(media2)
    assert window.osd.text() != "Ended — Space to replay"


def test_pls_opens_as_a_play_list(
    qtbot: QtBot, window: MainWindow, media: Path, media2: Path, tmp_path: Path
) -> None:
    pls = tmp_path / "list.pls"
    pls.write_text(
        f"[playlist]\nFile1={media2}\nTitle1=Short\nFile2={media}\nNumberOfEntries=2\n",
        encoding="utf-8",
    )
    window.open_url(str(pls))
    wait_playing(qtbot, window, min_frames=1)
    assert len(window.playlist) == 2 and window.title == "Short"


def test_several_dropped_files_join_the_list_while_playing(
    qtbot: QtBot, window: MainWindow, media: Path, media2: Path
) -> None:
    window.open_url(str(media))
    wait_playing(qtbot, window)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(media2)), QUrl.fromLocalFile(str(media2))])
    drop_on(window, mime)
    assert len(window.playlist) == 3 and window.current_url == str(media)
    assert window.transport.next_button.isVisible()
    wait_state(qtbot, window, PlayerState.PLAYING)
