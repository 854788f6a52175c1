"""Checks, before the QApplication exists, that the system libraries Qt's
platform plugin needs are there. Without them Qt prints "could not load the
Qt platform plugin" and aborts (status 134, a core dump); we say which library
is missing, which package has it, and exit with status 1."""

from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path

__all__ = ["DEBIAN_PACKAGES", "check_platform_libraries", "missing_library", "platform_plugin"]

#: soname -> the Debian/Ubuntu package that ships it (the xcb plugin's needs)
DEBIAN_PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
}

_SONAME = re.compile(r"([\w.+-]+\.so(?:\.\d+)*)\s*:")


def platform_plugin() -> Path | None:
    """The xcb platform plugin Qt is about to load, or None when it will load
    another one (Wayland, offscreen, Windows, macOS) or it cannot be found."""
    if not sys.platform.startswith("linux"):
        return None
    wanted = os.environ.get("QT_QPA_PLATFORM", "")
    if wanted and not wanted.startswith("xcb"):
        return None
    if not wanted and os.environ.get("WAYLAND_DISPLAY"):
        return None
    from PySide6.QtCore import QLibraryInfo

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    plugin = plugins / "platforms" / "libqxcb.so"
    return plugin if plugin.exists() else None


def missing_library(library: Path | str) -> str | None:
    """The first library ``library`` needs that the dynamic loader cannot load,
    or None. dlopen is the loader's own answer, so RPATHs, the ld cache and
    LD_LIBRARY_PATH all count as they will for Qt."""
    try:
        ctypes.CDLL(str(library), mode=os.RTLD_LAZY)
    except OSError as exc:
        text = str(exc)
        found = _SONAME.search(text)
        return found.group(1) if found else text
    return None


def check_platform_libraries() -> str | None:
    """One line saying what is missing, or None when the window can open."""
    plugin = platform_plugin()
    if plugin is None:
        return None
    missing = missing_library(plugin)
    if missing is None:
        return None
    package = DEBIAN_PACKAGES.get(missing)
    hint = f" (Debian/Ubuntu package {package})" if package else ""
    return (
        f"the system library {missing}{hint} is missing, so the window cannot open; "
        "install it, or play without a window with --headless"
    )
