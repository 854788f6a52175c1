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
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
WARMUP_S = 3.0
WIDTH, HEIGHT = 1100, 620  # video area of the default 1100x700 window

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
w.resize(1100, 700)
done = threading.Event()
threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
def poll():
    if done.is_set():
        stats = w.player.stats()
        print(json.dumps({"renderer": w.view.renderer_name, "painted": w.view.painted,
                          "presented": w.view.presented, "coalesced": w.view.coalesced,
                          "frames": stats.get("frames")}), flush=True)
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


def run_heureum(path: Path, seconds: float, renderer: str, audio: bool) -> dict[str, Any]:
    env = dict(os.environ, HEUREUM_RENDERER=renderer, PYTHONPATH=str(ROOT))
    settings = Path(tempfile.mkdtemp()) / "settings.ini"
    cmd = [sys.executable, "-c", _CHILD, str(path), renderer, "1" if audio else "0", str(settings)]
    cores, child = _measure(cmd, seconds, env, stdin=subprocess.PIPE)
    assert child.stdin is not None and child.stdout is not None
    child.stdin.close()
    out = child.stdout.read()
    child.wait(timeout=30)
    info = json.loads(out.strip().splitlines()[-1]) if out.strip() else {"error": "no output"}
    return {"cpu_cores": round(cores, 3), **info}


def run_mpv(path: Path, seconds: float, audio: bool) -> dict[str, Any] | None:
    mpv = shutil.which("mpv")
    if mpv is None:
        print("gui_cpu: mpv is not installed; skipping the comparison", file=sys.stderr)
        return None
    cmd = [
        mpv, "--no-config", "--vo=x11", "--hwdec=no", "--really-quiet", "--keep-open=yes",
        f"--geometry={WIDTH}x{HEIGHT}", "--no-border", "--osc=no",
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--fps", type=int, default=30, help="60 checks 1080p60 smoothness")
    parser.add_argument("--renderer", default="software", choices=["software", "opengl"])
    parser.add_argument("--audio", action="store_true", help="play audio in both players")
    parser.add_argument("--out", default=str(ROOT / "bench-results" / "gui_cpu.json"))
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):
        if shutil.which("xvfb-run") is None:
            print("gui_cpu: no DISPLAY and no xvfb-run", file=sys.stderr)
            return 2
        return subprocess.call(
            ["xvfb-run", "-a", "-s", "-screen 0 1600x900x24", sys.executable, *sys.argv]
        )
    path = _media(args.seconds + WARMUP_S + 5, args.fps)
    ours = run_heureum(path, args.seconds, args.renderer, args.audio)
    mpv = run_mpv(path, args.seconds, args.audio)
    result: dict[str, Any] = {
        "file": str(path),
        "seconds": args.seconds,
        "audio": args.audio,
        "cpu_count": psutil.cpu_count(),
        "heureum": ours,
        "mpv": mpv,
        "ratio_vs_mpv": round(ours["cpu_cores"] / mpv["cpu_cores"], 2) if mpv else None,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
