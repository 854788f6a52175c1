"""An HLS stream's first playlist is asked for as the open begins, before the
engine's imports (PyAV, the session's modules), so that its round trip
passes while they run; the source then plays from that answer without
asking again. Run in a fresh interpreter (this one has the engine imported
already): an import hook holds ``player.engine``'s import until the origin
has the playlist request, for at most a few seconds, and says whether it
came."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.hls_media import ts_vod

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

_CHILD = r"""
import json, sys, threading
from functools import partial
from http.server import SimpleHTTPRequestHandler

from tests.support.loopback import LoopbackServer

asked = threading.Event()
requests = []


class Handler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        return

    def do_GET(self):
        requests.append(self.path)
        asked.set()
        super().do_GET()


before_engine = []


def hook(event, args):
    if event == "import" and args[0] == "player.engine" and not before_engine:
        # far longer than a loopback request takes; without a head start the
        # request cannot come before this import ends (the loader needs it)
        before_engine.append(asked.wait(5.0))


with LoopbackServer(partial(Handler, directory=sys.argv[1])) as server:
    from player import DEFAULT_CONFIG, Player
    from player.config import AudioConfig
    from player.video_sink import RecordingVideoSink
    from dataclasses import replace

    sys.addaudithook(hook)
    sink = RecordingVideoSink()
    player = Player(replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False)), video_sink=sink)
    player.open(f"http://127.0.0.1:{server.port}/index.m3u8")
    shown = sink.wait_for(1, 30)
    player.close()
print(json.dumps({"before_engine": before_engine, "shown": shown, "requests": requests}))
"""


def test_the_first_playlist_is_asked_for_before_the_engine_is_imported() -> None:
    vod = ts_vod()
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(vod)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=90,
        check=True,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["shown"] is True
    assert out["before_engine"] == [True]
    # the loader took the head start's answer: the playlist was asked for once
    assert out["requests"].count("/index.m3u8") == 1
    assert "/s000.ts" in out["requests"]
