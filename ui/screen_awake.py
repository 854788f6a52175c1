"""Keep the screen awake while video plays: one small interface, one backend
per platform (freedesktop ScreenSaver over D-Bus, Windows'
SetThreadExecutionState, macOS' IOKit power assertion), as mpv's
``stop-screensaver`` does. Every backend fails quietly: a desktop without the
service still plays, it only may blank."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
from typing import Any, Protocol

__all__ = ["ScreenAwake", "screen_awake"]

log = logging.getLogger(__name__)

APP_NAME = "Heureum"
REASON = "Playing video"


class ScreenAwake(Protocol):
    @property
    def held(self) -> bool: ...

    def hold(self) -> None: ...

    def release(self) -> None: ...

    def close(self) -> None:
        """Release, and let go of whatever the backend holds open."""


class _Nothing:
    """Where no backend applies: the screen may blank."""

    held = False

    def hold(self) -> None:
        pass

    def release(self) -> None:
        pass

    def close(self) -> None:
        pass


class FreedesktopScreenSaver:
    """org.freedesktop.ScreenSaver.Inhibit/UnInhibit on the session bus (GNOME,
    KDE, Xfce and most others answer it). Spoken through jeepney: UnInhibit
    takes a uint32, which PySide6's QtDBus cannot send from Python."""

    SERVICE = "org.freedesktop.ScreenSaver"
    PATHS = ("/org/freedesktop/ScreenSaver", "/ScreenSaver")
    TIMEOUT_S = 1.0

    def __init__(self) -> None:
        self._cookie: int | None = None
        self._path: str | None = None

    @property
    def held(self) -> bool:
        return self._cookie is not None

    def _call(self, path: str, method: str, signature: str, args: tuple[object, ...]) -> Any:
        # A connection per call: calls come only when playback starts or stops,
        # and nothing stays open between them.
        from jeepney import DBusAddress, MessageType, new_method_call
        from jeepney.io.blocking import open_dbus_connection

        address = DBusAddress(path, bus_name=self.SERVICE, interface=self.SERVICE)
        message = new_method_call(address, method, signature, args)
        with open_dbus_connection(bus="SESSION", auth_timeout=self.TIMEOUT_S) as connection:
            reply = connection.send_and_get_reply(message, timeout=self.TIMEOUT_S)
        if reply.header.message_type == MessageType.error:
            raise LookupError(f"{method}: {reply.body}")
        return reply.body

    def hold(self) -> None:
        if self._cookie is not None:
            return
        for path in self.PATHS:
            try:
                body = self._call(path, "Inhibit", "ss", (APP_NAME, REASON))
            except Exception as exc:  # no bus, no service, a timeout: play on
                log.debug("screen saver at %s: %s", path, exc)
                continue
            self._cookie, self._path = int(body[0]), path
            log.debug("screen saver inhibited (cookie %s)", self._cookie)
            return
        log.info("no screen saver service answered; the screen may blank during video")

    def release(self) -> None:
        if self._cookie is None or self._path is None:
            return
        cookie, self._cookie = self._cookie, None
        try:
            self._call(self._path, "UnInhibit", "u", (cookie,))
        except Exception as exc:
            log.debug("screen saver release: %s", exc)

    def close(self) -> None:
        self.release()


class WindowsExecutionState:
    """SetThreadExecutionState: asks Windows to keep the display on while the
    GUI thread says so (it is per thread, so call from the GUI thread)."""

    ES_CONTINUOUS = 0x80000000
    ES_SYSTEM_REQUIRED = 0x00000001
    ES_DISPLAY_REQUIRED = 0x00000002

    def __init__(self) -> None:
        self.held = False

    def _set(self, flags: int) -> bool:
        kernel32 = getattr(ctypes, "windll", None)
        if kernel32 is None:
            return False
        return bool(kernel32.kernel32.SetThreadExecutionState(ctypes.c_uint32(flags)))

    def hold(self) -> None:
        if not self.held:
            flags = self.ES_CONTINUOUS | self.ES_SYSTEM_REQUIRED | self.ES_DISPLAY_REQUIRED
            self.held = self._set(flags)

    def release(self) -> None:
        if self.held:
            self._set(self.ES_CONTINUOUS)
            self.held = False

    def close(self) -> None:
        self.release()


class MacPowerAssertion:
    """IOPMAssertionCreateWithName(kIOPMAssertPreventUserIdleDisplaySleep)."""

    def __init__(self) -> None:
        self._id: int | None = None
        self._iokit: ctypes.CDLL | None = None
        self._cf: ctypes.CDLL | None = None
        try:
            iokit = ctypes.util.find_library("IOKit")
            cf = ctypes.util.find_library("CoreFoundation")
            if iokit and cf:
                self._iokit, self._cf = ctypes.CDLL(iokit), ctypes.CDLL(cf)
                self._cf.CFStringCreateWithCString.restype = ctypes.c_void_p
                self._cf.CFStringCreateWithCString.argtypes = [
                    ctypes.c_void_p,
                    ctypes.c_char_p,
                    ctypes.c_uint32,
                ]
                self._cf.CFRelease.argtypes = [ctypes.c_void_p]
        except OSError:
            self._iokit = self._cf = None

    @property
    def held(self) -> bool:
        return self._id is not None

    def _cfstr(self, text: str) -> int:
        assert self._cf is not None
        utf8 = 0x08000100
        return int(self._cf.CFStringCreateWithCString(None, text.encode(), utf8))

    def hold(self) -> None:
        if self._id is not None or self._iokit is None or self._cf is None:
            return
        kind = self._cfstr("PreventUserIdleDisplaySleep")
        name = self._cfstr(f"{APP_NAME}: {REASON}")
        assertion = ctypes.c_uint32(0)
        level_on = 255
        result = self._iokit.IOPMAssertionCreateWithName(
            ctypes.c_void_p(kind), ctypes.c_uint32(level_on), ctypes.c_void_p(name),
            ctypes.byref(assertion),
        )  # fmt: skip
        self._cf.CFRelease(ctypes.c_void_p(kind))
        self._cf.CFRelease(ctypes.c_void_p(name))
        if result == 0:
            self._id = assertion.value

    def release(self) -> None:
        if self._id is not None and self._iokit is not None:
            self._iokit.IOPMAssertionRelease(ctypes.c_uint32(self._id))
            self._id = None

    def close(self) -> None:
        self.release()


def screen_awake(platform: str = sys.platform) -> ScreenAwake:
    if platform.startswith("linux") or "bsd" in platform:
        return FreedesktopScreenSaver()
    if platform == "win32":
        return WindowsExecutionState()
    if platform == "darwin":
        return MacPowerAssertion()
    return _Nothing()
