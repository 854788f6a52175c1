"""``decode``: the decoder threads against a small context of their own (no
session), fed real packets (an HLS segment demuxed by ``SegmentDemuxer``)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace

import numpy as np
import pytest

from player.audio_buffer import AudioBuffer
from player.clock import ManualClock, SystemClock
from player.decode import AudioDecoder, DecodeContext, VideoDecoder
from player.frame_drop import FrameDropPolicy
from player.hls.playlist_parser import parse_media_playlist
from player.hls.segment_demux import SegmentDemuxer
from player.metrics import SessionMetrics
from player.queues import EOS, MediaQueue, QueueItem
from player.source_api import DemuxPacket
from player.video_sink import VideoFrame
from tests.support.hls_media import ts_vod


@dataclass
class Context:
    """A ``DecodeContext`` that records what decoders report."""

    stopping: threading.Event = field(default_factory=threading.Event)
    serial: int = 0
    drop_before: float | None = None
    speed: float = 1.0
    metrics: SessionMetrics = field(default_factory=lambda: SessionMetrics(ManualClock()))
    clock: ManualClock = field(default_factory=ManualClock)
    #: the master clock's position, or None: frames are not timed
    master: float | None = None
    failures: list[BaseException] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def video_lateness(self, pts: float) -> float | None:
        return None if self.master is None else self.master - pts

    def fail_from_thread(self, exc: BaseException) -> None:
        self.failures.append(exc)

    def on_decode_error(self, kind: str, exc: BaseException) -> None:
        self.errors.append((kind, str(exc)))


def _packets(kind: str, segments: int = 1) -> list[DemuxPacket]:
    root = ts_vod()
    pl = parse_media_playlist((root / "index.m3u8").read_text(), "http://o.test/index.m3u8")
    demuxer = SegmentDemuxer()
    out: list[DemuxPacket] = []
    for seg in pl.segments[:segments]:
        data = (root / seg.uri.rsplit("/", 1)[1]).read_bytes()
        out += demuxer.main_segment(data, seg, seg.start, rung=0, bit_rate=None, drop_audio=False)
    return [p for p in out if p.stream.kind == kind]


def _feed(queue: MediaQueue[DemuxPacket], packets: list[DemuxPacket], serial: int) -> None:
    for p in packets:
        queue.put_nowait(QueueItem[DemuxPacket](p, serial, p.pts, p.duration, p.size))


def _frames(frames: MediaQueue[VideoFrame]) -> list[VideoFrame]:
    out: list[VideoFrame] = []
    while (item := frames.get(10.0)) is not None and item.value is not EOS:
        assert isinstance(item.value, VideoFrame)
        out.append(item.value)
    return out


def test_video_frames_come_out_in_order_on_the_timeline_and_are_counted() -> None:
    ctx = Context()
    packets: MediaQueue[DemuxPacket] = MediaQueue(1e9, 1 << 40, clock=ctx.clock)
    frames: MediaQueue[VideoFrame] = MediaQueue(1e9, 1 << 40, clock=SystemClock())
    video = _packets("video")
    _feed(packets, video, 0)
    packets.put_nowait(QueueItem[DemuxPacket](EOS, 0, None, 0.0, 0))
    decoder: DecodeContext = ctx
    dec = VideoDecoder(decoder, packets, frames)
    dec.start()
    try:
        out = _frames(frames)
    finally:
        ctx.stopping.set()
        packets.close()  # its wait is on the context's clock: ended by the close
        dec.join(10.0)
    assert len(out) == len(video)  # every packet a frame, the reordered ones drained
    pts = [f.pts for f in out]
    assert pts == sorted(pts) and pts[0] == pytest.approx(0.0, abs=0.05)
    assert [f.index for f in out] == list(range(1, len(out) + 1))
    assert ctx.metrics.frames_decoded == len(out)
    assert (out[0].width, out[0].height) == (320, 180)
    assert ctx.failures == [] and ctx.errors == []


def test_stale_serials_are_skipped_and_an_exact_seek_drops_frames_before_its_target() -> None:
    ctx = Context(serial=2, drop_before=1.0)
    packets: MediaQueue[DemuxPacket] = MediaQueue(1e9, 1 << 40, clock=ctx.clock)
    frames: MediaQueue[VideoFrame] = MediaQueue(1e9, 1 << 40, clock=SystemClock())
    video = _packets("video")
    _feed(packets, video, 1)  # from before the seek: never decoded
    _feed(packets, video, 2)
    packets.put_nowait(QueueItem[DemuxPacket](EOS, 2, None, 0.0, 0))
    dec = VideoDecoder(ctx, packets, frames)
    dec.start()
    try:
        out = _frames(frames)
    finally:
        ctx.stopping.set()
        packets.close()  # its wait is on the context's clock: ended by the close
        dec.join(10.0)
    assert out and min(f.pts for f in out) >= 1.0 - 0.02
    # every packet of the current serial was decoded once, the stale ones never
    assert ctx.metrics.frames_decoded == len(video)


def test_audio_is_resampled_into_the_buffer_with_its_times() -> None:
    ctx = Context()
    packets: MediaQueue[DemuxPacket] = MediaQueue(1e9, 1 << 40, clock=ctx.clock)
    out = AudioBuffer(rate=48_000, channels=2, max_seconds=30, clock=ctx.clock)
    ended = threading.Event()
    audio = _packets("audio", segments=2)
    _feed(packets, audio, 0)
    packets.put_nowait(QueueItem[DemuxPacket](EOS, 0, None, 0.0, 0))
    dec = AudioDecoder(ctx, packets, out, lambda serial: ended.set())
    dec.start()
    try:
        assert ended.wait(10.0)
    finally:
        ctx.stopping.set()
        packets.close()  # its wait is on the context's clock: ended by the close
        dec.join(10.0)
    block = np.zeros((48_000 * 5, 2), dtype=np.float32)
    written, first, speed, end = out.read_into(block, gain=1.0)
    assert first is not None and first == pytest.approx(0.0, abs=0.05) and speed == 1.0
    # two 2 s segments of audio, at the device's rate
    assert written / 48_000 == pytest.approx(4.0, abs=0.1)
    assert end == pytest.approx(first + written / 48_000, abs=1e-3)
    assert float(np.abs(block[:written]).max()) > 0.01  # sound, not silence
    assert ctx.metrics.first_audio_at is not None


def _run_video(ctx: Context, video: list[DemuxPacket]) -> list[VideoFrame]:
    packets: MediaQueue[DemuxPacket] = MediaQueue(1e9, 1 << 40, clock=ctx.clock)
    frames: MediaQueue[VideoFrame] = MediaQueue(1e9, 1 << 40, clock=SystemClock())
    _feed(packets, video, 0)
    packets.put_nowait(QueueItem[DemuxPacket](EOS, 0, None, 0.0, 0))
    dec = VideoDecoder(ctx, packets, frames, FrameDropPolicy())
    dec.start()
    try:
        return _frames(frames)
    finally:
        ctx.stopping.set()
        packets.close()  # its wait is on the context's clock: ended by the close
        dec.join(10.0)


def test_far_behind_the_clock_every_packet_is_skipped_and_counted() -> None:
    ctx = Context(master=100.0)
    video = _packets("video")
    out = _run_video(ctx, video)
    assert out == []
    assert ctx.metrics.frames_decoded == 0
    assert ctx.metrics.frames_dropped_decoder == len(video)


def test_late_frames_are_dropped_before_the_queue_and_every_frame_is_accounted_for() -> None:
    video = _packets("video")
    # the clock 0.5 s in: the first half second of frames is late, the rest on time
    master = 0.5
    ctx = Context(master=master)
    out = _run_video(ctx, video)
    m = ctx.metrics
    assert m.frames_dropped_late + m.frames_dropped_decoder > 0
    # the first frame is kept (no picture yet); after it, only frames on time
    assert all(master - f.pts <= 0.04 for f in out[1:])
    assert len(out) + m.frames_dropped_late + m.frames_dropped_decoder == len(video)
    assert m.frames_decoded == len(out) + m.frames_dropped_late


def test_a_first_keyframe_without_a_timestamp_is_kept_as_the_reference() -> None:
    """RTSP before its first sender report: the keyframe the server held back
    comes without a pts, the packets after it with one. The offset the first
    timestamp sets is no timeline break; draining there flushed the keyframe,
    and nothing decoded until the next one (a whole GOP, issue 11)."""
    video = _packets("video")
    first = video[0]
    assert first.keyframe
    offset = _offset_of(video[1])
    assert abs(offset) > 0.01  # the timeline is not the packets' own
    first.packet.pts = None
    first.packet.dts = None
    video[0] = replace(first, pts=None, dts=None)
    ctx = Context()
    out = _run_video(ctx, video)
    assert len(out) == len(video)  # every packet a frame: the reference kept
    assert ctx.errors == [] and ctx.failures == []


def _offset_of(pkt: DemuxPacket) -> float:
    raw = pkt.packet.pts if pkt.packet.pts is not None else pkt.packet.dts
    assert pkt.pts is not None and raw is not None
    return pkt.pts - float(raw * pkt.packet.time_base)


def test_a_decoder_waiting_for_packets_waits_on_the_clock() -> None:
    """Its poll for packets is a wait on its session's clock: on a
    ``ManualClock`` it stays blocked (no spinning on the wall clock) until a
    packet comes, which it takes with no time passing."""
    ctx = Context()
    packets: MediaQueue[DemuxPacket] = MediaQueue(1e9, 1 << 40, clock=ctx.clock)
    frames: MediaQueue[VideoFrame] = MediaQueue(1e9, 1 << 40, clock=SystemClock())
    dec = VideoDecoder(ctx, packets, frames)
    dec.start()
    try:
        ctx.clock.until_waiting(1)
        ctx.clock.advance(0.05)  # its poll's deadline: it looks again, and waits again
        ctx.clock.until_waiting(1)
        assert len(frames) == 0 and dec.is_alive()
        video = _packets("video")
        _feed(packets, video, 0)
        packets.put_nowait(QueueItem[DemuxPacket](EOS, 0, None, 0.0, 0))
        out = _frames(frames)
        assert len(out) == len(video) and ctx.clock.now() == 0.05
    finally:
        ctx.stopping.set()
        packets.close()
        dec.join(10.0)
    assert not dec.is_alive()
