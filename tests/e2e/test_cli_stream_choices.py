"""``heureum --headless`` choosing what plays of one stream, as a user runs
it: the HLS rung pinned (--variant, --max-height) on a real loopback origin
that records what was fetched, --start/--end, and every bad value as one
clear line with exit status 2."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lab.origin import ThrottleServer
from tests.e2e.test_cli import heureum
from tests.support import hls_media
from tests.support.audio_tracks_media import make_two_audio_tracks
from tests.support.live_packager import LivePackager


@pytest.fixture
def ladder() -> Iterator[ThrottleServer]:
    """Two rungs: 0 is 320x180 (~250 kb/s), 1 is 640x360 (~1.2 Mb/s)."""
    with ThrottleServer(hls_media.muxed_ladder_vod(seconds=6.0)) as server:
        yield server


def _segments(server: ThrottleServer, rung: int) -> list[str]:
    return [p for p in server.requests if p.startswith(f"/v{rung}/") and p.endswith(".ts")]


def _run(*args: str) -> tuple[int, str, str]:
    result = heureum("--headless", "--no-audio", *args, timeout=90)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout, result.stderr


def test_variant_plays_that_rung_from_the_first_segment(
    ladder: ThrottleServer, tmp_path: Path
) -> None:
    report = tmp_path / "r.json"
    code, out, err = _run("--variant", "1", "--report", str(report), ladder.url("master.m3u8"))
    assert code == 0, err
    data = json.loads(report.read_text())
    assert data["variant"]["index"] == 1 and data["variant"]["height"] == 360
    assert data["media"]["video"]["height"] == 360  # the frames shown were that rung's
    assert len(_segments(ladder, 1)) == 3 and _segments(ladder, 0) == []
    assert data["frames"]["presented"] >= 100
    assert re.search(r'rung="360p \d+\.\d Mb/s"', out), out


def test_max_height_plays_the_tallest_rung_under_it(ladder: ThrottleServer, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    url = ladder.url("master.m3u8")
    code, out, err = _run("--max-height", "300p", "--report", str(report), url)
    assert code == 0, err
    data = json.loads(report.read_text())
    assert data["variant"]["height"] == 180 and data["media"]["video"]["height"] == 180
    assert _segments(ladder, 1) == [] and len(_segments(ladder, 0)) == 3
    assert re.search(r'rung="180p \d+ kb/s"', out), out


def test_a_variant_the_ladder_lacks_is_one_usage_line(ladder: ThrottleServer) -> None:
    code, out, err = _run("--variant", "2", ladder.url("master.m3u8"))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "heureum: error: This stream has no variant 2: it has 2, numbered 0 (the lowest "
        "bitrate) to 1. Pick one of those, or leave the choice to the player."
    ]
    assert _segments(ladder, 0) == _segments(ladder, 1) == []  # nothing fetched for it


def test_pinning_a_stream_without_variants_is_one_usage_line(av_file: Path) -> None:
    code, out, err = _run("--max-height", "720", str(av_file))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "heureum: error: --variant/--max-height: this stream has no variants to choose "
        "from (only HLS has them); it plays as it is"
    ]


def test_an_audio_track_the_file_lacks_is_one_usage_line() -> None:
    code, out, err = _run("--aid", "3", str(make_two_audio_tracks("mkv")))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "heureum: error: --aid: there is no audio track 3 (it has 2); playing the default one"
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--variant", "x"], "not a variant number: 'x'"),
        (["--variant", "-1"], "variants count from 0"),
        (["--max-height", "0"], "must be more than 0"),
        (["--aid", "first"], "give a track number, no or auto"),
        (["--sid", "0"], "tracks count from 1"),
        (["--end", "1:75"], "not a time: '1:75'"),
        (["--start", "5", "--end", "0:02"], "--end (2 s) must be after --start (5 s)"),
        (["--sub-file", "/no/such/subs.srt"], "--sub-file /no/such/subs.srt: no such file"),
        (["--variant", "1", "--max-height", "360"], "give --variant or --max-height, not both"),
    ],
)
def test_bad_values_are_one_clear_line(args: list[str], words: str, av_file: Path) -> None:
    code, out, err = _run(*args, str(av_file))
    assert code == 2 and out == ""
    last = err.splitlines()[-1]
    assert last.startswith("heureum: error: ") and words in last, err


def test_start_and_end_play_that_stretch(av_file: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    code, out, err = _run("--start", "1", "--end", "0:02.5", "--report", str(report), str(av_file))
    assert code == 0, err
    data = json.loads(report.read_text())
    assert data["state"] == "ended" and data["errors"] == []
    # 1.5 s at 30 fps, give or take the frames at either edge
    assert 40 <= data["frames"]["presented"] <= 50
    assert "state=ended" in out


def test_the_summary_names_the_live_latency() -> None:
    with LivePackager() as packager:
        code, out, err = _run("--duration", "5", packager.url)
    assert code == 0, err
    found = re.search(r"latency=(\d+\.\d\d)s", out)
    assert found is not None, out
    assert 0.5 < float(found.group(1)) < 10  # a few 1 s segments behind the edge
    assert re.search(r'rung="\d+p', out), out  # a media playlist: the picture's height
