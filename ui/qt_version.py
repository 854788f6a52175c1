"""Qt's version for ``--version`` and Help → About: the engine (``player``)
never imports Qt, so the window's side says which Qt it runs on."""

from __future__ import annotations

import PySide6
from PySide6 import QtCore

from player.versions import Component

__all__ = ["qt_component"]


def qt_component() -> Component:
    return Component("Qt", f"{QtCore.qVersion()} (PySide6 {PySide6.__version__})", "LGPL-3.0-only")
