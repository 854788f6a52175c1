"""Where one window's CPU and wake-ups go, thread by thread: Heureum's window
playing the many-streams 720p30 file (or any URL) in a 640x360 video area.

    .venv/bin/python -m benchmarks.thread_cpu [--seconds 20] [--url URL | --hls] [--audio]

After a warm-up, it reads every thread's CPU time and voluntary context
switches (each one a sleep that ended: a wake-up) from /proc over the same
window, and names each thread: Python threads by their ``threading`` name,
the GUI thread as ``gui``, native ones (FFmpeg, Qt, PortAudio) by their
kernel name. Prints CPU % of a core, wake-ups per second (and per frame
shown) and minor page faults per second, per thread, and the RSS at the end.
Linux only (it reads /proc).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WARMUP_S = 3.0
_TICKS = os.sysconf("SC_CLK_TCK")


def _task_counters() -> dict[int, tuple[str, float, int, int]]:
    """tid -> (kernel name, CPU seconds, voluntary switches, minor page faults)."""
    out: dict[int, tuple[str, float, int, int]] = {}
    for entry in os.listdir("/proc/self/task"):
        base = f"/proc/self/task/{entry}"
        try:
            with open(f"{base}/stat") as f:
                stat = f.read()
            with open(f"{base}/status") as f:
                status = f.read()
        except OSError:  # the thread ended between listing and reading
            continue
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / _TICKS  # utime + stime
        vol = next(
            int(line.split()[1])
            for line in status.splitlines()
            if line.startswith("voluntary_ctxt_switches")
        )
        out[int(entry)] = (comm, cpu, vol, int(fields[7]))
    return out


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _names() -> dict[int, str]:
    names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
    names[threading.main_thread().native_id or 0] = "gui"
    return names


def _child(url: str, seconds: float, settings: str, audio: bool) -> dict[str, Any]:
    from dataclasses import replace

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from player.config import DEFAULT_CONFIG, AudioConfig
    from ui.app import create_window

    from .view_size import hold_view_size

    app = QApplication(sys.argv[:1])
    cfg = DEFAULT_CONFIG if audio else replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    window = create_window([url], {"settings_path": settings, "renderer": "software"}, cfg)
    result: dict[str, Any] = {}
    phase: dict[str, Any] = {"start": None}

    def poll() -> None:
        view = window.view
        # held on every poll: the window fits itself to the video when it opens
        resized = window.isVisible() and hold_view_size(window, view, 640, 360)
        now = time.monotonic()
        if phase["start"] is None:
            if resized:
                phase["first"] = None  # the warm-up starts again at the new size
            elif view.painted > 0:
                phase["first"] = phase.get("first") or now
                if now - phase["first"] >= WARMUP_S:
                    phase.update(start=now, before=_task_counters(), painted=view.painted)
            return
        if now - phase["start"] >= seconds:
            after, names = _task_counters(), _names()
            wall = now - phase["start"]
            frames = view.painted - phase["painted"]
            rows = []
            for tid, (comm, cpu, vol, flt) in after.items():
                _, cpu0, vol0, flt0 = phase["before"].get(tid, (comm, 0.0, 0, 0))
                rows.append(
                    {
                        "thread": names.get(tid, comm),
                        "cpu_pct": round(100 * (cpu - cpu0) / wall, 1),
                        "wakeups_per_s": round((vol - vol0) / wall, 1),
                        "faults_per_s": round((flt - flt0) / wall, 1),
                    }
                )
            rows.sort(key=lambda r: (-r["cpu_pct"], -r["wakeups_per_s"]))
            result.update(
                view=[view.width(), view.height()],
                wall_s=round(wall, 2),
                painted_per_s=round(frames / wall, 1),
                rss_mb=round(_rss_bytes() / 2**20, 1),
                threads=rows,
            )
            window.close()
            app.quit()

    timer = QTimer()
    timer.timeout.connect(poll)
    timer.start(100)
    app.exec()
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--url", help="default: the many-streams 720p30 stream as a local file")
    ap.add_argument("--hls", action="store_true", help="that stream as HLS from a local server")
    ap.add_argument("--audio", action="store_true", help="play its sound (PulseAudio)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--settings", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(args.url, args.seconds, args.settings, args.audio)))
        return 0
    import contextlib
    import tempfile

    from .many_streams import hls_server, make_media

    with contextlib.ExitStack() as stack:
        url = args.url
        if url is None:
            mp4, hls = make_media()
            url = stack.enter_context(hls_server(hls)) if args.hls else str(mp4)
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        cmd = [sys.executable, "-m", "benchmarks.thread_cpu", "--child", "--url", url,
               "--seconds", str(args.seconds), "--settings", str(Path(tmp) / "s.ini")]  # fmt: skip
        if args.audio:
            cmd.append("--audio")
        if not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
            cmd = ["xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", *cmd]
        out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    line = next((ln for ln in reversed(out.stdout.splitlines()) if ln.startswith("{")), None)
    if line is None:
        print(out.stderr[-2000:], file=sys.stderr)
        return 1
    res = json.loads(line)
    per_s = res["painted_per_s"] or 1.0
    w, h = res["view"]
    print(
        f"{res['painted_per_s']} frames painted/s in a {w}x{h} view over {res['wall_s']} s;"
        f" RSS {res['rss_mb']} MB"
    )
    total_cpu = sum(r["cpu_pct"] for r in res["threads"])
    total_wake = sum(r["wakeups_per_s"] for r in res["threads"])
    total_flt = sum(r["faults_per_s"] for r in res["threads"])
    print(f"{'thread':28} {'CPU %':>7} {'wakeups/s':>10} {'per frame':>10} {'faults/s':>9}")
    for r in res["threads"]:
        if r["cpu_pct"] == 0 and r["wakeups_per_s"] == 0:
            continue
        print(
            f"{r['thread'][:28]:28} {r['cpu_pct']:7.1f} {r['wakeups_per_s']:10.1f}"
            f" {r['wakeups_per_s'] / per_s:10.2f} {r['faults_per_s']:9.1f}"
        )
    print(
        f"{'total':28} {total_cpu:7.1f} {total_wake:10.1f}"
        f" {total_wake / per_s:10.2f} {total_flt:9.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
