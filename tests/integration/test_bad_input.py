"""Bad input ends in one clear error event within its timeout, never a hang or a
traceback, and the same Player opens the next URL afterwards."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from player import EndOfStream, ErrorOccurred, MediaOpened, PlayerState
from tests.support import media
from tests.support.faulty_http import FaultyHttpServer
from tests.support.player_probe import Probe
from tests.support.servers import NginxHttpServer


@pytest.fixture
def probe(audio_device: str) -> Iterator[Probe]:
    p = Probe()
    yield p
    p.close()


def _recovers(probe: Probe, good: Path) -> None:
    """The same Player plays a good file after the failure."""
    probe.clear_events()
    shown = len(probe.sink.shown)
    probe.player.open(str(good))
    probe.wait_event(MediaOpened, 10)
    probe.wait_frames(shown + 5, 10)


Case = Callable[[NginxHttpServer, FaultyHttpServer, Path], str]

CASES: dict[str, tuple[Case, str, str]] = {
    "missing file": (lambda h, f, d: str(d / "no-such-file.mp4"), "file", "File not found"),
    "http 404": (lambda h, f, d: h.url("status/404"), "network", "404"),
    "http 403": (lambda h, f, d: h.url("status/403"), "network", "403"),
    "http 500": (lambda h, f, d: h.url("status/500"), "network", "5xx"),
    "html page": (lambda h, f, d: h.url("html"), "format", "Not a playable media stream"),
    "garbage bytes": (lambda h, f, d: f.garbage(), "format", "Not a playable media stream"),
    "server that never answers": (lambda h, f, d: f.hang(), "network", "did not answer in time"),
    "unsupported scheme": (lambda h, f, d: "gopher://127.0.0.1/x", "unsupported", "Unsupported"),
    "nothing listening": (
        lambda h, f, d: "rtsp://127.0.0.1:9/x",
        "network",
        "Connection refused",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_url_gives_one_clear_error_then_recovers(
    case: str,
    probe: Probe,
    http_server: NginxHttpServer,
    faulty_http: FaultyHttpServer,
    tmp_path: Path,
    av_file: Path,
) -> None:
    make_url, kind, words = CASES[case]
    started = time.monotonic()
    probe.player.open(make_url(http_server, faulty_http, tmp_path))
    error = probe.wait_event(ErrorOccurred, 15)
    assert error.fatal
    assert error.kind == kind, error.message
    assert words in error.message
    assert "Traceback" not in error.message
    # Within the open timeout of the test config (4 s), not hung.
    assert time.monotonic() - started < 8
    assert probe.player.state == PlayerState.ERROR
    assert len(probe.of(ErrorOccurred)) == 1
    _recovers(probe, av_file)


def test_truncated_file_plays_what_is_there_and_says_so(probe: Probe, av_file: Path) -> None:
    cut = media.truncate_file(av_file, 0.5)
    probe.player.open(str(cut))
    probe.wait_event(EndOfStream, 20)
    errors = probe.of(ErrorOccurred)
    assert errors and not errors[0].fatal
    assert "ended early" in errors[0].message and "truncated" in errors[0].message
    assert probe.report()["frames"]["presented"] > 20
    _recovers(probe, av_file)


def test_garbage_in_the_middle_is_reported_and_playback_continues(
    probe: Probe, ts_file: Path, av_file: Path
) -> None:
    broken = media.corrupt_file(ts_file, 0.4, nbytes=20_000, seed=3)
    probe.player.open(str(broken))
    probe.wait_event(EndOfStream, 20)
    report = probe.report()
    # Past the garbage the frames still reach the presenter: shown, or dropped
    # as late (and counted) when the machine is busy.
    frames = report["frames"]
    assert frames["decoded"] > 60
    assert frames["presented"] + frames["dropped_late"] > 60
    assert report["decode_errors"] >= 1
    errors = probe.of(ErrorOccurred)
    assert errors and all(not e.fatal for e in errors)
    assert errors[0].kind == "decode" and "playback continues" in errors[0].message
    _recovers(probe, av_file)


def test_server_that_stalls_mid_stream_ends_in_an_error_not_a_hang(
    probe: Probe, faulty_http: FaultyHttpServer, av_file: Path, media_dir: Path
) -> None:
    long_name = "long.mp4"
    target = media_dir / long_name
    if not target.exists():
        target.write_bytes(media.make_av_file(seconds=20.0, crf=30).read_bytes())
    probe.player.open(faulty_http.stall_after(300_000, long_name))
    error = probe.wait_event(ErrorOccurred, 15)
    assert error.fatal and error.kind == "network"
    # It played what arrived before the server went quiet.
    assert probe.report()["frames"]["presented"] >= 1
    started = time.monotonic()
    probe.player.stop()
    assert time.monotonic() - started < 1.0
    _recovers(probe, av_file)


def test_server_that_stalls_once_is_resumed_from_where_it_stopped(
    probe: Probe, faulty_http: FaultyHttpServer, media_dir: Path
) -> None:
    """A server that goes quiet once mid-body and then answers byte ranges (a
    CDN edge hiccup): the read resumes from the byte it stopped at, and the
    file plays to its end without an error."""
    name = "long.mp4"
    target = media_dir / name
    if not target.exists():
        target.write_bytes(media.make_av_file(seconds=20.0, crf=30).read_bytes())
    probe.player.open(faulty_http.stall_once(300_000, name))
    probe.wait_event(EndOfStream, 40)
    assert not probe.of(ErrorOccurred)
    ranges = [r.headers.get("Range") for r in faulty_http.requests if r.fault == "stall-once"]
    assert ranges[0] in (None, "bytes=0-")
    assert "bytes=300000-" in ranges[1:]
    last = max(pts for pts, _ in probe.sink.shown)
    assert last > 19.5  # the whole file, not just what came before the stall


def test_stop_returns_promptly_while_the_server_hangs(
    probe: Probe, faulty_http: FaultyHttpServer
) -> None:
    probe.player.open(faulty_http.hang())
    probe.wait_state(PlayerState.OPENING, 5)
    started = time.monotonic()
    probe.player.stop()
    assert time.monotonic() - started < 1.0
    assert probe.player.state == PlayerState.STOPPED
