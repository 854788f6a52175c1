"""Glass-to-glass live latency: a live source paints the wall clock into every
frame, the player's window is grabbed off the screen, the clock is read back,
and latency = grab time - painted time (issue 11).

    .venv/bin/python -m benchmarks.glass_to_glass [--seconds 20] [--passes 1]
        [--protocols rtsp-udp,rtsp-tcp,rtmp,hls] [--players heureum,low,mpv,ffplay,ffplay-tuned]
        [--no-floor]
        [--audio]

Sources (benchmarks/glass_sources.py): RTSP from GStreamer's RTSP server
(UDP and TCP), RTMP through nginx-rtmp fed by ffmpeg, HLS from ffmpeg's
muxer with 1 s segments; 320 x 240, 25 fps, x264 zerolatency; no audio
unless ``--audio`` (RTMP and HLS: a tone in AAC, played into the default
output, the PulseAudio null sink of scripts/audio-env.sh), which has the
players time their video by the audio clock, as with most real streams.
Players: Heureum's window (default and ``--low-latency``; its video area
1:1), mpv's default (``--vo=x11``), ffplay's default and ffplay tuned as
issue 11's table ran it (``-fflags nobuffer -flags low_delay -framedrop``),
both found on the screen as mpv is (xdotool). The screen is grabbed (Qt's grab of the
X root window at the picture's place: a real window grab, not frames read
from the player) about 50 times a second for ``--seconds`` from the first
frame read. The instrument's floor is measured first: the same grab of a
local window painting the clock, no network, no codec.

Printed per protocol and player: glass-to-glass median / p95 / max (ms),
how far it wandered (p95 - p5), the first frame (Heureum's report: open to
first frame; glass: window shown to first frame read), and beside Heureum's
the report's own ``latency.end_to_end_s`` (sampled 4 times a second) and the
median of (report - glass) at the same moments; with ``--audio``, Heureum's
audio device (PortAudio's latency), its underruns (heard / idle) and its
A/V offset p95 (its children reach PulseAudio through benchmarks/pulse_env.py:
before, their own config home hid the server and they played mute). Targets (issue 11) are
printed beside. Runs under Xvfb (re-executes itself through ``xvfb-run``
when there is no DISPLAY). Writes ``bench-results/glass_to_glass.json``.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from . import clock_code
from .glass_players import (
    FfplayWindow,
    Grabber,
    HeureumWindow,
    MpvWindow,
    PainterWindow,
    Watched,
)
from .glass_sources import exit_on_sigterm, hls_source, rtmp_source, rtsp_source
from .xvfb import rerun_under_xvfb

ROOT = Path(__file__).resolve().parent.parent
GRAB_PERIOD = 0.02
FIRST_FRAME_TIMEOUT = 30.0
#: the start-up (and the catch-up after it) left out of the settled figure
SETTLE_S = 5.0
#: how close in time a report sample and a glass sample must be to compare
PAIR_WINDOW = 0.1

PROTOCOLS: dict[str, tuple[Callable[[bool], AbstractContextManager[str]], str]] = {
    "rtsp-udp": (rtsp_source, "udp"),
    "rtsp-tcp": (rtsp_source, "tcp"),
    "rtmp": (rtmp_source, "auto"),
    "hls": (hls_source, "auto"),
}
PLAYERS = ("heureum", "low", "mpv", "ffplay", "ffplay-tuned")
TARGETS = {
    ("rtsp", "heureum"): "<= 1000 ms every run",
    ("rtsp", "heureum --low-latency"): "<= 300 ms every run",
}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * (len(ordered) - 1) + 0.5))]


def watch(
    player: Watched,
    grabber: Grabber,
    seconds: float,
    on_first: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Grab the player's picture every GRAB_PERIOD for ``seconds`` from the
    first clock read (``on_first`` is told its wall time); glass latency
    samples and what the player said."""
    samples: list[tuple[float, float]] = []  # (grab wall time, latency ms)
    unread = 0
    first: float | None = None
    deadline = time.monotonic() + FIRST_FRAME_TIMEOUT
    next_at = time.monotonic()
    while True:
        rect = player.where()
        if rect is not None:
            at, luma = grabber.grab(rect)
            code = clock_code.read(luma)
            if code is not None:
                samples.append((at, float(clock_code.latency_ms(code, int(at * 1000)))))
                if first is None and on_first is not None:
                    on_first(at)
                first = first if first is not None else at
            elif first is not None:
                unread += 1
        if first is not None and time.time() - first >= seconds:
            break
        if first is None and (time.monotonic() > deadline or not player.alive):
            break
        next_at += GRAB_PERIOD
        time.sleep(max(0.0, next_at - time.monotonic()))  # the grab rate: wall-clock pacing
    out: dict[str, Any] = {"player": player.name, "grabs_unread": unread}
    if first is None:
        out["error"] = "no clock read off the window" + (
            "" if player.alive else f" (the player exited: {player.tail()[-400:]})"
        )
        return out
    glass = [ms for _, ms in samples]
    out.update(
        samples=len(glass),
        glass_median_ms=round(statistics.median(glass)),
        glass_p95_ms=round(_pct(glass, 0.95)),
        glass_max_ms=round(max(glass)),
        glass_wander_ms=round(_pct(glass, 0.95) - _pct(glass, 0.05)),
        first_glass_from_launch_s=round(first - player.launched, 3),
    )
    settled = [ms for at, ms in samples if at - first >= SETTLE_S]
    if settled:
        # after the start-up catch-up; drift: its last half against its first
        half = len(settled) // 2
        out["settled_median_ms"] = round(statistics.median(settled))
        if half:
            out["settled_drift_ms"] = round(
                statistics.median(settled[half:]) - statistics.median(settled[:half])
            )
    if player.shown_at is not None:
        out["first_glass_from_shown_s"] = round(first - player.shown_at, 3)
    out["report_vs_glass"] = _beside_report(player.lines, samples)
    out["_samples"] = samples
    return out


def _beside_report(lines: list[dict[str, Any]], samples: list[tuple[float, float]]) -> Any:
    """The player's own end-to-end figure over the same span, and how far it
    is from the glass at the same moments (None for a player that says none)."""
    times = [t for t, _ in samples]
    if not times:
        return None
    pairs: list[tuple[float, float]] = []  # (report ms, glass ms)
    edges: list[float] = []
    for line in lines:
        block = line.get("latency") or {}
        wall = line.get("wall")
        if not isinstance(wall, float) or not times[0] <= wall <= times[-1]:
            continue
        if isinstance(block.get("to_live_edge_s"), int | float):
            edges.append(1000 * block["to_live_edge_s"])
        e2e = block.get("end_to_end_s")
        if not isinstance(e2e, int | float):
            continue
        lo = bisect.bisect_left(times, wall - PAIR_WINDOW)
        hi = bisect.bisect_right(times, wall + PAIR_WINDOW)
        near = [ms for _, ms in samples[lo:hi]]
        if near:
            pairs.append((1000 * e2e, statistics.median(near)))
    if not pairs and not edges:
        return None
    out: dict[str, Any] = {}
    if pairs:
        diffs = [r - g for r, g in pairs]
        out.update(
            pairs=len(pairs),
            end_to_end_median_ms=round(statistics.median(r for r, _ in pairs)),
            minus_glass_median_ms=round(statistics.median(diffs)),
            minus_glass_p95_abs_ms=round(_pct([abs(d) for d in diffs], 0.95)),
        )
    if edges:
        out["to_live_edge_median_ms"] = round(statistics.median(edges))
    return out


def run_floor(grabber: Grabber, seconds: float, fps: float) -> dict[str, Any]:
    painter = PainterWindow(fps)
    try:
        result = watch(painter, grabber, seconds)
    finally:
        painter.stop()
    result["painter_fps"] = fps
    return result


def run_player(
    make: Callable[[], Watched],
    grabber: Grabber,
    seconds: float,
    on_first: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    load = os.getloadavg()[0]
    player = make()
    report: dict[str, Any] = {}
    try:
        result = watch(player, grabber, seconds, on_first)
    finally:
        report = player.stop()
    result["load_before"] = round(load, 2)
    if report:
        latency = report.get("latency") or {}
        result["report"] = {
            "time_to_first_frame_s": report.get("time_to_first_frame_s"),
            "end_to_end_s_at_end": latency.get("end_to_end_s"),
            "source": latency.get("source"),
            "to_live_edge_s_at_end": latency.get("to_live_edge_s"),
            "rebuffer_count": report.get("rebuffer_count"),
            "rebuffer_seconds": report.get("rebuffer_seconds"),
            "frames": report.get("frames"),
            # with --audio: what the device queues, gaps heard, and sync
            "audio": report.get("audio"),
            "audio_underruns": report.get("audio_underruns"),
            "audio_underruns_idle": report.get("audio_underruns_idle"),
            "av_offset_ms": report.get("av_offset_ms"),
        }
    return result


def players_for(url: str, transport: str, wanted: list[str]) -> list[Callable[[], Watched]]:
    makers: list[Callable[[], Watched]] = []
    if "heureum" in wanted:
        makers.append(lambda: HeureumWindow(url, low_latency=False, transport=transport))
    if "low" in wanted:
        makers.append(lambda: HeureumWindow(url, low_latency=True, transport=transport))
    if "mpv" in wanted and shutil.which("mpv"):
        makers.append(lambda: MpvWindow(url, transport=transport))
    if "ffplay" in wanted and shutil.which("ffplay"):
        makers.append(lambda: FfplayWindow(url, transport=transport))
    if "ffplay-tuned" in wanted and shutil.which("ffplay"):
        makers.append(lambda: FfplayWindow(url, transport=transport, tuned=True))
    return makers


def _line(protocol: str, r: dict[str, Any]) -> str:
    name = f"{protocol:9} {r['player']:22}"
    if "error" in r:
        return f"{name} FAILED: {r['error']}"
    rep = r.get("report") or {}
    beside = r.get("report_vs_glass") or {}
    first = rep.get("time_to_first_frame_s")
    text = (
        f"{name} glass median {r['glass_median_ms']:5} p95 {r['glass_p95_ms']:5} "
        f"max {r['glass_max_ms']:5} wander {r['glass_wander_ms']:4} ms; first frame "
        f"{'report ' + format(first, '.2f') + ' s, ' if first is not None else ''}"
        f"glass {r['first_glass_from_launch_s']:.2f} s after launch"
    )
    if "settled_median_ms" in r:
        text += f"; settled {r['settled_median_ms']} ms (drift {r.get('settled_drift_ms', 0):+})"
    if "end_to_end_median_ms" in beside:
        text += (
            f"; report e2e {beside['end_to_end_median_ms']} ms "
            f"(minus glass {beside['minus_glass_median_ms']:+} ms)"
        )
    elif "to_live_edge_median_ms" in beside:
        text += f"; report to-live-edge {beside['to_live_edge_median_ms']} ms"
    audio = rep.get("audio")
    if isinstance(audio, dict):
        offset = rep.get("av_offset_ms") or {}
        text += (
            f"; audio device {1000 * audio['latency_s']:.0f} ms ({audio['latency_source']}),"
            f" underruns {rep.get('audio_underruns')} heard / {rep.get('audio_underruns_idle')}"
            f" idle, A/V p95 {offset.get('p95')} ms"
        )
    if rep.get("rebuffer_count"):
        text += f"; stalls {rep['rebuffer_count']} ({rep['rebuffer_seconds']} s)"
    target = TARGETS.get((protocol.split("-")[0], r["player"]))
    return text + (f"  [target {target}]" if target else "")


def verdicts(runs: list[dict[str, Any]]) -> list[str]:
    """Each of issue 11's targets this benchmark can judge, run by run."""
    lines: list[str] = []

    def judge(what: str, value: float | None, limit: float, unit: str) -> None:
        if value is None:
            lines.append(f"  {what}: no figure")
            return
        verdict = "met" if value <= limit else "MISSED"
        lines.append(f"  {what}: {round(value, 3):g} {unit} (target <= {limit:g}) {verdict}")

    for r in runs:
        if "error" in r or not str(r.get("player", "")).startswith("heureum"):
            continue
        where = f"{r['protocol']} {r['player']} (pass {r.get('run', 1)})"
        if r["protocol"].startswith("rtsp"):
            low = r["player"].endswith("--low-latency")
            judge(f"{where} glass median", r["glass_median_ms"], 300 if low else 1000, "ms")
            first = (r.get("report") or {}).get("time_to_first_frame_s")
            judge(f"{where} first frame", first, 0.8, "s")
        beside = r.get("report_vs_glass") or {}
        if "minus_glass_median_ms" in beside:
            judge(f"{where} |report - glass|", abs(beside["minus_glass_median_ms"]), 100, "ms")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="measured per run")
    ap.add_argument("--passes", type=int, default=1)
    ap.add_argument("--protocols", default=",".join(PROTOCOLS))
    ap.add_argument(
        "--players",
        default=",".join(PLAYERS),
        help=f"of {','.join(PLAYERS)} (ffplay-tuned: -fflags nobuffer -flags low_delay -framedrop)",
    )
    ap.add_argument("--no-floor", action="store_true", help="skip the instrument's floor")
    ap.add_argument("--floor-seconds", type=float, default=5.0, help="measured per floor")
    ap.add_argument(
        "--audio", action="store_true", help="a tone beside the video (played into the sink)"
    )
    ap.add_argument("--out", default=str(ROOT / "bench-results" / "glass_to_glass.json"))
    args = ap.parse_args()
    protocols = [p.strip() for p in args.protocols.split(",") if p.strip()]
    unknown = [p for p in protocols if p not in PROTOCOLS]
    if unknown:
        ap.error(f"--protocols: unknown {', '.join(unknown)} (choose from {', '.join(PROTOCOLS)})")
    wanted = [p.strip() for p in args.players.split(",") if p.strip()]
    strangers = [p for p in wanted if p not in PLAYERS]
    if strangers:
        ap.error(f"--players: unknown {', '.join(strangers)} (choose from {', '.join(PLAYERS)})")
    if min(args.seconds, args.floor_seconds) <= 0 or args.passes < 1:
        ap.error("--seconds and --floor-seconds must be more than 0, --passes at least 1")
    if (status := rerun_under_xvfb("glass_to_glass", "benchmarks.glass_to_glass")) is not None:
        return status
    if shutil.which("xdotool") is None and ("mpv" in args.players or "ffplay" in args.players):
        print("glass_to_glass: mpv's and ffplay's windows are found with xdotool "
              "(apt-get install xdotool)")  # fmt: skip
    exit_on_sigterm()
    grabber = Grabber()
    results: dict[str, Any] = {
        "seconds": args.seconds, "audio": args.audio, "floor": [], "runs": [],
    }  # fmt: skip
    if not args.no_floor:
        for fps in (100.0, 25.0):
            floor = run_floor(grabber, args.floor_seconds, fps)
            results["floor"].append(floor)
            print(_line("floor", floor).split(";")[0] + f" (painter at {fps:g} fps)", flush=True)
    for n in range(args.passes):
        for protocol in protocols:
            make_source, transport = PROTOCOLS[protocol]
            try:
                with make_source(args.audio) as url:
                    for make in players_for(url, transport, wanted):
                        r = run_player(make, grabber, args.seconds)
                        r.update(protocol=protocol, run=n + 1)
                        results["runs"].append(r)
                        print(_line(protocol, r), flush=True)
            except Exception as exc:  # a source that cannot start: say so, go on
                results["runs"].append({"protocol": protocol, "run": n + 1, "error": str(exc)})
                print(f"{protocol:9} source FAILED: {exc}", flush=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    for r in [*results["floor"], *results["runs"]]:
        samples = r.pop("_samples", [])
        r["glass_ms_each_second"] = _per_second(samples)
    out.write_text(json.dumps(results, indent=1) + "\n")
    print("targets (issue 11):")
    print("\n".join(verdicts(results["runs"])))
    print(f"written: {out}")
    return 0


def _per_second(samples: list[tuple[float, float]]) -> list[float]:
    """The glass figure's median for each second of the run (drift, stalls)."""
    if not samples:
        return []
    t0 = samples[0][0]
    buckets: dict[int, list[float]] = {}
    for at, ms in samples:
        buckets.setdefault(int(at - t0), []).append(ms)
    return [round(statistics.median(buckets[k])) for k in sorted(buckets)]


if __name__ == "__main__":
    sys.exit(main())
