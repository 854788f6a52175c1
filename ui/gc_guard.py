"""Python's cycle collector, run on the GUI thread only.

Left automatic, the collector runs on whichever thread allocates when a
threshold is crossed: an engine thread then destroys Qt objects that were in a
reference cycle (a menu and the lambdas its actions call). PySide releases the
GIL inside the C++ destructor, which takes a Qt lock and then wants the GIL
back to look for Python overrides, while the GUI thread, holding the GIL, waits
for the same lock: both wait for ever (seen here, in a full test run). With
automatic collection off, a timer on the GUI thread collects instead, so Qt
objects die on the thread that owns them."""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QObject, QTimer

__all__ = ["COLLECT_MS", "install", "uninstall"]

COLLECT_MS = 500

_timer: QTimer | None = None


def _collect() -> None:
    # Cheap generations often, the old one when its threshold says so (the
    # thresholds automatic collection would have used).
    counts = gc.get_count()
    thresholds = gc.get_threshold()
    if counts[2] >= thresholds[2] or counts[1] >= thresholds[1]:
        gc.collect(2 if counts[2] >= thresholds[2] else 1)
    else:
        gc.collect(0)


def install() -> None:
    """Idempotent; needs a QCoreApplication (the window has one)."""
    global _timer
    app = QCoreApplication.instance()
    if app is None or (_timer is not None and _is_alive(_timer)):
        return
    gc.disable()
    _timer = QTimer(app)
    _timer.setInterval(COLLECT_MS)
    _timer.timeout.connect(_collect)
    _timer.start()


def _is_alive(obj: QObject) -> bool:
    try:
        obj.objectName()
    except RuntimeError:  # its C++ side went with a previous application
        return False
    return True


def uninstall() -> None:
    """Automatic collection back (tests that go on without a window)."""
    global _timer
    if _timer is not None and _is_alive(_timer):
        _timer.stop()
        _timer.deleteLater()
    _timer = None
    gc.collect()
    gc.enable()
