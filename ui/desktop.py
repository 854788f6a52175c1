"""The window's ties to the desktop: MPRIS (Linux) and keeping the screen
awake while video plays. Both follow the engine's events through the
window's bridge; neither acts on the player but through the window."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from player.events import MediaInfo, PlayerState, StateChanged

from .screen_awake import ScreenAwake, screen_awake

if TYPE_CHECKING:
    from .main_window import MainWindow
    from .mpris import Mpris

__all__ = ["DesktopIntegration"]

_AWAKE_STATES = (PlayerState.PLAYING, PlayerState.BUFFERING)


class DesktopIntegration(QObject):
    def __init__(self, window: MainWindow, awake: ScreenAwake | None = None) -> None:
        super().__init__(window)
        self._window = window
        self.awake = awake if awake is not None else screen_awake()
        self.mpris: Mpris | None = None
        if sys.platform.startswith("linux") or "bsd" in sys.platform:
            from .mpris import Mpris

            self.mpris = Mpris(window)
        bridge = window.bridge
        bridge.stateChanged.connect(self._on_state)
        bridge.mediaOpened.connect(self._on_media)

    def _video_playing(self, state: PlayerState) -> bool:
        info = self._window.info
        return state in _AWAKE_STATES and info is not None and info.video is not None

    def _on_state(self, event: StateChanged) -> None:
        if self._video_playing(event.state):
            self.awake.hold()
        else:
            self.awake.release()
        self.changed()

    def _on_media(self, info: MediaInfo) -> None:
        if self._video_playing(self._window.state):
            self.awake.hold()
        self.changed()

    def changed(self) -> None:
        """Something the shell shows changed (title, state, volume, list)."""
        if self.mpris is not None:
            self.mpris.changed()

    def close(self) -> None:
        self.awake.close()
        if self.mpris is not None:
            self.mpris.close()
