"""The command line's value types and the choices that pick what plays of
one stream: ``--variant``/``--max-height`` (an HLS rung), ``--aid``/``--sid``
(tracks, as mpv numbers them), ``--sub-file``, ``--start``/``--end``."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, get_args

from .config import AbrPolicyName, NetworkConfig, TrackChoice

__all__ = [
    "ABR_POLICIES",
    "HelpFormatter",
    "add_abr_policy_flag",
    "add_otlp_flags",
    "add_stream_choices",
    "check_stream_choices",
    "height",
    "positive",
    "rung_text",
    "time_value",
    "track_choice",
]


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, worked out alike (``COLUMNS``,
    then the terminal on standard output, else 80) without importing shutil."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's, at the same width. argparse makes a formatter for every
    ``add_argument`` (to check its metavar), and its own asks shutil for the
    width, which brings shutil, bz2 and lzma into every start (3 ms)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = terminal_columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def time_value(text: str) -> float:
    """Seconds, or mpv's ``[[hh:]mm:]ss[.ms]``."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or any(not p for p in parts):
        raise argparse.ArgumentTypeError(f"not a time: {text!r} (give seconds or [hh:]mm:ss)")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a time: {text!r} (give seconds or [hh:]mm:ss)"
        ) from None
    if any(v < 0 or v != v for v in values) or any(v >= 60 for v in values[1:]):
        raise argparse.ArgumentTypeError(f"not a time: {text!r} (give seconds or [hh:]mm:ss)")
    seconds = 0.0
    for v in values:
        seconds = seconds * 60 + v
    return seconds


def positive(text: str) -> float:
    """A number of seconds (or any quantity) above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def height(text: str) -> int:
    """Lines, with or without the ``p`` of ``720p``."""
    try:
        value = int(text.rstrip("pP"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a height in lines: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def _variant(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a variant number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"variants count from 0: {text!r}")
    return value


def track_choice(text: str) -> TrackChoice:
    """mpv's ``--aid``/``--sid``: ``no``, ``auto`` or a track counted from 1;
    the result counts from 0 (``MediaInfo``'s track indices)."""
    word = text.strip().lower()
    if word in ("no", "auto"):
        return "no" if word == "no" else "auto"
    try:
        value = int(word)
    except ValueError:
        raise argparse.ArgumentTypeError(f"give a track number, no or auto, not {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"tracks count from 1: {text!r}")
    return value - 1


def add_stream_choices(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("what plays of one stream")
    group.add_argument(
        "--variant",
        type=_variant,
        metavar="N",
        help="HLS: play rung N from the start, 0 being the lowest bitrate",
    )
    group.add_argument(
        "--max-height",
        type=height,
        metavar="H",
        help="HLS: play the tallest rung at or under H lines (with --compare: every stream)",
    )
    group.add_argument(
        "--aid", type=track_choice, default="auto", metavar="N|no|auto", help="audio track"
    )
    group.add_argument(
        "--sid",
        type=track_choice,
        default="auto",
        metavar="N|no|auto",
        help="subtitle track (numbered from 1 as the Subtitles menu lists them)",
    )
    group.add_argument(
        "--sub-file",
        action="append",
        default=[],
        metavar="PATH",
        help="add a .srt/.vtt/.ass subtitle file and show it (repeatable)",
    )
    group.add_argument(
        "--start", type=time_value, metavar="T", help="start at T (seconds or [hh:]mm:ss)"
    )
    group.add_argument("--end", type=time_value, metavar="T", help="stop at T, as at the end")


#: the names ``--abr-policy`` takes, in the order --help lists them; the
#: names ``player.abr.policies`` builds (not imported here: --help stays light)
ABR_POLICIES: tuple[AbrPolicyName, ...] = get_args(AbrPolicyName)


def add_abr_policy_flag(p: argparse.ArgumentParser, *, window: bool = True) -> None:
    default = NetworkConfig().abr_policy
    where = " In the window it overrides Settings > Network for the URLs given" if window else ""
    p.add_argument(
        "--abr-policy",
        choices=ABR_POLICIES,
        metavar="{" + ",".join(ABR_POLICIES) + "}",
        help=f"HLS: the ABR rule that picks the rung (default {default}); mpc plans "
        f"a few segments ahead (model-predictive), hybrid follows the throughput "
        f"and, with a rich buffer, BOLA.{where}",
    )


def add_otlp_flags(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--otlp",
        metavar="ENDPOINT",
        help="with --headless or compare: push the --metrics-port figures to this "
        "OpenTelemetry collector (OTLP/HTTP, e.g. http://127.0.0.1:4318); needs "
        "pip install 'heureum[otlp]'",
    )
    p.add_argument(
        "--otlp-interval",
        type=_seconds,
        default=10.0,
        metavar="S",
        help="seconds between two --otlp pushes (default 10; one more at the end)",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0: {text!r}")
    return value


def check_stream_choices(args: argparse.Namespace) -> str | None:
    """What is wrong with the choices before anything opens (None: nothing)."""
    if not args.headless and (args.metrics_port or args.otlp):
        return "--metrics-port and --otlp are for --headless runs (and heureum compare)"
    if args.variant is not None and args.max_height is not None:
        return "give --variant or --max-height, not both"
    if args.compare and args.variant is not None:
        return "--variant is for one stream; --compare pins every stream with --max-height"
    if args.start is not None and args.end is not None and args.end <= args.start:
        return f"--end ({args.end:g} s) must be after --start ({args.start:g} s)"
    for path in args.sub_file:
        if not os.path.isfile(path):
            why = "no such file" if not os.path.exists(path) else "not a file"
            return f"--sub-file {path}: {why}"
        if not os.access(path, os.R_OK):
            return f"--sub-file {path}: not readable"
    return None


def rung_text(variant: Any, shown_height: Any = None) -> str | None:
    """``720p 2.8 Mb/s`` for the report's ``variant`` block (None: none);
    a rung without RESOLUTION is named by the height of the picture shown."""
    if not isinstance(variant, dict):
        return None
    h, bandwidth = variant.get("height"), variant.get("bandwidth")
    h = h if isinstance(h, int) else shown_height
    name = f"{h}p" if isinstance(h, int) else f"#{variant.get('index')}"
    if isinstance(bandwidth, int) and bandwidth > 0:
        if bandwidth >= 1_000_000:
            return f"{name} {bandwidth / 1e6:.1f} Mb/s"
        return f"{name} {bandwidth / 1e3:.0f} kb/s"
    return name
