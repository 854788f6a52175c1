"""``heureum compare URL... --duration S``: 2-4 streams played together with
no window, then the comparison table; the report and CSV for scripts."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import Any

from .cli_options import add_abr_policy_flag, add_otlp_flags, height, positive
from .compare import MAX_STREAMS, MIN_STREAMS, CompareSession, run_compare
from .config import OpenOptions, PlayerConfig
from .events import Event, WarningRaised
from .stderr_lock import say
from .warning_text import WarningCode

__all__ = ["build_compare_parser", "run_compare_command"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
DEFAULT_DURATION = 30.0


def build_compare_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="heureum compare",
        description=f"Play {MIN_STREAMS}-{MAX_STREAMS} streams at once without a window "
        "and compare them: first frame, latency, stalls, bitrate, rung, drops, A/V offset.",
    )
    p.add_argument("urls", nargs="+", metavar="URL", help="the streams, in table order")
    p.add_argument(
        "--duration",
        type=positive,
        default=DEFAULT_DURATION,
        metavar="S",
        help=f"play for S seconds (default {DEFAULT_DURATION:g})",
    )
    p.add_argument("--report", metavar="FILE.json", help="write every stream's report here")
    p.add_argument("--csv", metavar="FILE.csv", help="write the table here")
    p.add_argument(
        "--max-height",
        type=height,
        metavar="H",
        help="pin every HLS stream to the same rung: the tallest at or under H lines",
    )
    p.add_argument(
        "--rtsp-transport", choices=["auto", "udp", "tcp", "http"], help="RTSP transport"
    )
    p.add_argument("--low-latency", action="store_true", help="live: start at once, stay near live")
    p.add_argument("--no-audio", action="store_true", help="do not open an audio device")
    p.add_argument(
        "--hwdec",
        choices=["auto", "no"],
        default="no",
        help="hardware video decoding for every stream (falls back to software)",
    )
    p.add_argument("--timeout", type=positive, metavar="S", help="network open/read timeout")
    add_abr_policy_flag(p, window=False)
    p.add_argument(
        "--metrics-port",
        metavar="[HOST:]PORT",
        help="serve Prometheus metrics of every stream here while it runs (default host: "
        "127.0.0.1)",
    )
    add_otlp_flags(p)
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens to stderr")
    # the single-stream choices the shared OpenOptions builder reads
    p.set_defaults(
        untimed=False, start=None, end=None, variant=None, aid="auto", sid="auto", sub_file=[]
    )
    return p


#: warnings that a choice on the command line does not fit a stream: said on
#: stderr (the table has no room for them; the report has them all)
_UNUSED_CHOICES = frozenset({WarningCode.ABR_POLICY_UNUSED})


def _tell_unused_choices(index: int, event: Event) -> None:
    if isinstance(event, WarningRaised) and event.code in _UNUSED_CHOICES:
        say(f"heureum compare: warning: stream {index + 1}: {event.message}")


def run_compare_command(
    args: argparse.Namespace, config: PlayerConfig, options: OpenOptions
) -> int:
    if not MIN_STREAMS <= len(args.urls) <= MAX_STREAMS:
        print(
            f"heureum compare: error: give {MIN_STREAMS} to {MAX_STREAMS} URLs, "
            f"not {len(args.urls)}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    session = CompareSession(
        args.urls,
        config=config,
        options=options,
        max_height=args.max_height,
        on_event=_tell_unused_choices,
    )
    endpoint = None
    if args.metrics_port:
        from .metrics_http import start_for_cli

        endpoint = start_for_cli(
            args.metrics_port,
            lambda: [(s.index, s.display_url, s.player.stats()) for s in session.streams],
            "heureum compare",
        )
        if endpoint is None:
            return EXIT_USAGE
    pusher = None
    if args.otlp:
        from .otlp import start_for_cli as start_otlp

        pusher = start_otlp(
            args.otlp,
            lambda: [(s.index, s.display_url, s.player.stats()) for s in session.streams],
            "heureum compare",
            args.otlp_interval,
        )
        if pusher is None:
            if endpoint is not None:
                endpoint.stop()
            return EXIT_USAGE
    stop = threading.Event()
    interrupted: list[int] = []

    def on_signal(signum: int, frame: Any) -> None:
        interrupted.append(signum)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        result = run_compare(
            session, args.duration, stop=stop, before_close=pusher.stop if pusher else None
        )
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if endpoint is not None:
            endpoint.stop()
    from .compare_table import format_table, table_csv
    from .report import write_json_atomic, write_text_atomic

    try:
        if args.report:
            write_json_atomic(args.report, result)
        if args.csv:
            write_text_atomic(args.csv, table_csv(result["comparison"]))
    except OSError as exc:
        where = exc.filename or "the output"
        print(f"heureum compare: error: cannot write {where}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    print(format_table(result["comparison"]), flush=True)
    if interrupted:
        return 128 + interrupted[0]  # 130 after SIGINT, 143 after SIGTERM
    return EXIT_OK if result["comparison"]["all_played"] else EXIT_FAILED
