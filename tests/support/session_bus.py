"""A private D-Bus session bus for the tests (the window registers MPRIS and
asks the screen saver to wait; neither may reach the developer's desktop),
and a stand-in org.freedesktop.ScreenSaver service that records its calls.
Both are real processes speaking D-Bus."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["LineReader", "private_session_bus", "screensaver_service"]

SCREENSAVER = r"""
import sys
from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusAbstractAdaptor, QDBusConnection

app = QCoreApplication([])

@ClassInfo({"D-Bus Interface": "org.freedesktop.ScreenSaver"})
class Saver(QDBusAbstractAdaptor):
    cookie = 0

    @Slot(str, str, result="uint")
    def Inhibit(self, app_name, reason):
        Saver.cookie += 1
        print(f"Inhibit {app_name!r} {reason!r} -> {Saver.cookie}", flush=True)
        return Saver.cookie

    @Slot("uint")
    def UnInhibit(self, cookie):
        print(f"UnInhibit {cookie}", flush=True)

root = QObject()
Saver(root)
bus = QDBusConnection.sessionBus()
ok = bus.registerObject("/org/freedesktop/ScreenSaver", root) and bus.registerService(
    "org.freedesktop.ScreenSaver"
)
print("ready" if ok else "failed", flush=True)
sys.exit(app.exec() if ok else 1)
"""


class LineReader:
    """The lines a process writes, collected on a thread (no blocking reads
    in the GUI thread, which must keep answering D-Bus)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert proc.stdout is not None
        self._stream = proc.stdout
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        for line in self._stream:
            self.lines.append(line.rstrip("\n"))

    def close(self) -> None:
        self._thread.join(timeout=10)
        self._stream.close()

    def seen(self, prefix: str) -> list[str]:
        return [line for line in self.lines if line.startswith(prefix)]


@contextmanager
def private_session_bus() -> Iterator[str]:
    """Start dbus-daemon on a new session bus; yields its address."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        raise RuntimeError("dbus-daemon is missing: apt-get install dbus-daemon")
    proc = subprocess.Popen(
        [daemon, "--session", "--nofork", "--nopidfile", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # "Failed to set fd limit" as non-root
        text=True,
    )
    assert proc.stdout is not None
    address = proc.stdout.readline().strip()
    try:
        if not address:
            raise RuntimeError("dbus-daemon did not start")
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


@contextmanager
def screensaver_service(env: dict[str, str]) -> Iterator[LineReader]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SCREENSAVER],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    reader = LineReader(proc)
    try:
        yield reader
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        reader.close()
