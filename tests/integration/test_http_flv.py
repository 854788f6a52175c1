"""HTTP-FLV, the live protocol of many CDNs and cameras: a live FLV body over
plain HTTP, served here by FFmpeg's own HTTP server (``-listen 1``) at the
live pace. It carries no wall clock, so the report gives the distance to the
live edge only, and says why there is no end-to-end figure."""

from __future__ import annotations

import statistics
import subprocess
from pathlib import Path

from tests.support.player_probe import sample_latency_blocks
from tests.support.servers import HOST, free_port, wait_until


def _listening(port: int) -> bool:
    """Whether a socket listens on ``port``, asked of the kernel: FFmpeg's
    server takes one client only, so a test connection would use it up."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                return True
    return False


def test_http_flv_live_gives_the_live_edge_and_no_wall_clock(av_file: Path) -> None:
    port = free_port()
    url = f"http://{HOST}:{port}/live.flv"
    server = subprocess.Popen(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1",
         "-i", str(av_file), "-c", "copy", "-f", "flv", "-listen", "1", url],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until(
            lambda: _listening(port),
            20.0,
            what="ffmpeg's HTTP server",
            alive=lambda: server.poll() is None,
        )
        blocks = sample_latency_blocks(url, 4)
    finally:
        server.kill()
        server.wait(timeout=10)
    assert all(b["end_to_end_s"] is None for b in blocks), blocks
    assert {b["end_to_end_reason"] for b in blocks} == {"progressive HTTP carries no wall clock"}
    assert all(b["to_live_edge_reason"] is None for b in blocks), blocks
    edge = statistics.median(float(b["to_live_edge_s"]) for b in blocks)
    # FFmpeg paces the body in real time (-re): what is received and not yet
    # shown is the player's live buffer, never seconds of backlog.
    assert 0.0 < edge <= 3.0, edge
