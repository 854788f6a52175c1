"""The command line's value types: times as mpv writes them, tracks counted
from 1, heights with or without the p, and the rung named in the summary."""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import shutil
import struct
import sys
import termios

import pytest

from player.cli import build_parser
from player.cli_options import (
    HelpFormatter,
    check_stream_choices,
    height,
    rung_text,
    terminal_columns,
    time_value,
    track_choice,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("1:30", 90.0), ("01:02:03.5", 3723.5), ("0:00.25", 0.25), ("0", 0.0)],
)
def test_times_in_seconds_or_clock_form(text: str, seconds: float) -> None:
    assert time_value(text) == seconds


@pytest.mark.parametrize("text", ["", "1:75", "1::2", "-3", "1:2:3:4", "abc", "nan"])
def test_bad_times_say_what_to_give(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=r"give seconds or \[hh:\]mm:ss"):
        time_value(text)


def test_tracks_count_from_one_as_mpv_does() -> None:
    assert track_choice("1") == 0 and track_choice("3") == 2
    assert track_choice("no") == "no" and track_choice("AUTO") == "auto"
    with pytest.raises(argparse.ArgumentTypeError, match="count from 1"):
        track_choice("0")
    with pytest.raises(argparse.ArgumentTypeError, match="track number, no or auto"):
        track_choice("first")


def test_heights_take_the_p() -> None:
    assert height("720p") == 720 and height("1080") == 1080
    with pytest.raises(argparse.ArgumentTypeError):
        height("0p")


def test_the_rung_is_named_by_height_and_rate() -> None:
    assert rung_text({"index": 2, "height": 720, "bandwidth": 2_800_000}) == "720p 2.8 Mb/s"
    assert rung_text({"index": 0, "height": 180, "bandwidth": 345_000}) == "180p 345 kb/s"
    # a media playlist names no resolution: the picture's height stands in
    assert rung_text({"index": 0, "height": None, "bandwidth": 0}, 240) == "240p"
    assert rung_text({"index": 1, "height": None, "bandwidth": 0}) == "#1"
    assert rung_text(None) is None


def test_choices_that_contradict_each_other() -> None:
    parse = build_parser().parse_args
    assert check_stream_choices(parse(["x.m3u8", "--variant", "1"])) is None
    assert "not both" in str(check_stream_choices(parse(["--variant", "1", "--max-height", "7"])))
    assert "--compare pins every stream" in str(
        check_stream_choices(parse(["--compare", "--variant", "1", "a", "b"]))
    )
    assert "must be after" in str(check_stream_choices(parse(["--start", "9", "--end", "3"])))


def test_abr_policy_is_picked_by_name_on_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    from player.abr.policies import POLICIES
    from player.cli import _options
    from player.cli_compare import build_compare_parser
    from player.cli_options import ABR_POLICIES
    from player.config import DEFAULT_CONFIG

    # the flag offers exactly the policies the engine can build
    assert sorted(ABR_POLICIES) == sorted(POLICIES)
    parse = build_parser().parse_args
    # unset: the config's (or, in the window, the settings') policy stands
    assert parse(["x.m3u8"]).abr_policy is None and _options(parse(["x.m3u8"])).abr_policy is None
    for name in ABR_POLICIES:
        headless = parse(["--headless", "--abr-policy", name, "x.m3u8"])
        options = _options(headless)
        assert options.abr_policy == name
        assert DEFAULT_CONFIG.with_options(options).network.abr_policy == name
        compare = build_compare_parser().parse_args(["a.m3u8", "b.m3u8", "--abr-policy", name])
        assert _options(compare).abr_policy == name
    # the window (one URL, or --compare's) takes it too
    assert _options(parse(["--compare", "--abr-policy", "mpc", "a", "b"])).abr_policy == "mpc"
    with pytest.raises(SystemExit) as stop:
        parse(["--abr-policy", "bola", "x.m3u8"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--abr-policy: invalid choice: 'bola' (choose from 'hybrid', 'mpc')" in err


def test_the_help_names_the_abr_policies_and_the_default() -> None:
    from player.cli_compare import build_compare_parser

    for parser in (build_parser(), build_compare_parser()):
        text = " ".join(parser.format_help().split())
        assert "--abr-policy {hybrid,mpc}" in text
        assert "(default mpc)" in text
    assert "Settings > Network" in " ".join(build_parser().format_help().split())
    assert "Settings" not in " ".join(build_compare_parser().format_help().split())


@pytest.mark.parametrize("columns", ["", "0", "abc", "57", "211"])
def test_the_help_width_is_shutils_without_shutil(
    columns: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The width argparse would have used (the help reads the same), from
    COLUMNS or, without it, standard output (not a terminal under pytest)."""
    monkeypatch.setenv("COLUMNS", columns)
    assert terminal_columns() == shutil.get_terminal_size().columns
    formatter = HelpFormatter("heureum")
    assert formatter._width == argparse.RawDescriptionHelpFormatter("heureum")._width


def test_the_help_width_follows_a_real_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    leader, follower = pty.openpty()
    try:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 97, 0, 0))
        with os.fdopen(os.dup(follower), "w") as tty:
            monkeypatch.setattr(sys, "__stdout__", tty)
            assert terminal_columns() == shutil.get_terminal_size().columns == 97
    finally:
        os.close(leader)
        os.close(follower)
