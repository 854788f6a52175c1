"""Start-up to a visible window (issue 13; benchmarks/startup.py measures it
against mpv): what is imported by the time the window is shown, checked in
fresh interpreters. pyqtgraph alone (with numpy) was a second of it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

#: Not needed to show the window: numpy comes with decoded audio or a plot,
#: sounddevice with an audio device, pyqtgraph with the bitrate panel or the
#: compare window, the HLS stack with an HLS URL, PyAV and the engine with the
#: first open (after the window shows), jeepney (the session bus) once the
#: first frame is on screen.
LATER = ("numpy", "sounddevice", "pyqtgraph", "httpx", "m3u8", "cryptography", "av", "jeepney")
#: modules (by full name) that wait as well: the engine, QtNetwork (the
#: ``--enqueue`` socket, after the first frame), what only a menu item
#: needs (the lab's profiles, About's dialog and versions, the timeline export)
#: and ``html``'s entity table (the overlay's and the panels' rich text)
LATER_MODULES = (
    "html.entities",
    "player.engine",
    "player.decode",
    "PySide6.QtNetwork",
    "ui.mpris",
    "lab.profile",
    "tomllib",
    "player.versions",
    "player.timeline_export",
    "ui.about",
)

_AT_SHOW = r"""
import json, sys
from PySide6.QtWidgets import QApplication
import ui.main_window as mw
seen = {}
show = mw.MainWindow.show
def spy(self):
    seen["modules"] = sorted(sys.modules)
    seen["server"] = self.instance_server is not None
    seen["mpris"] = self.desktop.mpris is not None
    show(self)
mw.MainWindow.show = spy
app = QApplication([])
from ui.app import create_window
window = create_window([sys.argv[1]], {"settings_path": sys.argv[2]})
at_show = seen["modules"]
window.abr_panel.show()  # the panel's plots are made when it first shows
app.processEvents()
print(json.dumps({"at_show": at_show, "after_panel": sorted(sys.modules),
                  "built": window.abr_panel.plots_built,
                  "server_at_show": seen["server"], "mpris_at_show": seen["mpris"]}))
window.close()
"""


def _run(code: str, *args: str) -> dict[str, object]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def _loaded(modules: object, names: tuple[str, ...]) -> list[str]:
    assert isinstance(modules, list)
    return sorted({m.split(".")[0] for m in modules if m.split(".")[0] in names})


def test_importing_the_window_loads_no_heavy_library() -> None:
    code = "import json, sys\nimport ui.app\nprint(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    modules = json.loads(result.stdout.splitlines()[-1])
    # PyAV too: the renderers convert with it from the first frame on.
    assert _loaded(modules, (*LATER, "av")) == []
    # the OpenGL renderer's modules only once it is the one chosen
    assert [m for m in modules if "OpenGL" in m] == []


def test_the_window_shows_before_the_heavy_libraries_and_the_panel_brings_its_own(
    tmp_path: Path,
) -> None:
    data = _run(_AT_SHOW, str(tmp_path / "missing.mp4"), str(tmp_path / "settings.ini"))
    assert _loaded(data["at_show"], LATER) == []
    at_show = data["at_show"]
    assert isinstance(at_show, list)
    assert [m for m in LATER_MODULES if m in at_show] == []
    assert data["server_at_show"] is False and data["mpris_at_show"] is False
    # What the bitrate panel needs arrives when it shows, not before.
    assert _loaded(data["after_panel"], ("pyqtgraph", "numpy")) == ["numpy", "pyqtgraph"]
    assert data["built"] is True
