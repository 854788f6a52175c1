"""MPRIS on the session bus (Linux): media keys, the desktop shell's player
controls and the title it shows, as mpv (mpv-mpris) and VLC offer.

Spoken through jeepney rather than QtDBus: every value goes out with the
spec's D-Bus type (``mpris:length`` and ``Position`` as int64), where
PySide6 turns a Python int that fits in 32 bits into an int32. A thread
answers the bus from a snapshot the GUI thread keeps (and the player's
thread-safe position); calls that act are queued to the GUI thread, where
the window stays the one place that acts."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from player.events import PlayerState

if TYPE_CHECKING:
    from .main_window import MainWindow

__all__ = ["Mpris", "metadata", "track_id"]

log = logging.getLogger(__name__)

OBJECT_PATH = "/org/mpris/MediaPlayer2"
ROOT_IFACE = "org.mpris.MediaPlayer2"
PLAYER_IFACE = "org.mpris.MediaPlayer2.Player"
PROPS_IFACE = "org.freedesktop.DBus.Properties"
SERVICE = "org.mpris.MediaPlayer2.heureum"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
US = 1_000_000  # MPRIS counts microseconds
#: how often the bus thread looks up from a quiet bus to see if it should stop
_POLL_S = 0.25

#: a property's value with its D-Bus signature, as jeepney writes variants
Typed = tuple[str, Any]

_SCHEMES = ["file", "http", "https", "rtsp", "rtsps", "rtmp", "rtmps"]
_MIMES = [
    "application/vnd.apple.mpegurl",
    "application/x-mpegurl",
    "audio/x-mpegurl",
    "video/mp4",
    "video/x-matroska",
    "video/webm",
    "video/mp2t",
    "video/x-flv",
]
_ROOT: dict[str, Typed] = {
    "CanQuit": ("b", True),
    "CanRaise": ("b", True),
    "HasTrackList": ("b", False),
    "Identity": ("s", "Heureum"),
    "DesktopEntry": ("s", "heureum"),
    "SupportedUriSchemes": ("as", _SCHEMES),
    "SupportedMimeTypes": ("as", _MIMES),
}
#: (method, its D-Bus in-signature) of the player interface
_PLAYER_METHODS = {
    "PlayPause": "",
    "Play": "",
    "Pause": "",
    "Stop": "",
    "Next": "",
    "Previous": "",
    "Seek": "x",
    "SetPosition": "ox",
    "OpenUri": "s",
}
_INTROSPECTION = f"""<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
 <interface name="{ROOT_IFACE}">
  <method name="Raise"/><method name="Quit"/>
  {"".join(f'<property name="{n}" type="{t}" access="read"/>' for n, (t, _) in _ROOT.items())}
 </interface>
 <interface name="{PLAYER_IFACE}">
  <method name="PlayPause"/><method name="Play"/><method name="Pause"/><method name="Stop"/>
  <method name="Next"/><method name="Previous"/>
  <method name="Seek"><arg name="Offset" type="x" direction="in"/></method>
  <method name="SetPosition"><arg name="TrackId" type="o" direction="in"/>
   <arg name="Position" type="x" direction="in"/></method>
  <method name="OpenUri"><arg name="Uri" type="s" direction="in"/></method>
  <signal name="Seeked"><arg name="Position" type="x"/></signal>
  <property name="PlaybackStatus" type="s" access="read"/>
  <property name="Metadata" type="a{{sv}}" access="read"/>
  <property name="Position" type="x" access="read"/>
  <property name="Volume" type="d" access="readwrite"/>
  <property name="Rate" type="d" access="readwrite"/>
  <property name="MinimumRate" type="d" access="read"/>
  <property name="MaximumRate" type="d" access="read"/>
  <property name="CanGoNext" type="b" access="read"/>
  <property name="CanGoPrevious" type="b" access="read"/>
  <property name="CanPlay" type="b" access="read"/>
  <property name="CanPause" type="b" access="read"/>
  <property name="CanSeek" type="b" access="read"/>
  <property name="CanControl" type="b" access="read"/>
 </interface>
 <interface name="{PROPS_IFACE}">
  <method name="Get"><arg type="s" direction="in"/><arg type="s" direction="in"/>
   <arg type="v" direction="out"/></method>
  <method name="GetAll"><arg type="s" direction="in"/><arg type="a{{sv}}" direction="out"/></method>
  <method name="Set"><arg type="s" direction="in"/><arg type="s" direction="in"/>
   <arg type="v" direction="in"/></method>
  <signal name="PropertiesChanged"><arg type="s"/><arg type="a{{sv}}"/><arg type="as"/></signal>
 </interface>
 <interface name="org.freedesktop.DBus.Introspectable">
  <method name="Introspect"><arg type="s" direction="out"/></method>
 </interface>
</node>
"""


def track_id(window: MainWindow) -> str:
    """One object path per play list entry (MPRIS wants an id per track)."""
    if window.current_url is None:
        return NO_TRACK
    return f"/org/heureum/track/{max(0, window.playlist.index)}"


def metadata(window: MainWindow) -> dict[str, Typed]:
    """xesam/mpris metadata of what the window shows, typed: title and length
    (the URL is left out: it may carry credentials and the shell shows the
    title)."""
    meta: dict[str, Typed] = {"mpris:trackid": ("o", track_id(window))}
    if window.current_url is None:
        return meta
    meta["xesam:title"] = ("s", window.title or "Heureum")
    info = window.info
    if info is not None and not info.is_live:
        try:
            duration = window.player.duration or info.duration
        except Exception:
            duration = info.duration
        if duration:
            meta["mpris:length"] = ("x", round(duration * US))
    return meta


def _status(state: PlayerState) -> str:
    if state in (PlayerState.PLAYING, PlayerState.BUFFERING, PlayerState.OPENING):
        return "Playing"
    if state == PlayerState.PAUSED:
        return "Paused"
    return "Stopped"


def _player_props(window: MainWindow) -> dict[str, Typed]:
    """The player interface's properties but Position (read when asked)."""
    info = window.info
    return {
        "PlaybackStatus": ("s", _status(window.state)),
        "Metadata": ("a{sv}", metadata(window)),
        "Volume": ("d", 0.0 if window.player.muted else float(window.player.volume)),
        "Rate": ("d", float(window.player.speed)),
        "MinimumRate": ("d", 0.25),
        "MaximumRate": ("d", 4.0),
        "CanGoNext": ("b", window.playlist.has_next()),
        "CanGoPrevious": ("b", window.playlist.has_previous()),
        "CanPlay": ("b", True),
        "CanPause": ("b", True),
        "CanSeek": ("b", bool(info is not None and info.seekable)),
        "CanControl": ("b", True),
    }


class Mpris(QObject):
    """Owns the bus name when there is a session bus; ``changed()`` (GUI
    thread) tells listeners (the shell) what the window now shows."""

    #: (method, arguments) from the bus thread, run on the GUI thread
    _command = Signal(str, object)
    #: the bus thread reached the bus and owns the name
    _opened = Signal()

    def __init__(self, window: MainWindow, service: str | None = None) -> None:
        super().__init__(window)
        self._window = window
        self.service: str | None = None
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._props: dict[str, dict[str, Typed]] = {
            ROOT_IFACE: dict(_ROOT),
            PLAYER_IFACE: _player_props(window),
        }
        self._last: dict[str, Typed] = dict(self._props[PLAYER_IFACE])
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: Any = None
        self._command.connect(self._run_command)
        self._opened.connect(self.changed)
        # The bus is reached on the bus thread: connecting, authenticating and
        # asking for the name are round trips (up to 2 s each on a slow bus),
        # and on the GUI thread they held up the picture that had just started
        # to move (issue 13).
        self._thread = threading.Thread(
            target=self._open_and_serve,
            args=(service or SERVICE,),
            name="heureum-mpris",
            daemon=True,
        )
        self._thread.start()

    def _open_and_serve(self, name: str) -> None:
        try:
            conn, service = self._open(name)
        except Exception as exc:  # no bus, no jeepney, a refused name: no MPRIS
            log.debug("MPRIS is off: %s", exc)
            return
        with self._lock:
            kept = not self._stop.is_set()
            if kept:
                self._conn, self.service = conn, service
        if not kept:  # the window closed while the bus was reached
            with contextlib.suppress(OSError):
                conn.close()
            return
        with contextlib.suppress(RuntimeError):  # the window went meanwhile
            self._opened.emit()  # what changed before the bus was reached goes out
        self._serve()

    def _open(self, name: str) -> tuple[Any, str]:
        from jeepney import DBusAddress, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        conn = open_dbus_connection(bus="SESSION")
        daemon = "org.freedesktop.DBus"
        bus = DBusAddress("/org/freedesktop/DBus", bus_name=daemon, interface=daemon)
        # Another Heureum has the name: the spec's per-instance suffix.
        for candidate in (name, f"{name}.instance{os.getpid()}"):
            reply = conn.send_and_get_reply(
                new_method_call(bus, "RequestName", "su", (candidate, 4)), timeout=2.0
            )
            if reply.body and reply.body[0] == 1:  # the primary owner
                return conn, candidate
        conn.close()
        raise OSError(f"the bus name {name} is taken")

    # -- the GUI thread ----------------------------------------------------------
    def changed(self) -> None:
        """Send PropertiesChanged for what differs from the last time."""
        if self._conn is None:
            return
        now = _player_props(self._window)
        with self._lock:
            self._props[PLAYER_IFACE] = now
        diff = {k: v for k, v in now.items() if self._last.get(k) != v}
        self._last = now
        if diff:
            self._signal(PROPS_IFACE, "PropertiesChanged", "sa{sv}as", (PLAYER_IFACE, diff, []))

    def _signal(self, interface: str, name: str, signature: str, body: tuple[Any, ...]) -> None:
        from jeepney import DBusAddress, new_signal

        emitter = DBusAddress(OBJECT_PATH, interface=interface)
        try:
            self._send(new_signal(emitter, name, signature, body))
        except OSError as exc:
            log.debug("MPRIS signal %s not sent: %s", name, exc)

    def close(self) -> None:
        with self._lock:  # a bus reached from now on is let go at once
            self._stop.set()
            conn, self._conn = self._conn, None
            self.service = None
        if conn is None:
            return
        if self._thread is not None:
            self._thread.join(_POLL_S * 4)
            self._thread = None
        with contextlib.suppress(OSError):
            conn.close()  # the bus drops the name with the connection

    @Slot(str, object)
    def _run_command(self, method: str, args: tuple[Any, ...]) -> None:
        w = self._window
        if method == "Raise":
            w.showNormal()
            w.raise_()
            w.activateWindow()
        elif method == "Quit":
            w.close()
        elif method == "PlayPause":
            w.toggle_pause()
        elif method == "Play":
            if w.state != PlayerState.PLAYING:
                w.toggle_pause()
        elif method == "Pause":
            if w.state in (PlayerState.PLAYING, PlayerState.BUFFERING):
                w.toggle_pause()
        elif method == "Stop":
            w.stop()
        elif method == "Next":
            w.play_next()
        elif method == "Previous":
            w.play_previous()
        elif method == "Seek":
            w.seek_relative(args[0] / US)
        elif method == "SetPosition":
            # The spec: ignore a stale track id (the user moved on meanwhile).
            if args[0] == track_id(w) and args[1] >= 0:
                w.seek(args[1] / US)
        elif method == "OpenUri":
            w.open_url(str(args[0]))
        elif method == "Volume":
            w.levels.set_volume(max(0.0, float(args[0])))
        elif method == "Rate" and float(args[0]) > 0:
            w.levels.set_speed(float(args[0]))
        self.changed()

    # -- the bus thread ----------------------------------------------------------
    def _position(self) -> Typed:
        try:
            position = self._window.player.position
        except Exception:
            position = None
        return ("x", round((position or 0.0) * US))

    def _get(self, interface: str, name: str) -> Typed | None:
        if interface == PLAYER_IFACE and name == "Position":
            return self._position()
        with self._lock:
            return self._props.get(interface, {}).get(name)

    def _serve(self) -> None:
        from jeepney import HeaderFields, MessageType

        while not self._stop.is_set():
            conn = self._conn
            if conn is None:
                return
            try:
                msg = conn.receive(timeout=_POLL_S)
            except TimeoutError:
                continue
            except (OSError, ValueError) as exc:
                if not self._stop.is_set():
                    log.debug("MPRIS bus closed: %s", exc)
                return
            header = msg.header
            if header.message_type != MessageType.method_call:
                continue
            if header.fields.get(HeaderFields.path) != OBJECT_PATH:
                self._error(msg, "org.freedesktop.DBus.Error.UnknownObject", "no such object")
                continue
            try:
                self._answer(msg)
            except Exception as exc:  # a malformed call: an error reply, never a dead thread
                log.debug("MPRIS call failed", exc_info=True)
                self._error(msg, "org.freedesktop.DBus.Error.Failed", str(exc))

    def _answer(self, msg: Any) -> None:
        from jeepney import HeaderFields, new_method_return

        fields = msg.header.fields
        interface = fields.get(HeaderFields.interface)
        member = fields.get(HeaderFields.member)
        body = msg.body
        if interface == PROPS_IFACE and member == "Get":
            value = self._get(body[0], body[1])
            if value is None:
                self._error(msg, "org.freedesktop.DBus.Error.UnknownProperty", body[1])
                return
            self._reply(new_method_return(msg, "v", (value,)))
        elif interface == PROPS_IFACE and member == "GetAll":
            with self._lock:
                props = dict(self._props.get(body[0], {}))
            if body[0] == PLAYER_IFACE:
                props["Position"] = self._position()
            self._reply(new_method_return(msg, "a{sv}", (props,)))
        elif interface == PROPS_IFACE and member == "Set":
            if body[0] == PLAYER_IFACE and body[1] in ("Volume", "Rate"):
                self._command.emit(body[1], (body[2][1],))
                self._reply(new_method_return(msg))
            else:
                self._error(msg, "org.freedesktop.DBus.Error.PropertyReadOnly", body[1])
        elif interface == "org.freedesktop.DBus.Introspectable" and member == "Introspect":
            self._reply(new_method_return(msg, "s", (_INTROSPECTION,)))
        elif interface == "org.freedesktop.DBus.Peer" and member == "Ping":
            self._reply(new_method_return(msg))
        elif member in ("Raise", "Quit") and interface in (ROOT_IFACE, None):
            self._command.emit(member, ())
            self._reply(new_method_return(msg))
        elif member in _PLAYER_METHODS and interface in (PLAYER_IFACE, None):
            self._command.emit(member, tuple(body))
            self._reply(new_method_return(msg))
        else:
            self._error(msg, "org.freedesktop.DBus.Error.UnknownMethod", f"{interface}.{member}")

    def _reply(self, message: Any) -> None:
        self._send(message)

    def _send(self, message: Any) -> None:
        # Both threads send (signals, replies): one message's bytes at a time.
        with self._send_lock:
            conn = self._conn
            if conn is not None:
                conn.send(message)

    def _error(self, msg: Any, name: str, text: str) -> None:
        from jeepney import new_error

        self._reply(new_error(msg, name, "s", (text,)))
