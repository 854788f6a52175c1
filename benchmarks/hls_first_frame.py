"""Time to first frame for HLS VOD (a three-rung multivariant ladder, MPEG-TS
and fMP4 with the audio in every rung, and MPEG-TS with the audio as one
alternate rendition the rungs share, 4 s segments) served by nginx on loopback, next to
``mpv --no-config --vo=null --ao=null --frames=1 URL`` on the same URLs in the
same run (median of N rounds).

Two figures for us: ``engine_s`` (``Player.open()`` to the first presented
frame inside one process) and ``command_s`` (the whole
``python -m player.cli --headless --frames 1 --no-audio URL`` process,
interpreter start included), against mpv's whole process, timed alike
(``first_frame.paired_ttff``: a warm-up run of each, then alternating).
``target`` is the issue's: our command's median no slower than mpv's.
``first_rung`` is the rung our engine started on (0 = lowest).

``--rtt S`` serves the ladders from the lab's origin (``lab.impair``: an
in-process Python server) with every answer held S seconds, as a far
origin's round trip would, instead of from nginx.

    .venv/bin/python -m benchmarks.hls_first_frame [--rounds 5] [--rtt S]
        [--only ts|fmp4|ts-demuxed] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

from player import DEFAULT_CONFIG, VariantSwitched
from player.config import AudioConfig
from player.events import Event

from . import first_frame
from .first_frame import paired_ttff, target_met
from .media import bench_dir

#: (width, height, video bit rate) low to high
LADDER = ((426, 240, "400k"), (854, 480, "1500k"), (1280, 720, "4000k"))
SECONDS = 60
#: stream name → (fMP4, audio as an alternate rendition)
STREAMS = {"ts": (False, False), "fmp4": (True, False), "ts-demuxed": (False, True)}


def make_ladder(fmp4: bool, demuxed: bool = False) -> Path:
    """The ladder under the bench cache, made once. ``demuxed``: the audio
    is a rendition of its own (EXT-X-MEDIA, DEFAULT), a player's first
    audio segment is then one request more at the start."""
    kind = ("fmp4" if fmp4 else "ts") + ("-demuxed" if demuxed else "")
    root = bench_dir() / f"hls-ttff-{kind}"
    if (root / ".done").exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    n = len(LADDER)
    split = f"[0:v]split={n}" + "".join(f"[s{i}]" for i in range(n)) + ";"
    split += ";".join(f"[s{i}]scale={w}:{h}[v{i}]" for i, (w, h, _) in enumerate(LADDER))
    maps: list[str] = []
    rates: list[str] = []
    for i, (_, _, rate) in enumerate(LADDER):
        maps += ["-map", f"[v{i}]"] + ([] if demuxed else ["-map", "1:a"])
        rates += [f"-b:v:{i}", rate, f"-maxrate:v:{i}", rate, f"-bufsize:v:{i}", rate]
    if demuxed:
        maps += ["-map", "1:a"]
        streams = " ".join(f"v:{i},agroup:aud" for i in range(n)) + " a:0,agroup:aud,default:yes"
    else:
        streams = " ".join(f"v:{i},a:{i}" for i in range(n))
    seg = ["-hls_segment_type", "fmp4", "-hls_fmp4_init_filename", "init.mp4"] if fmp4 else []
    ext = "m4s" if fmp4 else "ts"
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y",
           "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
           "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(SECONDS),
           "-filter_complex", split, *maps,
           "-c:v", "libx264", "-preset", "veryfast", "-g", "60", "-keyint_min", "60",
           "-sc_threshold", "0", "-pix_fmt", "yuv420p", *rates, "-c:a", "aac", "-b:a", "96k",
           "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod", *seg,
           "-master_pl_name", "master.m3u8",
           "-var_stream_map", streams,
           "-hls_segment_filename", f"v%v/s%03d.{ext}", "v%v/index.m3u8"]  # fmt: skip
    subprocess.run(cmd, cwd=root, check=True, timeout=600)
    (root / ".done").write_text("ok")
    return root


def engine_ttff(url: str) -> tuple[float, int | None]:
    """In-process time to first frame, and the rung the engine started on."""
    first: list[int] = []

    def on(e: Event) -> None:
        if isinstance(e, VariantSwitched) and not first:
            first.append(e.to_index)

    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    elapsed = first_frame.engine_ttff(url, config, on)
    return elapsed, first[0] if first else None


def _verdict(met: object, unknown: str) -> str:
    return "met" if met is True else "missed" if met is False else unknown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--rtt", type=float, default=0.0, help="seconds each answer waits (a far origin)"
    )
    parser.add_argument("--only", choices=list(STREAMS), action="append")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from lab.impair import ImpairedFiles, Impairment
    from lab.profile import Profile
    from tests.support.servers import NginxHttpServer

    if shutil.which("mpv") is None:
        print("mpv is not installed: its column is empty", file=sys.stderr)
    if sys.flags.dont_write_bytecode:
        print(
            "note: PYTHONDONTWRITEBYTECODE is set, so command_s includes compiling "
            "heureum's own modules on every run (an installed heureum has them compiled)",
            file=sys.stderr,
        )
    roots = {
        name: make_ladder(fmp4, demuxed)
        for name, (fmp4, demuxed) in STREAMS.items()
        if not args.only or name in args.only
    }
    results: dict[str, dict[str, object]] = {}
    site = bench_dir() / "hls-ttff-site"
    site.mkdir(exist_ok=True)
    for name, root in roots.items():
        link = site / name
        if not link.exists():
            link.symlink_to(root, target_is_directory=True)
    with contextlib.ExitStack() as stack:
        urls: dict[str, str] = {}
        if args.rtt > 0:
            for name, root in roots.items():
                impairment = Impairment(Profile("far", delay_s=args.rtt))
                stack.callback(impairment.close)
                urls[name] = stack.enter_context(ImpairedFiles(root, impairment)).url("master.m3u8")
        else:
            http = stack.enter_context(NginxHttpServer(site))
            urls = {name: f"{http.base_url}/{name}/master.m3u8" for name in roots}
        for name in roots:
            url = urls[name]
            engine_ttff(url)  # warm the page cache and the imports
            ours = [engine_ttff(url) for _ in range(args.rounds)]
            cmd, theirs = paired_ttff(url, args.rounds)
            command_s = round(statistics.median(cmd), 3)
            mpv_s = round(statistics.median(theirs), 3) if theirs else None
            results[name] = {
                "engine_s": round(statistics.median(t for t, _ in ours), 3),
                "command_s": command_s,
                "mpv_s": mpv_s,
                "no_slower_than_mpv": target_met(command_s, mpv_s),
                "first_rung": ours[0][1],
            }
    met = [r["no_slower_than_mpv"] for r in results.values()]
    verdict = None if None in met else all(m is True for m in met)
    out = {
        "benchmark": "hls_first_frame",
        "rounds": args.rounds,
        "rtt_s": args.rtt,
        "results": results,
        "target_met": verdict,
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(
        f"{'stream':<11}{'engine_s':>10}{'command_s':>11}{'mpv_s':>8}{'target':>8}"
        f"{'first rung':>12}"
    )
    for name, r in results.items():
        mpv = f"{r['mpv_s']:.3f}" if r["mpv_s"] is not None else "-"
        ok = _verdict(r["no_slower_than_mpv"], "-")
        print(
            f"{name:<11}{r['engine_s']:>10.3f}{r['command_s']:>11.3f}{mpv:>8}{ok:>8}"
            f"{r['first_rung']!s:>12}"
        )
    summary = _verdict(verdict, "not checked (no mpv)")
    print(f"target (command no slower than mpv, median of {args.rounds}): {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
