"""Shared fixtures: real media (cached) and real servers on loopback.

Markers are applied by directory (tests/unit -> ``unit`` ...). Every server fixture is
session-scoped and stopped at session end, also when tests fail.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import media
from tests.support.faulty_http import FaultyHttpServer
from tests.support.golden import Golden
from tests.support.servers import (
    NginxHttpServer,
    NginxRtmpServer,
    RtspServer,
    ensure_pulse_null_sink,
)

_MARKERS = ("unit", "integration", "gui", "e2e")
_TESTS = Path(__file__).parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/*.log from this run instead of comparing with them",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Golden:
    """Compares a run's log with its file in tests/golden/ (``--update-golden``
    rewrites the file instead)."""
    return Golden(_TESTS / "golden", bool(request.config.getoption("--update-golden")))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        try:
            rel = Path(str(item.path)).resolve().relative_to(_TESTS)
        except ValueError:
            continue
        if rel.parts and rel.parts[0] in _MARKERS:
            item.add_marker(getattr(pytest.mark, rel.parts[0]))


def _timed(what: str, started: float) -> None:
    elapsed = time.perf_counter() - started
    if elapsed > 1.0:
        print(f"\n[rig] {what}: {elapsed:.2f} s")


# --------------------------------------------------------------------------- media


@pytest.fixture(scope="session")
def media_dir() -> Path:
    """The media cache directory; every media fixture's file lives here (nginx serves it)."""
    return media.cache_dir()


@pytest.fixture(scope="session")
def av_file(media_dir: Path) -> Path:
    """MP4 (faststart), 4 s, 640x360 30 fps H.264 (keyframe every 1 s) + AAC 48 kHz stereo."""
    t = time.perf_counter()
    path = media.make_av_file()
    _timed("av_file", t)
    return path


@pytest.fixture(scope="session")
def ts_file(media_dir: Path) -> Path:
    """MPEG-TS, otherwise like ``av_file``."""
    return media.make_av_file(container="mpegts")


@pytest.fixture(scope="session")
def flv_file(media_dir: Path) -> Path:
    """FLV, otherwise like ``av_file``."""
    return media.make_av_file(container="flv")


@pytest.fixture(scope="session")
def mkv_file(media_dir: Path) -> Path:
    """Matroska, otherwise like ``av_file``."""
    return media.make_av_file(container="mkv")


@pytest.fixture(scope="session")
def sync_file(media_dir: Path) -> Path:
    """5 s MP4: white frame + 1 kHz one-frame beep at t = 1, 2, 3, 4 s (media.sync_flash_times)."""
    return media.make_sync_file()


@pytest.fixture(scope="session")
def video_only_file(media_dir: Path) -> Path:
    return media.make_video_only_file()


@pytest.fixture(scope="session")
def audio_only_file(media_dir: Path) -> Path:
    return media.make_audio_only_file()


@pytest.fixture(scope="session")
def long_file(media_dir: Path) -> Path:
    """60 s 640x360 low-bitrate MP4 (what the RTSP server serves)."""
    t = time.perf_counter()
    path = media.make_av_file(seconds=60.0, crf=30)
    _timed("long_file", t)
    return path


# --------------------------------------------------------------------------- servers


@pytest.fixture(scope="session")
def http_server(media_dir: Path) -> Iterator[NginxHttpServer]:
    """nginx over ``media_dir``: ``http_server.url(av_file)``, ranges, /status/4xx, /html."""
    with NginxHttpServer(media_dir) as server:
        yield server


@pytest.fixture(scope="session")
def rtsp_server(long_file: Path) -> Iterator[RtspServer]:
    """GstRtspServer at ``rtsp_server.url`` (rtsp://127.0.0.1:PORT/test), H.264 + AAC, 60 s.

    Session-scoped and shared: a test that stops/kills it must restart it (``restart()``)
    or, better, use its own ``RtspServer`` instance.
    """
    with RtspServer(long_file) as server:
        yield server


@pytest.fixture(scope="session")
def rtmp_server() -> Iterator[NginxRtmpServer]:
    with NginxRtmpServer() as server:
        yield server


@pytest.fixture(scope="session")
def rtmp_url(rtmp_server: NginxRtmpServer, av_file: Path) -> str:
    """A live RTMP stream (``av_file`` looped in real time), already playable."""
    publisher = rtmp_server.publish(av_file, "heureum", loop=True)
    publisher.wait_until_live(timeout=20.0)
    return rtmp_server.url("heureum")


@pytest.fixture
def faulty_http(media_dir: Path) -> Iterator[FaultyHttpServer]:
    """Fault-injecting HTTP server (hang, stall_after, reset_after, garbage) over media_dir."""
    with FaultyHttpServer(media_dir) as server:
        yield server


@pytest.fixture(scope="session")
def audio_device() -> str:
    """A PortAudio output device name (PulseAudio null sink). Fails - never skips - without one."""
    name = ensure_pulse_null_sink()
    if name is None:
        pytest.fail(
            "no PortAudio output device: install pulseaudio + libasound2-plugins and run "
            "scripts/audio-env.sh (or `pulseaudio -D --exit-idle-time=-1` and load "
            "module-null-sink); CI must really play audio",
            pytrace=False,
        )
    return name
