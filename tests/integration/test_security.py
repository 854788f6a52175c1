"""URLs are untrusted: TLS is verified, redirects stay in the URL's family,
credentials never leave the engine unmasked."""

from __future__ import annotations

import json
import logging
import shutil
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from lab.origin import ThrottleServer
from player import ErrorOccurred, MediaOpened
from player.config import PlayerConfig
from tests.support import hls_media
from tests.support.player_probe import TEST_CONFIG, Probe
from tests.support.redirect_server import RedirectServer
from tests.support.tls_server import HttpsFileServer

CANARY = "Canary-pa55-7f3e"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _plays_trusting(server: HttpsFileServer, name: str) -> None:
    """``name`` plays once the server's own certificate is the trusted CA."""
    trusted = replace(TEST_CONFIG, network=replace(TEST_CONFIG.network, ca_file=str(server.cert)))
    probe = Probe(trusted)
    try:
        probe.player.open(server.url(name))
        probe.wait_event(MediaOpened, 10)
        probe.wait_frames(3, 10)
    finally:
        probe.close()


def test_self_signed_https_is_refused_and_trusted_ca_accepted(
    tmp_path: Path, av_file: Path
) -> None:
    shutil.copy(av_file, tmp_path / "a.mp4")
    with HttpsFileServer(tmp_path, tmp_path) as server:
        probe = Probe()
        try:
            probe.player.open(server.url("a.mp4"))
            error = probe.wait_event(ErrorOccurred, 10)
            assert error.fatal and error.kind == "security"
            assert "certificate" in error.message and "self-signed" in error.message
        finally:
            probe.close()
        _plays_trusting(server, "a.mp4")


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "concat:/etc/passwd|/etc/passwd", "gopher://127.0.0.1/"]
)
def test_http_redirect_to_another_protocol_is_refused(location: str) -> None:
    with RedirectServer(location) as server:
        probe = Probe()
        try:
            probe.player.open(server.url())
            error = probe.wait_event(ErrorOccurred, 10)
            assert error.fatal and error.kind == "security"
            assert not probe.of(MediaOpened)
        finally:
            probe.close()


def test_https_redirect_to_plain_http_is_refused(tmp_path: Path, av_file: Path) -> None:
    # The https whitelist has no plain "http": a downgrade cannot be followed.
    from player.sources.libav import build_options
    from player.sources.urls import classify

    opts = build_options(classify("https://example.com/a.mp4"), TEST_CONFIG)
    assert opts["protocol_whitelist"].split(",") == ["https", "tls", "tcp"]
    assert opts["tls_verify"] == "1" and Path(opts["ca_file"]).exists()


def test_password_in_url_appears_nowhere(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    port = _free_port()
    urls = [
        f"rtsp://admin:{CANARY}@127.0.0.1:{port}/cam",
        f"http://admin:{CANARY}@127.0.0.1:{port}/video.mp4?token={CANARY}",
    ]
    caplog.set_level(logging.DEBUG)
    for url in urls:
        probe = Probe()
        try:
            probe.player.open(url)
            error = probe.wait_event(ErrorOccurred, 10)
            texts = [repr(e) for e in probe.events]
            texts.append(json.dumps(probe.report()))
            assert "***" in error.message
            for text in texts:
                assert CANARY not in text
        finally:
            probe.close()
    assert CANARY not in caplog.text

    report = tmp_path / "r.json"
    result = subprocess.run(
        [sys.executable, "-m", "player.cli", "--headless", "-v", "--report", str(report), urls[0]],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert CANARY not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    if report.exists():
        assert CANARY not in report.read_text()


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "http://127.0.0.1:9/x.mp4", "rtmp://127.0.0.1:9/live/x"]
)
def test_rtsp_redirect_to_another_scheme_is_refused(location: str) -> None:
    from tests.support.rtsp_redirect import RtspRedirectServer

    with RtspRedirectServer(location) as server:
        probe = Probe()
        try:
            probe.player.open(server.url)
            error = probe.wait_event(ErrorOccurred, 10)
            assert error.fatal
            assert not probe.of(MediaOpened)
            assert server.requests, "the player never asked"
        finally:
            probe.close()


def test_frames_larger_than_max_pixels_are_refused(av_file: Path) -> None:
    from player.config import DecodeConfig

    probe = Probe(replace(TEST_CONFIG, decode=DecodeConfig(max_pixels=320 * 180)))
    try:
        probe.player.open(str(av_file))  # 640x360
        error = probe.wait_event(ErrorOccurred, 10)
        assert error.kind == "unsupported" and "pixel limit" in error.message
    finally:
        probe.close()


def _hls_error(url: str, config: PlayerConfig = TEST_CONFIG) -> ErrorOccurred | None:
    """Play ``url`` until its first frames or an error; the error, if any."""
    probe = Probe(config)
    try:
        probe.player.open(url)
        try:
            return probe.wait_event(ErrorOccurred, 10)
        except AssertionError:
            return None
    finally:
        probe.close()


def test_hls_over_self_signed_https_is_refused_and_trusted_ca_accepted(tmp_path: Path) -> None:
    media = tmp_path / "media"
    shutil.copytree(hls_media.ts_vod(), media)
    with HttpsFileServer(media, tmp_path) as server:
        error = _hls_error(server.url("index.m3u8"))
        assert error is not None and error.fatal and error.kind == "security"
        _plays_trusting(server, "index.m3u8")


def test_plain_http_playlist_cannot_reach_untrusted_https_segments(tmp_path: Path) -> None:
    """An http:// playlist may name https:// segments (an upgrade), but they go
    through the verifying client: a self-signed origin is refused."""
    media = tmp_path / "media"
    shutil.copytree(hls_media.ts_vod(), media)
    with HttpsFileServer(media, tmp_path) as tls:
        plain = tmp_path / "plain"
        plain.mkdir()
        text = (media / "index.m3u8").read_text()
        (plain / "index.m3u8").write_text(
            "\n".join(tls.url(line) if line.endswith(".ts") else line for line in text.splitlines())
        )
        with ThrottleServer(plain) as srv:
            error = _hls_error(srv.url("index.m3u8"))
    assert error is not None and error.fatal
    assert "certificate" in error.message.lower() or error.kind == "security", error
