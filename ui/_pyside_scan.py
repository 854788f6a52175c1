"""Imported first by ``ui.app``: PySide6 reads the source file of every module
imported after it (``inspect.getsource``, in shiboken's ``feature`` support)
to learn whether the module names PySide6 and so might switch on its opt-in
``__feature__`` modes (snake_case, true_property). Heureum uses none, and the
reading costs 20-30 ms of the start-up (two hundred modules: the window's and
the engine's) and keeps every source in memory (issue 13). A module's own
namespace tells the same for ours: whether it holds anything from PySide6.
Without that internal hook (another PySide6), nothing changes."""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6.QtCore  # noqa: F401 - it installs shiboken's import hook

__all__ = ["uses_pyside"]


def uses_pyside(module: ModuleType) -> bool:
    """Whether ``module`` imported anything from PySide6, by its namespace."""
    for value in list(vars(module).values()):
        name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", "")
        if isinstance(name, str) and name.startswith(("PySide6", "shiboken6")):
            return True
    return False


def _install() -> None:
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        setattr(feature, "_mod_uses_pyside", uses_pyside)  # noqa: B010 - a module of PySide6


_install()
