"""``heureum compare`` as a tester scripts it: a subprocess against real
servers (nginx for HLS, GStreamer's RTSP server), with a dead URL among them."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from player.metrics import REPORT_SCHEMA
from tests.support import hls_media
from tests.support.live_packager import LivePackager
from tests.support.servers import NginxHttpServer, RtspServer, free_port, wait_until


def heureum_compare(*args: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "player.cli", "compare", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def ladder_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NginxHttpServer]:
    """nginx over a two-rung HLS ladder (320x180, 640x360), 20 s long."""
    root = tmp_path_factory.mktemp("compare-site")
    (root / "ladder").symlink_to(hls_media.muxed_ladder_vod(seconds=20.0), True)
    with NginxHttpServer(root) as server:
        yield server


def test_a_dead_stream_fails_alone_and_the_others_are_compared(
    audio_device: str, ladder_server: NginxHttpServer, rtsp_server: RtspServer, tmp_path: Path
) -> None:
    dead = f"http://tester:s3cret@127.0.0.1:{free_port()}/gone.m3u8"
    hls = ladder_server.url("ladder/master.m3u8")
    report, table = tmp_path / "out" / "cmp.json", tmp_path / "cmp.csv"
    result = heureum_compare(
        hls, rtsp_server.url, dead, "--duration", "5", "--report", str(report), "--csv", str(table)
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    data = json.loads(report.read_text())
    streams = data["streams"]
    assert [s["compare"]["index"] for s in streams] == [0, 1, 2]
    assert [s["protocol"] for s in streams[:2]] == ["hls", "rtsp"]
    for s in streams:
        assert s["schema"] == REPORT_SCHEMA
        assert "latency" in s and "frames" in s and "av_offset_ms" in s
    for s in streams[:2]:
        assert s["compare"]["played"] is True
        assert s["time_to_first_frame_s"] is not None and s["frames"]["presented"] > 50
        assert s["compare"]["samples"], "sampled while playing"
    assert streams[2]["compare"]["played"] is False
    assert "refused" in streams[2]["compare"]["failure"].lower()
    summary = data["comparison"]
    assert summary["all_played"] is False and summary["failed"] == [3]
    rows = summary["table"]
    assert [r["status"] for r in rows] == ["played", "played", "FAILED"]
    # the VOD HLS has no live latency; RTSP from a file has no sender reports
    # with wall-clock meaning here but does have a live edge
    assert rows[0]["latency_kind"] == "-"
    assert rows[1]["latency_kind"] in ("end to end", "to live edge")
    assert rows[0]["rung"].endswith("%") and rows[0]["resolution"] != "-"
    lines = list(csv.DictReader(io.StringIO(table.read_text())))
    assert [line["status"] for line in lines] == ["played", "played", "FAILED"]
    assert lines[2]["url"].endswith("/gone.m3u8")
    # credentials in a URL appear nowhere
    for text in (result.stdout, result.stderr, report.read_text(), table.read_text()):
        assert "s3cret" not in text
    out = result.stdout
    assert "stream 3" in out and "FAILED" in out and "first frame (s)" in out


def test_max_height_pins_every_hls_stream_to_the_same_rung(
    ladder_server: NginxHttpServer, tmp_path: Path
) -> None:
    url = ladder_server.url("ladder/master.m3u8")
    report = tmp_path / "pinned.json"
    result = heureum_compare(
        url, url, "--duration", "4", "--max-height", "400", "--no-audio", "--report", str(report)
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(report.read_text())
    for s in data["streams"]:
        # 360p, the tallest under 400 lines, from the first segment on (the
        # ABR on its own starts at the lowest rung until it has measured)
        assert s["compare"]["pinned_rung"] == 1
        rungs = {x["rung"] for x in s["compare"]["samples"] if x["rung"] is not None}
        assert rungs == {1}, rungs
        assert [e["to_index"] for e in s["timeline"] if e["type"] == "switch"] == [1]
    assert [r["rung"] for r in data["comparison"]["table"]] == ["360p 100%", "360p 100%"]
    assert "360p 100%" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("http://a/x.m3u8",), "give 2 to 4 URLs"),
        (("a", "b", "c", "d", "e"), "give 2 to 4 URLs"),
        (("a", "b", "--max-height", "tall"), "not a height"),
        (("a", "b", "--duration", "-3"), "must be more than 0"),
    ],
)
def test_bad_compare_arguments_are_one_clear_message(args: tuple[str, ...], message: str) -> None:
    result = heureum_compare(*args, timeout=30)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_live_hls_and_rtsp_are_compared_end_to_end(tmp_path: Path) -> None:
    """Both carry a wall clock: the table gives end-to-end latency for both,
    and each agrees with the delay its source was made to add."""
    hls_delay, rtsp_delay = 2.0, 0.5
    report = tmp_path / "live.json"
    with (
        LivePackager(delay=hls_delay) as packager,
        RtspServer(None, live_delay=rtsp_delay) as rtsp,
    ):
        result = heureum_compare(
            packager.url, rtsp.url, "--duration", "8", "--no-audio", "--report", str(report)
        )
    assert result.returncode == 0, result.stderr
    rows = json.loads(report.read_text())["comparison"]["table"]
    assert [r["latency_kind"] for r in rows] == ["end to end", "end to end"]
    hls, rtsp_row = rows[0]["latency_s"], rows[1]["latency_s"]
    # each: the delay added, plus that player's own distance to the live edge
    # (HLS about three 1 s segments, RTSP about a second of buffer) and slack
    assert hls_delay + 1.0 <= hls <= hls_delay + 6.0, hls
    assert rtsp_delay <= rtsp_row <= rtsp_delay + 2.5, rtsp_row
    assert "end to end" in result.stdout


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_ends_the_run_with_the_report_written(
    av_file: Path, rtsp_server: RtspServer, tmp_path: Path, sig: int, code: int
) -> None:
    port = free_port()
    report = tmp_path / "stopped.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "player.cli", "compare", rtsp_server.url, str(av_file),
         "--duration", "120", "--no-audio", "--metrics-port", str(port), "--report", str(report)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip

    def playing() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                return 'heureum_frames_presented_total{protocol="rtsp"' in r.read().decode()
        except OSError:
            return False

    try:
        wait_until(playing, 30, what="the compare run")
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, err
    data = json.loads(report.read_text())
    assert [s["protocol"] for s in data["streams"]] == ["rtsp", "file"]
    assert data["comparison"]["session_seconds"] < 60
    assert "first frame (s)" in out


def test_one_audio_output_for_every_stream_and_each_stays_in_sync(
    audio_device: str, av_file: Path, tmp_path: Path
) -> None:
    """Three streams with sound: one PortAudio stream (one PulseAudio sink
    input) carries them; the muted ones are still read at the device's pace,
    so their video keeps in step with their audio."""
    port = free_port()
    report = tmp_path / "audio.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "player.cli", "compare", str(av_file), str(av_file),
         str(av_file), "--duration", "6", "--metrics-port", str(port), "--report", str(report)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip

    def all_playing() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
                text = r.read().decode()
        except OSError:
            return False
        shown = [
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("heureum_frames_presented_total{")
        ]
        return len(shown) == 3 and min(shown) > 10

    try:
        wait_until(all_playing, 30, what="three streams playing")
        listing = subprocess.run(
            ["pactl", "list", "sink-inputs"], capture_output=True, text=True, timeout=10
        ).stdout
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    # the PulseAudio server is shared with whatever else plays: count ours
    ours = listing.count(f'application.process.id = "{proc.pid}"')
    assert ours == 1, (ours, proc.pid, listing)
    for s in json.loads(report.read_text())["streams"]:
        assert s["audio"]["device"]
        assert s["av_offset_ms"]["count"] > 20
        # the median: this 2-core machine is shared, and load moves the tail
        assert s["av_offset_ms"]["p50"] < 45, s["av_offset_ms"]
        assert s["audio_underruns"] <= 2
