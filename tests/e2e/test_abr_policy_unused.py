"""``--abr-policy`` is honest about where it applies: asked for on a stream
without rungs (a local file here; RTSP and RTMP alike), the run says so in
one warning line on stderr and in the report's ``warnings``, and plays on; the
default asks for nothing and says nothing. (On HLS the policy is used and
nothing is said: ``test_cli_abr_policy.py``.)"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lab.origin import ThrottleServer
from tests.e2e.test_cli import heureum
from tests.e2e.test_compare import heureum_compare
from tests.support import hls_media

WORDS = "ABR applies to HLS only"


def _play(tmp_path: Path, *args: str) -> tuple[dict[str, Any], list[str]]:
    """(the report, the stderr lines that speak of ABR) of a headless run."""
    report = tmp_path / "run.json"
    result = heureum("--headless", "--no-audio", "--report", str(report), *args, timeout=90)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(report.read_text()), [
        line for line in result.stderr.splitlines() if "ABR" in line
    ]


def _unused(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [w for w in report["warnings"] if w["code"] == "abr-policy-unused"]


def test_a_policy_asked_for_on_a_file_is_one_warning_and_the_file_plays(
    av_file: Path, tmp_path: Path
) -> None:
    report, lines = _play(tmp_path, "--abr-policy", "mpc", str(av_file))
    assert len(lines) == 1, lines
    (line,) = lines
    assert line.startswith("heureum: warning: the ABR policy mpc is not used")
    assert WORDS in line and "a local file" in line
    (warning,) = _unused(report)
    assert warning["message"] == line.removeprefix("heureum: warning: ")
    # a warning, not an error: the file played to its end
    assert report["state"] == "ended" and report["frames"]["presented"] >= 100
    assert report["errors"] == []


def test_the_default_policy_on_a_file_says_nothing(av_file: Path, tmp_path: Path) -> None:
    report, lines = _play(tmp_path, str(av_file))
    assert lines == []
    assert _unused(report) == []
    assert report["state"] == "ended"


@pytest.fixture
def ladder() -> Iterator[ThrottleServer]:
    with ThrottleServer(hls_media.muxed_ladder_vod(seconds=6.0)) as server:
        yield server


def test_compare_names_the_stream_that_cannot_use_the_policy(
    av_file: Path, ladder: ThrottleServer, tmp_path: Path
) -> None:
    report = tmp_path / "cmp.json"
    result = heureum_compare(
        ladder.url("master.m3u8"),
        str(av_file),
        "--abr-policy",
        "mpc",
        "--duration",
        "2",
        "--no-audio",
        "--report",
        str(report),
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "ABR" in line]
    assert len(lines) == 1, lines
    assert lines[0].startswith("heureum compare: warning: stream 2: the ABR policy mpc")
    hls, file = json.loads(report.read_text())["streams"]
    assert _unused(hls) == [] and hls["abr"]["policy"] == "mpc"
    assert len(_unused(file)) == 1
