"""Guards against Qt binding bugs that would crash the player."""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    ping = Signal()


def test_signal_emit_keeps_the_refcount_of_true() -> None:
    # PySide6 6.12.0 drops a reference to True on every emit; after enough
    # frames Python 3.11 aborts in bool_dealloc.
    emitter = _Emitter()
    gc.collect()
    before = sys.getrefcount(True)
    for _ in range(200):
        emitter.ping.emit()
    gc.collect()
    assert sys.getrefcount(True) >= before - 5
