"""Time to first frame for *live* HLS (an ffmpeg packager encoding in real
time on loopback, 1 s and 2 s segments, MPEG-TS and fMP4, video only; and
MPEG-TS, 2 s segments, with AAC audio as an alternate rendition of its own,
``ts-2s-audio``) next to
``mpv --no-config --vo=null --ao=null --frames=1 URL`` on the same live URL in
the same run (median of N rounds).

Figures for us: ``engine_s`` (``Player.open()`` to the first presented frame
inside one process), ``report_s`` (the headless command's own
``time_to_first_frame_s`` in its ``--report``) and ``command_s`` (the whole
``python -m player.cli --headless --frames 1 --no-audio URL`` process,
interpreter start included), against mpv's whole process, timed alike
(``first_frame.paired_ttff``: a warm-up run of each, then alternating).
``target`` is the issue's: our command's median no slower than mpv's.

Each packager runs until its playlist holds ``--window`` segments before the
first run, so the start-position choice (three target durations from the end)
is exercised as on a real channel. ``--rtt S`` makes every answer wait S
seconds, as a far origin's round trip would.

    .venv/bin/python -m benchmarks.hls_live_first_frame [--rounds 5] [--json]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from player import DEFAULT_CONFIG
from player.config import AudioConfig

from . import first_frame
from .first_frame import paired_ttff, target_met

#: (name, segment seconds, fMP4, audio as an alternate rendition)
STREAMS = (("ts-1s", 1.0, False, False), ("ts-2s", 2.0, False, False),
           ("fmp4-1s", 1.0, True, False), ("fmp4-2s", 2.0, True, False),
           ("ts-2s-audio", 2.0, False, True))  # fmt: skip


def engine_ttff(url: str) -> float:
    config = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))
    return first_frame.engine_ttff(url, config)


def report_ttff(url: str) -> float:
    """``time_to_first_frame_s`` from the headless command's own report."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "r.json"
        cmd = [sys.executable, "-m", "player.cli", "--headless", "--frames", "1", "--no-audio",
               "--report", str(report), url]  # fmt: skip
        subprocess.run(cmd, capture_output=True, check=True, timeout=60)
        value = json.loads(report.read_text())["time_to_first_frame_s"]
    if not isinstance(value, (int, float)):
        raise RuntimeError(f"no time_to_first_frame_s in the report for {url}")
    return float(value)


def _verdict(met: object, unknown: str) -> str:
    return "met" if met is True else "missed" if met is False else unknown


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--window", type=int, default=6, help="segments listed before timing")
    parser.add_argument(
        "--rtt", type=float, default=0.0, help="seconds each answer waits (a far origin)"
    )
    parser.add_argument("--only", choices=[s[0] for s in STREAMS], action="append")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE (our command then compiles heureum on every run)",
    )
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    if not args.no_bytecode:
        # an installed heureum has its modules compiled; a checkout run with
        # PYTHONDONTWRITEBYTECODE would pay ~0.1 s of compile() per command
        compileall.compile_dir(root / "player", quiet=1)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    from tests.support.live_packager import LivePackager

    if shutil.which("mpv") is None:
        print("mpv is not installed: its column is empty", file=sys.stderr)
    results: dict[str, dict[str, object]] = {}
    for name, segment, fmp4, audio in STREAMS:
        if args.only and name not in args.only:
            continue
        packager = LivePackager(
            segment=segment,
            fmp4=fmp4,
            ready_segments=args.window,
            response_delay=args.rtt,
            audio=audio,
        )
        packager.start(timeout=args.window * segment + 20)
        try:
            url = packager.url
            engine_ttff(url)  # warm the imports
            ours = [engine_ttff(url) for _ in range(args.rounds)]
            reported = [report_ttff(url) for _ in range(args.rounds)]
            cmd, theirs = paired_ttff(url, args.rounds)
        finally:
            packager.stop()
        command_s = _median(cmd)
        mpv_s = _median(theirs)
        results[name] = {
            "engine_s": _median(ours),
            "report_s": _median(reported),
            "command_s": command_s,
            "mpv_s": mpv_s,
            "no_slower_than_mpv": None if command_s is None else target_met(command_s, mpv_s),
        }
    met = [r["no_slower_than_mpv"] for r in results.values()]
    verdict = None if None in met else all(m is True for m in met)
    out = {"benchmark": "hls_live_first_frame", "rounds": args.rounds, "rtt_s": args.rtt,
           "results": results, "target_met": verdict}  # fmt: skip
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(
        f"{'stream':<12}{'engine_s':>10}{'report_s':>10}{'command_s':>11}{'mpv_s':>8}{'target':>8}"
    )
    for name, r in results.items():
        cells = [r["engine_s"], r["report_s"], r["command_s"], r["mpv_s"]]
        text = [f"{c:.3f}" if isinstance(c, float) else "-" for c in cells]
        ok = _verdict(r["no_slower_than_mpv"], "-")
        print(f"{name:<12}{text[0]:>10}{text[1]:>10}{text[2]:>11}{text[3]:>8}{ok:>8}")
    summary = _verdict(verdict, "not checked (no mpv)")
    print(f"target (command no slower than mpv, median of {args.rounds}): {summary}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
