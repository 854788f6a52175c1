"""The benchmarked command, ``heureum --headless --frames 1 --no-audio URL`` on
HLS from nginx, plays for real and leaves out what it has no use for (its
start-up is measured against mpv's in benchmarks/hls_first_frame.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import hls_media
from tests.support.servers import NginxHttpServer

# Runs the command as ``python -m player.cli`` does and lists the modules it
# loaded, once it is done (atexit: after main() has returned).
_RUN = (
    "import atexit, json, runpy, sys\n"
    "atexit.register(lambda: print('MODULES ' + json.dumps(sorted(sys.modules))))\n"
    "sys.argv = ['heureum', *sys.argv[1:]]\n"
    "runpy.run_module('player.cli', run_name='__main__')\n"
)


@pytest.fixture(scope="module")
def hls_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NginxHttpServer]:
    site = tmp_path_factory.mktemp("site")
    (site / "ts").symlink_to(hls_media.ts_vod(), target_is_directory=True)
    (site / "fmp4").symlink_to(hls_media.fmp4_vod(), target_is_directory=True)
    with NginxHttpServer(site) as server:
        yield server


@pytest.mark.parametrize("kind", ["ts", "fmp4"])
def test_one_frame_without_audio_loads_no_numpy_portaudio_nor_crypto(
    hls_site: NginxHttpServer, kind: str
) -> None:
    url = hls_site.url(f"{kind}/index.m3u8")
    result = subprocess.run(
        [sys.executable, "-c", _RUN, "--headless", "--frames", "1", "--no-audio", url],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr
    summary = [line for line in result.stdout.splitlines() if line.startswith("heureum: ")]
    assert len(summary) == 1 and "presented=1" in summary[0], result.stdout
    modules = set(json.loads(result.stdout.split("MODULES ", 1)[1]))
    # It did demux, decode and fetch: the libraries for that are in.
    assert {"av", "httpx", "player.hls.hls_source"} <= modules
    heavy = sorted(m for m in modules if m.split(".")[0] in ("numpy", "sounddevice", "Cryptodome"))
    assert heavy == []
    assert "player.sources.libav" not in modules
    assert "player.report" not in modules
