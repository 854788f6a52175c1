"""Time to first frame for a local file, progressive HTTP (nginx) and RTSP over
TCP (GStreamer's RTSP server), all on loopback, next to
``mpv --vo=null --ao=null --frames=1`` on the same URLs in the same run.

Two figures for us: ``engine_s`` (open() to the first presented frame, inside
one process, what the window sees) and ``command_s`` (the whole
``heureum --headless --frames 1`` process, interpreter start included), against
mpv's whole process.

The two commands are timed alike: whole processes on the same URL, each run
once untimed first (page cache, and for us the bytecode cache when Python may
write one), then in alternating order round by round so that load from
elsewhere on the machine falls on both. Our command is ``python -m
player.cli``, which costs what the ``heureum`` console script costs (both
import ``player.cli`` and call ``main()``).

    .venv/bin/python -m benchmarks.first_frame [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

from player import DEFAULT_CONFIG, Player
from player.config import PlayerConfig
from player.events import Event
from player.video_sink import RecordingVideoSink

from .media import bench_dir


def _clip() -> Path:
    path = bench_dir() / "ttff-720p30-60s.mp4"
    if not path.exists():
        tmp = path.with_suffix(".tmp.mp4")
        subprocess.run(
            [
                "ffmpeg", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=60",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=60",
                "-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-pix_fmt", "yuv420p",
                "-c:a", "aac", "-movflags", "+faststart", str(tmp),
            ],
            check=True,
        )  # fmt: skip
        tmp.replace(path)
    return path


def engine_ttff(
    url: str,
    config: PlayerConfig | None = None,
    on_event: Callable[[Event], None] | None = None,
) -> float:
    """``Player.open()`` to the first presented frame, in this process."""
    sink = RecordingVideoSink()
    cfg = config or replace(
        DEFAULT_CONFIG, network=replace(DEFAULT_CONFIG.network, rtsp_transport="tcp")
    )
    player = Player(cfg, video_sink=sink)
    if on_event is not None:
        player.subscribe(on_event)
    start = time.monotonic()
    player.open(url)
    ok = sink.wait_for(1, 20)
    elapsed = time.monotonic() - start
    player.close()
    if not ok:
        raise RuntimeError(f"no frame from {url}")
    return elapsed


def _wall(cmd: list[str]) -> float:
    start = time.monotonic()
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {result.returncode}: {result.stderr[-2000:]}")
    return elapsed


def _command(url: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "player.cli", "--headless", "--frames", "1", "--no-audio",
            *extra, url]  # fmt: skip


def _mpv(url: str, *extra: str) -> list[str] | None:
    mpv = shutil.which("mpv")
    if mpv is None:
        return None
    return [mpv, "--no-config", "--vo=null", "--ao=null", "--frames=1", *extra, url]


def command_ttff(url: str, *extra: str) -> float:
    """Wall time of ``heureum --headless --frames 1``, interpreter start included."""
    return _wall(_command(url, *extra))


def mpv_ttff(url: str, *extra: str) -> float | None:
    """Wall time of ``mpv --vo=null --ao=null --frames=1``; None without mpv."""
    cmd = _mpv(url, *extra)
    return None if cmd is None else _wall(cmd)


def paired_ttff(
    url: str, rounds: int, ours: Sequence[str] = (), theirs: Sequence[str] = ()
) -> tuple[list[float], list[float]]:
    """``rounds`` wall times of our command and of mpv's (empty without mpv) on
    ``url``: one untimed run of each first, then alternating, the one that
    goes first swapping every round."""
    cmds = [_command(url, *ours)]
    mpv = _mpv(url, *theirs)
    if mpv is not None:
        cmds.append(mpv)
    for cmd in cmds:
        _wall(cmd)
    times: list[list[float]] = [[] for _ in cmds]
    for r in range(rounds):
        order = list(range(len(cmds)))
        if r % 2:
            order.reverse()
        for i in order:
            times[i].append(_wall(cmds[i]))
    return times[0], times[1] if mpv is not None else []


def target_met(command_s: float, mpv_s: float | None) -> bool | None:
    """The issue's target: our whole command no slower than mpv's (medians)."""
    return None if mpv_s is None else command_s <= mpv_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.support.servers import NginxHttpServer, RtspServer

    clip = _clip()
    if shutil.which("mpv") is None:
        print("mpv is not installed: its column is empty", file=sys.stderr)
    results = {}
    with ExitStack() as stack, tempfile.TemporaryDirectory() as root:
        shutil.copy(clip, Path(root) / clip.name)
        http = stack.enter_context(NginxHttpServer(Path(root)))
        rtsp = stack.enter_context(RtspServer(clip))
        urls = {
            "file": str(clip),
            "http": f"{http.base_url}/{clip.name}",
            "rtsp_tcp": rtsp.url,
        }
        for name, url in urls.items():
            ours = [engine_ttff(url) for _ in range(args.rounds)]
            cmd, theirs = paired_ttff(
                url, args.rounds, ("--rtsp-transport", "tcp"), ("--rtsp-transport=tcp",)
            )
            command_s = round(statistics.median(cmd), 3)
            mpv_s = round(statistics.median(theirs), 3) if theirs else None
            results[name] = {
                "engine_s": round(statistics.median(ours), 3),
                "command_s": command_s,
                "mpv_s": mpv_s,
                "no_slower_than_mpv": target_met(command_s, mpv_s),
            }
    print(
        json.dumps(
            {"benchmark": "first_frame", "rounds": args.rounds, "results": results}, indent=2
        )
    )


if __name__ == "__main__":
    main()
