"""Qt objects in reference cycles are collected on the GUI thread, never on an
engine thread (where PySide's destructor can deadlock with the GUI thread)."""

from __future__ import annotations

import gc
import threading
from typing import ClassVar

from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from tests.gui.conftest import TIMEOUT_MS
from ui.main_window import MainWindow


class _Cyclic(QObject):
    died_on: ClassVar[list[str]] = []

    def __init__(self) -> None:
        super().__init__()
        self.me = self  # a cycle: only the collector frees it

    def __del__(self) -> None:
        _Cyclic.died_on.append(threading.current_thread().name)


def test_cycles_die_on_the_gui_thread(qtbot: QtBot, window: MainWindow) -> None:
    assert not gc.isenabled()  # no collection on whatever thread allocates
    _Cyclic.died_on.clear()
    _Cyclic()

    def churn() -> None:  # allocations that would have triggered a collection
        junk = [[i] for i in range(50_000)]
        del junk

    worker = threading.Thread(target=churn, name="engine-like")
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(_Cyclic.died_on), timeout=TIMEOUT_MS)
    assert _Cyclic.died_on == [threading.main_thread().name]
