"""The application icon: set at every start, so apart from About's dialog
(its Qt classes, html, the licences), which waits for its menu item.

A window's icon goes to the display server with the window (X11's
``_NET_WM_ICON``: every size, decoded and converted): the 256 and 512 pixel
ones were 15 ms of the time to a mapped window (issue 13). The window shows
with the small sizes (a title bar's, a task bar's) and gets the rest once
its first frame is on screen (ui.app)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize
from PySide6.QtGui import QIcon

from resources import icon_path

__all__ = ["FIRST_SIZES", "SIZES", "app_icon"]

#: the PNG sizes shipped
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
#: the sizes the window shows with
FIRST_SIZES = (16, 24, 32, 48, 64)


def app_icon(sizes: Sequence[int] = SIZES) -> QIcon:
    """The application icon, from the PNG sizes (no SVG plugin needed)."""
    icon = QIcon()
    for size in sizes:
        icon.addFile(str(icon_path(size)), QSize(size, size))
    return icon
