"""How many simultaneous 720p30 streams play with <= 1 % dropped frames: our
window against mpv, each player in its own 640x360 window under Xvfb.

    .venv/bin/python -m benchmarks.many_streams [--counts 4,8,12] [--seconds 30]
        [--protocol hls|rtsp] [--players heureum,tiles,mpv] [--threads N]

``tiles`` plays the N streams as tiles of one compare window (one process,
the compare limit of 4 lifted), two columns of 640x360 tiles.

The stream is 720p30 H.264 (x264 veryfast: B-frames, as real encodes) with
AAC, 60 s long, served from this process: HLS VOD (2 s segments) over a local
HTTP server, or RTSP from the GStreamer test server (tests/support). For each
count N, N players start at once; once every one has shown its first frame
the measurement runs ``--seconds``: CPU of each process (user + system, from
psutil), frames dropped over the same window (ours: the engine's count plus
frames the window never painted; mpv: ``frame-drop-count`` plus
``decoder-frame-drop-count`` over its JSON IPC), and the A/V offset p95 of
our reports. Audio plays into the PulseAudio null sink for both.

It is long (N players x 2 players x each count) and loads the whole machine:
``scripts/bench.sh --many-streams`` runs it. Writes
``bench-results/many_streams.json``. The machine may be shared: the load
average before each run is printed beside its figures.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
FPS = 30
VIDEO_W, VIDEO_H = 640, 360
MAX_DROP_PERCENT = 1.0
READY_TIMEOUT = 90.0

# The children (benchmarks/many_streams_window.py, many_streams_tiles.py)
# answer over stdin (benchmarks/child_protocol.py).
WINDOW_CHILD = "benchmarks.many_streams_window"
TILES_CHILD = "benchmarks.many_streams_tiles"


# ------------------------------------------------------------------ media and servers
def _cache() -> Path:
    d = Path(os.environ.get("HEUREUM_BENCH_CACHE", Path.home() / ".cache" / "heureum-bench"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def make_media() -> tuple[Path, Path]:
    """(the 720p30 MP4, the HLS directory made from it), cached."""
    base = _cache() / "many_streams_720p30_v1"
    mp4, hls = base / "src.mp4", base / "hls"
    if not (hls / "index.m3u8").exists():
        base.mkdir(parents=True, exist_ok=True)
        tmp = base / "tmp.mp4"
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate={FPS}",
             "-f", "lavfi", "-i", "sine=f=440:sample_rate=48000",
             "-t", "60", "-c:v", "libx264", "-preset", "veryfast", "-b:v", "2500k",
             "-maxrate", "3000k", "-bufsize", "3000k", "-g", str(2 * FPS),
             "-keyint_min", str(2 * FPS), "-sc_threshold", "0", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-movflags", "+faststart", str(tmp)],
            check=True,
        )  # fmt: skip
        os.replace(tmp, mp4)
        hls.mkdir(exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-loglevel", "error", "-y", "-i", str(mp4), "-c", "copy",
             "-f", "hls", "-hls_time", "2", "-hls_playlist_type", "vod",
             "-hls_segment_filename", str(hls / "seg%03d.ts"), str(hls / "index.m3u8")],
            check=True,
        )  # fmt: skip
    return mp4, hls


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def hls_server(directory: Path) -> Any:
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.m3u8"
    finally:
        server.shutdown()
        server.server_close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def rtsp_server(mp4: Path) -> Any:
    port = _free_port()
    proc = subprocess.Popen(
        ["/usr/bin/python3", str(ROOT / "tests" / "support" / "rtsp_server.py"),
         "--file", str(mp4), "--port", str(port), "--path", "/test"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("READY"):
            raise RuntimeError("the GStreamer RTSP server did not start")
        yield f"rtsp://127.0.0.1:{port}/test"
    finally:
        proc.terminate()
        proc.wait(10)


# ------------------------------------------------------------------ players
def _cpu(proc: psutil.Process) -> float:
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = p.cpu_times()
            total += t.user + t.system
    return total


class Heureum:
    name = "heureum"

    def __init__(self, url: str, threads: int, log: Any) -> None:
        settings = Path(tempfile.mkdtemp()) / "settings.ini"
        env = dict(os.environ, PYTHONPATH=str(ROOT), HEUREUM_RENDERER="software")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", WINDOW_CHILD, url, str(settings), str(VIDEO_W), str(VIDEO_H),
             str(threads)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
            text=True,
        )  # fmt: skip
        self.ps = psutil.Process(self.proc.pid)
        self.ready = False

    def wait_ready(self, deadline: float) -> bool:
        assert self.proc.stdout is not None
        while not self.ready and time.monotonic() < deadline and self.proc.poll() is None:
            line = self.proc.stdout.readline()
            if not line:
                return False
            self.ready = json.loads(line).get("ready", False)
        return self.ready

    def _ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return answer

    def mark(self) -> dict[str, Any]:
        return self._ask("mark")

    def stop(self) -> dict[str, Any]:
        try:
            return self._ask("quit")
        finally:
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    @staticmethod
    def dropped(before: dict[str, Any], after: dict[str, Any]) -> tuple[int, int]:
        """(dropped, frames due) between two marks: the engine's drops plus
        frames handed to the window that it never painted."""
        fa, fb = after["frames"] or {}, before["frames"] or {}

        def delta(key: str) -> int:
            return int(fa.get(key, 0) - fb.get(key, 0))

        # frames skipped on purpose to win back live latency (the RTSP
        # server's start-up backlog) are not frames the machine failed to show
        lost = delta("dropped") - delta("dropped_catchup")
        return lost + after["coalesced"] - before["coalesced"], delta("presented") + lost


class HeureumTiles(Heureum):
    """One compare window with ``count`` tiles: one process for every stream."""

    name = "tiles"

    def __init__(self, url: str, count: int, log: Any) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT), HEUREUM_RENDERER="software")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", TILES_CHILD, url, str(count), str(VIDEO_W), str(VIDEO_H)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
            text=True,
        )  # fmt: skip
        self.ps = psutil.Process(self.proc.pid)
        self.ready = False


def run_tiles(url: str, count: int, seconds: float) -> dict[str, Any]:
    load = os.getloadavg()
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - the window's stderr, for failures
    window = HeureumTiles(url, count, log)
    try:
        if not window.wait_ready(time.monotonic() + READY_TIMEOUT):
            log.seek(0)
            return {"player": "tiles", "count": count, "error": "not every tile started",
                    "log": log.read()[-1500:]}  # fmt: skip
        m0 = window.mark()
        c0 = _cpu(window.ps)
        t0 = time.monotonic()
        time.sleep(seconds)  # a benchmark: wall-clock time playing is the measurement
        c1 = _cpu(window.ps)
        wall = time.monotonic() - t0
        m1 = window.stop()
    finally:
        if window.proc.poll() is None:
            window.proc.kill()
    per = []
    for a, b in zip(m0["streams"], m1["streams"], strict=True):
        dropped, due = Heureum.dropped(a, b)
        per.append({
            "dropped": dropped, "due": due,
            "drop_percent": round(100 * dropped / due, 2) if due > 0 else None,
            "av_offset_p95_ms": (b.get("av_offset_ms") or {}).get("p95"),
            "tile": b.get("size"), "frames": b.get("frames"),
        })  # fmt: skip
    drops = [r["drop_percent"] for r in per if r["drop_percent"] is not None]
    worst = max(drops) if len(drops) == len(per) else None
    return {
        "player": "tiles",
        "count": count,
        "load_before": [round(v, 2) for v in load],
        "cpu_per_stream": round((c1 - c0) / wall / count, 3),
        "worst_drop_percent": worst,
        "passed": worst is not None and worst <= MAX_DROP_PERCENT,
        "streams": per,
    }


class Mpv:
    name = "mpv"

    def __init__(self, url: str, threads: int, log: Any) -> None:
        self.sock = str(Path(tempfile.mkdtemp(prefix="heureum-mpv-")) / "ipc.sock")
        self.proc = subprocess.Popen(
            ["mpv", "--no-config", "--vo=x11", "--hwdec=no", "--really-quiet", "--ao=pulse",
             f"--geometry={VIDEO_W}x{VIDEO_H}", "--no-border", "--osc=no", "--keep-open=yes",
             f"--input-ipc-server={self.sock}", url],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
        self.ps = psutil.Process(self.proc.pid)
        self._conn: socket.socket | None = None
        self._buf = b""
        self._id = 0

    def _get(self, prop: str) -> Any:
        if self._conn is None:
            conn = socket.socket(socket.AF_UNIX)
            conn.settimeout(10)
            try:
                conn.connect(self.sock)  # mpv makes it a moment after it starts
            except OSError:
                conn.close()
                raise
            self._conn = conn
        self._id += 1
        msg = {"command": ["get_property", prop], "request_id": self._id}
        self._conn.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            while b"\n" not in self._buf:
                chunk = self._conn.recv(65536)
                if not chunk:
                    raise RuntimeError("mpv closed its IPC socket")
                self._buf += chunk
            line, self._buf = self._buf.split(b"\n", 1)
            reply = json.loads(line)
            if reply.get("request_id") == self._id:  # events come on the same socket
                return reply.get("data")

    def wait_ready(self, deadline: float) -> bool:
        while time.monotonic() < deadline and self.proc.poll() is None:
            with contextlib.suppress(OSError, RuntimeError):
                pos = self._get("time-pos")
                if isinstance(pos, int | float) and pos > 0:
                    return True
            time.sleep(0.2)  # polling another process's state: nothing to wait on
        return False

    def mark(self) -> dict[str, Any]:
        return {
            "vo": self._get("frame-drop-count") or 0,
            "decoder": self._get("decoder-frame-drop-count") or 0,
            "pos": self._get("time-pos") or 0.0,
            "avsync": self._get("avsync"),
        }

    def stop(self) -> dict[str, Any]:
        last = self.mark()
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        with contextlib.suppress(OSError):
            os.unlink(self.sock)
        return last

    @staticmethod
    def dropped(before: dict[str, Any], after: dict[str, Any]) -> tuple[int, int]:
        dropped = (after["vo"] - before["vo"]) + (after["decoder"] - before["decoder"])
        return dropped, round((after["pos"] - before["pos"]) * FPS)


# ------------------------------------------------------------------ one run
def run(kind: str, url: str, count: int, seconds: float, threads: int) -> dict[str, Any]:
    load = os.getloadavg()
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - the players' stderr, for failures
    cls = Heureum if kind == "heureum" else Mpv
    players = [cls(url, threads, log) for _ in range(count)]
    try:
        deadline = time.monotonic() + READY_TIMEOUT
        ready = [p.wait_ready(deadline) for p in players]
        if not all(ready):
            log.seek(0)
            return {"player": kind, "count": count, "error": "not every player started",
                    "ready": sum(ready), "log": log.read()[-1500:]}  # fmt: skip
        marks = [p.mark() for p in players]
        cpu0 = [_cpu(p.ps) for p in players]
        t0 = time.monotonic()
        time.sleep(seconds)  # a benchmark: wall-clock time playing is the measurement
        cpu1 = [_cpu(p.ps) for p in players]
        wall = time.monotonic() - t0
        finals = [p.stop() for p in players]
    finally:
        for p in players:
            if p.proc.poll() is None:
                p.proc.kill()
    per: list[dict[str, Any]] = []
    for p, m0, m1, c0, c1 in zip(players, marks, finals, cpu0, cpu1, strict=True):
        dropped, due = p.dropped(m0, m1)
        row: dict[str, Any] = {
            "cpu_cores": round((c1 - c0) / wall, 3),
            "dropped": dropped,
            "due": due,
            "drop_percent": round(100 * dropped / due, 2) if due > 0 else None,
        }
        if kind == "heureum":
            row["av_offset_p95_ms"] = (m1.get("av_offset_ms") or {}).get("p95")
            row["frames"] = m1.get("frames")
            row["coalesced"] = m1.get("coalesced")
        else:
            row["avsync_s"] = m1.get("avsync")
        per.append(row)
    drops = [r["drop_percent"] for r in per if r["drop_percent"] is not None]
    worst = max(drops) if len(drops) == len(per) else None
    return {
        "player": kind,
        "count": count,
        "load_before": [round(v, 2) for v in load],
        "cpu_per_stream": round(sum(r["cpu_cores"] for r in per) / count, 3),
        "worst_drop_percent": worst,
        "passed": worst is not None and worst <= MAX_DROP_PERCENT,
        "streams": per,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--counts", default="4,8,12,15", help="numbers of streams to try, in order")
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--protocol", choices=["hls", "rtsp"], default="hls")
    ap.add_argument(
        "--players",
        default="heureum,mpv",
        help="of heureum (windows), tiles (one compare window), mpv",
    )
    ap.add_argument(
        "--threads", type=int, default=1, help="our decoder threads per stream (0: FFmpeg's)"
    )
    ap.add_argument(
        "--stop-at-failure", action="store_true", help="stop a player at its first fail"
    )
    args = ap.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        given = argv if argv is not None else sys.argv[1:]
        # tall enough for 8 rows of 640x360 tiles
        cmd = ["xvfb-run", "-a", "-s", "-screen 0 1920x3600x24", sys.executable, "-m",
               "benchmarks.many_streams", *given]  # fmt: skip
        return subprocess.call(cmd, cwd=ROOT)
    kinds = [k for k in args.players.split(",") if k]
    if "mpv" in kinds and shutil.which("mpv") is None:
        print("many_streams: mpv is not installed; measuring ours alone", file=sys.stderr)
        kinds.remove("mpv")
    mp4, hls = make_media()
    server = hls_server(hls) if args.protocol == "hls" else rtsp_server(mp4)
    results: list[dict[str, Any]] = []
    with server as url:
        for kind in kinds:
            for n in (int(c) for c in args.counts.split(",")):
                if kind == "tiles":
                    r = run_tiles(url, n, args.seconds)
                else:
                    r = run(kind, url, n, args.seconds, args.threads)
                results.append(r)
                av = [s.get("av_offset_p95_ms") for s in r.get("streams", [])]
                print(
                    f"{kind:8} N={n:2}  load {r.get('load_before')}  "
                    f"cpu/stream {r.get('cpu_per_stream')}  worst drops "
                    f"{r.get('worst_drop_percent')} %  passed {r.get('passed')}"
                    + (f"  A/V p95 max {max((a for a in av if a is not None), default=None)} ms"
                       if kind != "mpv" else "")
                    + (f"  ERROR {r['error']}" if "error" in r else ""),
                    flush=True,
                )  # fmt: skip
                if r.get("log"):
                    print(r["log"], file=sys.stderr)
                if args.stop_at_failure and not r.get("passed"):
                    break
    summary: dict[str, Any] = {}
    for kind in kinds:
        ok = [r for r in results if r["player"] == kind and r.get("passed")]
        best = max(ok, key=lambda r: r["count"]) if ok else None
        summary[kind] = {
            "max_streams": best["count"] if best else 0,
            "cpu_per_stream_at_max": best["cpu_per_stream"] if best else None,
        }
    if "heureum" in summary and "mpv" in summary:
        ours, theirs = summary["heureum"], summary["mpv"]
        if ours["cpu_per_stream_at_max"] and theirs["cpu_per_stream_at_max"]:
            ratio = ours["cpu_per_stream_at_max"] / theirs["cpu_per_stream_at_max"]
            summary["cpu_ratio_vs_mpv"] = round(ratio, 2)
    print(json.dumps({"protocol": args.protocol, "seconds": args.seconds, **summary}, indent=1))
    out = ROOT / "bench-results" / "many_streams.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "runs": results}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
