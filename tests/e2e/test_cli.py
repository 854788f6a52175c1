"""The ``heureum`` command as a user runs it: a subprocess, real audio output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from player.metrics import REPORT_SCHEMA


def heureum(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "player.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_version() -> None:
    result = heureum("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("heureum ")


def test_headless_plays_a_file_and_writes_the_report(
    audio_device: str, av_file: Path, tmp_path: Path
) -> None:
    report = tmp_path / "reports" / "run.json"
    result = heureum("--headless", str(av_file), "--report", str(report))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(report.read_text())
    assert data["schema"] == REPORT_SCHEMA
    assert data["state"] == "ended"
    for key in (
        "time_to_first_frame_s", "rebuffer_count", "rebuffer_seconds", "frames",
        "av_offset_ms", "bitrate_kbps", "errors", "timeline", "audio",
    ):  # fmt: skip
        assert key in data, key
    assert data["frames"]["presented"] >= 100
    assert data["av_offset_ms"]["count"] >= 100
    assert data["bitrate_kbps"]["media"] > 0
    # Written atomically: nothing but the report in its folder.
    assert [p.name for p in report.parent.iterdir()] == ["run.json"]
    assert "presented=" in result.stdout


def test_frames_and_duration_stop_early(audio_device: str, av_file: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    result = heureum("--headless", str(av_file), "--frames", "10", "--report", str(report))
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    assert 10 <= data["frames"]["presented"] < 60
    # 2.5 s: a new PulseAudio stream may take samples only after a second or
    # more, and the start waits for it (2 s at most) before it says playing
    result = heureum("--headless", str(av_file), "--duration", "2.5", "--report", str(report))
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    assert data["state"] == "playing"
    assert data["session_seconds"] < 3.5


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/no/such/file.mp4", "File not found"),
        ("ftp://example.com/a.mp4", "Unsupported URL scheme"),
        ("rtsp://127.0.0.1:9/x", "Connection refused"),
    ],
)
def test_bad_input_is_one_clear_line(url: str, words: str) -> None:
    result = heureum("--headless", "--timeout", "3", url)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("heureum: error: ") and words in lines[0]
    assert result.stdout == ""


def test_usage_errors_exit_2() -> None:
    assert heureum("--headless").returncode == 2
    assert heureum("--headless", "a", "b").returncode == 2
    assert heureum("--no-such-flag").returncode == 2
    probe_in_window = heureum("--otlp", "http://127.0.0.1:4318", "a.mkv")
    assert probe_in_window.returncode == 2
    assert probe_in_window.stderr.splitlines() == [
        "heureum: error: --metrics-port and --otlp are for --headless runs (and heureum compare)"
    ]


def test_help_shows_examples_that_parse_and_every_exit_status() -> None:
    import shlex

    from lab.cli import build_lab_parser
    from player.cli import (
        EXAMPLES,
        EXIT_INTERRUPTED,
        EXIT_OK,
        EXIT_PLAYBACK_ERROR,
        EXIT_USAGE,
        build_parser,
    )
    from player.cli_compare import build_compare_parser

    result = heureum("--help")
    assert result.returncode == 0 and result.stderr == ""
    text = result.stdout
    for flag in ("--variant", "--max-height", "--aid", "--sid", "--sub-file", "--start", "--end"):
        assert f"\n  {flag} " in text, flag  # listed with its help
    shown = [line.strip() for line in text.split("examples:")[1].splitlines()]
    assert len(EXAMPLES) >= 8
    for command, what in EXAMPLES:
        assert command in shown and what in shown
        words = shlex.split(command)[1:]
        # every example is a command line the parsers take (argparse exits on a bad one)
        if words[:1] == ["compare"]:
            build_compare_parser().parse_args(words[1:])
        elif words[:1] == ["lab"]:
            build_lab_parser().parse_args(words[1:])
        else:
            build_parser().parse_args(words)
    status = text.split("exit status:")[1]
    for code in (EXIT_OK, EXIT_PLAYBACK_ERROR, EXIT_USAGE, EXIT_INTERRUPTED):
        assert re.search(rf"^  {code} +\S", status, re.MULTILINE), code
