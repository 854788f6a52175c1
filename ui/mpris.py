"""MPRIS on the session bus (Linux): media keys, the desktop shell's player
controls and the title it shows, as mpv (mpv-mpris) and VLC offer.

The window stays the one place that acts: these adaptors only translate
D-Bus calls into the window's own commands and read its state back."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from PySide6.QtCore import ClassInfo, Property, QObject, Slot
from PySide6.QtDBus import (
    QDBusAbstractAdaptor,
    QDBusConnection,
    QDBusMessage,
    QDBusObjectPath,
)

from player.events import PlayerState

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["Mpris", "metadata", "track_id"]

log = logging.getLogger(__name__)

OBJECT_PATH = "/org/mpris/MediaPlayer2"
ROOT_IFACE = "org.mpris.MediaPlayer2"
PLAYER_IFACE = "org.mpris.MediaPlayer2.Player"
SERVICE = "org.mpris.MediaPlayer2.heureum"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
US = 1_000_000  # MPRIS counts microseconds


_T = TypeVar("_T")


def _dbus_interface(name: str) -> Callable[[type[_T]], type[_T]]:
    """PySide6's ClassInfo naming an adaptor's interface (typed here: its stub
    lacks the dict form that names with spaces need)."""
    return cast(Callable[[type[_T]], type[_T]], cast(Any, ClassInfo)({"D-Bus Interface": name}))


def track_id(window: MainWindow) -> str:
    """One object path per play list entry (MPRIS wants an id per track)."""
    if window.current_url is None:
        return NO_TRACK
    return f"/org/heureum/track/{max(0, window.playlist.index)}"


def metadata(window: MainWindow) -> dict[str, Any]:
    """xesam/mpris metadata of what the window shows: title and length (the
    URL is left out: it may carry credentials and the shell shows the title)."""
    meta: dict[str, Any] = {"mpris:trackid": QDBusObjectPath(track_id(window))}
    if window.current_url is None:
        return meta
    meta["xesam:title"] = window.title or "Heureum"
    info = window.info
    if info is not None and not info.is_live:
        try:
            duration = window.player.duration or info.duration
        except Exception:
            duration = info.duration
        if duration:
            # PySide6 sends an int under 2**31 as int32, not the spec's int64;
            # shells (GNOME, KDE, playerctl) read both.
            meta["mpris:length"] = round(duration * US)
    return meta


def _status(state: PlayerState) -> str:
    if state in (PlayerState.PLAYING, PlayerState.BUFFERING, PlayerState.OPENING):
        return "Playing"
    if state == PlayerState.PAUSED:
        return "Paused"
    return "Stopped"


@_dbus_interface(ROOT_IFACE)
class _RootAdaptor(QDBusAbstractAdaptor):
    def __init__(self, parent: QObject, window: MainWindow) -> None:
        super().__init__(parent)
        self._window = window

    @Slot()
    def Raise(self) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()

    @Slot()
    def Quit(self) -> None:
        self._window.close()

    def _true(self) -> bool:
        return True

    def _false(self) -> bool:
        return False

    def _identity(self) -> str:
        return "Heureum"

    def _desktop(self) -> str:
        return "heureum"

    def _schemes(self) -> list[str]:
        return ["file", "http", "https", "rtsp", "rtsps", "rtmp", "rtmps"]

    def _mimes(self) -> list[str]:
        return [
            "application/vnd.apple.mpegurl",
            "application/x-mpegurl",
            "audio/x-mpegurl",
            "video/mp4",
            "video/x-matroska",
            "video/webm",
            "video/mp2t",
            "video/x-flv",
        ]

    CanQuit = Property(bool, _true)
    CanRaise = Property(bool, _true)
    HasTrackList = Property(bool, _false)
    Identity = Property(str, _identity)
    DesktopEntry = Property(str, _desktop)
    SupportedUriSchemes = Property("QStringList", _schemes)  # type: ignore[arg-type]
    SupportedMimeTypes = Property("QStringList", _mimes)  # type: ignore[arg-type]


@_dbus_interface(PLAYER_IFACE)
class _PlayerAdaptor(QDBusAbstractAdaptor):
    def __init__(self, parent: QObject, window: MainWindow) -> None:
        super().__init__(parent)
        self._window = window

    # -- methods ---------------------------------------------------------------
    @Slot()
    def PlayPause(self) -> None:
        self._window.toggle_pause()

    @Slot()
    def Play(self) -> None:
        if self._window.state != PlayerState.PLAYING:
            self._window.toggle_pause()

    @Slot()
    def Pause(self) -> None:
        if self._window.state in (PlayerState.PLAYING, PlayerState.BUFFERING):
            self._window.toggle_pause()

    @Slot()
    def Stop(self) -> None:
        self._window.stop()

    @Slot()
    def Next(self) -> None:
        self._window.play_next()

    @Slot()
    def Previous(self) -> None:
        self._window.play_previous()

    @Slot("qlonglong")
    def Seek(self, offset_us: int) -> None:
        self._window.seek_relative(offset_us / US)

    @Slot(QDBusObjectPath, "qlonglong")
    def SetPosition(self, track: QDBusObjectPath, position_us: int) -> None:
        # The spec: ignore a stale track id (the user moved on meanwhile).
        if track.path() == track_id(self._window) and position_us >= 0:
            self._window.seek(position_us / US)

    @Slot(str)
    def OpenUri(self, uri: str) -> None:
        self._window.open_url(uri)

    # -- properties ------------------------------------------------------------
    def _status(self) -> str:
        return _status(self._window.state)

    def _metadata(self) -> dict[str, Any]:
        return metadata(self._window)

    def _position(self) -> int:
        try:
            position = self._window.player.position
        except Exception:
            position = None
        return round((position or 0.0) * US)

    def _volume(self) -> float:
        return 0.0 if self._window.muted else float(self._window.volume)

    def _set_volume(self, volume: float) -> None:
        self._window.set_volume(max(0.0, float(volume)))

    def _rate(self) -> float:
        return float(self._window.speed)

    def _set_rate(self, rate: float) -> None:
        if rate > 0:
            self._window.set_speed(float(rate))

    def _can_next(self) -> bool:
        return self._window.playlist.has_next()

    def _can_previous(self) -> bool:
        return self._window.playlist.has_previous()

    def _can_seek(self) -> bool:
        info = self._window.info
        return bool(info is not None and info.seekable)

    def _true(self) -> bool:
        return True

    def _min_rate(self) -> float:
        return 0.25

    def _max_rate(self) -> float:
        return 4.0

    PlaybackStatus = Property(str, _status)
    Metadata = Property("QVariantMap", _metadata)  # type: ignore[arg-type]
    Position = Property("qlonglong", _position)  # type: ignore[arg-type]
    Volume = Property(float, _volume, _set_volume)
    Rate = Property(float, _rate, _set_rate)
    MinimumRate = Property(float, _min_rate)
    MaximumRate = Property(float, _max_rate)
    CanGoNext = Property(bool, _can_next)
    CanGoPrevious = Property(bool, _can_previous)
    CanPlay = Property(bool, _true)
    CanPause = Property(bool, _true)
    CanSeek = Property(bool, _can_seek)
    CanControl = Property(bool, _true)


class Mpris(QObject):
    """Registers on the session bus when there is one; ``changed()`` tells
    listeners (the shell) what the window now shows."""

    def __init__(self, window: MainWindow, service: str | None = None) -> None:
        super().__init__(window)
        self._window = window
        self._root = QObject(self)
        self._adaptors = (_RootAdaptor(self._root, window), _PlayerAdaptor(self._root, window))
        self._last: dict[str, Any] = {}
        self.service: str | None = None
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            log.debug("no session bus: MPRIS is off")
            return
        if not bus.registerObject(OBJECT_PATH, self._root):
            log.info("MPRIS object path taken; media keys stay with another player")
            return
        name = service or SERVICE
        if not bus.registerService(name):
            # Another Heureum: the spec's per-instance suffix.
            name = f"{name}.instance{os.getpid()}"
            if not bus.registerService(name):
                bus.unregisterObject(OBJECT_PATH)
                return
        self.service = name

    def close(self) -> None:
        if self.service is None:
            return
        bus = QDBusConnection.sessionBus()
        bus.unregisterObject(OBJECT_PATH)
        bus.unregisterService(self.service)
        self.service = None

    def changed(self) -> None:
        """Send PropertiesChanged for what differs from the last time."""
        if self.service is None:
            return
        player = self._adaptors[1]
        now: dict[str, Any] = {
            "PlaybackStatus": player._status(),
            "Metadata": player._metadata(),
            "CanGoNext": player._can_next(),
            "CanGoPrevious": player._can_previous(),
            "CanSeek": player._can_seek(),
            "Volume": player._volume(),
            "Rate": player._rate(),
        }
        diff = {k: v for k, v in now.items() if self._last.get(k) != v}
        self._last = now
        if not diff:
            return
        message = QDBusMessage.createSignal(
            OBJECT_PATH, "org.freedesktop.DBus.Properties", "PropertiesChanged"
        )
        message.setArguments([PLAYER_IFACE, diff, []])
        QDBusConnection.sessionBus().send(message)
