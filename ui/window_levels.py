"""Volume, mute and speed as the window shows them. The Player holds them:
every change is asked of it and what it then reports is shown (the transport
bar, the menus, the OSD) and kept in the settings, so nothing here can drift
from what plays."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from player.levels import MAX_SPEED, MAX_VOLUME, MIN_SPEED

from .bridge import PlayerLike
from .controls import TransportBar
from .osd import Osd
from .settings import Settings
from .window_menus import WindowMenus

__all__ = ["SPEED_FACTOR", "VOLUME_STEP", "LevelControls"]

VOLUME_STEP = 0.02  # mpv: 9/0 change the volume by 2 %
SPEED_FACTOR = 1.1  # mpv's [ and ]


class LevelControls(QObject):
    """``call`` runs a player command and reports its failure; ``changed``
    tells the desktop shell (MPRIS) that what it shows changed."""

    def __init__(
        self,
        parent: QObject,
        *,
        player: PlayerLike,
        call: Callable[..., bool],
        settings: Settings,
        transport: TransportBar,
        menus: WindowMenus,
        osd: Osd,
        changed: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self._player = player
        self._call = call
        self._settings = settings
        self._transport = transport
        self._menus = menus
        self._osd = osd
        self._changed = changed
        # ``--volume`` is for one run: kept in the settings only once the user
        # changes the volume themselves.
        self._volume_from_command_line = False

    def restore(self) -> None:
        """The levels the settings kept, given to the player, shown as it took them."""
        player = self._player
        self._call(player.set_volume, self._settings.volume)
        self._call(player.set_muted, self._settings.muted)
        self._transport.set_volume(player.volume, player.muted)
        self._transport.set_speed(player.speed)
        self._menus.show_muted(player.muted)

    def start_at(self, volume: float) -> None:
        """The command line's ``--volume`` (0..1.5), for this run only."""
        player = self._player
        self._call(player.set_volume, round(min(MAX_VOLUME, max(0.0, volume)), 3))
        self._transport.set_volume(player.volume, player.muted)
        self._volume_from_command_line = True

    def set_volume(self, volume: float) -> None:
        self._volume_from_command_line = False
        player = self._player
        self._call(player.set_volume, round(min(MAX_VOLUME, max(0.0, volume)), 3))
        volume = player.volume  # what the player took, also when it refused
        self._settings.volume = volume
        self._transport.set_volume(volume, player.muted)
        self._osd.flash(self.tr("Volume: %1%").replace("%1", str(round(volume * 100))))
        self._changed()

    def change_volume(self, delta: float) -> None:
        self.set_volume(self._player.volume + delta)

    def set_muted(self, muted: bool) -> None:
        player = self._player
        self._call(player.set_muted, muted)
        muted = player.muted
        self._settings.muted = muted
        self._transport.set_volume(player.volume, muted)
        self._menus.show_muted(muted)
        self._osd.flash(self.tr("Mute") if muted else self.tr("Sound on"))

    def toggle_mute(self) -> None:
        self.set_muted(not self._player.muted)

    def set_speed(self, speed: float) -> None:
        speed = min(MAX_SPEED, max(MIN_SPEED, round(speed, 4)))
        if abs(speed - 1.0) < 0.005:
            speed = 1.0
        self._call(self._player.set_speed, speed)
        speed = self._player.speed
        self._transport.set_speed(speed)
        self._menus.show_speed(speed)
        self._osd.flash(self.tr("Speed: %1×").replace("%1", f"{speed:.2f}"))
        self._changed()

    def faster(self) -> None:
        self.set_speed(self._player.speed * SPEED_FACTOR)

    def slower(self) -> None:
        self.set_speed(self._player.speed / SPEED_FACTOR)

    def save(self) -> None:
        """Into the settings, as the window closes."""
        if not self._volume_from_command_line:
            self._settings.volume = self._player.volume
        self._settings.muted = self._player.muted
