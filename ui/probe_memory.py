"""The OpenGL probe's "software" verdict, remembered between starts.

Probing makes a GL context: 35-80 ms here (Mesa's llvmpipe under Xvfb), with
the interpreter held all along (issue 13). Where OpenGL is software (a VM, a remote desktop,
Xvfb) the answer is always "draw in software", and nothing changes on screen
without it: the view stays as it started. So that verdict is kept, for the
same display (platform, display name, Qt version), and the next start skips
the probe. A verdict for OpenGL is never kept: that machine probes at every
start, once the first picture is on screen when the window opens something
(ui.video_view), and swaps to the OpenGL renderer then.
The window probes again as it closes, when nobody waits for a picture, so a
new driver or GPU is found for the next start."""

from __future__ import annotations

import os
from typing import Protocol

from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication

__all__ = ["ProbeMemory", "VerdictStore", "display_key"]

#: what ``choose_renderer`` answered when the probe ran
Verdict = tuple[str, str]


class VerdictStore(Protocol):
    software_gl: str


def display_key() -> str:
    """Which display the verdict is for: another platform, X display or
    Wayland socket, or another Qt, probes again."""
    parts = (
        QGuiApplication.platformName(),
        os.environ.get("DISPLAY", ""),
        os.environ.get("WAYLAND_DISPLAY", ""),
        qVersion(),
    )
    return "|".join(parts)


class ProbeMemory:
    """Reads and writes the verdict in ``store`` (the window's Settings)."""

    def __init__(self, store: VerdictStore) -> None:
        self._store = store

    def recall(self) -> str | None:
        """Why the view draws in software, if a probe on this display said so."""
        key, _, why = self._store.software_gl.partition("\n")
        return why if why and key == display_key() else None

    def learn(self, verdict: Verdict) -> None:
        kind, why = verdict
        self._store.software_gl = f"{display_key()}\n{why}" if kind == "software" else ""
