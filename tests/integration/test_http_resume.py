"""FFmpeg's own HTTP resume on a progressive file is reported: a reset or a
stall mid-body, answered by a Range request from the byte it stopped at, shows
in ``reconnects``, on the timeline and as Reconnecting/Reconnected events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from player import ErrorOccurred, Reconnected, Reconnecting, StatsUpdated
from player.config import AudioConfig
from tests.support import media
from tests.support.faulty_http import FaultyHttpServer
from tests.support.player_probe import TEST_CONFIG, Probe

pytestmark = pytest.mark.integration

NAME = "long.mp4"
CUT = 300_000


@pytest.fixture
def long_mp4(media_dir: Path) -> Path:
    target = media_dir / NAME
    if not target.exists():
        target.write_bytes(media.make_av_file(seconds=20.0, crf=30).read_bytes())
    return target


@pytest.fixture
def probe() -> Iterator[Probe]:
    p = Probe(replace(TEST_CONFIG, audio=AudioConfig(enabled=False)))
    yield p
    p.close()


def _resumed_once(probe: Probe, faulty_http: FaultyHttpServer, fault: str, why: str) -> None:
    resumed = probe.wait_event(Reconnected, 15)
    assert resumed.attempt == 1
    # Data from after the fault arrives and is demuxed.
    probe.wait_event(StatsUpdated, 15, lambda e: e.stats.bytes_in > 2 * CUT)
    report = probe.report()
    assert report["reconnects"] == 1
    types = [e["type"] for e in report["timeline"]]
    assert types.count("reconnecting") == 1 and types.count("reconnected") == 1
    assert types.index("reconnecting") < types.index("reconnected")
    notice = probe.of(Reconnecting)[0]
    assert why in notice.reason.lower() and "resuming from byte" in notice.reason
    offset = int(notice.reason.rsplit(" ", 1)[1])
    ranges = [r.headers.get("Range") for r in faulty_http.requests if r.fault == fault]
    assert ranges == ["bytes=0-", f"bytes={offset}-"]
    assert 0 < offset <= CUT
    assert not probe.of(ErrorOccurred)


def test_reset_mid_body_is_resumed_and_reported(
    probe: Probe, faulty_http: FaultyHttpServer, long_mp4: Path
) -> None:
    faulty_http.clear_requests()
    probe.player.open(faulty_http.reset_once(CUT, NAME))
    _resumed_once(probe, faulty_http, "reset-once", "reset")


def test_stall_mid_body_is_resumed_and_reported(
    probe: Probe, faulty_http: FaultyHttpServer, long_mp4: Path
) -> None:
    faulty_http.clear_requests()
    probe.player.open(faulty_http.stall_once(CUT, NAME))
    _resumed_once(probe, faulty_http, "stall-once", "timed out")
    resumed = probe.of(Reconnected)[0]
    # The outage includes the read timeout (2 s in the test config) it took to notice.
    assert resumed.outage >= 1.9
