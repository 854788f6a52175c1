"""The play list panel (F8): the entries, the one playing marked, drag to
reorder, remove, save as M3U8, loop and shuffle. The list itself is the
window's ``Playlist``; this panel only shows and edits it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QDropEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from player.redact import redact_url

from .play_queue import Loop, Playlist, PlaylistEntry, to_m3u8

__all__ = ["PlaylistPanel", "save_playlist"]


def save_playlist(entries: list[PlaylistEntry], path: str | Path) -> None:
    """Write the list as M3U8, atomically: a crash never leaves half a file."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".playlist-", suffix=".m3u8", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(to_m3u8(entries))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _entry_text(entry: PlaylistEntry) -> str:
    if entry.title:
        return entry.title
    url = redact_url(entry.url)
    return os.path.basename(url.rstrip("/")) or url


class _List(QListWidget):
    """A list whose internal drag reports the move (source row, target row)."""

    moved = Signal(int, int)

    def dropEvent(self, event: QDropEvent) -> None:
        source = self.currentRow()
        super().dropEvent(event)
        target = self.currentRow()
        if source >= 0 and target >= 0 and source != target:
            self.moved.emit(source, target)


class PlaylistPanel(QDockWidget):
    """``playlist`` returns the window's current list (it is replaced on open).
    ``activated`` asks the window to play an entry; ``changed`` tells it that
    the list was edited (the transport's previous/next need updating)."""

    activated = Signal(int)
    changed = Signal()
    saveRequested = Signal()

    def __init__(self, playlist: Callable[[], Playlist], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("playlist_panel")
        self._playlist = playlist
        self.list = _List(self)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.list.doubleClicked.connect(self._double_clicked)
        self.list.moved.connect(self._moved)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        delete.activated.connect(self.remove_selected)
        self.remove_button = QPushButton(self)
        self.remove_button.clicked.connect(self.remove_selected)
        self.save_button = QPushButton(self)
        self.save_button.clicked.connect(self.saveRequested)
        self.loop_box = QComboBox(self)
        for _ in Loop:
            self.loop_box.addItem("")
        self.loop_box.currentIndexChanged.connect(self._loop_changed)
        self.shuffle_box = QCheckBox(self)
        self.shuffle_box.toggled.connect(self._shuffle_changed)
        self.loop_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        modes = QHBoxLayout()
        modes.setContentsMargins(0, 0, 0, 0)
        modes.addWidget(self.loop_box)
        modes.addWidget(self.shuffle_box)
        modes.addStretch(1)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.list, 1)
        layout.addLayout(modes)
        layout.addLayout(buttons)
        self.setWidget(body)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Play list"))
        self.remove_button.setText(self.tr("Remove"))
        self.save_button.setText(self.tr("Save as M3U8…"))
        self.shuffle_box.setText(self.tr("Shuffle"))
        names = {
            Loop.NONE: self.tr("No loop"),
            Loop.ONE: self.tr("Loop this entry"),
            Loop.ALL: self.tr("Loop the list"),
        }
        for row, mode in enumerate(Loop):
            self.loop_box.setItemText(row, names[mode])

    def refresh(self) -> None:
        """Show the window's list as it is now (after an open, a move, the end
        of an entry)."""
        playlist = self._playlist()
        self.list.blockSignals(True)
        self.list.clear()
        bold = QFont(self.list.font())
        bold.setBold(True)
        for row, entry in enumerate(playlist.entries):
            item = QListWidgetItem(("▶ " if row == playlist.index else "   ") + _entry_text(entry))
            item.setToolTip(redact_url(entry.url))
            if row == playlist.index:
                item.setFont(bold)
            self.list.addItem(item)
        if playlist.index >= 0:
            self.list.setCurrentRow(playlist.index)
        self.list.blockSignals(False)
        self.loop_box.blockSignals(True)
        self.loop_box.setCurrentIndex(list(Loop).index(playlist.loop))
        self.loop_box.blockSignals(False)
        self.shuffle_box.blockSignals(True)
        self.shuffle_box.setChecked(playlist.shuffle)
        self.shuffle_box.blockSignals(False)
        self.remove_button.setEnabled(len(playlist) > 0)
        self.save_button.setEnabled(len(playlist) > 0)

    def remove_selected(self) -> None:
        row = self.list.currentRow()
        if row < 0:
            return
        self._playlist().remove(row)
        self.refresh()
        self.changed.emit()

    def _moved(self, source: int, target: int) -> None:
        self._playlist().move(source, target)
        self.refresh()
        self.changed.emit()

    def _double_clicked(self, index: QModelIndex) -> None:
        self.activated.emit(index.row())

    def _loop_changed(self, row: int) -> None:
        self._playlist().loop = list(Loop)[row]
        self.changed.emit()

    def _shuffle_changed(self, on: bool) -> None:
        self._playlist().set_shuffle(on)
        self.changed.emit()
