"""Start-up of the desktop window against mpv on the same file: from exec to
the window mapped, and to the first picture in it.

    .venv/bin/python -m benchmarks.startup [--runs 7] [--no-audio]

Runs under Xvfb (re-executes itself through ``xvfb-run`` when no DISPLAY is
set). Each run starts ``heureum FILE`` and ``mpv --vo=x11 FILE`` in turn (the
machine is shared: both see the same load, run by run), with a fresh config
folder each time (no resume position, no recent list). "Mapped" is when
``xdotool search --onlyvisible --pid`` (asked every 10 ms) finds the window;
"painted" when the whole window, grabbed every 10 ms and read on a coarse
grid, stops being one flat colour (the X server's background and a window
not yet drawn are flat black; Heureum's first paint draws its menu bar and
controls, mpv's first is its first picture, so the two are equal for mpv);
"first frame" when the middle of that window stops being one flat colour
(the test picture is textured; the video area's background is flat black);
"first motion" when that middle, grabbed again at the same window size,
first differs from the first frame's (the test picture scrolls every frame:
the second picture on screen, the moment playing is seen to start; a window
that resizes to fit the video is compared from its new size on).
Medians are compared; targets: ours no slower than mpv. ``--returning``
measures a returning user's start instead: Heureum's config home is kept
from run to run, written first by one start that is not counted.
Writes ``bench-results/startup.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.xvfb import rerun_under_xvfb

if TYPE_CHECKING:
    from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 30.0
PROBE = 48  # side of the square grabbed in the window's middle (px)
GRID = 64  # points read across and down the whole window for "painted"


def _media() -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.support.media import make_1080p_file

    return make_1080p_file(seconds=10.0, fps=30, audio=True)


def _compile_bytecode() -> None:
    """An installed Heureum starts from bytecode compiled at install time (pip
    does it); a checkout run with PYTHONDONTWRITEBYTECODE would compile every
    module at every start (a tenth of a second here), which no user sees."""
    packages = [str(ROOT / name) for name in ("player", "ui", "resources", "lab")]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", *[p for p in packages if Path(p).is_dir()]],
        check=True, env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )  # fmt: skip


def _window_of(pid: int, deadline: float) -> int | None:
    """The process's first mapped window. Asked every 10 ms: ``xdotool search
    --sync`` itself polls every half second, too coarse for this."""
    while time.monotonic() < deadline:
        out = subprocess.run(
            ["xdotool", "search", "--onlyvisible", "--pid", str(pid)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        ids = [int(line) for line in out.stdout.split() if line.strip().isdigit()]
        if ids:
            return ids[0]
        time.sleep(0.01)  # a benchmark's poll: wall-clock pacing is the point
    return None


class _Grabber:
    """Grabs the middle of a window by its X id (Qt in this process)."""

    def __init__(self) -> None:
        from PySide6.QtGui import QGuiApplication

        self._app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])

    def _grab(self, window: int) -> QImage | None:
        from PySide6.QtGui import QGuiApplication

        image = QGuiApplication.primaryScreen().grabWindow(window).toImage()
        return None if image.width() < PROBE or image.height() < PROBE else image

    def painted(self, window: int) -> bool:
        """Anything drawn anywhere in the window (not one flat colour)."""
        image = self._grab(window)
        if image is None:
            return False
        w, h = image.width(), image.height()
        first = image.pixel(0, 0)
        # odd steps: a grid in step with a striped picture would see one stripe
        return any(
            image.pixel(x, y) != first
            for y in range(0, h, (h // GRID) | 1)
            for x in range(0, w, (w // GRID) | 1)
        )

    def middle(self, window: int) -> tuple[tuple[int, int], QImage] | None:
        """The window's size and the square in its middle."""
        whole = self._grab(window)
        if whole is None:
            return None
        w, h = whole.width(), whole.height()
        return (w, h), whole.copy((w - PROBE) // 2, (h - PROBE) // 2, PROBE, PROBE)

    def textured(self, window: int) -> bool:
        """A picture in the window's middle (not one flat colour)."""
        grabbed = self.middle(window)
        return grabbed is not None and self.is_picture(grabbed[1])

    @staticmethod
    def is_picture(image: QImage) -> bool:
        """Not one flat colour."""
        first = image.pixel(0, 0)
        return any(
            image.pixel(x, y) != first for y in range(0, PROBE, 4) for x in range(0, PROBE, 4)
        )


def _one(cmd: list[str], env: dict[str, str], grabber: _Grabber) -> dict[str, Any]:
    t0 = time.monotonic()
    deadline = t0 + TIMEOUT_S
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - lives as long as the child
    child = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=log, stderr=log)
    result: dict[str, Any] = {}
    try:
        window = _window_of(child.pid, deadline)
        if window is None:
            log.seek(0)
            return {"error": f"no window within {TIMEOUT_S:g} s", "log": log.read()[-1500:]}
        result["mapped_s"] = round(time.monotonic() - t0, 3)
        while time.monotonic() < deadline:
            # a frame is also a paint: one grab may see both at once
            if "painted_s" not in result and grabber.painted(window):
                result["painted_s"] = round(time.monotonic() - t0, 3)
            grabbed = grabber.middle(window)
            if grabbed is not None and grabber.is_picture(grabbed[1]):
                result["first_frame_s"] = round(time.monotonic() - t0, 3)
                result.setdefault("painted_s", result["first_frame_s"])
                break
            time.sleep(0.01)  # a benchmark's poll: wall-clock pacing is the point
        else:
            result["error"] = "no picture"
            return result
        seen = grabbed
        while time.monotonic() < deadline:
            time.sleep(0.01)  # a benchmark's poll: wall-clock pacing is the point
            now = grabber.middle(window)
            if now is None:
                continue
            if now[0] == seen[0] and now[1] != seen[1]:
                result["first_motion_s"] = round(time.monotonic() - t0, 3)
                break
            if now[0] != seen[0]:
                seen = now  # the window fitted itself to the video: a new start
        else:
            result["error"] = "the picture never moved"
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return result


def _median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if key in r]
    return round(statistics.median(values), 3) if values else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--no-audio", action="store_true", help="both players without audio")
    parser.add_argument("--out", default=str(ROOT / "bench-results" / "startup.json"))
    parser.add_argument(
        "--returning",
        action="store_true",
        help="a returning user's start: one config home kept across runs, written "
        "by one unmeasured start first (settings, the OpenGL probe's verdict)",
    )
    args = parser.parse_args()
    if (status := rerun_under_xvfb("startup", "benchmarks.startup")) is not None:
        return status
    if shutil.which("xdotool") is None:
        print("startup: xdotool is needed (apt-get install xdotool)", file=sys.stderr)
        return 2
    path = _media()
    _compile_bytecode()
    grabber = _Grabber()
    heureum = [sys.executable, "-m", "player.cli", str(path)]
    mpv_path = shutil.which("mpv")
    mpv = [
        mpv_path or "mpv", "--no-config", "--vo=x11", "--hwdec=no", "--osc=no",
        "--really-quiet", "--keep-open=yes", str(path),
    ]  # fmt: skip
    if args.no_audio:
        heureum.insert(-1, "--no-audio")
        mpv.insert(-1, "--no-audio")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from benchmarks.pulse_env import pulse_env

    def environment(home: str) -> dict[str, str]:
        return dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            XDG_CONFIG_HOME=f"{home}/config",
            XDG_DATA_HOME=f"{home}/data",
            XDG_STATE_HOME=f"{home}/state",
            **pulse_env(),  # the moved config home hid the sound server: both played mute
        )

    kept = tempfile.mkdtemp(prefix="heureum-startup-kept-") if args.returning else None
    if kept is not None:
        _one(heureum, environment(kept), grabber)  # writes what the next starts read
    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for _ in range(args.runs):
        for cmd, runs in ((heureum, ours), (mpv, theirs)):
            if cmd is mpv and mpv_path is None:
                continue
            home = kept if kept is not None and cmd is heureum else None
            fresh = home is None
            home = home or tempfile.mkdtemp(prefix="heureum-startup-")
            runs.append(_one(cmd, environment(home), grabber))
            if fresh:
                shutil.rmtree(home, ignore_errors=True)
    if kept is not None:
        shutil.rmtree(kept, ignore_errors=True)
    result: dict[str, Any] = {
        "file": str(path),
        "audio": not args.no_audio,
        "returning": args.returning,
        "heureum": {
            "mapped_s": _median(ours, "mapped_s"),
            "painted_s": _median(ours, "painted_s"),
            "first_frame_s": _median(ours, "first_frame_s"),
            "first_motion_s": _median(ours, "first_motion_s"),
            "runs": ours,
        },
        "mpv": {
            "mapped_s": _median(theirs, "mapped_s"),
            "painted_s": _median(theirs, "painted_s"),
            "first_frame_s": _median(theirs, "first_frame_s"),
            "first_motion_s": _median(theirs, "first_motion_s"),
            "runs": theirs,
        }
        if theirs
        else None,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    mine, other = result["heureum"], result["mpv"] or {}
    print(
        f"startup: window mapped {mine['mapped_s']} s (mpv {other.get('mapped_s')}), "
        f"painted {mine['painted_s']} s (mpv {other.get('painted_s')}), "
        f"first frame {mine['first_frame_s']} s (mpv {other.get('first_frame_s')}), "
        f"first motion {mine['first_motion_s']} s (mpv {other.get('first_motion_s')}); "
        "target: no slower than mpv"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
