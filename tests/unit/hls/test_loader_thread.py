"""``hls.loader_thread``: the loop that opens an HLS stream and then fetches,
demuxes and queues it ahead of playback, driven on a ``ManualClock`` over a
scripted origin (``FakeFetcher``), its parts wired as ``HlsSource`` wires
them but without the source: what a test reads is the state the loop leaves
(the packet queue, ``ended``, ``error``, the timeline) and the requests it
made, in order."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from player.errors import FormatError, PlaylistError
from player.hls.fetch_cursor import FetchCursor
from player.hls.loader_thread import LoaderThread
from player.hls.packet_queue import PacketQueue
from player.hls.segment_demux import SegmentDemuxer, dts_key
from player.hls.segment_loader import SegmentLoader
from player.hls.segment_packets import SegmentPackets
from player.hls.timestamps import DateMap
from player.hls.track_requests import TrackRequests
from player.source_api import DemuxPacket
from player.warning_text import WarningCode
from tests.support import hls_media
from tests.support.clocked_run import drive
from tests.support.fake_fetcher import Reply
from tests.support.hls_loader_rig import BASE, LoaderRig, media_playlist

INDEX = BASE + "index.m3u8"


class Loop:
    """A ``LoaderThread`` over a ``LoaderRig``'s parts, with the parts the
    rig leaves out (the fetch cursor, the demuxer, the packet queue, the
    segment packets, the track requests) made as ``HlsSource`` makes them."""

    def __init__(self, url: str = INDEX) -> None:
        self.rig = rig = LoaderRig([], url=url)
        s = rig.state
        s.ladder, s.rung = [], None  # the loop finds the ladder itself
        demuxer = SegmentDemuxer()
        self.packets = PacketQueue(s, rig.watch)
        cursor = FetchCursor(
            s,
            ladder=rig.ladder,
            downloads=rig.downloads,
            demuxer=demuxer,
            dates=DateMap(),
            renditions=rig.renditions,
            io=rig.io,
            hint_streams=rig.streams,
            watch=rig.watch,
        )
        loader = SegmentLoader(
            s,
            rig.downloads,
            rig.abr,
            ladder=rig.ladder,
            choice=rig.choice,
            penalty=rig.penalty,
            outages=rig.outages,
            next_segment=cursor.next_segment,
        )
        self.segments = SegmentPackets(s, demuxer, rig.ladder, rig.renditions)
        self.thread = LoaderThread(
            s,
            downloads=rig.downloads,
            abr=rig.abr,
            ladder=rig.ladder,
            choice=rig.choice,
            cursor=cursor,
            loader=loader,
            outages=rig.outages,
            packets=self.packets,
            segments=self.segments,
            tracks=TrackRequests(s, rig.renditions, rig.io, self.packets),
            renditions=rig.renditions,
            io=rig.io,
            demuxer=demuxer,
            hint_streams=rig.streams,
        )
        self._worker: threading.Thread | None = None

    def serve(self, root: Path, **reply: object) -> None:
        self.rig.fetcher.serve_directory(BASE, root, **reply)  # type: ignore[arg-type]

    def start(self) -> None:
        self._worker = threading.Thread(target=self.thread.run, name="loader-loop", daemon=True)
        self._worker.start()

    def run_until(self, done: Callable[[], object]) -> None:
        """Drive the clock while the loop works, until ``done()``."""
        assert self._worker is not None
        worker = self._worker
        drive(
            self.rig.clock,
            lambda: int(worker.is_alive()),
            lambda: bool(done()) or not worker.is_alive(),
        )

    def stop(self) -> None:
        """What ``HlsSource.close`` does to the loop: it ends, and says so."""
        s = self.rig.state
        s.stop.set()
        with s.cond:
            s.interrupted = True
            s.cancel.set()
            s.cond.notify_all()
        assert self._worker is not None
        self._worker.join(10.0)
        assert not self._worker.is_alive(), "the loop did not end"

    def queued(self) -> list[DemuxPacket]:
        with self.rig.state.cond:
            return list(self.rig.state.queue)

    def ended(self) -> bool:
        with self.rig.state.cond:
            return self.rig.state.ended


def video(packets: list[DemuxPacket]) -> list[DemuxPacket]:
    return [p for p in packets if p.stream.kind == "video"]


def test_a_vod_stream_is_opened_queued_in_order_and_ended() -> None:
    loop = Loop()
    loop.serve(hls_media.ts_vod(6.0))
    loop.start()
    try:
        loop.run_until(loop.ended)
        s = loop.rig.state
        assert s.error is None and s.opened.is_set() and s.info is not None
        assert s.info.media.duration == pytest.approx(6.0, abs=0.1) and s.info.media.seekable
        queued = loop.queued()
        # decode order, every segment once, from the start to the end
        assert [dts_key(p) for p in queued] == sorted(dts_key(p) for p in queued)
        frames = video(queued)
        assert frames[0].keyframe and dts_key(frames[0]) == pytest.approx(0.0, abs=0.1)
        assert dts_key(frames[-1]) > 5.8
        assert loop.rig.fetcher.urls() == [INDEX] + [BASE + f"s{k:03d}.ts" for k in range(3)]
        # one timeline sample per queued segment, after the first rung's switch
        marks = [e.marker for e in s.timeline]
        assert marks == ["switch", None, None, None]
        assert s.queued_bytes == sum(p.size for p in queued)
    finally:
        loop.stop()
    assert loop.ended() and loop.rig.state.error is None


def test_a_seek_after_the_end_refetches_from_the_segment_holding_the_target() -> None:
    loop = Loop()
    loop.serve(hls_media.ts_vod(6.0))
    loop.start()
    try:
        loop.run_until(loop.ended)
        loop.packets.clear_for_seek(3.0)
        loop.run_until(lambda: loop.ended() and loop.queued())
        queued = loop.queued()
        frames = video(queued)
        # from the start of the segment holding 3.0 s (2..4 s), marked as a break
        assert dts_key(frames[0]) == pytest.approx(2.0, abs=0.1)
        assert queued[0].discontinuity
        assert all(dts_key(p) > 1.9 for p in queued)
        assert loop.rig.fetcher.urls("segment")[3:] == [BASE + "s001.ts", BASE + "s002.ts"]
    finally:
        loop.stop()


def test_a_vod_playlist_without_segments_fails_the_open_clearly() -> None:
    loop = Loop()
    loop.rig.fetcher.serve(INDEX, media_playlist([]))
    loop.start()
    loop.run_until(loop.ended)
    s = loop.rig.state
    assert isinstance(s.error, PlaylistError) and "without segments" in str(s.error)
    assert not s.opened.is_set() and s.ended
    assert [e.marker for e in s.timeline][-1] == "error"
    loop.stop()


def test_segments_that_never_demux_end_in_no_playable_media() -> None:
    loop = Loop()
    loop.rig.fetcher.serve(INDEX, media_playlist(["a.ts", "b.ts"], duration=2.0))
    for name in ("a.ts", "b.ts"):
        loop.rig.fetcher.serve(BASE + name, b"\x47 not a transport stream" * 20)
    loop.start()
    loop.run_until(loop.ended)
    s = loop.rig.state
    assert isinstance(s.error, FormatError) and "no playable media" in str(s.error)
    # each bad segment was told, and skipped, before the verdict
    assert len(loop.rig.warnings(WarningCode.BAD_SEGMENT)) == 2
    assert not s.queue and not s.opened.is_set()
    loop.stop()


def test_a_pinned_variant_the_ladder_lacks_fails_the_open() -> None:
    loop = Loop()
    loop.serve(hls_media.ts_vod(6.0))
    loop.rig.state.pin_variant = 3
    loop.start()
    loop.run_until(loop.ended)
    s = loop.rig.state
    assert s.error is not None and "3" in str(s.error)
    # nothing but the playlist was asked for
    assert loop.rig.fetcher.urls() == [INDEX]
    loop.stop()


def test_a_stop_mid_download_ends_the_loop_without_an_error() -> None:
    loop = Loop()
    root = hls_media.ts_vod(6.0)
    loop.rig.fetcher.serve(INDEX, (root / "index.m3u8").read_text())
    # the first segment takes 30 s to arrive: the loop is inside it when stopped
    body = (root / "s000.ts").read_bytes()
    loop.rig.fetcher.script(BASE + "s000.ts", Reply(body=body, ttfb=0.1, duration=30.0))
    loop.start()
    loop.run_until(lambda: loop.rig.clock.now() >= 5.0)
    assert not loop.ended()
    loop.stop()
    s = loop.rig.state
    assert s.ended and s.error is None and not s.opened.is_set()
