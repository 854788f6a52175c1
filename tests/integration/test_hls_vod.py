"""HlsSource against real HLS made by FFmpeg's hls muxer, over loopback HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lab.origin import ThrottleServer
from player.errors import NetworkError, PlaylistError, SecurityError
from player.events import Event, VariantSwitched, WarningRaised
from player.hls.hls_source import HlsSource
from tests.support import hls_media
from tests.support.hls_packets import assert_timeline, decoded, read_all

pytestmark = pytest.mark.integration


@pytest.fixture
def serve() -> Iterator[list[ThrottleServer]]:
    servers: list[ThrottleServer] = []
    yield servers
    for s in servers:
        s.stop()


def start(servers: list[ThrottleServer], root: Path, **kw: object) -> ThrottleServer:
    srv = ThrottleServer(root, **kw).start()  # type: ignore[arg-type]
    servers.append(srv)
    return srv


@pytest.mark.parametrize(
    ("make", "container"),
    [
        (hls_media.ts_vod, "mpegts"),
        (hls_media.fmp4_vod, "mp4"),
        (hls_media.byterange_vod, "mpegts"),
    ],
)
def test_vod_plays_whole_stream(serve: list[ThrottleServer], make: object, container: str) -> None:
    srv = start(serve, make())  # type: ignore[operator]
    src = HlsSource(srv.url("index.m3u8"))
    try:
        info = src.open()
        assert info.media.protocol == "hls" and info.media.container == container
        assert not info.media.is_live and info.media.seekable
        assert info.media.duration == pytest.approx(6.0)
        assert info.video is not None and info.video.width == 320
        assert info.audio is not None and info.audio.sample_rate == 48000
        packets = read_all(src)
        assert_timeline(packets, 6.0)
        assert decoded(packets, at_least=30) >= 30
        assert decoded(packets, "audio", at_least=30) >= 30
    finally:
        src.close()


def test_aes128_decrypts_and_warns_on_http_key(serve: list[ThrottleServer]) -> None:
    srv = start(serve, hls_media.ts_aes_vod())
    events: list[Event] = []
    src = HlsSource(srv.url("index.m3u8"), emit=events.append)
    try:
        src.open()
        packets = read_all(src)
        assert_timeline(packets, 6.0)
        assert decoded(packets, at_least=30) >= 30
    finally:
        src.close()
    assert [e.code for e in events if isinstance(e, WarningRaised)] == ["key-over-http"]
    assert sum(1 for r in srv.requests if r.endswith("enc.key")) == 1  # cached


def test_wrong_key_length_refused(serve: list[ThrottleServer], tmp_path: Path) -> None:
    src_dir = hls_media.ts_aes_vod()
    for f in src_dir.iterdir():
        (tmp_path / f.name).write_bytes(f.read_bytes())
    (tmp_path / "enc.key").write_bytes(bytes(17))
    srv = start(serve, tmp_path)
    src = HlsSource(srv.url("index.m3u8"))
    try:
        with pytest.raises(SecurityError, match="16 bytes"):
            src.open()
    finally:
        src.close()


def test_discontinuity_is_rebased(serve: list[ThrottleServer]) -> None:
    srv = start(serve, hls_media.discontinuity_vod())
    src = HlsSource(srv.url("index.m3u8"))
    try:
        src.open()
        packets = read_all(src)
    finally:
        src.close()
    video = [p for p in packets if p.stream.kind == "video"]
    assert video[-1].dts == pytest.approx(8.0, abs=0.3)  # not 5000 s
    flagged = [p for p in packets if p.discontinuity]
    assert {p.stream.kind for p in flagged} == {"video", "audio"}
    assert all(p.pts == pytest.approx(4.0, abs=0.1) for p in flagged)


def test_gap_keeps_timeline(serve: list[ThrottleServer]) -> None:
    srv = start(serve, hls_media.gap_vod())
    src = HlsSource(srv.url("index.m3u8"))
    try:
        src.open()
        packets = read_all(src)
        marks = [e.marker for e in src.timeline() if e.marker]
    finally:
        src.close()
    video = [p.dts for p in packets if p.stream.kind == "video" and p.dts is not None]
    assert max(video) == pytest.approx(6.0, abs=0.3)
    assert not any(2.05 < t < 3.95 for t in video)  # the gap is kept, not closed up
    assert "gap" in marks
    assert not any("s001" in r for r in srv.requests)


def test_ladder_alt_audio_and_abr_switch_up(serve: list[ThrottleServer]) -> None:
    srv = start(serve, hls_media.ladder_vod(), bandwidth=lambda t: 8e6 / 8)
    events: list[Event] = []
    src = HlsSource(srv.url("master.m3u8"), emit=events.append)
    try:
        info = src.open()
        assert [v.height for v in info.variants] == [180, 360]
        src.set_playback_position(0.0)
        packets = read_all(src)
    finally:
        src.close()
    assert_timeline(packets, 8.0)
    assert any(r.startswith("/v2/") for r in srv.requests)  # audio from the rendition
    switches = [e for e in events if isinstance(e, VariantSwitched)]
    assert switches[0].from_index is None and switches[0].to_index == 0
    ups = [e for e in switches[1:] if e.to_index == 1]
    assert ups and ups[0].estimate_bps > 2e6
    assert ups[0].rule == "mpc-up"  # the default policy's plan climbed
    assert ups[0].reason
    heights = {p.stream.height for p in packets if p.stream.kind == "video"}
    assert heights == {180, 360}
    samples = [e for e in src.timeline() if e.marker is None]
    assert samples and samples[-1].selected_bitrate > 1e6


def test_manual_lock_and_view_cap(serve: list[ThrottleServer]) -> None:
    srv = start(serve, hls_media.ladder_vod())
    src = HlsSource(srv.url("master.m3u8"))
    src.select_variant(1)
    try:
        src.open()
        read_all(src)
        assert src.current_variant() == 1
    finally:
        src.close()
    assert not any(r.startswith("/v0/s") for r in srv.requests)
    srv.requests.clear()
    src = HlsSource(srv.url("master.m3u8"))
    src.set_max_resolution(320, 180)
    try:
        src.open()
        src.set_playback_position(0.0)
        read_all(src)
    finally:
        src.close()
    assert not any(r.startswith("/v1/s") for r in srv.requests)


def test_404_segment_falls_back_to_other_variant(serve: list[ThrottleServer]) -> None:
    srv = start(serve, hls_media.ladder_vod())
    srv.faults["v1/s001.ts"] = 404
    events: list[Event] = []
    src = HlsSource(srv.url("master.m3u8"), emit=events.append)
    src.select_variant(1)
    try:
        src.open()
        packets = read_all(src)
    finally:
        src.close()
    assert_timeline(packets, 8.0)
    assert any(isinstance(e, WarningRaised) and e.code == "variant-failed" for e in events)


def test_a_segment_404_with_nothing_left_is_skipped_not_fatal(
    serve: list[ThrottleServer],
) -> None:
    """No other variant or copy has s001: it is a gap with a warning (it used
    to end the stream), and the segments around it play."""
    srv = start(serve, hls_media.ts_vod())
    srv.faults["s001.ts"] = 404
    events: list[Event] = []
    src = HlsSource(srv.url("index.m3u8"), emit=events.append, rand=lambda: 0.0)
    try:
        src.open()
        packets = read_all(src)
        gaps = src.segment_gaps
    finally:
        src.close()
    video = [p.dts for p in packets if p.stream.kind == "video" and p.dts is not None]
    assert max(video) == pytest.approx(6.0, abs=0.3) and min(video) < 0.1
    assert not any(2.05 < t < 3.95 for t in video)
    assert gaps == [1]
    skipped = [e for e in events if isinstance(e, WarningRaised) and e.code == "segment-skipped"]
    assert len(skipped) == 1 and "404" in skipped[0].message


def test_truncated_segment_is_retried_then_skipped_not_a_hang(
    serve: list[ThrottleServer],
) -> None:
    srv = start(serve, hls_media.ts_vod())
    srv.truncate["s001.ts"] = 5000
    src = HlsSource(srv.url("index.m3u8"), rand=lambda: 0.0)
    started = time.monotonic()
    try:
        src.open()
        packets = read_all(src)
        gaps = src.segment_gaps
    finally:
        src.close()
    assert time.monotonic() - started < 15  # the retry policy's attempts, not a hang
    video = [p.dts for p in packets if p.stream.kind == "video" and p.dts is not None]
    assert max(video) == pytest.approx(6.0, abs=0.3)
    assert gaps == [1]
    assert sum(1 for r in srv.requests if r.endswith("s001.ts")) >= 2


def test_playlist_pointing_at_file_url_refused(serve: list[ThrottleServer], tmp_path: Path) -> None:
    (tmp_path / "index.m3u8").write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
    )
    srv = start(serve, tmp_path)
    src = HlsSource(srv.url("index.m3u8"))
    try:
        with pytest.raises(PlaylistError, match="scheme 'file'"):
            src.open()
    finally:
        src.close()


def test_close_returns_promptly_while_server_hangs(serve: list[ThrottleServer]) -> None:
    srv = start(serve, hls_media.ts_vod())
    srv.hang.add("s001.ts")
    src = HlsSource(srv.url("index.m3u8"))
    src.open()
    got = 0
    while got < 50:
        assert src.read() is not None
        got += 1
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            read_all(src)
        except NetworkError as exc:
            errors.append(exc)

    t = threading.Thread(target=reader)
    t.start()
    t0 = time.monotonic()
    src.interrupt()
    t.join(2)
    src.close()
    assert time.monotonic() - t0 < 1.0
    assert not t.is_alive() and errors


def test_seek_vod(serve: list[ThrottleServer]) -> None:
    srv = start(serve, hls_media.ts_vod())
    src = HlsSource(srv.url("index.m3u8"))
    try:
        src.open()
        src.read()
        src.seek(4.5, exact=False)
        first = src.read()
        assert first is not None and first.discontinuity
        assert first.pts == pytest.approx(4.0, abs=0.15)
        rest = read_all(src)
        assert max(p.pts or 0 for p in rest) == pytest.approx(6.0, abs=0.1)
    finally:
        src.close()


def test_abandoned_download_still_feeds_the_estimate(serve: list[ThrottleServer]) -> None:
    """The link collapses mid-download: the download is abandoned for the low
    rung, and the bytes that did arrive count, so the estimate the switch is
    made with already shows the collapse."""
    fast = 8e6 / 8
    #: the server's clock when the first high-rung segment was asked for
    asked: list[float] = []

    def link(t: float) -> float:
        # Timed from that request, not from the server's start (a start made
        # a round trip sooner got most of the segment in before a collapse at
        # a fixed time, and was then merely slow): a sixth of it (50 ms of
        # its 0.3 s) comes fast and the rest crawls, a download to abandon.
        if not asked and any(r.startswith("/v1/s") for r in srv.requests):
            asked.append(t)
        return fast if not asked or t < asked[0] + 0.05 else 0.15e6 / 8

    srv = start(serve, hls_media.ladder_vod(), bandwidth=link)
    seen: list[tuple[VariantSwitched, float]] = []
    src: HlsSource

    def on(e: Event) -> None:
        if isinstance(e, VariantSwitched):
            seen.append((e, src.estimate_bps()))

    src = HlsSource(srv.url("master.m3u8"), emit=on)
    try:
        src.open()
        src.set_playback_position(0.0)
        deadline = time.monotonic() + 20  # fail, do not crawl through the whole VOD
        while not any(e.rule == "abandon" for e, _ in seen) and time.monotonic() < deadline:
            if src.read() is None:
                break
    finally:
        src.close()
    up = next(est for e, est in seen if e.to_index == 1)
    abandon = next(est for e, est in seen if e.rule == "abandon")
    assert up > 2e6
    assert abandon < up / 2


def test_program_date_time_of_a_position(serve: list[ThrottleServer], tmp_path: Path) -> None:
    src_dir = hls_media.ts_vod()
    for n in ("s000.ts", "s001.ts", "s002.ts"):
        (tmp_path / n).write_bytes((src_dir / n).read_bytes())
    (tmp_path / "index.m3u8").write_text(
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n"
        "#EXT-X-PROGRAM-DATE-TIME:2026-03-01T12:00:00.000Z\n#EXTINF:2,\ns000.ts\n"
        "#EXTINF:2,\ns001.ts\n"
        "#EXT-X-PROGRAM-DATE-TIME:2026-03-01T12:00:10.000Z\n#EXTINF:2,\ns002.ts\n"
        "#EXT-X-ENDLIST\n"
    )
    srv = start(serve, tmp_path)
    src = HlsSource(srv.url("index.m3u8"))
    try:
        src.open()
        assert src.program_date_time(0.0) == datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
        read_all(src)
        # the latest date rules: a gap in the clock at the third segment shows
        at = src.program_date_time(5.0)
        assert at == datetime(2026, 3, 1, 12, 0, 11, tzinfo=UTC)
    finally:
        src.close()
