"""What this build is made of: the versions of Heureum, Qt, PyAV/FFmpeg and
PortAudio, and the licences they ship under (``heureum --version``, Help →
About). Qt-free: Qt's version is read from PySide6 only when it is installed."""

from __future__ import annotations

import platform
import sys
from dataclasses import dataclass

from . import __version__

__all__ = ["LICENCE_LINE", "Component", "components", "version_text"]

LICENCE_LINE = (
    "Heureum is free software under the GNU GPL version 3 or later, with no warranty. "
    "It bundles FFmpeg (with x264 and x265: GPLv3 as shipped), Qt (LGPLv3), "
    "PortAudio (MIT) and Python (PSF); see THIRD-PARTY-NOTICES."
)


@dataclass(frozen=True, slots=True)
class Component:
    name: str
    version: str
    licence: str


def _ffmpeg() -> list[Component]:
    try:
        import av
    except ImportError as exc:
        return [Component("PyAV", f"not available ({exc})", "BSD-3-Clause")]
    ffmpeg = str(getattr(av, "ffmpeg_version_info", "unknown"))
    meta = getattr(getattr(av, "_core", None), "library_meta", {}) or {}
    # The wheel's FFmpeg says "LGPL version 3 or later", but it links x264 and
    # x265, which makes the whole GPLv3: name both, as the notices do.
    licence = str(meta.get("libavcodec", {}).get("license", "unknown"))
    return [
        Component("PyAV", str(av.__version__), "BSD-3-Clause"),
        Component("FFmpeg", ffmpeg, f"{licence}; with x264/x265: GPL-3.0-or-later"),
    ]


def _portaudio() -> Component:
    try:
        import sounddevice
    except (ImportError, OSError) as exc:
        # sounddevice raises OSError when libportaudio is missing.
        return Component("PortAudio", f"not found ({exc})", "MIT")
    text = str(sounddevice.get_portaudio_version()[1])
    return Component("PortAudio", text.removeprefix("PortAudio "), "MIT")


def components(qt: Component | None = None) -> list[Component]:
    """Every component, in the order ``--version`` prints them. ``qt`` comes
    from the window's side (``ui.qt_version``): the engine never imports Qt."""
    py = f"{platform.python_version()} ({platform.python_implementation()})"
    return [
        Component("Heureum", __version__, "GPL-3.0-or-later"),
        qt or Component("Qt", "not available (no window in this build)", "LGPL-3.0-only"),
        *_ffmpeg(),
        _portaudio(),
        Component("Python", py, "PSF-2.0"),
    ]


def version_text(qt: Component | None = None) -> str:
    """The text of ``heureum --version``: one line per component, then the licence."""
    lines = [f"heureum {__version__}"]
    lines += [f"  {c.name}: {c.version} [{c.licence}]" for c in components(qt)[1:]]
    frozen = "frozen build" if getattr(sys, "frozen", False) else "Python environment"
    lines.append(f"  running from: {frozen} on {platform.system()} {platform.machine()}")
    lines.append(LICENCE_LINE)
    return "\n".join(lines)
