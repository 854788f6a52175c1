"""The bitrate panel's words and colours: rates and rungs as people read
them, and the colours the curves, the status line and the legend share.
(Light: no pyqtgraph, so the overlay and the quality menu can use it.)"""

from __future__ import annotations

from player.events import VariantInfo

from .rich_text import escape

__all__ = [
    "BACKGROUND",
    "BUFFER_COLOUR",
    "ESTIMATE_COLOUR",
    "SELECTED_COLOUR",
    "rate_text",
    "short_name",
    "swatch",
    "tip",
    "variant_text",
]

BACKGROUND = "#16181c"
ESTIMATE_COLOUR = "#4fc3f7"
SELECTED_COLOUR = "#f5a623"
BUFFER_COLOUR = "#81c784"


def rate_text(bps: float | None) -> str:
    """``2.5 Mb/s`` / ``800 kb/s``."""
    if bps is None:
        return "—"
    if bps >= 995_000:
        return f"{bps / 1e6:.1f} Mb/s"
    return f"{bps / 1000:.0f} kb/s"


def variant_text(v: VariantInfo) -> str:
    """``1280x720 · 2.5 Mb/s`` (``1920x1080 60 fps · 6.0 Mb/s``; the name when
    the playlist gives no resolution)."""
    parts = []
    if v.width and v.height:
        size = f"{v.width}x{v.height}"
        if v.frame_rate and v.frame_rate > 31:
            size += f" {round(v.frame_rate)} fps"
        parts.append(size)
    elif v.name:
        parts.append(v.name)
    parts.append(rate_text(v.bandwidth))
    return " · ".join(parts)


def short_name(v: VariantInfo | None, index: int) -> str:
    """``720p``, or ``#2`` for a rung without a height (or not known yet)."""
    if v is not None and v.height:
        return f"{v.height}p"
    return f"#{index + 1}"


def swatch(colour: str, template: str, value: str) -> str:
    """``━━ name value`` in the line's colour (rich text)."""
    text = escape(template.replace("%1", value))
    return f"<span style='color:{colour}'>━━</span>&nbsp;{text}"


def tip(t: float, kind: str, detail: str) -> str:
    """A marker's tooltip: what and when, then the details."""
    return f"{kind} at {t:.1f} s\n{detail}" if detail else f"{kind} at {t:.1f} s"
