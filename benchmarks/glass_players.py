"""What the glass-to-glass benchmark watches, and how it watches: Heureum's
window (a child process that also prints the engine's own latency block
every quarter second), mpv's window, and a local painter (no network, no
codec: the instrument's floor). Each is a window on the X display; this
process grabs the screen where its picture is (``QScreen.grabWindow`` of the
root window: what the X server shows, the glass) and reads the painted
clock back (benchmarks/clock_code.py)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import clock_code
from .pulse_env import pulse_env

ROOT = Path(__file__).resolve().parent.parent

__all__ = ["FfplayWindow", "Grabber", "HeureumWindow", "MpvWindow", "PainterWindow", "Watched"]


class Grabber:
    """Grabs a rectangle of the screen as luma (Qt in this process)."""

    def __init__(self) -> None:
        from PySide6.QtGui import QGuiApplication

        self._app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])

    def grab(self, rect: tuple[int, int, int, int]) -> tuple[float, NDArray[np.uint8]]:
        """(the wall clock half way through the grab, the luma grabbed)."""
        from PySide6.QtGui import QGuiApplication, QImage

        x, y, w, h = rect
        screen = QGuiApplication.primaryScreen()
        before = time.time()
        pixmap = screen.grabWindow(0, x, y, w, h)
        after = time.time()
        image = pixmap.toImage().convertToFormat(QImage.Format.Format_Grayscale8)
        width, height, stride = image.width(), image.height(), image.bytesPerLine()
        raw = np.frombuffer(image.constBits(), np.uint8, count=stride * height)
        return (before + after) / 2, raw.reshape(height, stride)[:, :width].copy()


class Watched:
    """A player (or painter) window in a child process."""

    name = "?"

    def __init__(self, cmd: list[str], env: dict[str, str] | None = None) -> None:
        self.launched = time.time()
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - the child's stderr
        self.proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env or dict(os.environ), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, text=True, start_new_session=True,
        )  # fmt: skip
        self.rect: tuple[int, int, int, int] | None = None
        self.shown_at: float | None = None
        self.lines: list[dict[str, Any]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with contextlib.suppress(ValueError):
                item = json.loads(line)
                if "view" in item:
                    self.rect = tuple(item["view"])
                    self.shown_at = self.shown_at or time.time()
                self.lines.append(item)

    def where(self) -> tuple[int, int, int, int] | None:
        return self.rect

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self) -> str:
        self.log.seek(0)
        return self.log.read()[-1500:]

    def stop(self) -> dict[str, Any]:
        """End the child (its process group), wait; what it left behind."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, 9)
                self.proc.wait()
        self._reader.join(5)
        return {}


class PainterWindow(Watched):
    name = "painter"

    def __init__(self, fps: float) -> None:
        super().__init__(
            [sys.executable, "-m", "benchmarks.glass_painter_child", str(fps)],
            dict(os.environ, PYTHONPATH=str(ROOT)),
        )


class HeureumWindow(Watched):
    def __init__(self, url: str, *, low_latency: bool, transport: str) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="heureum-glass-"))
        self.report_path = self.home / "report.json"
        self.name = "heureum --low-latency" if low_latency else "heureum"
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            XDG_CONFIG_HOME=str(self.home / "config"),
            XDG_DATA_HOME=str(self.home / "data"),
            XDG_STATE_HOME=str(self.home / "state"),
            **pulse_env(),  # the moved config home hid the sound server
        )
        super().__init__(
            [sys.executable, "-m", "benchmarks.glass_heureum_child", url,
             str(self.home / "settings.ini"), str(self.report_path), str(clock_code.WIDTH),
             str(clock_code.HEIGHT), "1" if low_latency else "0", transport],
            env,
        )  # fmt: skip

    def stop(self) -> dict[str, Any]:
        """Ask the window to close (it writes its report), then collect it."""
        if self.proc.poll() is None and self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.write("quit\n")
                self.proc.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(15)
        super().stop()
        report: dict[str, Any] = {}
        with contextlib.suppress(OSError, ValueError):
            report = json.loads(self.report_path.read_text())
        shutil.rmtree(self.home, ignore_errors=True)
        return report


class _FoundWindow(Watched):
    """A player that says nothing about its window: found by its process
    (xdotool) once it shows one."""

    def where(self) -> tuple[int, int, int, int] | None:
        if self.rect is None and self.alive:
            found = subprocess.run(
                ["xdotool", "search", "--onlyvisible", "--pid", str(self.proc.pid)],
                capture_output=True, text=True, check=False,
            )  # fmt: skip
            ids = found.stdout.split()
            if ids:
                geo = subprocess.run(
                    ["xdotool", "getwindowgeometry", "--shell", ids[0]],
                    capture_output=True, text=True, check=False,
                )  # fmt: skip
                g = dict(line.split("=", 1) for line in geo.stdout.split() if "=" in line)
                with contextlib.suppress(KeyError, ValueError):
                    self.rect = (int(g["X"]), int(g["Y"]), int(g["WIDTH"]), int(g["HEIGHT"]))
                    self.shown_at = time.time()
        return self.rect


class MpvWindow(_FoundWindow):
    name = "mpv"

    def __init__(self, url: str, *, transport: str) -> None:
        cmd = [
            shutil.which("mpv") or "mpv", "--no-config", "--vo=x11", "--hwdec=no", "--osc=no",
            "--really-quiet", "--keep-open=no",
        ]  # fmt: skip
        if transport != "auto":
            cmd.append(f"--rtsp-transport={transport}")
        super().__init__([*cmd, url])


class FfplayWindow(_FoundWindow):
    """ffplay (SDL) as it comes, or ``tuned`` as issue 11's table ran it
    (``-fflags nobuffer -flags low_delay -framedrop``)."""

    def __init__(self, url: str, *, transport: str, tuned: bool = False) -> None:
        self.name = "ffplay tuned" if tuned else "ffplay"
        cmd = [
            shutil.which("ffplay") or "ffplay", "-hide_banner", "-loglevel", "error",
            "-autoexit", "-window_title", "glass-ffplay",
        ]  # fmt: skip
        if tuned:
            cmd += ["-fflags", "nobuffer", "-flags", "low_delay", "-framedrop"]
        if transport != "auto":
            cmd += ["-rtsp_transport", transport]
        # SDL picks its audio output from the environment: the same PulseAudio
        # sink as the others
        super().__init__([*cmd, url])
