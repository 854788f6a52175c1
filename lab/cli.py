"""``heureum lab [--profile P] [--duration S]``: serve the lab's streams,
print their URLs, and serve until stopped (Ctrl+C, SIGTERM or the
duration)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from player.cli_options import positive

from .external import LabServerError
from .profile import BUILTIN_PROFILES, Profile, ProfileError, builtin_profile, resolve_profile

__all__ = ["build_lab_parser", "main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 1 <= value <= 65532:
        raise argparse.ArgumentTypeError(f"must be 1-65532: {text!r}")
    return value


def build_lab_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="heureum lab",
        description="Serve the same content as HLS (TS, fMP4), LL-HLS, progressive HTTP, "
        "and RTSP and RTMP where the system has them, through a network profile "
        "(bandwidth over time, delay, outages, errors, packet loss).",
    )
    p.add_argument(
        "--profile",
        metavar="P",
        help=f"a built-in profile ({', '.join(BUILTIN_PROFILES)}) or a TOML/JSON "
        "profile file (default: no impairment)",
    )
    p.add_argument("--duration", type=positive, metavar="S", help="serve S seconds, then stop")
    p.add_argument(
        "--port",
        type=_port,
        metavar="N",
        help="HTTP on N, LL-HLS on N+1, RTSP on N+2, RTMP on N+3 (default: free ports)",
    )
    p.add_argument("--no-rtsp", action="store_true", help="do not start the RTSP server")
    p.add_argument("--no-rtmp", action="store_true", help="do not start the RTMP server")
    p.add_argument("--list-profiles", action="store_true", help="list the built-in profiles")
    return p


def _describe(profile: Profile | None) -> str:
    if profile is None:
        return "no impairment"
    return f"{profile.name}: {profile.description}" if profile.description else profile.name


def main(argv: Sequence[str]) -> int:
    args = build_lab_parser().parse_args(list(argv))
    if args.list_profiles:
        for name in BUILTIN_PROFILES:
            print(f"{name:16} {_describe(builtin_profile(name))}")
        return EXIT_OK
    try:
        profile = resolve_profile(args.profile)
    except ProfileError as exc:
        print(f"heureum lab: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    stop = threading.Event()
    got: list[int] = []

    def on_signal(signum: int, frame: Any) -> None:
        got.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    from .lab import Lab  # PyAV and the servers: not for --help or a bad profile

    shown: list[tuple[str, int]] = []

    def progress(fraction: float, what: str) -> None:
        # the first run makes the media (half a minute): say so every 10 %
        step = int(fraction * 10)
        if fraction < 1.0 and (not shown or shown[-1][0] != what or step > shown[-1][1]):
            shown.append((what, step))
            print(f"heureum lab: {what} ({step * 10} %)", file=sys.stderr, flush=True)

    lab = Lab(
        profile,
        port=args.port or 0,
        rtsp=not args.no_rtsp,
        rtmp=not args.no_rtmp,
        progress=progress,
    )
    try:
        try:
            lab.start()
        except LabServerError as exc:
            print(f"heureum lab: error: {exc}", file=sys.stderr)
            return EXIT_FAILED
        print(f"heureum lab: {_describe(profile)}")
        width = max(len(s.label) for s in lab.streams)
        for s in lab.streams:
            print(f"  {s.label:{width}}  {s.url}")
        for note in lab.notes:
            print(f"note: {note}")
        until = f"for {args.duration:g} s" if args.duration else "until Ctrl+C"
        print(f"serving {until}", flush=True)
        stop.wait(args.duration)
    finally:
        lab.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("heureum lab: stopped", flush=True)
    return EXIT_OK
