"""FFmpeg's log through PyAV into ours: HTTP resume notices reach the thread
that watches for them, and nothing reaches stderr."""

from __future__ import annotations

import logging
import threading

import av.logging
import pytest

from player import libav_log
from player.libav_log import HttpResume, parse_resume


def test_parse_resume_reads_ffmpegs_notice() -> None:
    assert parse_resume(
        "Will reconnect at 161792 in 0 second(s), error=Connection reset by peer.\n"
    ) == HttpResume(161792, 0.0, "Connection reset by peer")
    assert parse_resume("Will reconnect at 5 in 1 second(s).") == HttpResume(
        5, 1.0, "the connection was lost"
    )
    assert parse_resume("Stream ends prematurely at 161792, should be 1269196") is None


def test_notices_reach_the_watching_thread_only_and_never_stderr(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[HttpResume] = []
    libav_log.watch(seen.append)
    try:
        caplog.set_level(logging.DEBUG, logger="player.libav_log")
        av.logging.log(av.logging.WARNING, "http", "Will reconnect at 42 in 1 second(s), error=x.")
        # The same notice from another thread (another source) is not ours.
        thread = threading.Thread(
            target=lambda: av.logging.log(
                av.logging.WARNING, "http", "Will reconnect at 7 in 0 second(s), error=y."
            )
        )
        thread.start()
        thread.join()
        av.logging.log(av.logging.ERROR, "h264", "error while decoding MB 1 2")
    finally:
        libav_log.unwatch(seen.append)
    av.logging.log(av.logging.WARNING, "http", "Will reconnect at 9 in 0 second(s), error=z.")
    assert seen == [HttpResume(42, 1.0, "x")]
    logged = [r.getMessage() for r in caplog.records if r.name == "player.libav_log"]
    assert any("[h264] error while decoding MB" in m for m in logged)
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name == "player.libav_log")
    assert capfd.readouterr().err == ""
