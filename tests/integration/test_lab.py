"""The network lab, played through: real lab origins on loopback, the real
engine in a real-time comparison (the code behind ``heureum compare``), and
the impairment felt in what the reports measure: a narrow link in the ABR
estimate and the rung, an added delay in the time to first frame, an outage
as a stall, a profile's errors as the player's. A port the lab cannot bind
is one error at once. Packet loss on RTSP over UDP (netsim) shows as corrupt
video."""

from __future__ import annotations

import http.client
import socket
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lab import external
from lab.external import LabServerError
from lab.lab import Lab
from lab.profile import Profile, parse_profile
from player.compare import CompareSession, run_compare
from player.config import DEFAULT_CONFIG, AudioConfig, OpenOptions, PlayerConfig
from tests.support.player_probe import TEST_CONFIG

pytestmark = pytest.mark.integration

NO_AUDIO = replace(TEST_CONFIG, audio=AudioConfig(enabled=False))
DEFAULT_NO_AUDIO = replace(DEFAULT_CONFIG, audio=AudioConfig(enabled=False))


def profile(text: str) -> Profile:
    return parse_profile(text, "test.toml")


@pytest.fixture
def labs() -> Iterator[ExitStack]:
    with ExitStack() as stack:
        yield stack


def start(stack: ExitStack, p: Profile | None) -> Lab:
    return stack.enter_context(Lab(p, rtsp=False, rtmp=False).start())


def compare(
    urls: list[str], seconds: float, config: PlayerConfig = NO_AUDIO, max_height: int | None = None
) -> list[dict[str, Any]]:
    session = CompareSession(urls, config=config, max_height=max_height)
    result = run_compare(session, seconds)
    streams: list[dict[str, Any]] = result["streams"]
    return streams


def test_a_narrow_link_and_an_added_delay_are_felt_side_by_side(labs: ExitStack) -> None:
    open_lab = start(labs, None)
    narrow = start(labs, profile("[[bandwidth]]\nkbps = 700\n"))
    late = start(labs, profile("delay_ms = 400\n"))
    urls = [lab.stream("hls-ts").url for lab in (open_lab, narrow, late)]  # type: ignore[union-attr]
    free, squeezed, delayed = compare(urls, 12.0)
    for r in (free, squeezed, delayed):
        assert r["time_to_first_frame_s"] is not None, r.get("errors")
    # the narrow link: the player measures it and plays a rung that fits in it
    estimate = squeezed["abr"]["estimate_bps"]
    assert 700_000 * 0.5 < estimate < 700_000 * 1.25, estimate
    assert squeezed["abr"]["variant_bandwidth"] < 700_000
    assert free["abr"]["estimate_bps"] > 3 * estimate
    # the delay: master, media playlist and first segment come one after the
    # other, 0.4 s late each
    assert delayed["time_to_first_frame_s"] >= free["time_to_first_frame_s"] + 1.0
    assert late.impairment.requests("ts") >= 3


def test_an_outage_is_felt_as_a_stall(labs: ExitStack) -> None:
    # the same link twice, room for the lowest rung (pinned) and little more,
    # so the buffer stays short; one of them down for 4 s once the stream
    # plays (with the engine's own network timeouts a VOD stream rides it out)
    link = "[[bandwidth]]\nkbps = 700\n"
    steady = start(labs, profile(link))
    dropping = start(labs, profile(link + '[[outage]]\nat_s = 8\nfor_s = 4\nmode = "refuse"\n'))
    urls = [lab.stream("hls-fmp4").url for lab in (steady, dropping)]  # type: ignore[union-attr]
    t0 = time.monotonic()
    # The player holds at most 3 s ahead, so a 4 s outage is felt whatever the
    # machine's pace (with the default 30 s a quiet machine rode it out).
    short = replace(DEFAULT_NO_AUDIO, buffer=replace(DEFAULT_NO_AUDIO.buffer, max_seconds=3.0))
    calm, hit = compare(urls, 20.0, config=short, max_height=234)
    applied = dropping.impairment.outages_applied
    assert len(applied) == 1, applied
    began, ended = applied[0]
    assert began is not None and ended is not None
    assert ended - began == pytest.approx(4.0, abs=0.5) and began - t0 < 9.0
    assert hit["time_to_first_frame_s"] is not None and not hit["errors"]
    assert hit["rebuffer_count"] >= 1
    assert hit["rebuffer_seconds"] > calm["rebuffer_seconds"] + 0.5, (
        calm["rebuffer_seconds"],
        hit["rebuffer_seconds"],
    )


def test_a_profile_error_reaches_the_player(labs: ExitStack) -> None:
    # every media playlist request of the fMP4 ladder is refused: a clear failure
    # for that stream alone, while the TS stream beside it plays on
    lab = start(labs, profile('[[error]]\nstatus = 403\nmatch = "^/fmp4/r[0-9]/index"\n'))
    urls = [lab.stream("hls-ts").url, lab.stream("hls-fmp4").url]  # type: ignore[union-attr]
    session = CompareSession(urls, config=NO_AUDIO)
    result = run_compare(session, 6.0)
    ts, fmp4 = result["streams"]
    assert ts["time_to_first_frame_s"] is not None
    assert fmp4["time_to_first_frame_s"] is None and fmp4["errors"]
    assert "403" in str(fmp4["errors"])
    assert any(e[3] == 403 and e[0] == "fmp4" for e in lab.impairment.errors_sent)
    assert result["comparison"]["all_played"] is False


def test_a_taken_port_is_reported_at_once() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        t = time.monotonic()
        with pytest.raises(
            LabServerError, match=f"cannot listen on 127.0.0.1:{port}: it is in use"
        ):
            Lab(None, port=port, rtsp=False, rtmp=False).start()
        assert time.monotonic() - t < 3.0
        # the HTTP port free, LL-HLS's (port + 1) taken: the same, and nothing left listening
        with pytest.raises(LabServerError, match=f"LL-HLS origin: cannot listen on .*:{port}"):
            Lab(None, port=port - 1, rtsp=False, rtmp=False).start()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port - 1)) != 0


def test_every_http_stream_answers_with_the_same_content(labs: ExitStack) -> None:
    lab = start(labs, None)
    assert [s.key for s in lab.streams] == ["hls-ts", "hls-fmp4", "ll-hls", "http"]
    for s in lab.streams:
        with urllib.request.urlopen(s.url, timeout=10) as answer:
            head = answer.read(64)
        assert head.startswith(b"#EXTM3U") if s.url.endswith(".m3u8") else b"ftyp" in head


def test_packet_loss_on_rtsp_over_udp_is_felt(labs: ExitStack) -> None:
    # GStreamer's RTSP server with netsim (this machine has both): the same
    # file with and without 15 % of the RTP packets dropped
    clean = labs.enter_context(Lab(None, rtmp=False).start())
    lossy = labs.enter_context(Lab(profile("packet_loss_pct = 15\n"), rtmp=False).start())
    assert not any("not applied" in note for note in lossy.notes), lossy.notes
    urls = [lab.stream("rtsp").url for lab in (clean, lossy)]  # type: ignore[union-attr]
    session = CompareSession(urls, config=NO_AUDIO, options=OpenOptions(rtsp_transport="udp"))
    whole, damaged = run_compare(session, 8.0)["streams"]
    corrupt = [e for e in damaged["errors"] if e["code"] == "corrupt_video"]
    assert corrupt and all(not e["fatal"] for e in corrupt)  # felt, and played on
    assert not [e for e in whole["errors"] if e["code"] == "corrupt_video"]


def test_without_the_system_servers_the_lab_says_what_to_install(
    labs: ExitStack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # a system as a fresh install has it: no python3-gi, no nginx-rtmp
    monkeypatch.setattr(external, "SYSTEM_PYTHON", tmp_path / "no-python3")
    monkeypatch.setattr(external, "RTMP_MODULE", tmp_path / "no-rtmp.so")
    lab = labs.enter_context(Lab(profile("packet_loss_pct = 5\n")).start())
    assert [s.key for s in lab.streams] == ["hls-ts", "hls-fmp4", "ll-hls", "http"]
    assert lab.notes == [
        "RTSP needs Debian's python3: apt-get install python3-gi",
        "RTMP needs nginx's RTMP module: apt-get install libnginx-mod-rtmp",
    ]
    # GStreamer there, but without its RTSP server: the package is named
    script = tmp_path / "check.py"
    script.write_text("import sys\nprint('no GstRtspServer here')\nsys.exit(3)\n")
    monkeypatch.setattr(external, "SYSTEM_PYTHON", Path(sys.executable))
    monkeypatch.setattr(external.RtspServer, "script", script)
    missing = external.RtspServer.missing()
    assert missing is not None and missing.startswith("RTSP: no GstRtspServer here; ")
    assert "apt-get install python3-gi gir1.2-gst-rtsp-server-1.0" in missing


def test_a_kept_alive_connection_gets_the_rate_on_every_request(labs: ExitStack) -> None:
    # 2 Mbit/s: each 2 s segment of the 360p rung takes its own size / rate,
    # the fourth request on the connection as long as the first
    lab = start(labs, profile("[[bandwidth]]\nkbps = 2000\n"))
    url = lab.stream("hls-ts").url  # type: ignore[union-attr]
    host, port = url.split("/")[2].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    rates = []
    try:
        for n in range(4):
            t = time.monotonic()
            conn.request("GET", f"/ts/r1/s{n:03d}.ts")
            answer = conn.getresponse()
            body = answer.read()
            assert answer.status == 200 and answer.getheader("Connection") != "close"
            rates.append(len(body) * 8 / (time.monotonic() - t))
    finally:
        conn.close()
    for rate in rates:
        assert 1_600_000 < rate < 2_300_000, rates


def test_loss_the_rtsp_server_cannot_apply_is_said_to_be_not_applied(
    labs: ExitStack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # an RTSP server without netsim: it says so in its READY line (loss flag 0)
    script = tmp_path / "no_netsim.py"
    script.write_text(
        "import signal, socket, sys\n"
        "if '--check' in sys.argv: sys.exit(0)\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
        "print('READY', s.getsockname()[1], 0, flush=True)\n"
        "signal.sigwait({signal.SIGTERM})\n"
    )
    monkeypatch.setattr(external, "SYSTEM_PYTHON", Path(sys.executable))
    monkeypatch.setattr(external.RtspServer, "script", script)
    lab = labs.enter_context(Lab(profile("packet_loss_pct = 3\n"), rtmp=False).start())
    assert lab.stream("rtsp") is not None
    assert lab.notes[0] == (
        "RTSP: packet loss (3 %) not applied: GStreamer's netsim is missing "
        "(apt-get install gstreamer1.0-plugins-bad)"
    )
