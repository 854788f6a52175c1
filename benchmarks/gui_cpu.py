"""CPU of the desktop window playing 1080p30 for 30 s, against mpv on the same file.

    .venv/bin/python benchmarks/gui_cpu.py [--seconds 30] [--renderer software] [--audio]

Runs under Xvfb (re-executes itself through ``xvfb-run`` when no DISPLAY is
set). Both players get the same window size and, by default, no audio (mpv
``--no-audio``, Heureum ``AudioConfig(enabled=False)``), so the figure is video
decode + conversion + presentation. mpv uses ``--vo=x11`` (software scaling
and XPutImage/XShm, what works without a GPU). CPU is user + system time of the
process and its children over the same measurement window, after a warm-up.
Writes ``bench-results/gui_cpu.json``.
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
from typing import Any

import psutil

from benchmarks.xvfb import rerun_under_xvfb

ROOT = Path(__file__).resolve().parent.parent
WARMUP_S = 3.0
#: The video area of a 1080p file's window as it fits itself on a 1920x1080
#: screen (the picture fills it), and of the old fixed 1100x700 window.
VIEWS = ((1636, 920), (1100, 620))

# The GUI child: opens the file, plays, and prints its own counters when told
# to quit (stdin closes).
_CHILD = r"""
import json, sys, threading
from dataclasses import replace
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from player.config import DEFAULT_CONFIG, AudioConfig
from ui.app import create_window
app = QApplication(sys.argv[:1])
audio = sys.argv[3] == "1"
cfg = DEFAULT_CONFIG if audio else replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
w = create_window([sys.argv[1]], {"renderer": sys.argv[2], "settings_path": sys.argv[4]}, cfg)
view_w, view_h = (int(v) for v in sys.argv[5].split("x"))
w.resize(1100, 700)
done = threading.Event()
def size_view():
    # after the window fitted itself to the video: the same video area as mpv's
    if w.view.painted and (w.view.width(), w.view.height()) != (view_w, view_h):
        w.resize(w.width() - w.view.width() + view_w, w.height() - w.view.height() + view_h)
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
def poll():
    size_view()
    if done.is_set():
        stats = w.player.stats()
        print(json.dumps({"renderer": w.view.renderer_name, "painted": w.view.painted,
                          "presented": w.view.presented, "coalesced": w.view.coalesced,
                          "frames": stats.frames.as_report(),
                          "view": [w.view.width(), w.view.height()]}), flush=True)
        w.close(); app.quit()
t = QTimer(); t.timeout.connect(poll); t.start(100)
app.exec()
"""


def _media(seconds: float, fps: int = 30) -> Path:
    sys.path.insert(0, str(ROOT))
    try:
        from tests.support.media import make_1080p_file

        return make_1080p_file(seconds=seconds, fps=fps, audio=True)
    except ImportError:
        out = Path(tempfile.gettempdir()) / f"heureum-bench-1080p-{seconds:g}s.mp4"
        if not out.exists():
            subprocess.run(
                ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                 "testsrc2=size=1920x1080:rate=30", "-f", "lavfi", "-i", "sine=f=440",
                 "-t", str(seconds), "-c:v", "libx264", "-pix_fmt", "yuv420p",
                 "-c:a", "aac", str(out)],
                check=True,
            )  # fmt: skip
        return out


def _cpu(proc: psutil.Process) -> float:
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system + getattr(t, "children_user", 0.0)
            total += getattr(t, "children_system", 0.0)
        except psutil.NoSuchProcess:
            pass
    return total


def _measure(
    cmd: list[str], seconds: float, env: dict[str, str], stdin: int | None = None
) -> tuple[float, subprocess.Popen[str]]:
    # a file, not a pipe: a full pipe would stall the player
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - lives as long as the child
    child = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdin=stdin, stdout=subprocess.PIPE, stderr=log, text=True,
    )  # fmt: skip
    proc = psutil.Process(child.pid)
    time.sleep(WARMUP_S)  # a benchmark, not a test: wall-clock pacing is the point
    if child.poll() is not None:
        log.seek(0)
        raise RuntimeError(f"{cmd[0]} exited early: {log.read()[-2000:]}")
    start = _cpu(proc)
    t0 = time.monotonic()
    time.sleep(seconds)
    used = _cpu(proc) - start
    wall = time.monotonic() - t0
    return used / wall, child


def run_heureum(
    path: Path, seconds: float, renderer: str, audio: bool, view: tuple[int, int]
) -> dict[str, Any]:
    env = dict(os.environ, HEUREUM_RENDERER=renderer, PYTHONPATH=str(ROOT))
    settings = Path(tempfile.mkdtemp()) / "settings.ini"
    size = f"{view[0]}x{view[1]}"
    cmd = [sys.executable, "-c", _CHILD, str(path), renderer, "1" if audio else "0", str(settings),
           size]  # fmt: skip
    cores, child = _measure(cmd, seconds, env, stdin=subprocess.PIPE)
    assert child.stdin is not None and child.stdout is not None
    child.stdin.close()
    out = child.stdout.read()
    child.wait(timeout=30)
    info = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"error": "no output"}
    return {"cpu_cores": round(cores, 3), **info}


def run_mpv(path: Path, seconds: float, audio: bool, view: tuple[int, int]) -> dict[str, Any]:
    mpv = shutil.which("mpv")
    assert mpv is not None
    cmd = [
        mpv, "--no-config", "--vo=x11", "--hwdec=no", "--really-quiet", "--keep-open=yes",
        f"--geometry={view[0]}x{view[1]}", "--no-border", "--osc=no",
        "--ao=pulse" if audio else "--no-audio", str(path),
    ]  # fmt: skip
    cores, child = _measure(cmd, seconds, dict(os.environ))
    child.terminate()
    try:
        child.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
    return {"cpu_cores": round(cores, 3), "vo": "x11"}


def _size(text: str) -> tuple[int, int]:
    w, _, h = text.partition("x")
    try:
        return int(w), int(h)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT, got {text!r}") from None


def compare(
    path: Path, seconds: float, renderer: str, audio: bool, view: tuple[int, int], runs: int
) -> dict[str, Any]:
    """Ours and mpv alternately, ``runs`` times each: the machine is shared, so
    both see the same load minute by minute; the medians are compared."""
    have_mpv = shutil.which("mpv") is not None
    if not have_mpv:
        print("gui_cpu: mpv is not installed; skipping the comparison", file=sys.stderr)
    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for _ in range(runs):
        ours.append(run_heureum(path, seconds, renderer, audio, view))
        if have_mpv:
            theirs.append(run_mpv(path, seconds, audio, view))
    ours_cores = statistics.median(r["cpu_cores"] for r in ours)
    mpv_cores = statistics.median(r["cpu_cores"] for r in theirs) if theirs else None
    return {
        "view": f"{view[0]}x{view[1]}",
        "heureum_cores": ours_cores,
        "mpv_cores": mpv_cores,
        "ratio_vs_mpv": round(ours_cores / mpv_cores, 2) if mpv_cores else None,
        "heureum_runs": ours,
        "mpv_runs": [r["cpu_cores"] for r in theirs],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--fps", type=int, default=30, help="60 checks 1080p60 smoothness")
    parser.add_argument("--renderer", default="software", choices=["software", "opengl"])
    parser.add_argument("--audio", action="store_true", help="play audio in both players")
    parser.add_argument(
        "--view", type=_size, action="append",
        help="video area WxH (repeatable); default: the fitted 1080p window and the old default",
    )  # fmt: skip
    parser.add_argument("--runs", type=int, default=3, help="alternate runs per player and size")
    parser.add_argument("--out", default=str(ROOT / "bench-results" / "gui_cpu.json"))
    args = parser.parse_args()
    if (status := rerun_under_xvfb("gui_cpu", "benchmarks.gui_cpu")) is not None:
        return status
    views = args.view or list(VIEWS)
    path = _media(args.seconds + WARMUP_S + 5, args.fps)
    result: dict[str, Any] = {
        "file": str(path),
        "seconds": args.seconds,
        "renderer": args.renderer,
        "audio": args.audio,
        "cpu_count": psutil.cpu_count(),
        "sizes": [
            compare(path, args.seconds, args.renderer, args.audio, v, args.runs) for v in views
        ],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    for size in result["sizes"]:
        print(
            f"gui_cpu {size['view']}: heureum {size['heureum_cores']} cores, "
            f"mpv {size['mpv_cores']}, ratio {size['ratio_vs_mpv']} (target <= 0.87)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
