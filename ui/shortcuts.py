"""The key table: one place for every binding, used to build the window's
actions and the F1 help. Defaults follow mpv's input.conf."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

__all__ = ["SHORTCUTS", "Shortcut", "help_rows", "keys_for"]

_CTX = "Shortcuts"


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # lupdate extracts calls by this name
    return text


@dataclass(frozen=True)
class Shortcut:
    action: str
    keys: tuple[str, ...]  # QKeySequence portable text
    description: str  # English source text, translated through the "Shortcuts" context

    def translated(self) -> str:
        return QCoreApplication.translate(_CTX, self.description)


SHORTCUTS: tuple[Shortcut, ...] = (
    Shortcut("toggle_pause", ("Space", "P"), QT_TRANSLATE_NOOP("Shortcuts", "Play / pause")),
    Shortcut("seek_back", ("Left",), QT_TRANSLATE_NOOP("Shortcuts", "Seek back 5 s")),
    Shortcut("seek_forward", ("Right",), QT_TRANSLATE_NOOP("Shortcuts", "Seek forward 5 s")),
    Shortcut("seek_back_long", ("Down",), QT_TRANSLATE_NOOP("Shortcuts", "Seek back 60 s")),
    Shortcut("seek_forward_long", ("Up",), QT_TRANSLATE_NOOP("Shortcuts", "Seek forward 60 s")),
    Shortcut("frame_step", (".",), QT_TRANSLATE_NOOP("Shortcuts", "Next frame (pauses)")),
    Shortcut("frame_back_step", (",",), QT_TRANSLATE_NOOP("Shortcuts", "Previous frame (pauses)")),
    Shortcut("volume_down", ("9",), QT_TRANSLATE_NOOP("Shortcuts", "Volume down (also the wheel)")),
    Shortcut("volume_up", ("0",), QT_TRANSLATE_NOOP("Shortcuts", "Volume up (also the wheel)")),
    Shortcut("mute", ("M",), QT_TRANSLATE_NOOP("Shortcuts", "Mute")),
    Shortcut("speed_down", ("[",), QT_TRANSLATE_NOOP("Shortcuts", "Slower (÷1.1)")),
    Shortcut("speed_up", ("]",), QT_TRANSLATE_NOOP("Shortcuts", "Faster (×1.1)")),
    Shortcut("speed_reset", ("Backspace",), QT_TRANSLATE_NOOP("Shortcuts", "Normal speed")),
    Shortcut(
        "fullscreen", ("F",), QT_TRANSLATE_NOOP("Shortcuts", "Fullscreen (also double-click)")
    ),
    Shortcut("leave_fullscreen", ("Esc",), QT_TRANSLATE_NOOP("Shortcuts", "Leave fullscreen")),
    Shortcut("always_on_top", ("Shift+T",), QT_TRANSLATE_NOOP("Shortcuts", "Always on top")),
    Shortcut("screenshot", ("S",), QT_TRANSLATE_NOOP("Shortcuts", "Screenshot with subtitles")),
    Shortcut(
        "screenshot_plain",
        ("Shift+S",),
        QT_TRANSLATE_NOOP("Shortcuts", "Screenshot without subtitles"),
    ),
    Shortcut("sub_smaller", ("Shift+F",), QT_TRANSLATE_NOOP("Shortcuts", "Smaller subtitles")),
    Shortcut("sub_bigger", ("Shift+G",), QT_TRANSLATE_NOOP("Shortcuts", "Bigger subtitles")),
    Shortcut("stats", ("I",), QT_TRANSLATE_NOOP("Shortcuts", "Statistics overlay")),
    Shortcut("jump_live", ("L",), QT_TRANSLATE_NOOP("Shortcuts", "Jump to the live edge")),
    Shortcut("playlist_panel", ("F8",), QT_TRANSLATE_NOOP("Shortcuts", "Play list panel")),
    Shortcut("abr_panel", ("Ctrl+B",), QT_TRANSLATE_NOOP("Shortcuts", "Bitrate and buffer panel")),
    Shortcut("export_timeline", ("Ctrl+E",), QT_TRANSLATE_NOOP("Shortcuts", "Export the timeline")),
    Shortcut(
        "next", (">", "Shift+>", "Return"), QT_TRANSLATE_NOOP("Shortcuts", "Next in play list")
    ),
    Shortcut("previous", ("<", "Shift+<"), QT_TRANSLATE_NOOP("Shortcuts", "Previous in play list")),
    Shortcut("open_file", ("Ctrl+O",), QT_TRANSLATE_NOOP("Shortcuts", "Open a file")),
    Shortcut("open_url", ("Ctrl+L",), QT_TRANSLATE_NOOP("Shortcuts", "Open a URL")),
    Shortcut("help", ("F1", "?", "Shift+?"), QT_TRANSLATE_NOOP("Shortcuts", "Show these keys")),
    Shortcut("quit", ("Q", "Ctrl+Q"), QT_TRANSLATE_NOOP("Shortcuts", "Quit")),
)

_BY_ACTION = {s.action: s for s in SHORTCUTS}


def keys_for(action: str) -> tuple[str, ...]:
    return _BY_ACTION[action].keys


def help_rows() -> list[tuple[str, str]]:
    """(keys as shown, translated description) for the help dialog."""
    rows = []
    for s in SHORTCUTS:
        # "Shift+?" is how some layouts report "?": list the plain symbol only
        shown = [k for k in s.keys if not (k.startswith("Shift+") and not k[6:].isalnum())]
        rows.append((" / ".join(shown), s.translated()))
    return rows
