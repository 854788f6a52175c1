"""The application icon: set at every start, so apart from About's dialog
(its Qt classes, html, the licences), which waits for its menu item."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from resources import icon_path

__all__ = ["app_icon"]


def app_icon() -> QIcon:
    """The application icon, from the PNG sizes (no SVG plugin needed)."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        icon.addFile(str(icon_path(size)), QSize(size, size))
    return icon
