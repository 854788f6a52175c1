"""Keeps a benchmark window's video area at the size asked for.

Heureum's window fits itself to its video (1280x720 for the many-streams
file) when the media opens, which comes after the window first shows: sized
once at the first show, the window then painted four times the pixels of the
640x360 mpv windows it was measured against. Called on every poll, this puts
the area back, after the fit or any other resize."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

__all__ = ["hold_view_size"]


def hold_view_size(window: QWidget, view: QWidget, width: int, height: int) -> bool:
    """Resizes ``window`` so that ``view`` is ``width`` x ``height``; True if
    it had to (the layout applies the new size when events are next processed)."""
    if (view.width(), view.height()) == (width, height):
        return False
    chrome_w, chrome_h = window.width() - view.width(), window.height() - view.height()
    window.resize(width + chrome_w, height + chrome_h)
    return True
