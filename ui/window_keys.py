"""What each key of the table (``shortcuts.py``) does in the main window,
and the table's lookup for keys that reach the window unmatched."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeyEvent, QKeySequence

from .window_levels import VOLUME_STEP
from .window_tracks import SUB_DELAY_STEP, SUB_SCALE_STEP

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["SEEK_LONG", "SEEK_SHORT", "action_for_key", "key_handlers"]

log = logging.getLogger(__name__)

SEEK_SHORT = 5.0
SEEK_LONG = 60.0


def key_handlers(window: MainWindow) -> dict[str, Callable[[], object]]:
    """One command per action of the key table. Late-bound through lambdas:
    the window's parts are made after its actions."""
    return {
        "toggle_pause": window.toggle_pause,
        "seek_back": lambda: window.seek_relative(-SEEK_SHORT),
        "seek_forward": lambda: window.seek_relative(SEEK_SHORT),
        "seek_back_long": lambda: window.seek_relative(-SEEK_LONG),
        "seek_forward_long": lambda: window.seek_relative(SEEK_LONG),
        "frame_step": window.frame_step,
        "frame_back_step": window.frame_back_step,
        "volume_down": lambda: window.levels.change_volume(-VOLUME_STEP),
        "volume_up": lambda: window.levels.change_volume(VOLUME_STEP),
        "mute": lambda: window.levels.toggle_mute(),
        "speed_down": lambda: window.levels.slower(),
        "speed_up": lambda: window.levels.faster(),
        "speed_reset": lambda: window.levels.set_speed(1.0),
        "fullscreen": lambda: window.modes.toggle_fullscreen(),
        "leave_fullscreen": lambda: window.modes.leave_fullscreen(),
        "always_on_top": lambda: window.modes.toggle_always_on_top(),
        "screenshot": window.take_screenshot,
        "screenshot_plain": lambda: window.take_screenshot(subtitles=False),
        "sub_smaller": lambda: window.tracks.scale_subtitles(-SUB_SCALE_STEP),
        "sub_earlier": lambda: window.tracks.shift_subtitles(-SUB_DELAY_STEP),
        "sub_later": lambda: window.tracks.shift_subtitles(SUB_DELAY_STEP),
        "sub_bigger": lambda: window.tracks.scale_subtitles(SUB_SCALE_STEP),
        "stats": lambda: window.panels.toggle_stats(),
        "jump_live": window.jump_to_live,
        "abr_panel": lambda: window.panels.toggle_abr_panel(),
        "playlist_panel": lambda: window.panels.toggle_playlist_panel(),
        "export_timeline": lambda: window.panels.export_timeline(),
        "next": window.play_next,
        "previous": window.play_previous,
        "open_file": lambda: window.opener.open_file_dialog(),
        "open_url": lambda: window.opener.open_url_dialog(),
        "help": lambda: window.menus.show_help(),
        "quit": window.close,
    }


def action_for_key(actions: Mapping[str, QAction], event: QKeyEvent) -> QAction | None:
    """The action whose key this is, for a key that reached the window without
    matching a shortcut (it was not the active one, e.g. just after a
    fullscreen switch)."""
    pressed = QKeySequence(event.keyCombination())
    for name, action in actions.items():
        if any(
            seq.matches(pressed) == QKeySequence.SequenceMatch.ExactMatch
            for seq in action.shortcuts()
        ):
            log.debug("key %s -> %s (fallback)", pressed.toString(), name)
            return action
    return None
