"""HLS against nginx (the rig's ``NginxHttpServer``): multivariant TS and
fMP4, AES-128, byte ranges, broken servers and playlists, hostile URIs; and
real playback through ``player.Player`` on a throttled link."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from lab.origin import ThrottleServer
from player import ErrorOccurred, Player, PlayerState, Reconnecting, StateChanged
from player.config import AbrPolicyName, AudioConfig
from player.errors import PlayerError, PlaylistError
from player.events import Event, VariantSwitched, WarningRaised
from player.hls.hls_source import HlsSource
from tests.support import hls_media
from tests.support.hls_packets import assert_timeline, decoded, read_all
from tests.support.player_probe import TEST_CONFIG
from tests.support.servers import NginxHttpServer, wait_until

pytestmark = pytest.mark.integration

NO_AUDIO = replace(TEST_CONFIG, audio=AudioConfig(enabled=False))


def _link(site: Path, name: str, target: Path) -> None:
    (site / name).symlink_to(target, target_is_directory=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The streams nginx serves: cached FFmpeg streams (symlinked) and crafted
    files for the failure cases."""
    root = tmp_path_factory.mktemp("hls-nginx")
    _link(root, "ts", hls_media.muxed_ladder_vod())
    _link(root, "fmp4", hls_media.muxed_ladder_vod(fmp4=True))
    _link(root, "aes", hls_media.ts_aes_vod())
    _link(root, "range", hls_media.byterange_vod())
    ts = hls_media.ts_vod()
    # one segment missing (404), in a single-variant and in a two-variant stream
    (root / "missing").mkdir()
    for f in ts.iterdir():
        if f.name != "s001.ts":
            os.symlink(f, root / "missing" / f.name)
    ladder = hls_media.muxed_ladder_vod()
    shutil.copytree(ladder, root / "ladder404", symlinks=False)
    (root / "ladder404" / "v1" / "s001.ts").unlink()
    # a segment cut in the middle of a TS packet, served as a whole (short) file
    shutil.copytree(ts, root / "cut")
    data = (ts / "s001.ts").read_bytes()
    (root / "cut" / "s001.ts").write_bytes(data[: len(data) // 2 + 77])
    # playlists nobody should play
    bad = root / "bad"
    bad.mkdir()
    (bad / "garbage.m3u8").write_bytes(b"\x00\xff" * 100)
    (bad / "html.m3u8").write_text("<html><body>hello</body></html>")
    (bad / "nan.m3u8").write_text("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:nan,\na.ts\n")
    seg = "#EXTINF:2,\n../missing/s000.ts\n"
    (bad / "huge.m3u8").write_text("#EXTM3U\n#EXT-X-TARGETDURATION:2\n" + seg * 250_000)
    (bad / "file.m3u8").write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
    )
    (bad / "ftp-master.m3u8").write_text(
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=100000\nftp://127.0.0.1/x.m3u8\n"
    )
    (bad / "key.m3u8").write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
        '#EXT-X-KEY:METHOD=AES-128,URI="file:///etc/shadow"\n'
        "#EXTINF:2,\n../missing/s000.ts\n#EXT-X-ENDLIST\n"
    )
    # a live playlist that never moves on
    (root / "stalled").mkdir()
    for n in ("s000.ts", "s001.ts", "s002.ts"):
        os.symlink(ts / n, root / "stalled" / n)
    (root / "stalled" / "live.m3u8").write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:7\n"
        "#EXTINF:2,\ns000.ts\n#EXTINF:2,\ns001.ts\n#EXTINF:2,\ns002.ts\n"
    )
    return root


@pytest.fixture(scope="module")
def nginx(site: Path) -> Iterator[NginxHttpServer]:
    with NginxHttpServer(site) as server:
        yield server


@pytest.mark.parametrize(
    ("name", "container", "media"), [("ts", "mpegts", ".ts"), ("fmp4", "mp4", ".m4s")]
)
def test_multivariant_vod(nginx: NginxHttpServer, name: str, container: str, media: str) -> None:
    nginx.clear_access_log()
    src = HlsSource(nginx.url(f"{name}/master.m3u8"))
    try:
        info = src.open()
        packets = read_all(src)
    finally:
        src.close()
    assert info.media.container == container and info.media.duration == pytest.approx(6.0)
    assert [(v.width, v.height) for v in info.variants] == [(320, 180), (640, 360)]
    assert_timeline(packets, 6.0, ("video",), min_step=0.0, max_step=0.2)
    assert_timeline(packets, 6.0, ("audio",), min_step=0.0, max_step=0.2)
    log = nginx.access_log()
    assert all(e.status == 200 for e in log)
    assert sum(1 for e in log if e.uri.endswith(media)) == 3  # every segment once
    if name == "fmp4":
        inits = [e.uri for e in log if e.uri.endswith(".mp4")]
        assert inits and len(inits) == len(set(inits))  # each init segment once


def test_aes128_decrypts_and_warns_about_a_key_over_http(nginx: NginxHttpServer) -> None:
    nginx.clear_access_log()
    events: list[Event] = []
    src = HlsSource(nginx.url("aes/index.m3u8"), emit=events.append)
    try:
        src.open()
        packets = read_all(src)
    finally:
        src.close()
    assert_timeline(packets, 6.0, ("video",), min_step=0.0, max_step=0.2)
    assert decoded(packets) >= 140  # every frame decodes: the key and IV were right
    warnings = [e for e in events if isinstance(e, WarningRaised)]
    assert [w.code for w in warnings] == ["key-over-http"]
    assert sum(1 for e in nginx.access_log() if e.uri.endswith("enc.key")) == 1


def test_byte_ranges(nginx: NginxHttpServer) -> None:
    nginx.clear_access_log()
    src = HlsSource(nginx.url("range/index.m3u8"))
    try:
        src.open()
        packets = read_all(src)
    finally:
        src.close()
    assert_timeline(packets, 6.0, ("video",), min_step=0.0, max_step=0.2)
    media = [e for e in nginx.access_log() if e.uri.endswith("all.ts")]
    assert len(media) == 3 and all(e.status == 206 and e.range.startswith("bytes=") for e in media)
    ends = [int(e.range.split("-")[1]) for e in media]
    starts = [int(e.range[6:].split("-")[0]) for e in media]
    assert starts[0] == 0 and all(s == e + 1 for s, e in zip(starts[1:], ends, strict=False))


def test_404_segment_falls_back_to_the_other_variant(nginx: NginxHttpServer) -> None:
    events: list[Event] = []
    src = HlsSource(nginx.url("ladder404/master.m3u8"), emit=events.append)
    src.select_variant(1)
    try:
        src.open()
        packets = read_all(src)
    finally:
        src.close()
    assert_timeline(packets, 6.0, ("video",), min_step=0.0, max_step=0.2)
    assert any(isinstance(e, WarningRaised) and e.code == "variant-failed" for e in events)
    assert {p.stream.height for p in packets if p.stream.kind == "video"} == {180, 360}


def test_404_with_no_other_variant_is_skipped_as_a_gap(nginx: NginxHttpServer) -> None:
    """Single variant, s001 absent: the 2 s before it and the 2 s after it
    play, its time is a gap with a warning; it used to end the stream."""
    events: list[Event] = []
    src = HlsSource(nginx.url("missing/index.m3u8"), emit=events.append)
    t0 = time.monotonic()
    try:
        src.open()
        packets = read_all(src)
    finally:
        src.close()
    assert time.monotonic() - t0 < 5  # one more try of the 404, then on
    video = [p.dts for p in packets if p.stream.kind == "video" and p.dts is not None]
    assert min(video) < 0.1 and max(video) == pytest.approx(6.0, abs=0.3)
    assert not any(2.05 < t < 3.95 for t in video)
    assert any(isinstance(e, WarningRaised) and e.code == "segment-skipped" for e in events)


def test_truncated_segment_file_plays_on(nginx: NginxHttpServer) -> None:
    src = HlsSource(nginx.url("cut/index.m3u8"))
    try:
        src.open()
        packets = read_all(src)
    finally:
        src.close()
    video = [p.dts for p in packets if p.stream.kind == "video" and p.dts is not None]
    assert max(video) == pytest.approx(6.0, abs=0.3)  # the segment after the cut plays
    assert not any(3.1 < t < 3.9 for t in video)  # what was cut off is missing, not invented


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("garbage.m3u8", "not UTF-8|not an HLS playlist|NUL"),
        ("html.m3u8", "not an HLS playlist"),
        ("nan.m3u8", r"line 3.*finite"),
        ("huge.m3u8", "cap|larger than"),
    ],
)
def test_malformed_and_huge_playlists_are_clear_errors(
    nginx: NginxHttpServer, name: str, match: str
) -> None:
    src = HlsSource(nginx.url(f"bad/{name}"))
    t0 = time.monotonic()
    try:
        with pytest.raises(PlayerError, match=match):
            src.open()
    finally:
        src.close()
    assert time.monotonic() - t0 < 3
    # nginx logs a request once its connection is closed: wait for it, or it
    # lands in the next test's log (the error is raised before the close)
    wait_until(
        lambda: any(e.uri == f"/bad/{name}" for e in nginx.access_log()),
        5.0,
        what=f"nginx to log /bad/{name}",
    )


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("file.m3u8", "segment URI scheme 'file'"),
        ("ftp-master.m3u8", "variant URI scheme 'ftp'"),
        ("key.m3u8", "key URI scheme 'file'"),
    ],
)
def test_other_schemes_are_refused_before_any_request(
    nginx: NginxHttpServer, name: str, match: str
) -> None:
    nginx.clear_access_log()
    src = HlsSource(nginx.url(f"bad/{name}"))
    try:
        with pytest.raises(PlaylistError, match=match):
            src.open()
    finally:
        src.close()
    assert [e.uri for e in nginx.access_log()] == [f"/bad/{name}"]  # nothing else fetched


def test_stalled_live_playlist_through_the_player_is_reported_not_hung(
    nginx: NginxHttpServer,
) -> None:
    player = Player(NO_AUDIO)
    seen = threading.Event()
    events: list[Event] = []

    def on(e: Event) -> None:
        events.append(e)
        if isinstance(e, ErrorOccurred | Reconnecting):
            seen.set()

    player.subscribe(on)
    t0 = time.monotonic()
    try:
        player.open(nginx.url("stalled/live.m3u8"))
        assert seen.wait(20), [type(e).__name__ for e in events]
        took = time.monotonic() - t0
    finally:
        player.close()
    # the playlist stops advancing: reported after 3 target durations (and the
    # segments already listed), never a silent hang
    assert took < 16
    reasons = [e.reason for e in events if isinstance(e, Reconnecting)] + [
        e.message for e in events if isinstance(e, ErrorOccurred)
    ]
    assert any("has not advanced" in r for r in reasons), reasons
    assert any(isinstance(e, StateChanged) and e.state == PlayerState.PLAYING for e in events)


def _throttled_switches(
    policy: AbrPolicyName, slow_from: float, slow_to: float
) -> list[VariantSwitched]:
    """Real playback of an 18 s two-rung ladder on a link that drops from
    8 Mb/s to 0.6 Mb/s (between the two rungs) over [slow_from, slow_to);
    the loader keeps 4 s ahead. Its switches, after checking it ended well."""

    def link(t: float) -> float:
        return (0.6e6 if slow_from <= t < slow_to else 8e6) / 8

    config = replace(
        NO_AUDIO,
        buffer=replace(NO_AUDIO.buffer, max_seconds=4.0),
        network=replace(NO_AUDIO.network, abr_policy=policy),
    )
    player = Player(config)
    events: list[Event] = []
    done = threading.Event()

    def on(e: Event) -> None:
        events.append(e)
        if isinstance(e, StateChanged) and e.state in (PlayerState.ENDED, PlayerState.ERROR):
            done.set()

    player.subscribe(on)
    with ThrottleServer(hls_media.muxed_ladder_vod(18.0, 1.0), bandwidth=link) as srv:
        try:
            player.open(srv.url("master.m3u8"))
            assert done.wait(40)
        finally:
            player.close()
    assert not [e for e in events if isinstance(e, ErrorOccurred)]
    switches = [e for e in events if isinstance(e, VariantSwitched)]
    path = [(e.from_index, e.to_index) for e in switches]
    assert path[:2] == [(None, 0), (0, 1)]
    return switches


def test_throttled_playback_switches_down_then_up_hybrid() -> None:
    """The hybrid (``--abr-policy hybrid``) drops on its low-buffer rule
    during a 4.5 s slow phase and climbs back after it."""
    switches = _throttled_switches("hybrid", 2.5, 7.0)
    downs = [e for e in switches if e.from_index == 1 and e.to_index == 0]
    ups = [e for e in switches[2:] if e.to_index == 1]
    assert downs and ups and downs[0].t < ups[-1].t
    assert 2.5 < downs[0].t < 7.0  # during the slow phase...
    assert ups[-1].t > 7.0  # ...and back up after it
    assert downs[0].rule == "low-buffer" and "Mb/s" in downs[0].reason
    bandwidths = [e.bandwidth for e in switches]
    assert bandwidths[:2] == [345_400, 1_390_400] and 345_400 in bandwidths[2:]
    assert all(e.rule and e.reason for e in switches)


def test_throttled_playback_switches_down_then_up_mpc() -> None:
    """The default policy (MPC) rides a 4.5 s slow phase out on the high rung
    (its 4 s buffer covers it: the hybrid's drop there was a cost, not a
    need); over 7.5 s the high rung would run dry, so it drops within the
    slow phase and climbs back once the buffer is rich again."""
    short = _throttled_switches("mpc", 2.5, 7.0)
    assert [(e.from_index, e.to_index) for e in short] == [(None, 0), (0, 1)]
    switches = _throttled_switches("mpc", 2.5, 10.0)
    downs = [e for e in switches if e.from_index == 1 and e.to_index == 0]
    assert downs and 2.5 < downs[0].t < 10.0, [(e.t, e.rule) for e in switches]
    assert downs[0].rule in ("abandon", "mpc-down", "mpc-insure"), downs[0].rule
    ups = [e for e in switches[2:] if e.to_index == 1]
    assert ups and ups[-1].t > downs[0].t  # back up, and the last word is the high rung
    assert switches[-1].to_index == 1
    assert all(e.rule and e.reason for e in switches)
