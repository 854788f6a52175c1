"""Help → About: the versions of what this build is made of, the licences and
the log file; Help → Open log folder."""

from __future__ import annotations

import html

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from player.logfile import log_dir, log_path
from resources import notice_text

__all__ = ["AboutDialog", "open_log_folder"]


def open_log_folder() -> bool:
    """Open the log folder in the desktop's file manager (made first, so there
    is something to open even before the first line is written)."""
    folder = log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, renderer: str = "") -> None:
        super().__init__(parent)
        # Here, not at the top: the versions (platform, the libraries' own
        # modules) are for this dialog, not for the window's start-up.
        from player.versions import LICENCE_LINE, components

        from .qt_version import qt_component

        self.setWindowTitle(self.tr("About Heureum"))
        rows = "".join(
            f"<tr><td><b>{html.escape(c.name)}</b></td><td>{html.escape(c.version)}</td>"
            f"<td>{html.escape(c.licence)}</td></tr>"
            for c in components(qt_component())
        )
        video = self.tr("Video output:")
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setText(
            "<h3>Heureum (흐름)</h3><p>"
            + html.escape(self.tr("A streaming player and protocol test bench."))
            + f"</p><table cellspacing='6'>{rows}</table>"
            + f"<p>{html.escape(LICENCE_LINE)}</p>"
            + "<p>"
            + html.escape(self.tr("Log file:"))
            + f" <code>{html.escape(str(log_path()))}</code></p>"
            + f"<p>{html.escape(video)} {html.escape(renderer)}</p>"
        )
        self.notices = QPlainTextEdit(self)
        self.notices.setReadOnly(True)
        self.notices.setPlainText(notice_text("THIRD-PARTY-NOTICES.md"))
        self.notices.setMinimumHeight(220)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.open_log_button = QPushButton(self.tr("Open Log Folder"), self)
        buttons.addButton(self.open_log_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_log_button.clicked.connect(open_log_folder)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.notices, 1)
        layout.addWidget(buttons)
        self.resize(640, 560)
