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
    """``bus``: start now; else at ``start_bus()``, which the app calls once
    the first frame is on screen (ui.first_frame): MPRIS and the screen saver
    both talk over the session bus, a blocking connection each, which the
    GUI thread would otherwise make just as the first picture is due."""

    def __init__(
        self, window: MainWindow, awake: ScreenAwake | None = None, *, bus: bool = True
    ) -> None:
        super().__init__(window)
        self._window = window
        self._closed = False
        self._started = False
        self.awake = awake if awake is not None else screen_awake()
        self.mpris: Mpris | None = None
        bridge = window.bridge
        bridge.stateChanged.connect(self._on_state)
        bridge.mediaOpened.connect(self._on_media)
        if bus:
            self.start_bus()

    def start_bus(self) -> None:
        """Own the MPRIS name (Linux, BSD) and keep the screen awake if video
        already plays; once, and not after ``close()``."""
        if self._started or self._closed:
            return
        self._started = True
        if sys.platform.startswith("linux") or "bsd" in sys.platform:
            from .mpris import Mpris

            self.mpris = Mpris(self._window)
        self._follow(self._window.state)

    def _video_playing(self, state: PlayerState) -> bool:
        info = self._window.info
        return state in _AWAKE_STATES and info is not None and info.video is not None

    def _follow(self, state: PlayerState) -> None:
        if not self._started:
            return
        if self._video_playing(state):
            self.awake.hold()
        else:
            self.awake.release()

    def _on_state(self, event: StateChanged) -> None:
        self._follow(event.state)
        self.changed()

    def _on_media(self, info: MediaInfo) -> None:
        if self._started and self._video_playing(self._window.state):
            self.awake.hold()
        self.changed()

    def changed(self) -> None:
        """Something the shell shows changed (title, state, volume, list)."""
        if self.mpris is not None:
            self.mpris.changed()

    def close(self) -> None:
        self._closed = True
        self.awake.close()
        if self.mpris is not None:
            self.mpris.close()
