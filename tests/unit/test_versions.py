"""``versions``: what ``heureum --version`` and About list, read from the
libraries installed here (nothing hard-coded but the order and licences)."""

from __future__ import annotations

import platform

import av

import player
from player.versions import LICENCE_LINE, Component, components, version_text


def test_every_component_in_order_with_the_installed_versions() -> None:
    found = components()
    assert [c.name for c in found] == ["Heureum", "Qt", "PyAV", "FFmpeg", "PortAudio", "Python"]
    by_name = {c.name: c for c in found}
    assert by_name["Heureum"].version == player.__version__
    assert by_name["PyAV"].version == av.__version__
    assert by_name["Python"].version.startswith(platform.python_version())
    # the engine never imports Qt: without the window's answer it says so
    assert by_name["Qt"].version.startswith("not available")
    # x264/x265 make the FFmpeg build GPL whatever libavcodec says of itself
    assert "GPL-3.0-or-later" in by_name["FFmpeg"].licence


def test_the_windows_qt_version_is_used_when_given() -> None:
    qt = Component("Qt", "6.9.9", "LGPL-3.0-only")
    assert components(qt)[1] is qt


def test_the_version_text_has_one_line_per_component_then_the_licence() -> None:
    text = version_text(Component("Qt", "6.9.9", "LGPL-3.0-only")).splitlines()
    assert text[0] == f"heureum {player.__version__}"
    assert text[1] == "  Qt: 6.9.9 [LGPL-3.0-only]"
    assert [line.split(":")[0].strip() for line in text[1:6]] == [
        "Qt",
        "PyAV",
        "FFmpeg",
        "PortAudio",
        "Python",
    ]
    assert text[6].startswith("  running from: Python environment on ")
    assert text[-1] == LICENCE_LINE
