"""``--metrics-port``: a real run scraped while it plays, the figures checked
against the report the same run writes."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.support.servers import RtspServer, free_port, wait_until


def _scrape(port: int) -> dict[tuple[str, str], float]:
    """{(metric name, stream label): value}; empty while nothing answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
            text = r.read().decode()
    except OSError:
        return {}
    out: dict[tuple[str, str], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, sample.labels["stream"])] = sample.value
            out[("protocol", sample.labels["stream"])] = 0.0
            out[(f"protocol={sample.labels['protocol']}", sample.labels["stream"])] = 1.0
    return out


def _run(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "player.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_compare_metrics_agree_with_the_report(av_file: Path, tmp_path: Path) -> None:
    port = free_port()
    report = tmp_path / "cmp.json"
    with RtspServer(None, live_delay=0.5) as rtsp:
        proc = _run(
            "compare", rtsp.url, str(av_file), "--duration", "9", "--no-audio",
            "--metrics-port", str(port), "--report", str(report),
        )  # fmt: skip
        seen: dict[tuple[str, str], float] = {}

        def both_playing_with_latency() -> bool:
            seen.clear()
            seen.update(_scrape(port))
            return (
                seen.get(("heureum_frames_presented_total", "2"), 0) > 0
                and ("heureum_latency_end_to_end_seconds", "1") in seen
            )

        latest: dict[tuple[str, str], float] = {}

        def ended() -> bool:
            # the latency scraped last: catch-up moves it during the run (a
            # live start's backlog is won back), so only the end compares
            try:
                now = _scrape(port)
            except (OSError, http.client.HTTPException, ValueError):
                now = {}
            if ("heureum_latency_end_to_end_seconds", "1") in now:
                latest.update(now)
            return proc.poll() is not None

        try:
            wait_until(both_playing_with_latency, 30, what="metrics during the run")
            wait_until(ended, 60, what="the end of the run", interval=0.2)
            _out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err
    streams: list[dict[str, Any]] = json.loads(report.read_text())["streams"]
    for i, s in enumerate(streams, start=1):
        label = str(i)
        assert seen[(f"protocol={s['protocol']}", label)] == 1.0
        # fixed once set: the same figure in both
        assert seen[("heureum_time_to_first_frame_seconds", label)] == s["time_to_first_frame_s"]
        # counters scraped mid-run never exceed the final ones
        presented = seen[("heureum_frames_presented_total", label)]
        assert 0 < presented <= s["frames"]["presented"]
        assert seen[("heureum_frames_dropped_total", label)] <= s["frames"]["dropped"]
        assert seen[("heureum_up", label)] == 1.0
    # live RTSP: end to end (sender reports) close to the report's final figure
    scraped = latest[("heureum_latency_end_to_end_seconds", "1")]
    final = streams[0]["latency"]["end_to_end_s"]
    assert abs(scraped - final) < 0.5, (scraped, final)
    # a file has no latency: absent, not 0
    assert ("heureum_latency_end_to_end_seconds", "2") not in seen


def test_headless_metrics_and_a_port_already_taken(av_file: Path, tmp_path: Path) -> None:
    port = free_port()
    report = tmp_path / "one.json"
    proc = _run(
        "--headless", str(av_file), "--no-audio", "--duration", "5",
        "--metrics-port", f"127.0.0.1:{port}", "--report", str(report),
    )  # fmt: skip
    seen: dict[tuple[str, str], float] = {}
    try:

        def playing() -> bool:
            seen.clear()
            seen.update(_scrape(port))
            return seen.get(("heureum_frames_presented_total", "1"), 0) > 10

        wait_until(playing, 30, what="headless metrics")
        # the same port again: one clear line, exit 2, no retrying
        taken = subprocess.run(
            [sys.executable, "-m", "player.cli", "--headless", str(av_file), "--no-audio",
             "--metrics-port", str(port)],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    data = json.loads(report.read_text())
    assert seen[("heureum_time_to_first_frame_seconds", "1")] == data["time_to_first_frame_s"]
    assert seen[("protocol=file", "1")] == 1.0
    assert taken.returncode == 2
    assert f"cannot serve metrics on 127.0.0.1:{port}" in taken.stderr
    assert "Traceback" not in taken.stderr
