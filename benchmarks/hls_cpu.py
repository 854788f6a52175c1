"""CPU cost of the HLS engine itself (playlist, fetch, AES-128, demux, timeline)
on a 6 Mb/s stream, as percent of one core at real-time playback.

    .venv/bin/python -m benchmarks.hls_cpu [--seconds 20] [--aes]

The server runs in a separate process so only our own work is counted: CPU
seconds spent by this process while reading every packet, divided by the
media duration. Decoding is not included (it belongs to the decode threads).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from player.hls.hls_source import HlsSource


def make_stream(directory: Path, seconds: int, aes: bool) -> None:
    extra: list[str] = []
    if aes:
        (directory / "enc.key").write_bytes(bytes(range(16)))
        (directory / "keyinfo").write_text("enc.key\nenc.key\n000102030405060708090a0b0c0d0e0f\n")
        extra = ["-hls_key_info_file", "keyinfo"]
    cmd = ["ffmpeg", "-nostdin", "-v", "error", "-y",
           "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30",
           "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", str(seconds),
           "-c:v", "libx264", "-preset", "ultrafast", "-b:v", "6M", "-maxrate", "6M",
           "-bufsize", "6M", "-g", "60", "-c:a", "aac", "-b:a", "128k",
           "-f", "hls", "-hls_time", "4", "-hls_playlist_type", "vod", *extra,
           "-hls_segment_filename", "s%03d.ts", "index.m3u8"]  # fmt: skip
    subprocess.run(cmd, cwd=directory, check=True, timeout=300)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="CPU of the HLS engine at 6 Mb/s")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--aes", action="store_true", help="AES-128 encrypted segments")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_stream(root, args.seconds, args.aes)
        size = sum(p.stat().st_size for p in root.glob("*.ts"))
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            url = f"http://127.0.0.1:{port}/index.m3u8"
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), 0.1).close()
                    break
                except OSError:
                    time.sleep(0.05)
            src = HlsSource(url)
            cpu0, wall0 = time.process_time(), time.perf_counter()
            info = src.open()
            src.set_playback_position(0.0)
            packets = 0
            while src.read() is not None:
                packets += 1
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            src.close()
        finally:
            server.terminate()
            server.wait(5)
    duration = info.media.duration or args.seconds
    rate = size * 8 / duration / 1e6
    print(f"stream: {duration:.0f} s, {rate:.2f} Mb/s (TS), {packets} packets, aes={args.aes}")
    share = 100 * cpu / duration
    print(f"engine CPU: {cpu:.3f} s for {duration:.0f} s of media = {share:.2f} % of one core")
    print(f"at real time (target <= 5 %); wall {wall:.2f} s, pid {os.getpid()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
