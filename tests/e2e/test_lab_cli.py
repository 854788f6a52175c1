"""``heureum lab`` as a tester runs it: a subprocess that prints its URLs,
serves them (RTSP and RTMP from the system's GStreamer and nginx-rtmp), and
stops cleanly on SIGINT/SIGTERM; a bad profile or a taken port is one line
and an exit status, never a traceback or a wait."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

COMMAND = [sys.executable, "-m", "player.cli", "lab"]


def start_lab(*args: str) -> tuple[subprocess.Popen[str], dict[str, str], list[str]]:
    """The lab, its URLs by label, and the lines before "serving"."""
    proc = subprocess.Popen(
        [*COMMAND, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("serving"):
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    # a guard against a hang (the first run makes the media: up to a minute)
    assert done.wait(120), lines
    urls = {}
    for line in lines:
        words = line.split()
        if len(words) >= 2 and "://" in words[-1]:
            urls[" ".join(words[:-1])] = words[-1]
    return proc, urls, lines


def port_of(url: str) -> int:
    return int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])


def refused(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_the_lab_serves_every_protocol_and_stops_cleanly(sig: signal.Signals) -> None:
    proc, urls, lines = start_lab("--profile", "3g")
    try:
        assert lines[0].startswith("heureum lab: 3G:")
        assert set(urls) == {"HLS (TS)", "HLS (fMP4)", "LL-HLS", "HTTP (MP4)", "RTSP", "RTMP"}
        assert urls["RTSP"].startswith("rtsp://") and urls["RTMP"].startswith("rtmp://")
        with urllib.request.urlopen(urls["HLS (TS)"], timeout=10) as answer:
            assert answer.read().startswith(b"#EXTM3U")
        # 3G adds 150 ms to every answer
        t = time.monotonic()
        with urllib.request.urlopen(urls["LL-HLS"], timeout=10) as answer:
            assert answer.read().startswith(b"#EXTM3U")
        assert time.monotonic() - t >= 0.15
        assert any("apply to the HTTP streams only" in line for line in lines)
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert out.rstrip().endswith("heureum lab: stopped") and "Traceback" not in err
    for url in urls.values():
        assert refused(port_of(url)), url  # nothing left listening: nginx and GStreamer too


def test_a_duration_ends_the_lab_by_itself() -> None:
    result = subprocess.run(
        [*COMMAND, "--duration", "1", "--no-rtsp", "--no-rtmp"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "heureum lab: no impairment" in result.stdout and "RTSP" not in result.stdout
    assert "serving for 1 s" in result.stdout


def test_a_bad_profile_is_one_line_naming_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "mine.toml"
    bad.write_text('name = "mine"\n\n[[outage]]\nat_s = 5\nfor_s = 0\n')
    result = subprocess.run([*COMMAND, "--profile", str(bad)], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"heureum lab: error: {bad}:5: for_s must be more than 0, not 0"
    ]
    assert result.stdout == ""


def test_a_taken_port_is_one_line_at_once() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        t = time.monotonic()
        result = subprocess.run(
            [*COMMAND, "--port", str(port), "--no-rtsp", "--no-rtmp"],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"heureum lab: error: HTTP origin: cannot listen on 127.0.0.1:{port}: it is in use"
    ]
    assert time.monotonic() - t < 15  # no retrying
