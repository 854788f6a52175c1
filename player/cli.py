"""The ``heureum`` command: the desktop window, or headless playback that
writes a report."""

from __future__ import annotations

import argparse
import gc
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from . import app_start  # noqa: F401  (first: the application's start-up)
from .cli_options import (
    HelpFormatter,
    add_abr_policy_flag,
    add_otlp_flags,
    add_stream_choices,
    check_stream_choices,
    rung_text,
)
from .config import DEFAULT_CONFIG, AudioConfig, OpenOptions, PlayerConfig
from .error_text import ErrorCode
from .events import (
    ErrorOccurred,
    Event,
    PlayerState,
    Reconnected,
    Reconnecting,
    WarningRaised,
)
from .redact import install_log_redaction, redact
from .stderr_lock import say
from .video_sink import NullVideoSink

__all__ = ["main"]

EXIT_OK = 0
EXIT_PLAYBACK_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


#: (command, what it does): shown by --help, each parsed by the tests
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("heureum", "the window, on the built-in demo"),
    ("heureum movie.mkv https://example.com/live/master.m3u8", "the window, with a play list"),
    (
        "heureum --headless --duration 30 --report run.json rtsp://cam.local/stream",
        "play 30 s without a window, write the report",
    ),
    ("heureum --headless --frames 1 movie.mkv", "open, show one frame, exit (a smoke test)"),
    (
        "heureum --headless --max-height 720 https://example.com/vod/master.m3u8",
        "HLS: the 720p rung (or the tallest under it); the summary names it",
    ),
    ("heureum --variant 0 https://example.com/vod/master.m3u8", "HLS: the lowest-bitrate rung"),
    (
        "heureum movie.mkv --aid 2 --sid no --start 1:30 --end 2:00",
        "the second audio track, no subtitles, from 1:30 to 2:00",
    ),
    ("heureum movie.mkv --sub-file movie.en.srt", "with a subtitle file, shown"),
    ("heureum --enqueue next.mkv", "add to the running window's play list"),
    (
        "heureum compare a.m3u8 b.m3u8 --duration 30 --csv table.csv",
        "two streams at once, no window: a comparison table",
    ),
    ("heureum lab --profile 3g", "serve the network lab's streams through a 3G-like link"),
)


def _epilog() -> str:
    lines = ["examples:"]
    for command, what in EXAMPLES:
        lines.append(f"  {command}")
        lines.append(f"      {what}")
    lines += [
        "",
        "exit status:",
        f"  {EXIT_OK}    played (or the window was closed)",
        f"  {EXIT_PLAYBACK_ERROR}    a playback error (one line on stderr says why)",
        f"  {EXIT_USAGE}    a usage error: a bad flag or value, or one the stream does not",
        "       fit (--variant on a file, a track it lacks); one line says which",
        f"  {EXIT_INTERRUPTED}  interrupted (Ctrl+C)",
        "  143  heureum compare: terminated (SIGTERM)",
    ]
    return "\n".join(lines) + "\n"


EPILOG = _epilog()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="heureum",
        description="Heureum: a streaming player and protocol test bench "
        "(HLS with ABR, RTSP, RTMP, HTTP, local files).",
        epilog=EPILOG,
        formatter_class=HelpFormatter,
    )
    p.add_argument("urls", nargs="*", metavar="URL", help="URL(s) or file(s) to play")
    p.add_argument(
        "--version",
        action="store_true",
        help="print the versions of Heureum, Qt, PyAV/FFmpeg and PortAudio, and the licence",
    )
    p.add_argument("--headless", action="store_true", help="play without a window, print a summary")
    p.add_argument(
        "--compare",
        action="store_true",
        help="open the 2-4 URLs side by side in one compare window",
    )
    p.add_argument("--duration", type=float, metavar="S", help="stop after S seconds")
    p.add_argument("--frames", type=int, metavar="N", help="stop after N presented frames")
    p.add_argument("--report", metavar="FILE.json", help="write the session report here")
    p.add_argument(
        "--rtsp-transport", choices=["auto", "udp", "tcp", "http"], help="RTSP transport"
    )
    p.add_argument("--low-latency", action="store_true", help="live: start at once, stay near live")
    p.add_argument("--no-audio", action="store_true", help="do not open an audio device")
    p.add_argument("--untimed", action="store_true", help="present frames as fast as they decode")
    p.add_argument("--hwdec", choices=["auto", "no"], help="hardware video decoding (default: no)")
    p.add_argument("--volume", type=float, metavar="V", help="volume 0..150 (percent)")
    p.add_argument("--timeout", type=float, metavar="S", help="network open/read timeout")
    add_abr_policy_flag(p)
    p.add_argument(
        "--enqueue",
        action="store_true",
        help="add the URLs to the running window's play list (or start one)",
    )
    p.add_argument(
        "--metrics-port",
        metavar="[HOST:]PORT",
        help="with --headless: serve Prometheus metrics here while playing "
        "(default host: 127.0.0.1)",
    )
    add_otlp_flags(p)
    p.add_argument("-v", "--verbose", action="store_true", help="log what happens to stderr")
    add_stream_choices(p)
    return p


def _config(args: argparse.Namespace) -> PlayerConfig:
    from dataclasses import replace

    cfg = DEFAULT_CONFIG
    if args.no_audio:
        cfg = replace(cfg, audio=AudioConfig(enabled=False))
    if args.untimed:
        cfg = replace(cfg, sync=replace(cfg.sync, untimed=True))
    if args.timeout:
        cfg = replace(
            cfg,
            network=replace(cfg.network, open_timeout=args.timeout, read_timeout=args.timeout),
        )
    return cfg


def _options(args: argparse.Namespace) -> OpenOptions:
    return OpenOptions(
        rtsp_transport=args.rtsp_transport,
        low_latency=True if args.low_latency else None,
        start_position=args.start,
        hwdec=args.hwdec,
        variant=args.variant,
        max_height=args.max_height,
        end_position=args.end,
        audio_track=args.aid,
        subtitle_track=args.sid,
        subtitle_files=tuple(args.sub_file),
        abr_policy=args.abr_policy,
    )


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    install_log_redaction(root)


#: warnings about a flag that does not fit the stream: without a window to
#: show them, they end the run as usage errors (their flag named first)
_MISFITS = {
    "no-variants": "--variant/--max-height: ",
    "no-such-audio-track": "--aid: ",
    "no-such-subtitle-track": "--sid: ",
    "subtitle-file": "--sub-file: ",
}


def run_headless(args: argparse.Namespace) -> int:
    if len(args.urls) != 1:
        print("heureum: error: --headless plays exactly one URL", file=sys.stderr)
        return EXIT_USAGE
    url = args.urls[0]
    # Here rather than at the top: the engine brings PyAV, which --help,
    # --version and usage errors have no use for.
    from .player import Player

    sink = NullVideoSink()
    player = Player(_config(args), video_sink=sink)
    if args.volume is not None:
        player.set_volume(args.volume / 100)
    done = threading.Event()
    fatal: list[str] = []
    misfit: list[str] = []  # a flag that does not fit this stream: a usage error
    frames_target = args.frames

    def on_event(event: Event) -> None:
        if isinstance(event, ErrorOccurred):
            line = f"heureum: {'error' if event.fatal else 'warning'}: {event.message}"
            say(line)
            if event.fatal:
                fatal.append(event.message)
                if event.code == ErrorCode.NO_SUCH_VARIANT:
                    misfit.append(event.message)
                done.set()
        elif isinstance(event, WarningRaised) and event.code in _MISFITS:
            say(f"heureum: error: {_MISFITS[event.code]}{event.message}")
            misfit.append(event.message)
            done.set()
        elif isinstance(event, WarningRaised):
            say(f"heureum: warning: {event.message}")
        elif isinstance(event, Reconnecting):
            say(
                f"heureum: reconnecting (attempt {event.attempt}, in {event.delay:.1f} s): "
                f"{event.reason}"
            )
        elif isinstance(event, Reconnected):
            say(f"heureum: reconnected after {event.outage:.1f} s")
        elif hasattr(event, "state") and event.state in (PlayerState.ENDED, PlayerState.ERROR):
            done.set()
        if frames_target is not None and sink.presented >= frames_target:
            done.set()

    player.subscribe(on_event)
    endpoint = None
    if args.metrics_port:
        from .metrics_http import start_for_cli

        shown = redact(url)
        endpoint = start_for_cli(args.metrics_port, lambda: [(0, shown, player.stats())], "heureum")
        if endpoint is None:
            player.close()
            return EXIT_USAGE
    pusher = None
    if args.otlp:
        from .otlp import start_for_cli as start_otlp

        shown_url = redact(url)
        pusher = start_otlp(
            args.otlp, lambda: [(0, shown_url, player.stats())], "heureum", args.otlp_interval
        )
        if pusher is None:
            if endpoint is not None:
                endpoint.stop()
            player.close()
            return EXIT_USAGE
    interrupted = threading.Event()

    def on_sigint(signum: int, frame: Any) -> None:
        interrupted.set()
        done.set()

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        options = _options(args)
        player.open(url, options)
        if options.audio_track != "no":
            # PortAudio opens while the stream opens and its first frame
            # decodes (the session does not wait for it before that frame);
            # not before the open: its imports slowed the engine's.
            player.prepare_audio()
        if frames_target is not None:
            # Frames are counted in the sink; poll it at a modest rate.
            while not done.wait(0.02):
                if sink.presented >= frames_target:
                    break
                if args.duration is not None and player.stats().session_seconds >= float(
                    args.duration
                ):
                    break
        else:
            done.wait(args.duration)
        report = player.report()
    finally:
        if endpoint is not None:
            endpoint.stop()
        if pusher is not None:
            pusher.stop()  # the last figures, while the session is still open
        player.close()
        signal.signal(signal.SIGINT, previous)
    if args.report:
        from .report import write_json_atomic  # tempfile and json: only with --report

        try:
            write_json_atomic(args.report, report)
        except OSError as exc:
            print(f"heureum: error: cannot write the report: {exc}", file=sys.stderr)
            return EXIT_USAGE
    if misfit:
        return EXIT_USAGE
    if fatal:
        return EXIT_PLAYBACK_ERROR
    _print_summary(report)
    return EXIT_INTERRUPTED if interrupted.is_set() else EXIT_OK


def _print_summary(r: dict[str, Any]) -> None:
    frames = r.get("frames", {})
    av = r.get("av_offset_ms", {})
    ttff = r.get("time_to_first_frame_s")
    parts = [
        f"url={r.get('url')}",
        f"state={r.get('state')}",
        f"ttff={ttff:.3f}s" if isinstance(ttff, float) else "ttff=-",
        f"presented={frames.get('presented', 0)}",
        f"dropped={frames.get('dropped', 0)}",
        f"rebuffers={r.get('rebuffer_count', 0)}",
        f"av_p95={av.get('p95')}ms",
    ]
    media = r.get("media") or {}
    video = media.get("video") or {}
    rung = rung_text(r.get("variant"), video.get("height"))
    if rung is not None:
        parts.append(f'rung="{rung}"')
    latency = r.get("live_latency_s")
    if isinstance(latency, int | float):
        parts.append(f"latency={latency:.2f}s")
    print("heureum: " + " ".join(parts))


def main(argv: Sequence[str] | None = None) -> int:
    """The command. ``argv`` None means the process's own command line (the
    ``heureum`` script, ``python -m player.cli``): the process exits after it."""
    words = list(sys.argv[1:] if argv is None else argv)
    if words and words[0] == "lab":
        return _run_lab(words[1:])
    compare = bool(words) and words[0] == "compare"
    if compare:
        from .cli_compare import build_compare_parser

        args = build_compare_parser().parse_args(words[1:])
    else:
        args = build_parser().parse_args(words)
        if args.version:
            from .versions import Component, version_text  # PyAV, PortAudio: only here

            qt: Component | None = None
            try:  # Qt's version is the window's to tell (the engine never imports Qt)
                from ui.qt_version import qt_component  # type: ignore[import-not-found,unused-ignore]

                qt = qt_component()
            except ImportError:
                pass
            print(version_text(qt))
            return EXIT_OK
    _setup_logging(args.verbose)
    if not compare and (problem := check_stream_choices(args)) is not None:
        print(f"heureum: error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if compare:
            from .cli_compare import run_compare_command

            return run_compare_command(args, _config(args), _options(args))
        if args.headless:
            return run_headless(args)
        return run_gui(args)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: one line, no traceback
        logging.getLogger(__name__).debug("fatal", exc_info=True)
        print(f"heureum: error: {redact(str(exc)) or type(exc).__name__}", file=sys.stderr)
        return EXIT_PLAYBACK_ERROR
    finally:
        if argv is None:
            # Interpreter shutdown runs full garbage collections over every
            # object still alive (the engine, PyAV, httpx: ~30k objects), a
            # good 40-60 ms of a one-frame run, to find cycles that the exit
            # frees anyway. Frozen objects are left out of those passes; the
            # modules are still torn down and atexit handlers still run.
            gc.freeze()


def _run_lab(words: list[str]) -> int:
    """``heureum lab``: the network lab's servers (``lab/``), which ship with
    the app but are no part of the engine: reached only from here, lazily."""
    _setup_logging(False)
    try:
        from lab.cli import main as lab_main  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        print(f"heureum: error: the lab is not available ({exc})", file=sys.stderr)
        return EXIT_USAGE
    try:
        result: int = lab_main(words)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # the last line of defence: one line, no traceback
        logging.getLogger(__name__).debug("lab", exc_info=True)
        print(f"heureum lab: error: {redact(str(exc)) or type(exc).__name__}", file=sys.stderr)
        return EXIT_PLAYBACK_ERROR
    return result


def run_gui(args: argparse.Namespace) -> int:
    if args.compare:
        return run_compare_window(args)
    # The window collects cycles on its own timer (ui.gc_guard) from when it
    # exists; until then automatic collection would walk the objects Qt's and
    # the window's imports make, again and again: 15-40 ms of the start-up.
    gc.disable()
    try:
        from ui.app import run_gui as start_gui  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        if ".so" in str(exc) or ".dll" in str(exc):
            # Qt's own libraries load, but one they need from the system does not.
            print(f"heureum: error: a system library is missing: {exc}", file=sys.stderr)
            return EXIT_PLAYBACK_ERROR
        print(
            f"heureum: error: the desktop window is not available ({exc}); "
            "use --headless to play without it",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.enqueue and args.urls:
        from ui.single_instance import send_to_running  # type: ignore[import-not-found,unused-ignore]

        if send_to_running(list(args.urls)):
            return EXIT_OK
    extras = {
        "open_options": _options(args),
        "duration": args.duration,
        "report": args.report,
        "volume": None if args.volume is None else args.volume / 100,
    }
    result: int = start_gui(list(args.urls), extras, _config(args))
    return result


def run_compare_window(args: argparse.Namespace) -> int:
    if not 2 <= len(args.urls) <= 4:
        print(f"heureum: error: --compare opens 2 to 4 URLs, not {len(args.urls)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        from ui.compare_window import (  # type: ignore[import-not-found,unused-ignore]
            run_compare_gui,
        )
    except ImportError as exc:
        print(
            f"heureum: error: the desktop window is not available ({exc}); "
            "use 'heureum compare' to compare without it",
            file=sys.stderr,
        )
        return EXIT_USAGE
    result: int = run_compare_gui(
        list(args.urls),
        _options(args),
        _config(args),
        max_height=args.max_height,
        duration=args.duration,
        report=args.report,
    )
    return result


if __name__ == "__main__":
    sys.exit(main())
