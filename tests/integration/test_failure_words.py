"""The failures that used to read as raw errno ("[Errno 111] Connection
refused", "[Errno 5] Input/output error", "[Errno 541478725] End of file"), as
"HTTP 404" for a missing RTSP path or as kind ``format`` for a missing file,
met against real servers: each ends in its own code, with words saying what
happened and what to try."""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from player import ErrorCode, ErrorOccurred
from player.config import AudioConfig
from player.error_text import TEMPLATES, render
from tests.support.faulty_http import FaultyHttpServer
from tests.support.player_probe import TEST_CONFIG, Probe
from tests.support.servers import RtspServer

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Rig:
    rtsp: RtspServer
    faulty: FaultyHttpServer
    tmp: Path
    av_file: Path
    closed_port: int


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _cut_short(rig: Rig, where: Path | None = None) -> str:
    """The first 600 bytes of an MP4: its header begins, its media never does."""
    cut = (where or rig.tmp) / f"{rig.av_file.stem}.cut600.mp4"
    cut.write_bytes(rig.av_file.read_bytes()[:600])
    return str(cut)


CASES: dict[str, tuple[Callable[[Rig], str], ErrorCode, str]] = {
    "http port refused": (
        lambda r: f"http://127.0.0.1:{r.closed_port}/a.mp4",
        ErrorCode.CONNECTION_REFUSED,
        "network",
    ),
    "rtsp port refused": (
        lambda r: f"rtsp://127.0.0.1:{r.closed_port}/live",
        ErrorCode.CONNECTION_REFUSED,
        "network",
    ),
    "hls port refused": (
        lambda r: f"http://127.0.0.1:{r.closed_port}/live/index.m3u8",
        ErrorCode.CONNECTION_REFUSED,
        "network",
    ),
    "host name unknown": (
        lambda r: "http://no-such-host.invalid/a.mp4",
        ErrorCode.HOST_NOT_FOUND,
        "network",
    ),
    "hls host name unknown": (
        lambda r: "http://no-such-host.invalid/live/index.m3u8",
        ErrorCode.HOST_NOT_FOUND,
        "network",
    ),
    "rtsp path missing": (
        lambda r: r.rtsp.url.rsplit("/", 1)[0] + "/no-such-stream",
        ErrorCode.NOT_FOUND,
        "network",
    ),
    "file missing": (lambda r: str(r.tmp / "gone.mp4"), ErrorCode.FILE_NOT_FOUND, "file"),
    "file cut short": (_cut_short, ErrorCode.FILE_CUT_SHORT, "file"),
    "reset before the first byte": (
        lambda r: r.faulty.reset_after(0, r.av_file.name),
        ErrorCode.CONNECTION_LOST,
        "network",
    ),
    # Too little to probe: not "no audio or video", not "not a media stream".
    "reset inside the header": (
        lambda r: r.faulty.reset_after(300, r.av_file.name),
        ErrorCode.CONNECTION_LOST,
        "network",
    ),
    "reset after the first kilobyte": (
        lambda r: r.faulty.reset_after(1000, r.av_file.name),
        ErrorCode.CONNECTION_LOST,
        "network",
    ),
    "a cut-short file over http": (
        lambda r: r.faulty.file(Path(_cut_short(r, r.av_file.parent)).name),
        ErrorCode.STREAM_CUT_SHORT,
        "network",
    ),
}


@pytest.fixture
def rig(
    rtsp_server: RtspServer, faulty_http: FaultyHttpServer, tmp_path: Path, av_file: Path
) -> Rig:
    return Rig(rtsp_server, faulty_http, tmp_path, av_file, _closed_port())


@pytest.fixture
def probe() -> Iterator[Probe]:
    p = Probe(replace(TEST_CONFIG, audio=AudioConfig(enabled=False)))
    yield p
    p.close()


@pytest.mark.parametrize("case", list(CASES))
def test_failure_reads_as_what_happened_and_what_to_try(case: str, rig: Rig, probe: Probe) -> None:
    make_url, code, kind = CASES[case]
    probe.player.open(make_url(rig))
    error = probe.wait_event(ErrorOccurred, 15)
    assert error.fatal
    assert (error.code, error.kind) == (code, kind), error.message
    assert not re.search(r"Errno|\[|\]", error.message), error.message
    # The words are the code's template filled with the event's own fields.
    assert error.message == render(code, dict(error.params))
    assert error.message.endswith(TEMPLATES[code].rsplit("}", 1)[-1])
    report = probe.report()
    assert report["errors"][0]["code"] == code.value
    assert report["errors"][0]["message"] == error.message


def test_a_missing_rtsp_path_is_not_called_http(rig: Rig, probe: Probe) -> None:
    probe.player.open(rig.rtsp.url.rsplit("/", 1)[0] + "/no-such-stream")
    error = probe.wait_event(ErrorOccurred, 15)
    assert "RTSP 404" in error.message and "HTTP" not in error.message


def test_credentials_never_reach_the_words_or_their_fields(rig: Rig, probe: Probe) -> None:
    probe.player.open(f"rtsp://alice:s3cret@127.0.0.1:{rig.closed_port}/live?token=t0ken")
    error = probe.wait_event(ErrorOccurred, 15)
    assert error.code == ErrorCode.CONNECTION_REFUSED
    shown = [error.message, *(value for _, value in error.params)]
    assert not [text for text in shown if "s3cret" in text or "t0ken" in text], shown
