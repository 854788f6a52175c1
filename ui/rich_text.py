"""Plain text put into Qt's rich text (labels, tool tips, the overlay)."""

from __future__ import annotations

__all__ = ["escape"]


def escape(text: str) -> str:
    """What ``html.escape`` gives, without importing ``html``: its entity
    table was 2 ms of the window's start, and the hidden bitrate panel
    escapes its status line as it is built (issue 13)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#x27;")
    )
