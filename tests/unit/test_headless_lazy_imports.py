"""Start-up of ``heureum --headless --frames 1 --no-audio URL`` (issues 11 and
13: a first frame no later than mpv's): what the real command imports by the
time it has played its frame, checked in fresh interpreters. Each module named
here was imported by that start once and cost it milliseconds it did not use.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

from tests.support.hls_media import ts_vod
from tests.support.loopback import LoopbackServer

#: Not needed without audio: the output's module, ALSA's log hook, PortAudio
#: and numpy (decoded audio); nor what only a flag asks for: the report's
#: writer, the probes (Prometheus, OTLP) and the lab.
NEVER = (
    "player.audio_out",
    "player.alsa_log",
    "player.audio_mix",
    "sounddevice",
    "numpy",
    "player.report",
    "player.metrics_http",
    "prometheus_client",
    "player.otlp",
    "opentelemetry",
    "google.protobuf",
    "lab",
    "ui",
    "PySide6",
)
#: What a local file does not need: the HLS stack and the HTTP client, nor
#: shutil (bz2, lzma) for argparse's help width, asked of os instead (the HTTP
#: client's certificates bring shutil through importlib.resources).
NOT_FOR_A_FILE = (
    "shutil",
    "httpx",
    "httpcore",
    "m3u8",
    "player.http_fetcher",
    "player.hls.hls_source",
    "player.abr",
)
#: What a stream without --sub-file does not need before its own subtitles
#: (its renditions hold an empty cue store from the start, not the parser's
#: entity table).
NOT_FOR_A_STREAM = ("player.text_tracks", "html")

_PLAY = r"""
import json, sys
from player.cli import main
status = main(["--headless", "--frames", "1", "--no-audio", sys.argv[1]])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def _play(url: str) -> tuple[set[str], str]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(
        [sys.executable, "-c", _PLAY, url], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert data["status"] == 0, result.stderr[-3000:]
    return set(data["modules"]), result.stdout


def _loaded(modules: set[str], names: tuple[str, ...]) -> list[str]:
    """Those of ``names`` loaded, a package counting with any of its modules."""
    return sorted(n for n in names if any(m == n or m.startswith(n + ".") for m in modules))


def test_a_file_without_audio_plays_its_frame_without_the_audio_output_nor_http(
    av_file: Path,
) -> None:
    modules, said = _play(str(av_file))
    assert "presented=1" in said  # it did play its frame, through the engine and PyAV
    assert {"player.engine", "player.sources.libav", "av"} <= modules
    assert _loaded(modules, NEVER) == []
    assert _loaded(modules, NOT_FOR_A_FILE) == []
    # its subtitles were listed (none): the parsers wait for a track
    assert "player.text_tracks.listing" in modules
    assert _loaded(modules, ("player.text_tracks.formats", "player.hls.webvtt", "html")) == []


class _Directory(SimpleHTTPRequestHandler):
    root = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=self.root, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the test's output is the child's


def test_an_hls_stream_without_audio_plays_its_frame_without_the_audio_output_nor_subtitles() -> (
    None
):
    handler = type("_Vod", (_Directory,), {"root": str(ts_vod(4.0))})
    with LoopbackServer(handler) as server:
        modules, said = _play(f"http://127.0.0.1:{server.port}/index.m3u8")
    assert "presented=1" in said
    assert {"player.engine", "player.hls.hls_source", "httpx", "av"} <= modules
    assert _loaded(modules, NEVER) == []
    assert _loaded(modules, NOT_FOR_A_STREAM) == []
